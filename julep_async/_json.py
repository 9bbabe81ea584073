"""JSON, in one place: orjson for speed, the standard library where orjson differs.

orjson reads an integer past 64 bits as a float (losing digits) and cannot write one, so
those few documents go through :mod:`json`; both give compact UTF-8 with real characters.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["canonical", "dumps", "has_long_number", "loads", "pretty"]

_DIGITS = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
_LONG_RUN = b"0" * 19  # past what a 64-bit integer holds


def has_long_number(raw: bytes) -> bool:
    """Whether ``raw`` holds a run of 19 digits, which orjson may read as a float: such a
    document is read exactly by :mod:`json` (one C pass, several times faster than a regex)."""
    return _LONG_RUN in raw.translate(_DIGITS)


def dumps(value: Any) -> bytes:
    """``value`` as compact JSON (NaN and Infinity are refused by the callers' checks)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def loads(raw: bytes | str) -> Any:
    """The value ``raw`` holds; ``ValueError`` if it is not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    if has_long_number(data):
        return json.loads(data)
    return orjson.loads(data)


def canonical(value: Any) -> str:
    """Sorted keys, no whitespace, real characters: the same value gives the same text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pretty(value: Any) -> str:
    """Sorted keys, two-space indents, real characters (for files people read and diff)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
