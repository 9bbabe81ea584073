"""Models shared by several resources."""

from __future__ import annotations

from datetime import datetime

import attrs


@attrs.frozen
class ResourceDeleted:
    """What a delete returns."""

    id: str
    deleted_at: datetime
    jobs: list[str] = attrs.Factory(list)
