"""``client.sessions``: sessions, chat, render, history and session documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

import anyio
import attrs

from .._types import RequestOptions
from ..converter import build
from ..exceptions import ValidationError
from ..pagination import AsyncPager
from ..streaming import AsyncStream
from ..types import (
    ChatChunk,
    ChatInput,
    ChatResponse,
    CreateSessionRequest,
    Direction,
    History,
    Message,
    PatchSessionRequest,
    RenderResponse,
    ResourceDeleted,
    Session,
    SortBy,
    UpdateSessionRequest,
)
from ..types._fields import shown
from ..types.chat import ChatOptions
from ..types.sessions import SessionFields
from ._base import Resource, check_id, list_query, split_options, wire_time
from .docs import SessionDocs

if TYPE_CHECKING:
    from ._raw import SessionsWithRawResponse


MessagesArg = Sequence[Mapping[str, Any] | Message]
Participants = str | Sequence[str]


class SessionArgs(SessionFields, RequestOptions, total=False):
    """A session's settings and the per-call options."""


class ChatArgs(ChatOptions, RequestOptions, total=False):
    """A chat's options and the per-call options."""


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


def _participants(name: str, value: Any, one: str) -> dict[str, Any]:
    """``agent``/``user`` for one id, ``agents``/``users`` for several."""
    if isinstance(value, str):
        return {one: check_id(value, f"{one}s", name)}
    if isinstance(value, (list, tuple)) and value:
        return {f"{one}s": [check_id(v, f"{one}s", name) for v in value]}
    raise ValidationError(f"{name} must be an id or a non-empty list of ids, got {shown(value)}")


