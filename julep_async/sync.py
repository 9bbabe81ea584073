"""The blocking client: :class:`Client`, and a blocking twin of each async resource.

GENERATED FILE, do not edit: ``scripts/unasync.py`` writes it from the async code
(``julep_async/client.py`` and ``julep_async/resources/``). Regenerate it with
``python scripts/unasync.py``; ``python scripts/unasync.py --check`` (run by ``.ci/run``)
fails when it is out of date.

Nothing here is a second copy of the code. Each method has its async twin's parameters,
overloads and docstring, and one line that runs the twin on the client's anyio blocking
portal (see ``julep_async/_blocking.py``), so a type checker sees the async client's
types, minus the ``await``: plain results, :class:`SyncPager` for ``list()`` and
:class:`SyncStream` for streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, Unpack, overload

from ._blocking import Blocking, ClientCore, SyncPager, SyncStream
from ._response import RawResponse
from ._types import UNSET, RequestOptions, Unset
from .client import AsyncClient
from .config import Limits, Timeout
from .hooks import Hook
from .resources._raw import (
    AgentDocsWithRawResponse,
    AgentsWithRawResponse,
    AgentToolsWithRawResponse,
    DocsWithRawResponse,
    SessionDocsWithRawResponse,
    SessionsWithRawResponse,
    UserDocsWithRawResponse,
    UsersWithRawResponse,
)
from .resources.agents import AgentArgs, AgentPatchArgs, Agents
from .resources.docs import AgentDocs, Deletions, Docs, DocSearchArgs, SessionDocs, UserDocs, Vector
from .resources.sessions import ChatArgs, ChatJob, MessagesArg, Outcomes, Participants, SessionArgs, Sessions
from .resources.tools import AgentTools, ToolArgs, ToolPatchArgs
from .resources.users import UserArgs, Users
from .retry import RetryPolicy
from .transports.base import Transport
from .types import (
    Agent,
    ChatChunk,
    ChatResponse,
    Direction,
    Doc,
    DocSearchResponse,
    EmbedQueryResponse,
    History,
    ListModelsResponse,
    RenderResponse,
    ResourceDeleted,
    Session,
    SortBy,
    Tool,
    ToolType,
    User,
)

__all__ = [
    "Client",
    "SyncAgentDocs",
    "SyncAgentDocsWithRawResponse",
    "SyncAgentTools",
    "SyncAgentToolsWithRawResponse",
    "SyncAgents",
    "SyncAgentsWithRawResponse",
    "SyncDocs",
    "SyncDocsWithRawResponse",
    "SyncPager",
    "SyncSessionDocs",
    "SyncSessionDocsWithRawResponse",
    "SyncSessions",
    "SyncSessionsWithRawResponse",
    "SyncStream",
    "SyncUserDocs",
    "SyncUserDocsWithRawResponse",
    "SyncUsers",
    "SyncUsersWithRawResponse",
]


class Client(ClientCore):
    """The blocking Julep client: :class:`~julep_async.AsyncClient` run on an anyio blocking
    portal, with the same arguments, resources and methods as plain calls. Use it as a
    context manager, or call :meth:`close`.

    Args:
        api_key: falls back to ``JULEP_API_KEY``; required when the client builds its own
            HTTP transport, optional with a transport you pass (it is then still sent,
            and selects the tenant of the fake backend).
        base_url: falls back to ``JULEP_BASE_URL``, then ``https://api.julep.ai/api``.
        transport: where requests go (default: an :class:`~julep_async.transports.HttpTransport`).
        close_transport: close a transport you passed when the client is closed (default:
            yes); a transport the client built itself is always closed.
        timeout: per-attempt limits: a :class:`~julep_async.config.Timeout`, or a number
            of seconds for ``Timeout(attempt=...)``. The whole ``Timeout`` rides on each request.
        retry: when to retry and the total deadline (:class:`~julep_async.retry.RetryPolicy`).
        max_retries: retries after the first attempt (shorthand for ``retry``'s ``attempts``
            minus one; ``0`` never retries).
        limits: connection pool of the HTTP transport the client builds itself.
        max_in_flight: most requests in flight at once (``None`` = no cap), apart from the
            connection pool; a stream counts until it is closed.
        headers: extra headers sent with every request.
        hooks: callables (sync or async) told of each call's events: its start, its waits
            for a session's turn or an in-flight slot, each attempt, its reply or failure,
            and how a stream ended (see :mod:`julep_async.hooks`; OpenTelemetry:
            :class:`julep_async.otel.Tracing`). A hook that raises is logged, never
            breaks the call.
        strict: refuse reply fields the models do not know (for tests: drift shows up).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        timeout: Timeout | float = Timeout(),
        retry: RetryPolicy = RetryPolicy(),
        max_retries: int | None = None,
        limits: Limits = Limits(),
        max_in_flight: int | None = None,
        headers: Mapping[str, str] | None = None,
        hooks: Sequence[Hook] = (),
        strict: bool = False,
        close_transport: bool = True,
    ) -> None:
        self._open(
            AsyncClient,
            api_key=api_key,
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            limits=limits,
            max_in_flight=max_in_flight,
            headers=headers,
            hooks=hooks,
            strict=strict,
            close_transport=close_transport,
        )

    @property
    def base_url(self) -> str:
        return self._async.base_url

    @property
    def timeout(self) -> Timeout:
        return self._async.timeout

    @property
    def retry(self) -> RetryPolicy:
        return self._async.retry

    @property
    def max_in_flight(self) -> int | None:
        return self._async.max_in_flight

    @property
    def hooks(self) -> tuple[Hook, ...]:
        return self._async.hooks

    @cached_property
    def agents(self) -> SyncAgents:
        return SyncAgents(self._portal, self._async.agents)

    @cached_property
    def users(self) -> SyncUsers:
        return SyncUsers(self._portal, self._async.users)

    @cached_property
    def sessions(self) -> SyncSessions:
        return SyncSessions(self._portal, self._async.sessions)

    @cached_property
    def docs(self) -> SyncDocs:
        return SyncDocs(self._portal, self._async.docs)

    @property
    def transport(self) -> Transport:
        return self._async.transport

    @property
    def api_key(self) -> str | None:
        return self._async.api_key

    def with_options(
        self,
        *,
        timeout: Timeout | float | Unset = UNSET,
        retry: RetryPolicy | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        max_in_flight: int | Unset | None = UNSET,
        headers: Mapping[str, str] | Unset = UNSET,
        hooks: Sequence[Hook] | Unset = UNSET,
        strict: bool | Unset = UNSET,
    ) -> Client:
        """A copy with the given settings changed, sharing this client's transport (closing
        the copy leaves the transport open); ``headers`` replace the extra headers and
        ``hooks`` the hooks (``hooks=[*client.hooks, mine]`` adds one)."""
        return self._share(self._async.with_options(
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            max_in_flight=max_in_flight,
            headers=headers,
            hooks=hooks,
            strict=strict,
        ))


