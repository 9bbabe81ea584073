"""``client.users``."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .._types import UNSET, Unset, drop_unset
from ..pagination import AsyncPager
from ..types import ResourceDeleted, User
from ._base import Resource, check, check_id, check_metadata, list_query
from .docs import UserDocs


class Users(Resource):
    @cached_property
    def docs(self) -> UserDocs:
        return UserDocs(self._client)

    async def create(self, name: str | Unset = UNSET, *, about: str | Unset = UNSET,
                     metadata: dict[str, Any] | Unset = UNSET, project: str | Unset = UNSET) -> User:
        """Create a user (``POST /users``)."""
        return await self._client._request("POST", "/users", body=self._body(name, about, metadata, project),
                                           cast_to=User)

    async def get(self, user_id: str) -> User:
        return await self._client._request("GET", f"/users/{check_id(user_id, 'users', 'user_id')}", cast_to=User)

    def list(self, *, limit: int = 10, offset: int = 0, sort_by: str = "created_at", direction: str = "desc",
             metadata_filter: dict[str, Any] | None = None) -> AsyncPager[User]:
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        return self._client._pager("/users", query, User, limit=limit, offset=offset)

    async def update(self, user_id: str, *, name: str | Unset = UNSET, about: str | Unset = UNSET,
                     metadata: dict[str, Any] | Unset | None = UNSET) -> User:
        """Merge the given fields into the user (``PATCH``); ``metadata`` merges key by key."""
        path = f"/users/{check_id(user_id, 'users', 'user_id')}"
        return await self._client._request("PATCH", path, body=self._body(name, about, metadata, UNSET),
                                           cast_to=User)

    async def delete(self, user_id: str) -> ResourceDeleted:
        path = f"/users/{check_id(user_id, 'users', 'user_id')}"
        return await self._client._request("DELETE", path, cast_to=ResourceDeleted)

    @staticmethod
    def _body(name: Any, about: Any, metadata: Any, project: Any) -> dict[str, Any]:
        check("name", name, str)
        check("about", about, str)
        check("project", project, str)
        check_metadata("metadata", metadata)
        return drop_unset({"name": name, "about": about, "metadata": metadata, "project": project})
