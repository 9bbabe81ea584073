"""One chat turn in the fake backend: the model's reply (text or tool calls), complete or as
Julep SSE events, and its saving to history."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from .._sse import encode_json as sse
from . import context
from . import responder as responders
from .parse import Call
from .store import Record, SessionState

if TYPE_CHECKING:
    from .app import Backend

DEFAULT_MODEL = "julep-fake-echo"


class Answer:
    """The model's reply to one chat turn, complete or as SSE events, and its saving.

    ``given`` is the chat's input as sent (the :class:`~julep_async.types.ChatInput`
    fields the caller gave), ``tools`` the function and other tools the model is offered.
    """

    call: Call
    state: SessionState
    messages: Any
    backend: Backend
    prompt: context.Prompt
    docs: list[Record]
    tools: list[Record]
    tool_choice: Any
    id: str
    created_at: str

    def __init__(self, call: Call, state: SessionState, given: Record, agent_id: str,
                 prompt: context.Prompt, docs: list[Record], tools: list[Record]) -> None:
        self.call, self.state, self.messages = call, state, given["messages"]
        self.backend = call.backend
        self.prompt, self.docs, self.tools = prompt, docs, tools
        self.tool_choice = given.get("tool_choice")
        self.id, self.created_at = call.new_id(), call.now()
        agent = call.tenant.agents.get(agent_id) or {}
        self.model: str = given.get("model") or agent.get("model") or DEFAULT_MODEL
        self.max_tokens: int | None = given.get("max_tokens")
        self.saving: bool = given.get("save", True)

    def envelope(self, choices: list[Record], usage: Record | None) -> Record:
        """A reply or a stream event; ``usage`` is left out until known (the spec has it
        an object, never null)."""
        envelope: Record = {"id": self.id, "created_at": self.created_at, "choices": choices, "jobs": [],
                            "docs": self.docs}
        if usage is not None:
            envelope["usage"] = usage
        return envelope

    def usage(self, reply: Record) -> Record:
        calls = "".join(call["function"]["arguments"] for call in reply.get("tool_calls") or [])
        completion = self.backend.counter(context.text_of(reply["content"]) + calls)
        return {"prompt_tokens": self.prompt.prompt_tokens, "completion_tokens": completion,
                "total_tokens": self.prompt.prompt_tokens + completion}

    async def _ask(self) -> Any:
        return await responders.ask(self.backend.responder, self.prompt.messages,
                                    with_tools=self.backend.responder_takes_tools, tools=self.tools,
                                    tool_choice=self.tool_choice)

    def _tool_calls(self, reply: responders.ModelReply) -> list[Record]:
        return [{"id": self.call.new_id(), "type": "function",
                 "function": {"name": use.name, "arguments": json.dumps(dict(use.arguments), sort_keys=True)}}
                for use in reply.tool_calls]

    async def text_pieces(self, reply: Any) -> AsyncGenerator[str, None]:
        """A text reply piece by piece, as the responder gives it, cut at ``max_tokens``."""
        used, counter = 0, self.backend.counter
        async with aclosing(responders.pieces(reply)) as pieces:
            async for piece in pieces:
                if self.max_tokens is not None:
                    piece = context.head_within(piece, self.max_tokens - used, counter)
                used += counter(piece)
                yield piece
                if self.max_tokens is not None and used >= self.max_tokens:
                    return

    def _finish(self, message: Record) -> str:
        if message.get("tool_calls"):
            return "tool_calls"
        cut = self.max_tokens is not None and self.backend.counter(message["content"] or "") >= self.max_tokens
        return "length" if cut else "stop"

    async def complete(self) -> Record:
        reply = await self._ask()
        if isinstance(reply, responders.ModelReply):
            message: Record = {"role": "assistant", "content": reply.content or None,
                               "tool_calls": self._tool_calls(reply)}
        elif isinstance(reply, str) and self.max_tokens is None:
            message = {"role": "assistant", "content": reply}
        else:
            message = {"role": "assistant",
                       "content": "".join([piece async for piece in self.text_pieces(reply)])}
        self.save(message)
        choice = {"index": 0, "finish_reason": self._finish(message), "message": message}
        return self.envelope([choice], self.usage(message))

    async def events(self) -> AsyncGenerator[bytes, None]:
        """SSE events: text in word-sized deltas (every one says ``finish_reason: "stop"``,
        as the v1 server's do), tool calls in argument pieces, then a usage-only event."""
        reply = await self._ask()
        if isinstance(reply, responders.ModelReply):
            message: Record = {"role": "assistant", "content": reply.content or None,
                               "tool_calls": self._tool_calls(reply)}
            if reply.content:
                yield self._delta({"content": reply.content}, "tool_calls")
            for call in message["tool_calls"]:
                for piece in _halves(call["function"]["arguments"]):
                    function = {"name": call["function"]["name"], "arguments": piece}
                    yield self._delta({"content": None, "tool_calls": [{**call, "function": function}]}, "tool_calls")
        else:
            parts = []
            async with aclosing(self.text_pieces(reply)) as pieces:
                async for piece in pieces:
                    for word in re.findall(r"\s*\S+\s*|\s+", piece) or [piece]:
                        parts.append(word)
                        yield self._delta({"content": word}, "stop")
            message = {"role": "assistant", "content": "".join(parts)}
        self.save(message)
        yield sse(self.envelope([], self.usage(message)))

    def _delta(self, delta: Record, finish_reason: str) -> bytes:
        choice = {"index": 0, "finish_reason": finish_reason, "delta": {"role": "assistant", **delta}}
        return sse(self.envelope([choice], None))

    def save(self, reply: Record) -> None:
        """The new messages (``api_request``) and the reply (``api_response``) join the
        history, tool calls and results as they are, the way the v1 server records them."""
        if not self.saving:
            return
        state, counter, model, clock = self.state, self.backend.counter, self.model, self.backend.clock
        if self.prompt.summary_upto:
            state.summary = context.Stored(self.prompt.summary, self.prompt.summary_upto)
            state.record["summary"] = self.prompt.summary
        for message, source in [*((m, "api_request") for m in self.messages), (reply, "api_response")]:
            now, content = clock.timestamp(), message.get("content")
            tokens = context.message_tokens(message, counter)
            state.entries.append({
                "id": clock.new_id(), "created_at": now, "timestamp": now, "role": message["role"],
                "name": message.get("name"), "content": "" if content is None else content, "source": source,
                "tokenizer": "chars/4", "model": model, "token_count": tokens,
                "tool_calls": message.get("tool_calls"), "tool_call_id": message.get("tool_call_id"),
            })
            state.history.append({key: value for key, value in message.items()
                                  if key in ("role", "content", "name", "tool_calls", "tool_call_id")}, tokens)


def _halves(text: str) -> list[str]:
    """``text`` in two pieces, the way providers stream a call's arguments."""
    middle = len(text) // 2
    return [text[:middle], text[middle:]] if middle else [text]


class TurnStream:
    """A reply stream that holds the session's turn until it ends or is closed."""

    def __init__(self, events: AsyncGenerator[bytes, None], release: Callable[[], None]) -> None:
        self._events = events
        self._release: Callable[[], None] | None = release

    def __aiter__(self) -> TurnStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self._events.__anext__()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
            await self._events.aclose()