class Sessions(Resource):

    @cached_property
    def with_raw_response(self) -> SessionsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import SessionsWithRawResponse

        return SessionsWithRawResponse(self)

    @cached_property
    def docs(self) -> SessionDocs:
        """``client.sessions.docs``: documents scoped to one session."""
        return SessionDocs(self._client)

    @staticmethod
    def _path(session_id: Any, suffix: str = "") -> str:
        return f"/sessions/{check_id(session_id, 'sessions', 'session_id')}{suffix}"

    async def create(self, agent_id: Participants, *, user_id: Participants | None = None,
                     **args: Unpack[SessionArgs]) -> Session:
        """Start a session between an agent (or several) and optionally users.

        ``context_overflow`` decides what happens when the conversation outgrows
        ``token_budget``: ``"truncate"``, ``"summarize"``, ``"adaptive"`` (summarize, then
        truncate) or ``None`` (fail with ``prompt_too_big``). A Julep v1 server accepts
        only ``truncate`` and ``adaptive``. The other settings are :class:`SessionFields`.
        """
        fields, options = split_options(args)
        people = {**_participants("agent_id", agent_id, "agent"),
                  **(_participants("user_id", user_id, "user") if user_id is not None else {})}
        body = build(CreateSessionRequest, **people, **fields)
        return await self._client._request("POST", "/sessions", body=body, cast_to=Session, options=options)

    async def create_or_update(self, session_id: str, *, agent_id: Participants, user_id: Participants | None = None,
                               **args: Unpack[SessionArgs]) -> Session:
        """Create the session with this id, or replace the settings of the one that has it
        and add any new participants (``POST /sessions/{id}``)."""
        fields, options = split_options(args)
        people = {**_participants("agent_id", agent_id, "agent"),
                  **(_participants("user_id", user_id, "user") if user_id is not None else {})}
        body = build(CreateSessionRequest, **people, **fields)
        return await self._client._request("POST", self._path(session_id), body=body, cast_to=Session,
                                           options=options)

    async def get(self, session_id: str, **options: Unpack[RequestOptions]) -> Session:
        return await self._client._request("GET", self._path(session_id), cast_to=Session, options=options)

    def list(
        self, *, agent_id: str | None = None, user_id: str | None = None, limit: int = 10, offset: int = 0,
        metadata_filter: dict[str, Any] | None = None, sort_by: SortBy = "created_at", direction: Direction = "desc",
        **options: Unpack[RequestOptions],
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
        return self._client._pager("/sessions", query, Session, limit=limit, offset=offset, options=options)

    async def update(self, session_id: str, **args: Unpack[SessionArgs]) -> Session:
        """Change the given settings (``PATCH``): ``None`` leaves a setting as it is, as on
        the v1 server; ``metadata`` and ``recall_options`` merge key by key."""
        fields, options = split_options(args)
        body = build(PatchSessionRequest, **fields)
        return await self._client._request("PATCH", self._path(session_id), body=body, cast_to=Session,
                                           options=options)

    async def reset(self, session_id: str, **args: Unpack[SessionArgs]) -> Session:
        """Replace every setting (``PUT``): one left out goes back to its default. The
        history stays (despite the name, as in the official SDK)."""
        fields, options = split_options(args)
        body = build(UpdateSessionRequest, **fields)
        return await self._client._request("PUT", self._path(session_id), body=body, cast_to=Session,
                                           options=options)

    async def delete(self, session_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return await self._client._request("DELETE", self._path(session_id), cast_to=ResourceDeleted,
                                           options=options)

    @overload
    async def chat(self, session_id: str, messages: MessagesArg, *, stream: Literal[False] = False,
                   save: bool = True, recall: bool = True, **args: Unpack[ChatArgs]) -> ChatResponse: ...

    @overload
    async def chat(self, session_id: str, messages: MessagesArg, *, stream: Literal[True],
                   save: bool = True, recall: bool = True, **args: Unpack[ChatArgs]) -> AsyncStream[ChatChunk]: ...

    @overload
    async def chat(self, session_id: str, messages: MessagesArg, *, stream: bool,
                   save: bool = True, recall: bool = True,
                   **args: Unpack[ChatArgs]) -> ChatResponse | AsyncStream[ChatChunk]: ...

    async def chat(self, session_id: str, messages: MessagesArg, *, stream: bool = False, save: bool = True,
                   recall: bool = True, **args: Unpack[ChatArgs]) -> ChatResponse | AsyncStream[ChatChunk]:
        """Send messages and get the agent's reply.

        Args:
            messages: dicts ``{"role", "content", ...}`` or :class:`~julep_async.types.Message`.
            stream: return an :class:`~julep_async.streaming.AsyncStream` of
                :class:`~julep_async.types.ChatChunk` instead of waiting for the whole reply.
            save: store the messages and the reply in the session's history.
            recall: let the server add the session's relevant documents to the prompt.
            **args: every other option of the spec's ``ChatInput`` (:class:`ChatOptions`:
                ``model``, ``temperature``, ``tools``, ``tool_choice``, ...) and the per-call
                options (``timeout``, ``extra_headers``, ``extra_query``, ``extra_body``).
        """
        path = self._path(session_id, "/chat")
        fields, options = split_options(args)
        body = build(ChatInput, messages=messages, stream=stream, save=save, recall=recall, **fields)
        # turn: the session's turn is held until the reply (or the stream) ends
        if stream:
            return await self._client._stream("POST", path, body=body, parse=ChatChunk, options=options)
        return await self._client._request("POST", path, body=body, cast_to=ChatResponse, options=options, turn=True)

    async def chat_many(self, jobs: Iterable[ChatJob | tuple[str, MessagesArg]], *, concurrency: int = 16,
                        **args: Unpack[ChatArgs]) -> Outcomes:
        """Run many chats with at most ``concurrency`` in flight; one outcome per job, in order.

        Args:
            jobs: :class:`ChatJob` objects, or ``(session_id, messages)`` pairs.
            concurrency: chats in flight at once (the client's ``max_in_flight`` and
                connection pool still apply beneath).
            **args: chat options applied to every job (``model``, ``temperature``, ...).

        Chats on one session run one after another, different sessions in parallel. A
        failing chat does not stop the others: its outcome carries the error. Cancelling
        the caller cancels every chat still running, and no task outlives the call.
        """
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ValidationError(f"concurrency must be a positive integer, got {shown(concurrency)}")
        if "stream" in args:  # a stream nobody reads would hold its session's turn for good
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
                    reply = await self.chat(session_id, messages, **({**args, **extra} if extra else args))
                except Exception as error:
                    outcomes[index] = ChatOutcome(session_id, None, error)
                else:
                    outcomes[index] = ChatOutcome(session_id, reply, None)

        async with anyio.create_task_group() as tasks:
            for _ in range(min(concurrency, len(queue))):
                tasks.start_soon(worker)
        return [outcome for outcome in outcomes if outcome is not None]

    async def render(self, session_id: str, messages: MessagesArg, *, recall: bool = True,
                     **args: Unpack[ChatArgs]) -> RenderResponse:
        """The prompt, tools and recalled documents the model would receive for ``messages``,
        after the overflow strategy, without calling the model or saving anything."""
        fields, options = split_options(args)
        body = build(ChatInput, messages=messages, recall=recall, **fields)
        return await self._client._request("POST", self._path(session_id, "/render"), body=body,
                                           cast_to=RenderResponse, options=options)

    async def history(self, session_id: str, *, limit: int | None = None, before: datetime | None = None,
                      **options: Unpack[RequestOptions]) -> History:
        """The session's stored messages, oldest first.

        Args:
            limit: keep only the newest ``limit`` entries.
            before: keep only entries created strictly before this moment (a naive
                datetime is local time).

        The filtering and ordering are done here as well as asked of the server, so the
        result is right against a server that ignores both (Julep v1 does).
        """
        path = self._path(session_id, "/history")
        query = []
        if limit is not None:
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise ValidationError(f"limit must be a positive integer or None, got {shown(limit)}")
            query.append(("limit", str(limit)))
        cutoff = None
        if before is not None:
            query.append(("before", wire_time("before", before)))
            cutoff = before if before.tzinfo is not None else before.astimezone()
        history: History = await self._client._request("GET", path, query=query, cast_to=History, options=options)
        entries = sorted(history.entries, key=lambda entry: entry.created_at)
        if cutoff is not None:
            entries = [entry for entry in entries if entry.created_at < cutoff]
        if limit is not None:
            entries = entries[-limit:]
        return attrs.evolve(history, entries=entries)

    async def clear(self, session_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete the session's history (and its summary); the session itself stays.

        An extension: a Julep v1 server has no such route and answers 404/405.
        """
        await self._client._request("DELETE", self._path(session_id, "/history"), cast_to=None, options=options)
