"""What every resource shares: a reference to the client, and argument checks that
raise :class:`~julep_async.exceptions.ValidationError` before anything is sent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._types import UNSET
from ..converter import converter
from ..exceptions import NOT_FOUND_ERRORS, ValidationError
from ..types import Message

if TYPE_CHECKING:
    from ..client import AsyncClient

ROLES = ("user", "assistant", "system", "tool")
OVERFLOW = (None, "truncate", "adaptive", "summarize")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


class Resource:
    """A namespace of API calls; it holds only the client."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def check_id(value: Any, collection: str, name: str) -> str:
    """A path id: a non-empty string. One that cannot name anything (not a UUID) is
    answered with the resource's not-found error at once, on every transport."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{name} must be a non-empty string, got {value!r}")
    if not _UUID.match(value):
        error = NOT_FOUND_ERRORS[collection]
        kind = collection.removesuffix("s")
        raise error(f"404: no {kind} has the id {value!r} (Julep ids are UUIDs)", status_code=404)
    return str(value)


def check(name: str, value: Any, kind: type | tuple[type, ...], *, nullable: bool = False) -> Any:
    """``value`` if it is UNSET, of ``kind`` (``bool`` never counts as ``int``), or allowed None."""
    if value is UNSET or (value is None and nullable):
        return value
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        expected = " or ".join(k.__name__ for k in kinds) + (" or None" if nullable else "")
        raise ValidationError(f"{name} must be {expected}, got {type(value).__name__} {value!r:.80}")
    return value


def check_count(name: str, value: Any, *, minimum: int, nullable: bool = False) -> Any:
    check(name, value, int, nullable=nullable)
    if isinstance(value, int) and value < minimum:
        raise ValidationError(f"{name} must be at least {minimum}, got {value}")
    return value


def check_metadata(name: str, value: Any) -> Any:
    check(name, value, dict, nullable=True)
    if isinstance(value, dict) and not all(isinstance(key, str) for key in value):
        raise ValidationError(f"{name} keys must be strings")
    return value


def check_overflow(value: Any) -> Any:
    if value is not UNSET and value not in OVERFLOW:
        raise ValidationError(
            f"context_overflow must be 'truncate', 'adaptive', 'summarize' or None, got {value!r}"
        )
    return value


def wire_messages(messages: Any) -> list[dict[str, Any]]:
    """Messages as sent: from dicts or :class:`~julep_async.types.Message`, checked."""
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Sequence):
        raise ValidationError("messages must be a list of {'role', 'content'} dicts or Message objects")
    if not messages:
        raise ValidationError("messages must not be empty")
    wire = []
    for index, message in enumerate(messages):
        if isinstance(message, Message):
            message = converter.unstructure(message)
        elif not isinstance(message, Mapping):
            raise ValidationError(f"messages[{index}] must be a dict or Message, got {type(message).__name__}")
        if message.get("role") not in ROLES:
            raise ValidationError(
                f"messages[{index}].role must be one of {', '.join(ROLES)}, got {message.get('role')!r}"
            )
        if "content" not in message:
            raise ValidationError(f"messages[{index}] has no 'content'")
        content = message["content"]
        if content is not None and not isinstance(content, (str, list)):
            raise ValidationError(f"messages[{index}].content must be a string or a list of parts")
        wire.append(dict(message))
    return wire


def wire_time(name: str, value: Any) -> str:
    """A datetime as sent: UTC ISO 8601; a naive value is taken as local time."""
    check(name, value, datetime)
    moment: datetime = value if value.tzinfo is not None else value.astimezone()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def list_query(
    *, limit: Any, offset: Any, sort_by: Any, direction: Any, metadata_filter: Any
) -> list[tuple[str, str]]:
    """The Julep list parameters, checked; ``metadata_filter`` flattened to dotted keys."""
    check_count("limit", limit, minimum=1)
    check_count("offset", offset, minimum=0)
    if sort_by not in ("created_at", "updated_at"):
        raise ValidationError(f"sort_by must be 'created_at' or 'updated_at', got {sort_by!r}")
    if direction not in ("asc", "desc"):
        raise ValidationError(f"direction must be 'asc' or 'desc', got {direction!r}")
    query = [("sort_by", sort_by), ("direction", direction)]
    return query + filter_query(metadata_filter)


def filter_query(metadata_filter: Any) -> list[tuple[str, str]]:
    check_metadata("metadata_filter", metadata_filter)
    pairs = []
    for key, value in (metadata_filter or {}).items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValidationError(f"metadata_filter[{key!r}] must be a string or a number")
        pairs.append((f"metadata_filter.{key}", str(value)))
    return pairs


__all__ = [
    "Resource",
    "check",
    "check_count",
    "check_id",
    "check_metadata",
    "check_overflow",
    "filter_query",
    "list_query",
    "wire_messages",
    "wire_time",
]
