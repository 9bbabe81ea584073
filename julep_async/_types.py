"""Shared sentinels and type aliases."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypedDict

if TYPE_CHECKING:
    from .config import Timeout


class _Unset(enum.Enum):
    """Type of :data:`UNSET`: an argument the caller did not give."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = _Unset.UNSET
"""Default of optional request fields: an unset field is not sent, ``None`` is sent as null."""

Unset: TypeAlias = Literal[_Unset.UNSET]

ContextOverflow: TypeAlias = Literal["truncate", "adaptive", "summarize"]
Role: TypeAlias = Literal["user", "assistant", "system", "tool"]


class RequestOptions(TypedDict, total=False):
    """Per-call options every API method takes (the names the Stainless-generated SDKs use).

    Keys:
        timeout: seconds for each attempt of this call, or a whole
            :class:`~julep_async.config.Timeout` (``None``: no limit).
        extra_headers: headers added to (or replacing) the client's for this call.
        extra_query: query parameters added to this call's.
        extra_body: JSON fields merged into this call's body (for fields a newer server
            knows and this SDK does not yet).
    """

    timeout: float | Timeout | None
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str]
    extra_body: Mapping[str, Any]


REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)


def drop_unset(fields: dict[str, Any]) -> dict[str, Any]:
    """Return ``fields`` without the entries whose value is :data:`UNSET`."""
    return {key: value for key, value in fields.items() if value is not UNSET}
