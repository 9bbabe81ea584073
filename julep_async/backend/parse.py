"""Reading a request: its JSON body and query, checked against the very models the SDK sends.

Every problem is a :class:`~.faults.Fault` (422 in Julep's ``validation_error`` envelope,
naming the field), never an exception escaping to the caller.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import orjson

from .._json import finite_float, has_long_number, refuse_constant, unencodable
from ..converter import structure_input, wire
from ..exceptions import ValidationError
from ..types import Input, ListQuery
from ..types._fields import FieldError, check_json
from .faults import Fault, invalid
from .store import Tenant

if TYPE_CHECKING:
    from .app import Backend

__all__ = ["MAX_BODY_BYTES", "MAX_BODY_NESTING", "Call", "decode_body"]

T = TypeVar("T")
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_BODY_NESTING = 64
LIST_DEFAULTS: dict[str, Any] = {"limit": 100, "offset": 0, "sort_by": "created_at", "direction": "desc"}
"""As the v1 server has them: ``direction`` defaults to ``desc`` there (the spec says ``asc``)."""
_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})


def decode_body(raw: bytes | None) -> Any:
    """The request's JSON (``None`` for no body), within the size and nesting limits.

    NaN, Infinity and out-of-range numbers are refused: they are not JSON, and a stored
    one could not be sent back.
    """
    if not raw:
        return None
    if len(raw) > MAX_BODY_BYTES:
        raise Fault(413, f"the request body is over {MAX_BODY_BYTES} bytes", code="payload_too_large")
    try:
        body = orjson.loads(raw)  # refuses NaN, Infinity and out-of-range numbers itself
    except orjson.JSONDecodeError:
        body = _strictly(raw)
    else:
        if has_long_number(raw):  # orjson would read a 20-digit integer as a float
            body = _strictly(raw)
    if raw.count(b"{") + raw.count(b"[") > MAX_BODY_NESTING:  # only then can it nest that deep
        try:
            check_json("body", body, max_depth=MAX_BODY_NESTING)
        except FieldError as error:
            raise invalid(f"the request body is not acceptable JSON: {error}") from None
    return body


def _strictly(raw: bytes) -> Any:
    """``raw`` read by the standard library (exact integers), refusing what is not JSON and
    text that is not Unicode (an escaped lone surrogate, which could never be sent back)."""
    try:
        body = json.loads(raw, parse_constant=refuse_constant, parse_float=finite_float)
    except RecursionError:
        raise invalid(f"the request body nests deeper than {MAX_BODY_NESTING} levels") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise invalid(f"the request body is not valid JSON: {error}") from None
    if (where := unencodable(body)) is not None:
        raise invalid(f"the request body is not valid Unicode: {where} holds a lone surrogate")
    return body


def _refused(error: ValidationError, where: str) -> Fault:
    """A 422 naming every bad field (below ``where``)."""
    details = [{"loc": ".".join(p for p in (where, loc) if p), "msg": msg, "type": "value_error"}
               for loc, msg in error.problems]
    return invalid(f"{where}: {error}" if where else str(error), details)


@attrs.frozen
class Call:
    """One request, routed: the backend, the caller's tenant, the ids in the path (canonical,
    lower-case), the query and the raw body (decoded when a handler reads :attr:`body`, so
    a route that takes none ignores whatever was sent, as a web framework does)."""

    backend: Backend
    tenant: Tenant
    collection: str
    ids: tuple[str, ...]
    query: Mapping[str, str]
    raw: bytes | None

    @functools.cached_property
    def body(self) -> Any:
        """The JSON body (``None`` if there is none); a 4xx if it is not acceptable JSON."""
        return decode_body(self.raw)

    def now(self) -> str:
        """The backend's clock, as a timestamp."""
        return self.backend.clock.timestamp()

    def new_id(self) -> str:
        return self.backend.clock.new_id()

    def model(self, cls: type[T]) -> T:
        """The body as the request model ``cls``, or a 422 naming every bad field."""
        if self.body is None:
            raise invalid("a JSON body is required")
        return self.structure(self.body, cls)

    def wire(self, cls: type[Input]) -> dict[str, Any]:
        """The body as the request model ``cls`` would send it (checked, unknown keys left
        out; no model is built when none is needed), or a 422 naming every bad field."""
        if self.body is None:
            raise invalid("a JSON body is required")
        try:
            return wire(self.body, cls)
        except ValidationError as error:
            raise _refused(error, "") from None

    def object(self) -> dict[str, Any]:
        """The body, which must be a JSON object."""
        if not isinstance(self.body, dict):
            raise invalid("a JSON object body is required")
        return self.body

    @staticmethod
    def structure(data: Any, cls: type[T], where: str = "") -> T:
        """``data`` as the request model ``cls``; problems named below ``where``."""
        try:
            return structure_input(data, cls)
        except ValidationError as error:
            raise _refused(error, where) from None

    def list_query(self, *, max_limit: int | None = None) -> ListQuery:
        """The list parameters, with the server's defaults for those left out."""
        given: dict[str, Any] = {**LIST_DEFAULTS, "metadata_filter": self.metadata_filter()}
        for name in ("limit", "offset"):
            if name in self.query:
                given[name] = self.integer(name)
        for name in ("sort_by", "direction"):
            if name in self.query:
                given[name] = self.query[name]
        query = self.structure(given, ListQuery, "query")
        if max_limit is not None and isinstance(query.limit, int) and query.limit > max_limit:
            raise Fault(400, f"Limit must be between 1 and {max_limit}")
        return query

    def integer(self, name: str) -> int:
        text = self.query[name]
        try:
            return int(text)
        except ValueError:
            raise invalid(f"query.{name}: must be an integer, got {text[:40]!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        """A boolean query parameter (``true``/``false``, ``1``/``0``, ``yes``/``no``)."""
        text = self.query.get(name)
        if text is None:
            return default
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise invalid(f"query.{name}: must be true or false, got {text[:40]!r}")

    def metadata_filter(self) -> dict[str, Any]:
        """``metadata_filter``, as the v1 server reads it (``metadata_filter.<key>=<value>``)
        or as the spec encodes it (``metadata_filter=k1,v1,k2,v2``, or a JSON object).
        Values in the query are coerced to int, else float, else kept as text."""
        found = {
            key.removeprefix("metadata_filter."): _coerce(value)
            for key, value in self.query.items() if key.startswith("metadata_filter.")
        }
        text = self.query.get("metadata_filter")
        if text:
            decoded = None
            if text.startswith("{"):
                with contextlib.suppress(ValueError, RecursionError):
                    decoded = json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)
            if isinstance(decoded, dict):
                found.update(decoded)
            else:  # the spec's form: a first key may start with "{" too (`{a,1` is {"{a": 1})
                parts = text.split(",")
                if len(parts) == 1:  # one value, not key,value pairs: not an object
                    raise invalid(f"query.metadata_filter: must be an object (key,value pairs), got {text[:60]!r}")
                # Values that hold commas themselves (lists, objects) cannot be told apart in
                # this encoding: the pairs are read as they split, a lone last part ignored.
                found.update({key: _coerce(value) for key, value in zip(parts[::2], parts[1::2], strict=False)})
        return found


def _coerce(value: str) -> Any:
    for cast in (int, float):
        try:
            number = cast(value)
        except ValueError:
            continue
        if isinstance(number, float) and not math.isfinite(number):
            break
        return number
    return value
