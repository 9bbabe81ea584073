"""What every resource shares: a reference to the client, and the argument checks that
raise :class:`~julep_async.exceptions.ValidationError` before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._ids import canonical_id
from .._types import REQUEST_OPTIONS, UNSET, RequestOptions
from ..converter import build
from ..exceptions import NOT_FOUND_ERRORS, NotFoundError, ValidationError
from ..types import ListQuery
from ..types._fields import shown

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = ["Resource", "check_id", "filter_query", "list_query", "split_options", "wire_time"]


class Resource:
    """A namespace of API calls; it holds only the client."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def split_options(arguments: Mapping[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """Keyword arguments split into the body's fields and the per-call options."""
    if not arguments:
        return {}, {}
    fields = {name: value for name, value in arguments.items() if name not in REQUEST_OPTIONS}
    options: RequestOptions = {name: value for name, value in arguments.items() if name in REQUEST_OPTIONS}  # type: ignore[assignment]
    return fields, options


def check_id(value: Any, collection: str, name: str) -> str:
    """A path id, as Julep writes it (lower-case hyphenated UUID).

    One that cannot name anything (not a UUID) is answered with the resource's
    not-found error at once, as the server would, on every transport.
    """
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{name} must be a non-empty string, got {shown(value)}")
    canonical = canonical_id(value)
    if canonical is None:
        error = NOT_FOUND_ERRORS.get(collection, NotFoundError)
        raise error(f"404: no {collection.removesuffix('s')} has the id {shown(value)} (Julep ids are UUIDs)",
                    status_code=404)
    return canonical


def list_query(*, limit: Any, offset: Any, sort_by: Any, direction: Any,
               metadata_filter: Any) -> list[tuple[str, str]]:
    """The list parameters, checked, as query pairs (the pager adds ``limit`` and ``offset``);
    ``metadata_filter`` as ``metadata_filter.<key>=<value>`` pairs, the form the v1 server reads."""
    build(ListQuery, limit=limit, offset=offset, sort_by=sort_by, direction=direction,
          metadata_filter=UNSET if metadata_filter is None else metadata_filter)
    return [("sort_by", sort_by), ("direction", direction), *filter_query(metadata_filter)]


def filter_query(metadata_filter: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """``metadata_filter`` as query pairs: each value a string or a number (exact match)."""
    if metadata_filter is None:
        return []
    if not isinstance(metadata_filter, Mapping):
        raise ValidationError(f"metadata_filter must be a dict, got {type(metadata_filter).__name__}")
    pairs = []
    for key, value in metadata_filter.items():
        if not isinstance(key, str):
            raise ValidationError(f"metadata_filter keys must be strings, got {shown(key)}")
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValidationError(f"metadata_filter.{key} must be a string or a number, got {shown(value)}")
        pairs.append((f"metadata_filter.{key}", str(value)))
    return pairs


def wire_time(name: str, value: Any) -> str:
    """A datetime as sent: UTC ISO 8601; a naive value is taken as local time."""
    if not isinstance(value, datetime):
        raise ValidationError(f"{name} must be a datetime, got {shown(value)}")
    moment = value if value.tzinfo is not None else value.astimezone()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
