"""JSON, in one place: orjson for speed, the standard library where orjson differs.

orjson reads an integer past 64 bits as a float (losing digits) and cannot write one, so
those few documents go through :mod:`json`; both give compact UTF-8 with real characters.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

__all__ = ["canonical", "dumps", "finite_float", "has_long_number", "loads", "pretty", "refuse_constant", "trimmed",
           "unencodable"]

_DIGITS = bytes(ord("0") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
_LONG_RUN = b"0" * 19  # past what a 64-bit integer holds


def has_long_number(raw: bytes) -> bool:
    """Whether ``raw`` holds a run of 19 digits, which orjson may read as a float: such a
    document is read exactly by :mod:`json` (one C pass, several times faster than a regex).
    A run inside a string counts too (a phone number, a nanosecond time): that document is
    then read correctly, only more slowly."""
    return _LONG_RUN in raw.translate(_DIGITS)


def refuse_constant(name: str) -> Any:
    """For :func:`json.loads`: NaN and Infinity are not JSON (orjson refuses them too)."""
    raise ValueError(f"{name} is not JSON")


def finite_float(text: str) -> float:
    """For :func:`json.loads`: a number too large for a float is refused, as orjson does."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def dumps(value: Any) -> bytes:
    """``value`` as compact JSON. NaN and Infinity, which are not JSON, are written as
    ``null``: request bodies are checked before (``check_json``) and never hold them."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def trimmed(raw: bytes) -> bytes:
    """``raw`` in an allocation of its own size, for bytes that are kept: orjson's output
    keeps the buffer it was written in (4 KiB for the smallest document; ijl/orjson#483)."""
    return b"".join((raw, b""))


def loads(raw: bytes | str) -> Any:
    """The value ``raw`` holds; ``ValueError`` if it is not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    if has_long_number(data):  # judged as orjson judges: no NaN, no text that is not Unicode
        value = json.loads(data, parse_constant=refuse_constant, parse_float=finite_float)
        if (where := unencodable(value)) is not None:
            raise ValueError(f"{where} holds a lone surrogate, which is not Unicode")
        return value
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


def unencodable(value: Any) -> str | None:
    """The path of the first string (or key) in ``value`` that is not valid Unicode (a lone
    surrogate, which no UTF-8 document can hold), or ``None`` if there is none."""
    stack = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return where or "(the body)"
        elif isinstance(item, dict):
            stack.extend((key, f"{where or '(the body)'} (a key)") for key in item if isinstance(key, str))
            stack.extend((child, f"{where}.{key}" if where else str(key)) for key, child in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))
    return None
