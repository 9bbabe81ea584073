"""How a write changes a stored record: ``PATCH`` merges, ``PUT`` replaces.

``given`` is the request body as checked against its model (``Call.wire``): only the
fields the caller gave.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .records import Record

__all__ = ["patch", "replace"]


def patch(record: Record, given: Mapping[str, Any], *, merged: Collection[str] = ("metadata",)) -> None:
    """``PATCH``: each field given replaces the stored one, ``null`` leaves it as it is (the
    v1 server's ``COALESCE``), and the ``merged`` fields merge key by key (its ``||``)."""
    for name, value in given.items():
        if value is None:
            continue
        if name in merged and isinstance(record.get(name), dict):
            record[name] = {**record[name], **value}
        else:
            record[name] = value


def replace(record: Record, given: Mapping[str, Any], *, fields: Collection[str],
            defaults: Mapping[str, Any], keep: Collection[str] = ()) -> None:
    """``PUT``: every one of ``fields`` takes its given value, else its default, else goes;
    the ``keep`` fields stay as stored unless given."""
    for name in fields:
        if name in given:
            record[name] = given[name]
        elif name in defaults:
            record[name] = defaults[name]
        elif name not in keep:
            record.pop(name, None)