class SyncAgents(Blocking[Agents]):
    """The blocking twin of :class:`~julep_async.resources.agents.Agents`."""

    @cached_property
    def with_raw_response(self) -> SyncAgentsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncAgentsWithRawResponse(self._portal, self._async.with_raw_response)

    @cached_property
    def docs(self) -> SyncAgentDocs:
        """``client.agents.docs``: the documents an agent owns."""
        return SyncAgentDocs(self._portal, self._async.docs)

    @cached_property
    def tools(self) -> SyncAgentTools:
        """``client.agents.tools``: the tools an agent can call."""
        return SyncAgentTools(self._portal, self._async.tools)

    def create(self, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Create an agent (``POST /agents``); ``canonical_name`` is derived from ``name``
        when left out. The keyword arguments are the fields of :class:`AgentFields`."""
        return self._wait(self._async.create(name, **args))

    def create_or_update(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Create the agent with this id, or replace every field of the one that has it
        (``POST /agents/{id}``)."""
        return self._wait(self._async.create_or_update(agent_id, name=name, **args))

    def get(self, agent_id: str, **options: Unpack[RequestOptions]) -> Agent:
        return self._wait(self._async.get(agent_id, **options))

    def list(
        self,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Agent]:
        """Agents, newest first by default; ``await`` it for a page, ``async for`` for all."""
        return self._pager(self._async.list(
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            metadata_filter=metadata_filter,
            **options,
        ))

    def update(self, agent_id: str, **args: Unpack[AgentPatchArgs]) -> Agent:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return self._wait(self._async.update(agent_id, **args))

    def reset(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return self._wait(self._async.reset(agent_id, name=name, **args))

    def delete(self, agent_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        """Delete the agent, with the documents and tools it owns (its sessions stay, as in v1)."""
        return self._wait(self._async.delete(agent_id, **options))

    def list_models(self, **options: Unpack[RequestOptions]) -> ListModelsResponse:
        """The models an agent can use (``GET /agents/models``)."""
        return self._wait(self._async.list_models(**options))


class SyncUsers(Blocking[Users]):
    """The blocking twin of :class:`~julep_async.resources.users.Users`."""

    @cached_property
    def with_raw_response(self) -> SyncUsersWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncUsersWithRawResponse(self._portal, self._async.with_raw_response)

    @cached_property
    def docs(self) -> SyncUserDocs:
        """``client.users.docs``: the documents a user owns."""
        return SyncUserDocs(self._portal, self._async.docs)

    def create(self, **args: Unpack[UserArgs]) -> User:
        """Create a user (``POST /users``); the keyword arguments are :class:`UserFields`."""
        return self._wait(self._async.create(**args))

    def create_or_update(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Create the user with this id, or replace every field of the one that has it
        (``POST /users/{id}``)."""
        return self._wait(self._async.create_or_update(user_id, **args))

    def get(self, user_id: str, **options: Unpack[RequestOptions]) -> User:
        return self._wait(self._async.get(user_id, **options))

    def list(
        self,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncPager[User]:
        """Users, newest first by default; ``await`` it for a page, ``async for`` for all."""
        return self._pager(self._async.list(
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            metadata_filter=metadata_filter,
            **options,
        ))

    def update(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return self._wait(self._async.update(user_id, **args))

    def reset(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return self._wait(self._async.reset(user_id, **args))

    def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        """Delete the user and the documents it owns (its sessions stay, as in v1)."""
        return self._wait(self._async.delete(user_id, **options))


class SyncSessions(Blocking[Sessions]):
    """The blocking twin of :class:`~julep_async.resources.sessions.Sessions`."""

    @cached_property
    def with_raw_response(self) -> SyncSessionsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncSessionsWithRawResponse(self._portal, self._async.with_raw_response)

    @cached_property
    def docs(self) -> SyncSessionDocs:
        """``client.sessions.docs``: documents scoped to one session."""
        return SyncSessionDocs(self._portal, self._async.docs)

    def create(
        self,
        agent_id: Participants,
        *,
        user_id: Participants | None = None,
        **args: Unpack[SessionArgs],
    ) -> Session:
        """Start a session between an agent (or several) and optionally users.

        ``context_overflow`` decides what happens when the conversation outgrows
        ``token_budget``: ``"truncate"``, ``"summarize"``, ``"adaptive"`` (summarize, then
        truncate) or ``None`` (fail with ``prompt_too_big``). A Julep v1 server accepts
        only ``truncate`` and ``adaptive``. The other settings are :class:`SessionFields`.
        """
        return self._wait(self._async.create(agent_id, user_id=user_id, **args))

    def create_or_update(
        self,
        session_id: str,
        *,
        agent_id: Participants,
        user_id: Participants | None = None,
        **args: Unpack[SessionArgs],
    ) -> Session:
        """Create the session with this id, or replace the settings of the one that has it
        and add any new participants (``POST /sessions/{id}``)."""
        return self._wait(self._async.create_or_update(session_id, agent_id=agent_id, user_id=user_id, **args))

    def get(self, session_id: str, **options: Unpack[RequestOptions]) -> Session:
        return self._wait(self._async.get(session_id, **options))

    def list(
        self,
        *,
        agent_id: str | None = None,
        user_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        metadata_filter: dict[str, Any] | None = None,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Session]:
        """Sessions, newest first by default; ``await`` it for a page, ``async for`` for all.

        ``agent_id`` / ``user_id`` keep the sessions with that participant (sent as query
        parameters; this project's backend honours them, a Julep v1 server ignores them).
        """
        return self._pager(self._async.list(
            agent_id=agent_id,
            user_id=user_id,
            limit=limit,
            offset=offset,
            metadata_filter=metadata_filter,
            sort_by=sort_by,
            direction=direction,
            **options,
        ))

    def update(self, session_id: str, **args: Unpack[SessionArgs]) -> Session:
        """Change the given settings (``PATCH``): ``None`` leaves a setting as it is, as on
        the v1 server; ``metadata`` and ``recall_options`` merge key by key."""
        return self._wait(self._async.update(session_id, **args))

    def reset(self, session_id: str, **args: Unpack[SessionArgs]) -> Session:
        """Replace every setting (``PUT``): one left out goes back to its default. The
        history stays (despite the name, as in the official SDK)."""
        return self._wait(self._async.reset(session_id, **args))

    def delete(self, session_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return self._wait(self._async.delete(session_id, **options))

    @overload
    def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: Literal[False] = False,
        save: bool = True,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> ChatResponse: ...

    @overload
    def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: Literal[True],
        save: bool = True,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> SyncStream[ChatChunk]: ...

    @overload
    def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: bool,
        save: bool = True,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> ChatResponse | SyncStream[ChatChunk]: ...

    def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: bool = False,
        save: bool = True,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> ChatResponse | SyncStream[ChatChunk]:
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
        return self._wait_or_stream(self._async.chat(
            session_id,
            messages,
            stream=stream,
            save=save,
            recall=recall,
            **args,
        ))

    def chat_many(
        self,
        jobs: Iterable[ChatJob | tuple[str, MessagesArg]],
        *,
        concurrency: int = 16,
        **args: Unpack[ChatArgs],
    ) -> Outcomes:
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
        return self._wait(self._async.chat_many(jobs, concurrency=concurrency, **args))

    def render(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> RenderResponse:
        """The prompt, tools and recalled documents the model would receive for ``messages``,
        after the overflow strategy, without calling the model or saving anything."""
        return self._wait(self._async.render(session_id, messages, recall=recall, **args))

    def history(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        before: datetime | None = None,
        **options: Unpack[RequestOptions],
    ) -> History:
        """The session's stored messages, oldest first.

        Args:
            limit: keep only the newest ``limit`` entries.
            before: keep only entries created strictly before this moment (a naive
                datetime is local time).

        The filtering and ordering are done here as well as asked of the server, so the
        result is right against a server that ignores both (Julep v1 does).
        """
        return self._wait(self._async.history(session_id, limit=limit, before=before, **options))

    def clear(self, session_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete the session's history (and its summary); the session itself stays.

        An extension: a Julep v1 server has no such route and answers 404/405.
        """
        self._wait(self._async.clear(session_id, **options))


class SyncDocs(Blocking[Docs]):
    """The blocking twin of :class:`~julep_async.resources.docs.Docs`."""

    @cached_property
    def with_raw_response(self) -> SyncDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncDocsWithRawResponse(self._portal, self._async.with_raw_response)

    def get(self, doc_id: str, *, include_embeddings: bool | None = None, **options: Unpack[RequestOptions]) -> Doc:
        return self._wait(self._async.get(doc_id, include_embeddings=include_embeddings, **options))

    def embed(
        self,
        text: str | list[str],
        *,
        embed_instruction: str | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> EmbedQueryResponse:
        """Embed one text or several (``POST /embed``): one vector per text."""
        return self._wait(self._async.embed(text, embed_instruction=embed_instruction, **options))


class SyncAgentsWithRawResponse(Blocking[AgentsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.AgentsWithRawResponse`."""

    def create(self, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Create an agent (``POST /agents``); ``canonical_name`` is derived from ``name``
        when left out. The keyword arguments are the fields of :class:`AgentFields`."""
        return self._wait(self._async.create(name, **args))

    def create_or_update(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Create the agent with this id, or replace every field of the one that has it
        (``POST /agents/{id}``)."""
        return self._wait(self._async.create_or_update(agent_id, name=name, **args))

    def get(self, agent_id: str, **options: Unpack[RequestOptions]) -> RawResponse[Agent]:
        return self._wait(self._async.get(agent_id, **options))

    def update(self, agent_id: str, **args: Unpack[AgentPatchArgs]) -> RawResponse[Agent]:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return self._wait(self._async.update(agent_id, **args))

    def reset(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return self._wait(self._async.reset(agent_id, name=name, **args))

    def delete(self, agent_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        """Delete the agent, with the documents and tools it owns (its sessions stay, as in v1)."""
        return self._wait(self._async.delete(agent_id, **options))

    def list_models(self, **options: Unpack[RequestOptions]) -> RawResponse[ListModelsResponse]:
        """The models an agent can use (``GET /agents/models``)."""
        return self._wait(self._async.list_models(**options))


class SyncAgentDocs(Blocking[AgentDocs]):
    """The blocking twin of :class:`~julep_async.resources.docs.AgentDocs`."""

    @property
    def collection(self) -> str:
        return self._async.collection

    @cached_property
    def with_raw_response(self) -> SyncAgentDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncAgentDocsWithRawResponse(self._portal, self._async.with_raw_response)

    @property
    def search_suffix(self) -> str:
        return self._async.search_suffix

    def create(
        self,
        agent_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> Doc:
        return self._wait(self._async.create(
            agent_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def list(
        self,
        agent_id: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None,
        include_embeddings: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Doc]:
        return self._pager(self._async.list(
            agent_id,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            metadata_filter=metadata_filter,
            include_embeddings=include_embeddings,
            **options,
        ))

    def search(
        self,
        agent_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> DocSearchResponse:
        return self._wait(self._async.search(agent_id, text, vector=vector, **args))

    def delete(self, agent_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return self._wait(self._async.delete(agent_id, doc_id, **options))

    def bulk_delete(
        self,
        agent_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> Deletions:
        """Delete the agent's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return self._wait(self._async.bulk_delete(
            agent_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class SyncAgentTools(Blocking[AgentTools]):
    """The blocking twin of :class:`~julep_async.resources.tools.AgentTools`."""

    @cached_property
    def with_raw_response(self) -> SyncAgentToolsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncAgentToolsWithRawResponse(self._portal, self._async.with_raw_response)

    def create(self, agent_id: str, *, name: str, type: ToolType, **args: Unpack[ToolArgs]) -> Tool:
        """Give the agent a tool; pass the definition that matches ``type`` (``function=...``
        for a function tool: ``{"description", "parameters"}``, a JSON Schema)."""
        return self._wait(self._async.create(agent_id, name=name, type=type, **args))

    def list(
        self,
        agent_id: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Tool]:
        """The agent's tools, newest first by default."""
        return self._pager(self._async.list(
            agent_id,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            **options,
        ))

    def update(self, agent_id: str, tool_id: str, **args: Unpack[ToolPatchArgs]) -> Tool:
        """Change the given fields of a tool (``PATCH``)."""
        return self._wait(self._async.update(agent_id, tool_id, **args))

    def reset(self, agent_id: str, tool_id: str, *, name: str, type: ToolType, **args: Unpack[ToolArgs]) -> Tool:
        """Replace a tool's every field (``PUT``)."""
        return self._wait(self._async.reset(agent_id, tool_id, name=name, type=type, **args))

    def delete(self, agent_id: str, tool_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return self._wait(self._async.delete(agent_id, tool_id, **options))


class SyncUsersWithRawResponse(Blocking[UsersWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.UsersWithRawResponse`."""

    def create(self, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Create a user (``POST /users``); the keyword arguments are :class:`UserFields`."""
        return self._wait(self._async.create(**args))

    def create_or_update(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Create the user with this id, or replace every field of the one that has it
        (``POST /users/{id}``)."""
        return self._wait(self._async.create_or_update(user_id, **args))

    def get(self, user_id: str, **options: Unpack[RequestOptions]) -> RawResponse[User]:
        return self._wait(self._async.get(user_id, **options))

    def update(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return self._wait(self._async.update(user_id, **args))

    def reset(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return self._wait(self._async.reset(user_id, **args))

    def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        """Delete the user and the documents it owns (its sessions stay, as in v1)."""
        return self._wait(self._async.delete(user_id, **options))


class SyncUserDocs(Blocking[UserDocs]):
    """The blocking twin of :class:`~julep_async.resources.docs.UserDocs`."""

    @property
    def collection(self) -> str:
        return self._async.collection

    @cached_property
    def with_raw_response(self) -> SyncUserDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncUserDocsWithRawResponse(self._portal, self._async.with_raw_response)

    @property
    def search_suffix(self) -> str:
        return self._async.search_suffix

    def create(
        self,
        user_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> Doc:
        return self._wait(self._async.create(
            user_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def list(
        self,
        user_id: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None,
        include_embeddings: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Doc]:
        return self._pager(self._async.list(
            user_id,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            metadata_filter=metadata_filter,
            include_embeddings=include_embeddings,
            **options,
        ))

    def search(
        self,
        user_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> DocSearchResponse:
        return self._wait(self._async.search(user_id, text, vector=vector, **args))

    def delete(self, user_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return self._wait(self._async.delete(user_id, doc_id, **options))

    def bulk_delete(
        self,
        user_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> Deletions:
        """Delete the user's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return self._wait(self._async.bulk_delete(
            user_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class SyncSessionsWithRawResponse(Blocking[SessionsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.SessionsWithRawResponse`."""

    def create(
        self,
        agent_id: Participants,
        *,
        user_id: Participants | None = None,
        **args: Unpack[SessionArgs],
    ) -> RawResponse[Session]:
        """Start a session between an agent (or several) and optionally users.

        ``context_overflow`` decides what happens when the conversation outgrows
        ``token_budget``: ``"truncate"``, ``"summarize"``, ``"adaptive"`` (summarize, then
        truncate) or ``None`` (fail with ``prompt_too_big``). A Julep v1 server accepts
        only ``truncate`` and ``adaptive``. The other settings are :class:`SessionFields`.
        """
        return self._wait(self._async.create(agent_id, user_id=user_id, **args))

    def create_or_update(
        self,
        session_id: str,
        *,
        agent_id: Participants,
        user_id: Participants | None = None,
        **args: Unpack[SessionArgs],
    ) -> RawResponse[Session]:
        """Create the session with this id, or replace the settings of the one that has it
        and add any new participants (``POST /sessions/{id}``)."""
        return self._wait(self._async.create_or_update(session_id, agent_id=agent_id, user_id=user_id, **args))

    def get(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[Session]:
        return self._wait(self._async.get(session_id, **options))

    def update(self, session_id: str, **args: Unpack[SessionArgs]) -> RawResponse[Session]:
        """Change the given settings (``PATCH``): ``None`` leaves a setting as it is, as on
        the v1 server; ``metadata`` and ``recall_options`` merge key by key."""
        return self._wait(self._async.update(session_id, **args))

    def reset(self, session_id: str, **args: Unpack[SessionArgs]) -> RawResponse[Session]:
        """Replace every setting (``PUT``): one left out goes back to its default. The
        history stays (despite the name, as in the official SDK)."""
        return self._wait(self._async.reset(session_id, **args))

    def delete(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return self._wait(self._async.delete(session_id, **options))

    def chat(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        stream: Literal[False] = False,
        save: bool = True,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> RawResponse[ChatResponse]:
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
        return self._wait(self._async.chat(session_id, messages, stream=stream, save=save, recall=recall, **args))

    def render(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> RawResponse[RenderResponse]:
        """The prompt, tools and recalled documents the model would receive for ``messages``,
        after the overflow strategy, without calling the model or saving anything."""
        return self._wait(self._async.render(session_id, messages, recall=recall, **args))

    def history(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        before: datetime | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[History]:
        """The session's stored messages, oldest first.

        Args:
            limit: keep only the newest ``limit`` entries.
            before: keep only entries created strictly before this moment (a naive
                datetime is local time).

        The filtering and ordering are done here as well as asked of the server, so the
        result is right against a server that ignores both (Julep v1 does).
        """
        return self._wait(self._async.history(session_id, limit=limit, before=before, **options))

    def clear(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[None]:
        """Delete the session's history (and its summary); the session itself stays.

        An extension: a Julep v1 server has no such route and answers 404/405.
        """
        return self._wait(self._async.clear(session_id, **options))


class SyncSessionDocs(Blocking[SessionDocs]):
    """The blocking twin of :class:`~julep_async.resources.docs.SessionDocs`."""

    @property
    def collection(self) -> str:
        return self._async.collection

    @property
    def search_suffix(self) -> str:
        return self._async.search_suffix

    @cached_property
    def with_raw_response(self) -> SyncSessionDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        return SyncSessionDocsWithRawResponse(self._portal, self._async.with_raw_response)

    def create(
        self,
        session_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> Doc:
        """Add a document to the session."""
        return self._wait(self._async.create(
            session_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def list(
        self,
        session_id: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort_by: SortBy = "created_at",
        direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None,
        include_embeddings: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> SyncPager[Doc]:
        """The session's documents, newest first by default."""
        return self._pager(self._async.list(
            session_id,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            direction=direction,
            metadata_filter=metadata_filter,
            include_embeddings=include_embeddings,
            **options,
        ))

    def search(
        self,
        session_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> DocSearchResponse:
        """Search the session's documents: full text (BM25) with ``text``, by embedding with
        ``vector``, or both (hybrid); ``metadata_filter`` keeps exact matches."""
        return self._wait(self._async.search(session_id, text, vector=vector, **args))

    def delete(self, session_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return self._wait(self._async.delete(session_id, doc_id, **options))


class SyncDocsWithRawResponse(Blocking[DocsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.DocsWithRawResponse`."""

    def get(
        self,
        doc_id: str,
        *,
        include_embeddings: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return self._wait(self._async.get(doc_id, include_embeddings=include_embeddings, **options))

    def embed(
        self,
        text: str | list[str],
        *,
        embed_instruction: str | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[EmbedQueryResponse]:
        """Embed one text or several (``POST /embed``): one vector per text."""
        return self._wait(self._async.embed(text, embed_instruction=embed_instruction, **options))


class SyncAgentDocsWithRawResponse(Blocking[AgentDocsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.AgentDocsWithRawResponse`."""

    def create(
        self,
        agent_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return self._wait(self._async.create(
            agent_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def search(
        self,
        agent_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        return self._wait(self._async.search(agent_id, text, vector=vector, **args))

    def delete(self, agent_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return self._wait(self._async.delete(agent_id, doc_id, **options))

    def bulk_delete(
        self,
        agent_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Deletions]:
        """Delete the agent's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return self._wait(self._async.bulk_delete(
            agent_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class SyncAgentToolsWithRawResponse(Blocking[AgentToolsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.AgentToolsWithRawResponse`."""

    def create(self, agent_id: str, *, name: str, type: ToolType, **args: Unpack[ToolArgs]) -> RawResponse[Tool]:
        """Give the agent a tool; pass the definition that matches ``type`` (``function=...``
        for a function tool: ``{"description", "parameters"}``, a JSON Schema)."""
        return self._wait(self._async.create(agent_id, name=name, type=type, **args))

    def update(self, agent_id: str, tool_id: str, **args: Unpack[ToolPatchArgs]) -> RawResponse[Tool]:
        """Change the given fields of a tool (``PATCH``)."""
        return self._wait(self._async.update(agent_id, tool_id, **args))

    def reset(
        self,
        agent_id: str,
        tool_id: str,
        *,
        name: str,
        type: ToolType,
        **args: Unpack[ToolArgs],
    ) -> RawResponse[Tool]:
        """Replace a tool's every field (``PUT``)."""
        return self._wait(self._async.reset(agent_id, tool_id, name=name, type=type, **args))

    def delete(self, agent_id: str, tool_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return self._wait(self._async.delete(agent_id, tool_id, **options))


class SyncUserDocsWithRawResponse(Blocking[UserDocsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.UserDocsWithRawResponse`."""

    def create(
        self,
        user_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return self._wait(self._async.create(
            user_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def search(
        self,
        user_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        return self._wait(self._async.search(user_id, text, vector=vector, **args))

    def delete(self, user_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return self._wait(self._async.delete(user_id, doc_id, **options))

    def bulk_delete(
        self,
        user_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Deletions]:
        """Delete the user's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return self._wait(self._async.bulk_delete(
            user_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class SyncSessionDocsWithRawResponse(Blocking[SessionDocsWithRawResponse]):
    """The blocking twin of :class:`~julep_async.resources._raw.SessionDocsWithRawResponse`."""

    def create(
        self,
        session_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        """Add a document to the session."""
        return self._wait(self._async.create(
            session_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    def search(
        self,
        session_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        """Search the session's documents: full text (BM25) with ``text``, by embedding with
        ``vector``, or both (hybrid); ``metadata_filter`` keeps exact matches."""
        return self._wait(self._async.search(session_id, text, vector=vector, **args))

    def delete(self, session_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return self._wait(self._async.delete(session_id, doc_id, **options))
