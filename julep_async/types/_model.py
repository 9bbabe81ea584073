"""The base of every model: plain data, with ``to_dict()`` and ``to_json()``."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["Model"]


class Model:
    """A frozen attrs model (a reply, or something sent). Conversion lives in
    :mod:`julep_async.converter`; these two methods only ask it."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data: datetimes as ISO 8601 text; what was left unset
        (``UNSET``) in a request model is left out."""
        from ..converter import converter

        data: dict[str, Any] = converter.unstructure(self)
        return data

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
