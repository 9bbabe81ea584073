"""Agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs


@attrs.frozen
class Agent:
    id: str
    created_at: datetime
    updated_at: datetime
    name: str
    about: str = ""
    model: str = ""
    instructions: str | list[str] = ""
    metadata: dict[str, Any] | None = None
    default_settings: dict[str, Any] | None = None
    default_system_template: str | None = None
    project: str | None = None
    canonical_name: str | None = None
