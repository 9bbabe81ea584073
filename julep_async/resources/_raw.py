"""The ``with_raw_response`` namespaces: each resource's calls, returning a
:class:`~julep_async.RawResponse` (status, headers, request id, retries, elapsed time, and
the parsed reply through ``parse()``).

GENERATED FILE, do not edit: ``scripts/unasync.py`` writes it from the resources
(``julep_async/resources/``), before the blocking client. Regenerate it with
``python scripts/unasync.py``; ``python scripts/unasync.py --check`` fails when it is out
of date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Unpack

from .._response import RawResponse, raw
from .._types import UNSET, RequestOptions, Unset
from ..types import (
    Agent,
    ChatResponse,
    Doc,
    DocSearchResponse,
    EmbedQueryResponse,
    History,
    ListModelsResponse,
    RenderResponse,
    ResourceDeleted,
    Session,
    Tool,
    ToolType,
    User,
)
from .agents import AgentArgs, AgentPatchArgs, Agents
from .docs import AgentDocs, Deletions, Docs, DocSearchArgs, SessionDocs, UserDocs, Vector
from .sessions import ChatArgs, MessagesArg, Participants, SessionArgs, Sessions
from .tools import AgentTools, ToolArgs, ToolPatchArgs
from .users import UserArgs, Users

__all__ = [
    "AgentDocsWithRawResponse",
    "AgentToolsWithRawResponse",
    "AgentsWithRawResponse",
    "DocsWithRawResponse",
    "SessionDocsWithRawResponse",
    "SessionsWithRawResponse",
    "UserDocsWithRawResponse",
    "UsersWithRawResponse",
]


class AgentsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.agents.Agents`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: Agents) -> None:
        self._resource = resource

    async def create(self, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Create an agent (``POST /agents``); ``canonical_name`` is derived from ``name``
        when left out. The keyword arguments are the fields of :class:`AgentFields`."""
        return await raw(self._resource.create(name, **args))

    async def create_or_update(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Create the agent with this id, or replace every field of the one that has it
        (``POST /agents/{id}``)."""
        return await raw(self._resource.create_or_update(agent_id, name=name, **args))

    async def get(self, agent_id: str, **options: Unpack[RequestOptions]) -> RawResponse[Agent]:
        return await raw(self._resource.get(agent_id, **options))

    async def update(self, agent_id: str, **args: Unpack[AgentPatchArgs]) -> RawResponse[Agent]:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return await raw(self._resource.update(agent_id, **args))

    async def reset(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> RawResponse[Agent]:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return await raw(self._resource.reset(agent_id, name=name, **args))

    async def delete(self, agent_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        """Delete the agent, with the documents and tools it owns (its sessions stay, as in v1)."""
        return await raw(self._resource.delete(agent_id, **options))

    async def list_models(self, **options: Unpack[RequestOptions]) -> RawResponse[ListModelsResponse]:
        """The models an agent can use (``GET /agents/models``)."""
        return await raw(self._resource.list_models(**options))


class UsersWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.users.Users`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: Users) -> None:
        self._resource = resource

    async def create(self, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Create a user (``POST /users``); the keyword arguments are :class:`UserFields`."""
        return await raw(self._resource.create(**args))

    async def create_or_update(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Create the user with this id, or replace every field of the one that has it
        (``POST /users/{id}``)."""
        return await raw(self._resource.create_or_update(user_id, **args))

    async def get(self, user_id: str, **options: Unpack[RequestOptions]) -> RawResponse[User]:
        return await raw(self._resource.get(user_id, **options))

    async def update(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        return await raw(self._resource.update(user_id, **args))

    async def reset(self, user_id: str, **args: Unpack[UserArgs]) -> RawResponse[User]:
        """Replace every field (``PUT``): one left out goes back to its default."""
        return await raw(self._resource.reset(user_id, **args))

    async def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        """Delete the user and the documents it owns (its sessions stay, as in v1)."""
        return await raw(self._resource.delete(user_id, **options))


class SessionsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.sessions.Sessions`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: Sessions) -> None:
        self._resource = resource

    async def create(
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
        return await raw(self._resource.create(agent_id, user_id=user_id, **args))

    async def create_or_update(
        self,
        session_id: str,
        *,
        agent_id: Participants,
        user_id: Participants | None = None,
        **args: Unpack[SessionArgs],
    ) -> RawResponse[Session]:
        """Create the session with this id, or replace the settings of the one that has it
        and add any new participants (``POST /sessions/{id}``)."""
        return await raw(self._resource.create_or_update(session_id, agent_id=agent_id, user_id=user_id, **args))

    async def get(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[Session]:
        return await raw(self._resource.get(session_id, **options))

    async def update(self, session_id: str, **args: Unpack[SessionArgs]) -> RawResponse[Session]:
        """Change the given settings (``PATCH``): ``None`` leaves a setting as it is, as on
        the v1 server; ``metadata`` and ``recall_options`` merge key by key."""
        return await raw(self._resource.update(session_id, **args))

    async def reset(self, session_id: str, **args: Unpack[SessionArgs]) -> RawResponse[Session]:
        """Replace every setting (``PUT``): one left out goes back to its default. The
        history stays (despite the name, as in the official SDK)."""
        return await raw(self._resource.reset(session_id, **args))

    async def delete(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[ResourceDeleted]:
        return await raw(self._resource.delete(session_id, **options))

    async def chat(
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
        return await raw(self._resource.chat(session_id, messages, stream=stream, save=save, recall=recall, **args))

    async def render(
        self,
        session_id: str,
        messages: MessagesArg,
        *,
        recall: bool = True,
        **args: Unpack[ChatArgs],
    ) -> RawResponse[RenderResponse]:
        """The prompt, tools and recalled documents the model would receive for ``messages``,
        after the overflow strategy, without calling the model or saving anything."""
        return await raw(self._resource.render(session_id, messages, recall=recall, **args))

    async def history(
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
        return await raw(self._resource.history(session_id, limit=limit, before=before, **options))

    async def clear(self, session_id: str, **options: Unpack[RequestOptions]) -> RawResponse[None]:
        """Delete the session's history (and its summary); the session itself stays.

        An extension: a Julep v1 server has no such route and answers 404/405.
        """
        return await raw(self._resource.clear(session_id, **options))


class DocsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.docs.Docs`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: Docs) -> None:
        self._resource = resource

    async def get(
        self,
        doc_id: str,
        *,
        include_embeddings: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return await raw(self._resource.get(doc_id, include_embeddings=include_embeddings, **options))

    async def embed(
        self,
        text: str | list[str],
        *,
        embed_instruction: str | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[EmbedQueryResponse]:
        """Embed one text or several (``POST /embed``): one vector per text."""
        return await raw(self._resource.embed(text, embed_instruction=embed_instruction, **options))


class AgentDocsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.docs.AgentDocs`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: AgentDocs) -> None:
        self._resource = resource

    async def create(
        self,
        agent_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return await raw(self._resource.create(
            agent_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    async def search(
        self,
        agent_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        return await raw(self._resource.search(agent_id, text, vector=vector, **args))

    async def delete(
        self,
        agent_id: str,
        doc_id: str,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[ResourceDeleted]:
        return await raw(self._resource.delete(agent_id, doc_id, **options))

    async def bulk_delete(
        self,
        agent_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Deletions]:
        """Delete the agent's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return await raw(self._resource.bulk_delete(
            agent_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class AgentToolsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.tools.AgentTools`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: AgentTools) -> None:
        self._resource = resource

    async def create(self, agent_id: str, *, name: str, type: ToolType, **args: Unpack[ToolArgs]) -> RawResponse[Tool]:
        """Give the agent a tool; pass the definition that matches ``type`` (``function=...``
        for a function tool: ``{"description", "parameters"}``, a JSON Schema)."""
        return await raw(self._resource.create(agent_id, name=name, type=type, **args))

    async def update(self, agent_id: str, tool_id: str, **args: Unpack[ToolPatchArgs]) -> RawResponse[Tool]:
        """Change the given fields of a tool (``PATCH``)."""
        return await raw(self._resource.update(agent_id, tool_id, **args))

    async def reset(
        self,
        agent_id: str,
        tool_id: str,
        *,
        name: str,
        type: ToolType,
        **args: Unpack[ToolArgs],
    ) -> RawResponse[Tool]:
        """Replace a tool's every field (``PUT``)."""
        return await raw(self._resource.reset(agent_id, tool_id, name=name, type=type, **args))

    async def delete(
        self,
        agent_id: str,
        tool_id: str,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[ResourceDeleted]:
        return await raw(self._resource.delete(agent_id, tool_id, **options))


class UserDocsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.docs.UserDocs`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: UserDocs) -> None:
        self._resource = resource

    async def create(
        self,
        user_id: str,
        title: str,
        content: str | list[str],
        *,
        metadata: dict[str, Any] | Unset = UNSET,
        embed_instruction: str | Unset | None = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Doc]:
        return await raw(self._resource.create(
            user_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    async def search(
        self,
        user_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        return await raw(self._resource.search(user_id, text, vector=vector, **args))

    async def delete(
        self,
        user_id: str,
        doc_id: str,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[ResourceDeleted]:
        return await raw(self._resource.delete(user_id, doc_id, **options))

    async def bulk_delete(
        self,
        user_id: str,
        *,
        metadata_filter: dict[str, Any] | Unset = UNSET,
        delete_all: bool | Unset = UNSET,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[Deletions]:
        """Delete the user's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return await raw(self._resource.bulk_delete(
            user_id,
            metadata_filter=metadata_filter,
            delete_all=delete_all,
            **options,
        ))


class SessionDocsWithRawResponse:
    """``with_raw_response`` of :class:`~julep_async.resources.docs.SessionDocs`: the same calls,
    each returning a :class:`~julep_async.RawResponse`."""

    def __init__(self, resource: SessionDocs) -> None:
        self._resource = resource

    async def create(
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
        return await raw(self._resource.create(
            session_id,
            title,
            content,
            metadata=metadata,
            embed_instruction=embed_instruction,
            **options,
        ))

    async def search(
        self,
        session_id: str,
        text: str | Unset = UNSET,
        *,
        vector: Vector | Unset = UNSET,
        **args: Unpack[DocSearchArgs],
    ) -> RawResponse[DocSearchResponse]:
        """Search the session's documents: full text (BM25) with ``text``, by embedding with
        ``vector``, or both (hybrid); ``metadata_filter`` keeps exact matches."""
        return await raw(self._resource.search(session_id, text, vector=vector, **args))

    async def delete(
        self,
        session_id: str,
        doc_id: str,
        **options: Unpack[RequestOptions],
    ) -> RawResponse[ResourceDeleted]:
        return await raw(self._resource.delete(session_id, doc_id, **options))
