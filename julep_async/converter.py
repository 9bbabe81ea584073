"""All (un)structuring policy, in one place: models stay plain attrs classes.

* datetimes: ISO 8601 in, timezone-aware out (a naive value from a server is UTC);
* unions of JSON shapes (``str | list[...]``): passed through as decoded;
* :class:`~julep_async.types.Message`: optional fields left at ``None`` are not sent;
* ``X | None``: one precomputed hook per optional type (the hot path of every reply);
* unknown keys in a reply: tolerated by :data:`converter`, refused by
  :data:`strict_converter` (tests use it, so drift from the wire shows up; it also
  collects every field error, where the production converter stops at the first).
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn

from .types import Message

__all__ = ["configure_converter", "converter", "make_converter", "strict_converter"]


def _structure_datetime(value: Any, _: type) -> datetime:
    if type(value) is str:  # the common case, first
        moment = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        moment = value
    else:
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _unstructure_datetime(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _is_json_union(tp: Any) -> bool:
    """A union with two or more members that are not attrs classes, nor None (``str | list``)."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    members = [m for m in typing.get_args(tp) if m is not type(None)]
    return len(members) > 1 and not any(attrs.has(m) for m in members)


def _passthrough(value: Any, _: Any) -> Any:
    return value


def _is_optional(tp: Any) -> bool:
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    members = typing.get_args(tp)
    return len(members) == 2 and type(None) in members and not _is_json_union(tp)


def _optional_hook(tp: Any, converter: cattrs.Converter) -> Any:
    inner_type = next(m for m in typing.get_args(tp) if m is not type(None))
    inner = converter.get_structure_hook(inner_type)
    if inner_type in (str, int, float, bool):

        def structure_primitive(value: Any, _: Any) -> Any:
            return value if value is None or type(value) is inner_type else inner(value, inner_type)

        return structure_primitive

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure_optional


def configure_converter(converter: cattrs.Converter) -> None:
    """Register julep_async's hooks on ``converter``."""
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    converter.register_structure_hook_func(_is_json_union, _passthrough)
    converter.register_structure_hook_factory(_is_optional, _optional_hook)
    converter.register_unstructure_hook(
        Message, make_dict_unstructure_fn(Message, converter, _cattrs_omit_if_default=True)
    )


def make_converter(*, forbid_extra_keys: bool = False) -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=forbid_extra_keys, detailed_validation=forbid_extra_keys)
    configure_converter(converter)
    return converter


converter = make_converter()
strict_converter = make_converter(forbid_extra_keys=True)
