"""Users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs


@attrs.frozen
class User:
    id: str
    created_at: datetime
    updated_at: datetime
    name: str = ""
    about: str = ""
    metadata: dict[str, Any] | None = None
    project: str | None = None
