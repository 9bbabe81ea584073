"""Documents of a session, an agent or a user: the same calls, owned by different things;
and ``client.docs`` for a document by its id.

Session documents (``/sessions/{id}/docs``) are an extension served by this project's
backend; agent and user documents are Julep v1.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

import attrs

from .._types import UNSET, RequestOptions, Unset
from ..converter import build
from ..exceptions import ValidationError
from ..pagination import AsyncPager
from ..types import (
    BulkDeleteDocsRequest,
    CreateDocRequest,
    Direction,
    Doc,
    DocSearchResponse,
    EmbedQueryRequest,
    EmbedQueryResponse,
    HybridDocSearchRequest,
    ResourceDeleted,
    SortBy,
    TextOnlyDocSearchRequest,
    VectorDocSearchRequest,
)
from ..types._fields import shown
from ..types.docs import DocSearchOptions
from ._base import Resource, check_id, list_query, split_options

if TYPE_CHECKING:
    from ._raw import AgentDocsWithRawResponse, DocsWithRawResponse, SessionDocsWithRawResponse, UserDocsWithRawResponse


Vector = list[float]
Deletions = list[ResourceDeleted]  # spelled out here: ``list`` is a method inside the classes


class DocSearchArgs(DocSearchOptions, RequestOptions, total=False):
    """The search options and the per-call options."""


@attrs.frozen
class _Deleted:
    items: list[ResourceDeleted]


def _flag(value: bool | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, bool):
        raise ValidationError(f"include_embeddings must be true or false, got {shown(value)}")
    return [("include_embeddings", "true" if value else "false")]


class _OwnedDocs(Resource):
    collection = ""
    search_suffix = "/search"

    def _owner(self, owner_id: Any) -> str:
        name = f"{self.collection.removesuffix('s')}_id"
        return f"/{self.collection}/{check_id(owner_id, self.collection, name)}"

    async def _create(self, owner_id: Any, title: Any, content: Any, metadata: Any, embed_instruction: Any,
                      options: RequestOptions) -> Doc:
        body = build(CreateDocRequest, title=title, content=content, metadata=metadata,
                     embed_instruction=embed_instruction)
        return await self._client._request("POST", f"{self._owner(owner_id)}/docs", body=body, cast_to=Doc,
                                           options=options)

    def _list(self, owner_id: Any, limit: Any, offset: Any, sort_by: Any, direction: Any, metadata_filter: Any,
              include_embeddings: bool | None, options: RequestOptions) -> AsyncPager[Doc]:
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter) + _flag(include_embeddings)
        return self._client._pager(f"{self._owner(owner_id)}/docs", query, Doc, limit=limit, offset=offset,
                                   options=options)

    async def _search(self, owner_id: Any, text: Any, vector: Any, args: DocSearchArgs) -> DocSearchResponse:
        fields, options = split_options(args)
        if text is not UNSET and vector is not UNSET:
            body: Any = build(HybridDocSearchRequest, text=text, vector=vector, **fields)
        elif vector is not UNSET:
            body = build(VectorDocSearchRequest, vector=vector, **fields)
        elif text is not UNSET:
            body = build(TextOnlyDocSearchRequest, text=text, **fields)
        else:
            raise ValidationError("search needs text=, vector=, or both (a hybrid search)")
        path = f"{self._owner(owner_id)}{self.search_suffix}"
        return await self._client._request("POST", path, body=body, cast_to=DocSearchResponse, options=options)

    async def _delete(self, owner_id: Any, doc_id: Any, options: RequestOptions) -> ResourceDeleted:
        path = f"{self._owner(owner_id)}/docs/{check_id(doc_id, 'docs', 'doc_id')}"
        return await self._client._request("DELETE", path, cast_to=ResourceDeleted, options=options)

    async def _bulk_delete(self, owner_id: Any, metadata_filter: Any, delete_all: Any,
                           options: RequestOptions) -> Deletions:
        body = build(BulkDeleteDocsRequest, metadata_filter=metadata_filter, delete_all=delete_all)
        deleted = await self._client._request("DELETE", f"{self._owner(owner_id)}/docs", body=body, cast_to=_Deleted,
                                              options=options)
        return deleted.items


class SessionDocs(_OwnedDocs):
    """``client.sessions.docs``: documents scoped to one session (an extension of v1)."""

    @cached_property
    def with_raw_response(self) -> SessionDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import SessionDocsWithRawResponse

        return SessionDocsWithRawResponse(self)

    collection = "sessions"
    search_suffix = "/docs/search"

    async def create(self, session_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | Unset = UNSET, embed_instruction: str | Unset | None = UNSET,
                     **options: Unpack[RequestOptions]) -> Doc:
        """Add a document to the session."""
        return await self._create(session_id, title, content, metadata, embed_instruction, options)

    def list(self, session_id: str, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at",
             direction: Direction = "desc", metadata_filter: dict[str, Any] | None = None,
             include_embeddings: bool | None = None, **options: Unpack[RequestOptions]) -> AsyncPager[Doc]:
        """The session's documents, newest first by default."""
        return self._list(session_id, limit, offset, sort_by, direction, metadata_filter, include_embeddings,
                          options)

    async def search(self, session_id: str, text: str | Unset = UNSET, *, vector: Vector | Unset = UNSET,
                     **args: Unpack[DocSearchArgs]) -> DocSearchResponse:
        """Search the session's documents: full text (BM25) with ``text``, by embedding with
        ``vector``, or both (hybrid); ``metadata_filter`` keeps exact matches."""
        return await self._search(session_id, text, vector, args)

    async def delete(self, session_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return await self._delete(session_id, doc_id, options)


class AgentDocs(_OwnedDocs):
    """``client.agents.docs``."""

    @cached_property
    def with_raw_response(self) -> AgentDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import AgentDocsWithRawResponse

        return AgentDocsWithRawResponse(self)

    collection = "agents"

    async def create(self, agent_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | Unset = UNSET, embed_instruction: str | Unset | None = UNSET,
                     **options: Unpack[RequestOptions]) -> Doc:
        return await self._create(agent_id, title, content, metadata, embed_instruction, options)

    def list(self, agent_id: str, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at",
             direction: Direction = "desc", metadata_filter: dict[str, Any] | None = None,
             include_embeddings: bool | None = None, **options: Unpack[RequestOptions]) -> AsyncPager[Doc]:
        return self._list(agent_id, limit, offset, sort_by, direction, metadata_filter, include_embeddings, options)

    async def search(self, agent_id: str, text: str | Unset = UNSET, *, vector: Vector | Unset = UNSET,
                     **args: Unpack[DocSearchArgs]) -> DocSearchResponse:
        return await self._search(agent_id, text, vector, args)

    async def delete(self, agent_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return await self._delete(agent_id, doc_id, options)

    async def bulk_delete(self, agent_id: str, *, metadata_filter: dict[str, Any] | Unset = UNSET,
                          delete_all: bool | Unset = UNSET, **options: Unpack[RequestOptions]) -> Deletions:
        """Delete the agent's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return await self._bulk_delete(agent_id, metadata_filter, delete_all, options)


class UserDocs(_OwnedDocs):
    """``client.users.docs``."""

    @cached_property
    def with_raw_response(self) -> UserDocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import UserDocsWithRawResponse

        return UserDocsWithRawResponse(self)

    collection = "users"

    async def create(self, user_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | Unset = UNSET, embed_instruction: str | Unset | None = UNSET,
                     **options: Unpack[RequestOptions]) -> Doc:
        return await self._create(user_id, title, content, metadata, embed_instruction, options)

    def list(self, user_id: str, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at",
             direction: Direction = "desc", metadata_filter: dict[str, Any] | None = None,
             include_embeddings: bool | None = None, **options: Unpack[RequestOptions]) -> AsyncPager[Doc]:
        return self._list(user_id, limit, offset, sort_by, direction, metadata_filter, include_embeddings, options)

    async def search(self, user_id: str, text: str | Unset = UNSET, *, vector: Vector | Unset = UNSET,
                     **args: Unpack[DocSearchArgs]) -> DocSearchResponse:
        return await self._search(user_id, text, vector, args)

    async def delete(self, user_id: str, doc_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return await self._delete(user_id, doc_id, options)

    async def bulk_delete(self, user_id: str, *, metadata_filter: dict[str, Any] | Unset = UNSET,
                          delete_all: bool | Unset = UNSET, **options: Unpack[RequestOptions]) -> Deletions:
        """Delete the user's documents that match ``metadata_filter``, or all with ``delete_all``."""
        return await self._bulk_delete(user_id, metadata_filter, delete_all, options)


class Docs(Resource):
    """``client.docs``: a document by its id, whoever owns it, and embeddings."""

    @cached_property
    def with_raw_response(self) -> DocsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import DocsWithRawResponse

        return DocsWithRawResponse(self)

    async def get(self, doc_id: str, *, include_embeddings: bool | None = None,
                  **options: Unpack[RequestOptions]) -> Doc:
        path = f"/docs/{check_id(doc_id, 'docs', 'doc_id')}"
        return await self._client._request("GET", path, query=_flag(include_embeddings), cast_to=Doc,
                                           options=options)

    async def embed(self, text: str | list[str], *, embed_instruction: str | Unset = UNSET,
                    **options: Unpack[RequestOptions]) -> EmbedQueryResponse:
        """Embed one text or several (``POST /embed``): one vector per text."""
        body = build(EmbedQueryRequest, text=text, embed_instruction=embed_instruction)
        return await self._client._request("POST", "/embed", body=body, cast_to=EmbedQueryResponse, options=options)
