"""Sessions and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._types import ContextOverflow


@attrs.frozen
class Session:
    id: str
    created_at: datetime
    updated_at: datetime
    situation: str | None = None
    system_template: str | None = None
    summary: str | None = None
    render_templates: bool = True
    token_budget: int | None = None
    context_overflow: ContextOverflow | None = None
    auto_run_tools: bool = False
    forward_tool_calls: bool = False
    recall_options: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    kind: str | None = None
    agents: list[str] = attrs.Factory(list)
    users: list[str] = attrs.Factory(list)


@attrs.frozen
class Entry:
    """One stored message of a session's history."""

    id: str
    created_at: datetime
    role: str
    content: Any
    source: str
    timestamp: datetime | None = None
    name: str | None = None
    tokenizer: str | None = None
    token_count: int | None = None
    model: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


@attrs.frozen
class Relation:
    head: str
    relation: str
    tail: str


@attrs.frozen
class History:
    """A session's history, entries oldest first."""

    session_id: str
    created_at: datetime
    entries: list[Entry]
    relations: list[Relation] = attrs.Factory(list)
