"""Models shared by several resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import attrs

from .._types import Unset
from ._fields import enum, field, integer, json_object
from ._input import Input
from ._model import Model

SortBy = Literal["created_at", "updated_at"]
Direction = Literal["asc", "desc"]


@attrs.frozen
class ResourceDeleted(Model):
    """What a delete returns."""

    id: str
    deleted_at: datetime
    jobs: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class ListQuery(Input):
    """The query of every list call (``Common.PaginationOptions``)."""

    limit: int | Unset = field(integer(minimum=1, maximum=1000, exclusive_maximum=True))
    offset: int | Unset = field(integer(minimum=0, format="uint32"))
    sort_by: SortBy | Unset = field(enum(("created_at", "updated_at")))
    direction: Direction | Unset = field(enum(("asc", "desc")))
    metadata_filter: dict[str, Any] | Unset = field(json_object())
