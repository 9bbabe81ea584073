"""Shared sentinels and type aliases."""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias


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


def drop_unset(fields: dict[str, Any]) -> dict[str, Any]:
    """Return ``fields`` without the entries whose value is :data:`UNSET`."""
    return {key: value for key, value in fields.items() if value is not UNSET}
