"""``client.users``: users and their documents."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .._types import RequestOptions
from ..converter import build
from ..pagination import AsyncPager
from ..types import CreateUserRequest, Direction, PatchUserRequest, ResourceDeleted, SortBy, User
from ..types.users import UserFields
from ._base import Resource, check_id, list_query, split_options
from .docs import UserDocs

if TYPE_CHECKING:
    from ._raw import UsersWithRawResponse



class UserArgs(UserFields, RequestOptions, total=False):
    """A user's fields and the per-call options."""


class Users(Resource):

    @cached_property
    def with_raw_response(self) -> UsersWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import UsersWithRawResponse

        return UsersWithRawResponse(self)

    @cached_property
    def docs(self) -> UserDocs:
        """``client.users.docs``: the documents a user owns."""
        return UserDocs(self._client)

    @staticmethod
    def _path(user_id: Any) -> str:
        return f"/users/{check_id(user_id, 'users', 'user_id')}"

    async def create(self, **args: Unpack[UserArgs]) -> User:
        """Create a user (``POST /users``); the keyword arguments are :class:`UserFields`."""
        fields, options = split_options(args)
        return await self._client._request("POST", "/users", body=build(CreateUserRequest, **fields), cast_to=User,
                                           options=options)

    async def create_or_update(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Create the user with this id, or replace every field of the one that has it
        (``POST /users/{id}``)."""
        fields, options = split_options(args)
        return await self._client._request("POST", self._path(user_id), body=build(CreateUserRequest, **fields),
                                           cast_to=User, options=options)

    async def get(self, user_id: str, **options: Unpack[RequestOptions]) -> User:
        return await self._client._request("GET", self._path(user_id), cast_to=User, options=options)

    def list(
        self, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at", direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPager[User]:
        """Users, newest first by default; ``await`` it for a page, ``async for`` for all."""
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        return self._client._pager("/users", query, User, limit=limit, offset=offset, options=options)

    async def update(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        fields, options = split_options(args)
        return await self._client._request("PATCH", self._path(user_id), body=build(PatchUserRequest, **fields),
                                           cast_to=User, options=options)

    async def reset(self, user_id: str, **args: Unpack[UserArgs]) -> User:
        """Replace every field (``PUT``): one left out goes back to its default."""
        fields, options = split_options(args)
        return await self._client._request("PUT", self._path(user_id), body=build(CreateUserRequest, **fields),
                                           cast_to=User, options=options)

    async def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        """Delete the user and the documents it owns (its sessions stay, as in v1)."""
        return await self._client._request("DELETE", self._path(user_id), cast_to=ResourceDeleted, options=options)
