"""What the endpoints share: finding records, and pages of lists."""

from __future__ import annotations

from typing import Any, TypeAlias

from ...transports.base import Response
from ...types import ListQuery
from .. import search
from ..faults import not_found
from ..parse import Call
from ..store import Record, SessionState

__all__ = ["KINDS", "Reply", "find", "owner", "page", "session"]

Reply: TypeAlias = tuple[int, Any] | Response
KINDS = {"agents": "Agent", "users": "User", "sessions": "Session", "docs": "Doc", "tools": "Tool"}


def find(table: dict[str, Any], id: str, kind: str) -> Any:
    """``table[id]``, or 404 naming the ``kind``."""
    found = table.get(id)
    if found is None:
        raise not_found(kind, id)
    return found


def session(call: Call) -> SessionState:
    state: SessionState = find(call.tenant.sessions, call.ids[0], "Session")
    return state


def owner(call: Call) -> tuple[str, str]:
    """The owner the path names (``("agents", id)``...), checked to exist."""
    table = call.tenant.sessions if call.collection == "sessions" else getattr(call.tenant, call.collection)
    find(table, call.ids[0], KINDS[call.collection])
    return call.collection, call.ids[0]


def page(records: list[Record], query: ListQuery, *, shape: Any = None) -> Reply:
    """``{"items": [...]}``: the records matching the metadata filter, sorted and sliced."""
    wanted = query.metadata_filter if isinstance(query.metadata_filter, dict) else {}
    chosen = [r for r in records if search.matches(r.get("metadata"), wanted)] if wanted else list(records)
    key = query.sort_by if isinstance(query.sort_by, str) else "created_at"
    chosen.sort(key=lambda r: r.get(key) or r["created_at"], reverse=query.direction == "desc")
    start = query.offset if isinstance(query.offset, int) else 0
    items = chosen[start: start + (query.limit if isinstance(query.limit, int) else 100)]
    return 200, {"items": [shape(item) for item in items] if shape else items}
