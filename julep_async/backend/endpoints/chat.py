"""A session's conversation: ``chat``, ``render``, ``history`` and clearing it."""

from __future__ import annotations

import anyio

from ...transports.base import Response
from ...types import ChatInput
from .. import context, prompt, records
from ..answer import Answer, TurnStream
from ..faults import Fault
from ..parse import Call
from ..store import Record, SessionState
from .common import Reply, session

SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}


def _input(call: Call, state: SessionState) -> tuple[Record, str]:
    """The chat's input as sent, and the agent that answers (a participant)."""
    given = call.wire(ChatInput)
    agent = given.get("agent")
    if agent is not None:
        agent = agent.lower()
        if agent not in state.agents:
            raise Fault(400, f"agent {agent!r} is not a participant of this session")
    return given, agent or state.agents[0]


def _tools(call: Call, agent_id: str, given: Record) -> list[Record]:
    """The agent's tools and the chat's own (``tools=``), as the model sees them; a
    ``tool_choice`` must name one of the function tools."""
    stored = [
        {key: value for key, value in tool.items() if key not in ("id", "created_at", "updated_at")}
        for tool in call.tenant.tools.get(agent_id, {}).values()
    ]
    tools = stored + list(given.get("tools") or [])
    choice = given.get("tool_choice")
    named = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    if named is not None and named not in {t["name"] for t in tools if t.get("type") == "function"}:
        raise Fault(400, f"tool_choice names the function {named!r}, which is not among the tools of this chat",
                    code="llm_bad_request")
    return tools


async def render(call: Call) -> Reply:
    state = session(call)
    given, agent_id = _input(call, state)
    async with state.turns():
        built, docs = prompt.build(call.backend, call.tenant, state, given["messages"],
                                   recall_docs=given.get("recall", True), agent_id=agent_id)
    report = built.report(state.record["context_overflow"], state.record["token_budget"],
                          call.backend.context_window)
    tools = _tools(call, agent_id, given)
    rendered: Record = {"messages": list(built.messages), "tools": tools, "docs": docs, "context": report}
    if "tool_choice" in given:
        rendered["tool_choice"] = given["tool_choice"]
    return 200, rendered


async def chat(call: Call) -> Reply:
    state = session(call)
    given, agent_id = _input(call, state)
    turn = state.turns()
    try:
        turn.acquire_nowait()
    except anyio.WouldBlock:
        await turn.acquire()
    try:
        tools = _tools(call, agent_id, given)
        built, docs = prompt.build(call.backend, call.tenant, state, given["messages"],
                                   recall_docs=given.get("recall", True), agent_id=agent_id)
        answer = Answer(call, state, given, agent_id, built, docs, tools)
    except BaseException:
        turn.release()
        raise
    if given.get("stream"):
        return Response(200, SSE_HEADERS, stream=TurnStream(answer.events(), turn.release))
    try:
        return 201, await answer.complete()
    finally:
        turn.release()


async def history(call: Call) -> Reply:
    """The stored entries, oldest first; ``limit`` and ``before`` (query) are honoured here,
    though a v1 server ignores them."""
    state = session(call)
    entries = state.entries
    if before := call.query.get("before"):
        entries = [entry for entry in entries if entry["created_at"] < before]
    if "limit" in call.query and (limit := call.integer("limit")) > 0:
        entries = entries[-limit:]
    return 200, {"session_id": call.ids[0], "created_at": state.record["created_at"], "entries": entries,
                 "relations": []}


async def clear(call: Call) -> Reply:
    """The history and the summary go; the session stays (an extension: v1 has no route)."""
    state = session(call)
    async with state.turns():
        state.entries, state.history = [], context.History()
        state.summary = context.Stored()
        state.record["summary"] = None
    return 202, records.deleted(call.ids[0], call.now())
