"""Documents of a session, an agent or a user: the same calls, owned by different things.

Session documents (``/sessions/{id}/docs``) are an extension served by this project's
backend; agent and user documents are Julep v1.
"""

from __future__ import annotations

from typing import Any

from .._types import UNSET, Unset, drop_unset
from ..exceptions import ValidationError
from ..pagination import AsyncPager
from ..types import Doc, DocSearchResponse, ResourceDeleted
from ._base import Resource, check, check_count, check_id, check_metadata, filter_query, list_query


class _Docs(Resource):
    collection = ""
    search_suffix = "/search"

    def _owner(self, owner_id: Any) -> str:
        name = f"{self.collection.removesuffix('s')}_id"
        return f"/{self.collection}/{check_id(owner_id, self.collection, name)}"

    async def _create(self, owner_id: Any, title: Any, content: Any, metadata: Any, embed_instruction: Any) -> Doc:
        path = f"{self._owner(owner_id)}/docs"
        if not check("title", title, str):
            raise ValidationError("title must not be empty")
        body = {
            "title": title,
            "content": check("content", content, (str, list)),
            "metadata": UNSET if check_metadata("metadata", metadata) is None else metadata,
            "embed_instruction": check("embed_instruction", embed_instruction, str, nullable=True),
        }
        return await self._client._request("POST", path, body=drop_unset(body), cast_to=Doc)

    def _list(self, owner_id: Any, limit: Any, offset: Any, sort_by: Any, direction: Any,
              metadata_filter: Any) -> AsyncPager[Doc]:
        path = f"{self._owner(owner_id)}/docs"
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        return self._client._pager(path, query, Doc, limit=limit, offset=offset)

    async def _search(self, owner_id: Any, text: Any, metadata_filter: Any, limit: Any) -> DocSearchResponse:
        check("text", text, str)
        check_count("limit", limit, minimum=1)
        filter_query(metadata_filter)  # checks it
        body = {"text": text, "limit": limit, "metadata_filter": metadata_filter or {}}
        path = f"{self._owner(owner_id)}{self.search_suffix}"
        return await self._client._request("POST", path, body=body, cast_to=DocSearchResponse)

    async def _delete(self, owner_id: Any, doc_id: Any) -> ResourceDeleted:
        path = f"{self._owner(owner_id)}/docs/{check_id(doc_id, 'docs', 'doc_id')}"
        return await self._client._request("DELETE", path, cast_to=ResourceDeleted)


class SessionDocs(_Docs):
    """``client.sessions.docs``: documents scoped to one session."""

    collection = "sessions"
    search_suffix = "/docs/search"

    async def create(self, session_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | None = None, embed_instruction: str | Unset | None = UNSET) -> Doc:
        """Add a document to the session."""
        return await self._create(session_id, title, content, metadata, embed_instruction)

    def list(self, session_id: str, *, limit: int = 10, offset: int = 0, sort_by: str = "created_at",
             direction: str = "desc", metadata_filter: dict[str, Any] | None = None) -> AsyncPager[Doc]:
        """The session's documents, newest first by default."""
        return self._list(session_id, limit, offset, sort_by, direction, metadata_filter)

    async def search(self, session_id: str, text: str, *, metadata_filter: dict[str, Any] | None = None,
                     limit: int = 10) -> DocSearchResponse:
        """Full-text search (BM25-ranked), restricted by exact ``metadata_filter`` matches."""
        return await self._search(session_id, text, metadata_filter, limit)

    async def delete(self, session_id: str, doc_id: str) -> ResourceDeleted:
        return await self._delete(session_id, doc_id)


class AgentDocs(_Docs):
    """``client.agents.docs``."""

    collection = "agents"

    async def create(self, agent_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | None = None, embed_instruction: str | Unset | None = UNSET) -> Doc:
        return await self._create(agent_id, title, content, metadata, embed_instruction)

    def list(self, agent_id: str, *, limit: int = 10, offset: int = 0, sort_by: str = "created_at",
             direction: str = "desc", metadata_filter: dict[str, Any] | None = None) -> AsyncPager[Doc]:
        return self._list(agent_id, limit, offset, sort_by, direction, metadata_filter)

    async def search(self, agent_id: str, text: str, *, metadata_filter: dict[str, Any] | None = None,
                     limit: int = 10) -> DocSearchResponse:
        return await self._search(agent_id, text, metadata_filter, limit)

    async def delete(self, agent_id: str, doc_id: str) -> ResourceDeleted:
        return await self._delete(agent_id, doc_id)


class UserDocs(_Docs):
    """``client.users.docs``."""

    collection = "users"

    async def create(self, user_id: str, title: str, content: str | list[str], *,
                     metadata: dict[str, Any] | None = None, embed_instruction: str | Unset | None = UNSET) -> Doc:
        return await self._create(user_id, title, content, metadata, embed_instruction)

    def list(self, user_id: str, *, limit: int = 10, offset: int = 0, sort_by: str = "created_at",
             direction: str = "desc", metadata_filter: dict[str, Any] | None = None) -> AsyncPager[Doc]:
        return self._list(user_id, limit, offset, sort_by, direction, metadata_filter)

    async def search(self, user_id: str, text: str, *, metadata_filter: dict[str, Any] | None = None,
                     limit: int = 10) -> DocSearchResponse:
        return await self._search(user_id, text, metadata_filter, limit)

    async def delete(self, user_id: str, doc_id: str) -> ResourceDeleted:
        return await self._delete(user_id, doc_id)
