"""``client.sessions``: sessions, chat, render, history and session documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, overload

import anyio
import attrs

from .._types import UNSET, ContextOverflow, Unset, drop_unset
from ..exceptions import ValidationError
from ..pagination import AsyncPager
from ..streaming import AsyncStream
from ..types import ChatChunk, ChatResponse, History, Message, RenderResponse, ResourceDeleted, Session
from ._base import (
    Resource,
    check,
    check_count,
    check_id,
    check_metadata,
    check_overflow,
    list_query,
    wire_messages,
    wire_time,
)
from .docs import SessionDocs

MessagesArg = Sequence[dict[str, Any] | Message]


@attrs.frozen
class ChatJob:
    """One chat for :meth:`Sessions.chat_many`."""

    session_id: str
    messages: MessagesArg
    options: dict[str, Any] = attrs.Factory(dict)


@attrs.frozen
class ChatOutcome:
    """What one job of :meth:`Sessions.chat_many` gave: a reply or an error."""

    session_id: str
    response: ChatResponse | None
    error: Exception | None

    @property
    def ok(self) -> bool:
        return self.error is None


# Spelled out here because ``list`` means ``Sessions.list`` inside the class body.
Outcomes = list[ChatOutcome]
Slots = list[ChatOutcome | None]

_SETTINGS = {
    "situation": (str, True), "system_template": (str, True), "render_templates": (bool, False),
    "auto_run_tools": (bool, False), "forward_tool_calls": (bool, False), "recall_options": (dict, True),
}
_CHAT_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "model": str, "temperature": (int, float), "max_tokens": int, "top_p": (int, float), "seed": int,
    "stop": list, "frequency_penalty": (int, float), "presence_penalty": (int, float),
    "response_format": dict, "metadata": dict, "agent": str, "recall_tools": bool,
}


def _settings(fields: dict[str, Any]) -> dict[str, Any]:
    """Checked session settings, UNSET ones left out."""
    for name, (kind, nullable) in _SETTINGS.items():
        if name in fields:
            check(name, fields[name], kind, nullable=nullable)
    check_count("token_budget", fields.get("token_budget", UNSET), minimum=1, nullable=True)
    check_overflow(fields.get("context_overflow", UNSET))
    check_metadata("metadata", fields.get("metadata", UNSET))
    return drop_unset(fields)


def _participants(name: str, value: Any, one: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {one: check_id(value, f"{one}s", name)}
    if isinstance(value, (list, tuple)) and value:
        return {f"{one}s": [check_id(v, f"{one}s", name) for v in value]}
    raise ValidationError(f"{name} must be an id or a non-empty list of ids, got {value!r}")


class Sessions(Resource):
    @cached_property
    def docs(self) -> SessionDocs:
        return SessionDocs(self._client)

    @staticmethod
    def _path(session_id: Any, suffix: str = "") -> str:
        return f"/sessions/{check_id(session_id, 'sessions', 'session_id')}{suffix}"

    async def create(
        self,
        agent_id: str | Sequence[str],
        *,
        user_id: str | Sequence[str] | None = None,
        situation: str | Unset | None = UNSET,
        system_template: str | Unset | None = UNSET,
        token_budget: int | Unset | None = UNSET,
        context_overflow: ContextOverflow | Unset | None = UNSET,
        metadata: dict[str, Any] | Unset | None = UNSET,
        recall_options: dict[str, Any] | Unset | None = UNSET,
        render_templates: bool | Unset = UNSET,
        auto_run_tools: bool | Unset = UNSET,
        forward_tool_calls: bool | Unset = UNSET,
    ) -> Session:
        """Start a session between an agent (or several) and optionally users.

        ``context_overflow`` decides what happens when the conversation outgrows
        ``token_budget``: ``"truncate"``, ``"summarize"``, ``"adaptive"`` (summarize, then
        truncate) or ``None`` (fail with ``prompt_too_big``). A Julep v1 server accepts
        only ``truncate`` and ``adaptive``.
        """
        body = _participants("agent_id", agent_id, "agent")
        if user_id is not None:
            body.update(_participants("user_id", user_id, "user"))
        body.update(_settings({
            "situation": situation, "system_template": system_template, "token_budget": token_budget,
            "context_overflow": context_overflow, "metadata": metadata, "recall_options": recall_options,
            "render_templates": render_templates, "auto_run_tools": auto_run_tools,
            "forward_tool_calls": forward_tool_calls,
        }))
        return await self._client._request("POST", "/sessions", body=body, cast_to=Session)

    async def get(self, session_id: str) -> Session:
        return await self._client._request("GET", self._path(session_id), cast_to=Session)

    def list(
        self,
        *,
        agent_id: str | None = None,
        user_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        metadata_filter: dict[str, Any] | None = None,
        sort_by: str = "created_at",
        direction: str = "desc",
    ) -> AsyncPager[Session]:
        """Sessions, newest first by default; ``await`` it for a page, ``async for`` for all.

        ``agent_id`` / ``user_id`` keep the sessions with that participant (sent as query
        parameters; this project's backend honours them, a Julep v1 server ignores them).
        """
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        if agent_id is not None:
            query.append(("agent_id", check_id(agent_id, "agents", "agent_id")))
        if user_id is not None:
            query.append(("user_id", check_id(user_id, "users", "user_id")))
        return self._client._pager("/sessions", query, Session, limit=limit, offset=offset)

    async def update(
        self,
        session_id: str,
        *,
        metadata: dict[str, Any] | Unset | None = UNSET,
        situation: str | Unset | None = UNSET,
        system_template: str | Unset | None = UNSET,
        token_budget: int | Unset | None = UNSET,
        context_overflow: ContextOverflow | Unset | None = UNSET,
        recall_options: dict[str, Any] | Unset | None = UNSET,
        render_templates: bool | Unset = UNSET,
        forward_tool_calls: bool | Unset = UNSET,
    ) -> Session:
        """Merge the given settings into the session (``PATCH``); ``metadata`` merges key by key."""
        path = self._path(session_id)
        body = _settings({
            "metadata": metadata, "situation": situation, "system_template": system_template,
            "token_budget": token_budget, "context_overflow": context_overflow,
            "recall_options": recall_options, "render_templates": render_templates,
            "forward_tool_calls": forward_tool_calls,
        })
        return await self._client._request("PATCH", path, body=body, cast_to=Session)

    async def delete(self, session_id: str) -> ResourceDeleted:
        return await self._client._request("DELETE", self._path(session_id), cast_to=ResourceDeleted)

    @overload
    async def chat(self, session_id: str, messages: MessagesArg, *, stream: Literal[False] = False,
                   save: bool = True, recall: bool = True, **options: Any) -> ChatResponse: ...

    @overload
    async def chat(self, session_id: str, messages: MessagesArg, *, stream: Literal[True],
                   save: bool = True, recall: bool = True, **options: Any) -> AsyncStream[ChatChunk]: ...

    async def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: bool = False,
        save: bool = True,
        recall: bool = True,
        **options: Any,
    ) -> ChatResponse | AsyncStream[ChatChunk]:
        """Send messages and get the agent's reply.

        Args:
            messages: dicts ``{"role", "content"}`` or :class:`~julep_async.types.Message`.
            stream: return an :class:`~julep_async.streaming.AsyncStream` of
                :class:`~julep_async.types.ChatChunk` instead of waiting for the whole reply.
            save: store the messages and the reply in the session's history.
            recall: let the server add the session's relevant documents to the prompt.
            **options: ``model``, ``temperature``, ``max_tokens``, ``top_p``, ``seed``,
                ``stop``, ``frequency_penalty``, ``presence_penalty``, ``response_format``,
                ``metadata``, ``agent``, ``recall_tools``.
        """
        path = self._path(session_id, "/chat")
        body = self._chat_body(messages, save=save, recall=recall, options=options)
        release = await self._client._take_turn(path)  # held until the reply (or stream) ends
        if stream:
            body["stream"] = True
            return await self._client._stream("POST", path, body=body, parse=ChatChunk, on_close=release)
        try:
            return await self._client._request("POST", path, body=body, cast_to=ChatResponse)
        finally:
            release()

    async def chat_many(
        self,
        jobs: Iterable[ChatJob | tuple[str, MessagesArg]],
        *,
        concurrency: int = 16,
        **options: Any,
    ) -> Outcomes:
        """Run many chats with at most ``concurrency`` in flight; one outcome per job, in order.

        Args:
            jobs: :class:`ChatJob` objects, or ``(session_id, messages)`` pairs.
            concurrency: chats in flight at once (the client's ``max_in_flight`` and
                connection pool still apply beneath).
            **options: chat options applied to every job (``save``, ``model``, ...).

        Chats on one session run one after another, different sessions in parallel. A
        failing chat does not stop the others: its outcome carries the error. Cancelling
        the caller cancels every chat still running, and no task outlives the call.
        """
        check_count("concurrency", concurrency, minimum=1)
        if "stream" in options:  # a stream nobody reads would hold its session's turn for good
            raise ValidationError("chat_many does not stream; call chat(..., stream=True) per session")
        queue = jobs if isinstance(jobs, Sequence) else list(jobs)
        outcomes: Slots = [None] * len(queue)
        pending = iter(enumerate(queue))

        async def worker() -> None:
            for index, job in pending:
                session_id, messages, extra = (
                    (job.session_id, job.messages, job.options) if isinstance(job, ChatJob) else (*job, {})
                )
                try:
                    reply = await self.chat(session_id, messages, **({**options, **extra} if extra else options))
                except Exception as error:
                    outcomes[index] = ChatOutcome(session_id, None, error)
                else:
                    outcomes[index] = ChatOutcome(session_id, reply, None)

        async with anyio.create_task_group() as tasks:
            for _ in range(min(concurrency, len(queue))):
                tasks.start_soon(worker)
        return [outcome for outcome in outcomes if outcome is not None]

    async def render(self, session_id: str, messages: MessagesArg, *, recall: bool = True,
                     **options: Any) -> RenderResponse:
        """The prompt the model would receive for ``messages``, after the overflow strategy,
        without calling the model or saving anything."""
        path = self._path(session_id, "/render")
        body = self._chat_body(messages, save=UNSET, recall=recall, options=options)
        return await self._client._request("POST", path, body=body, cast_to=RenderResponse)

    @staticmethod
    def _chat_body(messages: Any, *, save: Any, recall: Any, options: dict[str, Any]) -> dict[str, Any]:
        if unknown := options.keys() - _CHAT_OPTIONS.keys():
            raise ValidationError(f"unknown chat option(s): {', '.join(sorted(unknown))}")
        for name, value in options.items():
            check(name, value, _CHAT_OPTIONS[name], nullable=True)
        check("save", save, bool)
        check("recall", recall, bool)
        return {"messages": wire_messages(messages), **drop_unset({"save": save, "recall": recall}), **options}

    async def history(self, session_id: str, *, limit: int | None = None,
                      before: datetime | None = None) -> History:
        """The session's stored messages, oldest first.

        Args:
            limit: keep only the newest ``limit`` entries.
            before: keep only entries created strictly before this moment (a naive
                datetime is local time).

        The filtering and ordering are done here as well as asked of the server, so the
        result is right against a server that ignores both (Julep v1 does).
        """
        path = self._path(session_id, "/history")
        check_count("limit", limit, minimum=1, nullable=True)
        query = []
        if limit is not None:
            query.append(("limit", str(limit)))
        cutoff = None
        if before is not None:
            query.append(("before", wire_time("before", before)))
            cutoff = before if before.tzinfo is not None else before.astimezone()
        history: History = await self._client._request("GET", path, query=query, cast_to=History)
        entries = sorted(history.entries, key=lambda entry: entry.created_at)
        if cutoff is not None:
            entries = [entry for entry in entries if entry.created_at < cutoff]
        if limit is not None:
            entries = entries[-limit:]
        return attrs.evolve(history, entries=entries)

    async def clear(self, session_id: str) -> None:
        """Delete the session's history (and its summary); the session itself stays.

        An extension: a Julep v1 server has no such route and answers 404/405.
        """
        await self._client._request("DELETE", self._path(session_id, "/history"), cast_to=None)
