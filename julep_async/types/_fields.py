"""Fields of request models: the spec's type and constraints for each, as an attrs validator.

A *check* is a function ``(name, value) -> None`` that raises :class:`FieldError` when
``value`` breaks the spec; the builders below make one per JSON Schema construct
(``string(max_length=255)``, ``integer(minimum=1)``, ``array_of(string())``,
``any_of(string(), array_of(string()))``, ...). :func:`field` turns a check into an
``attrs.field``: optional fields default to :data:`UNSET` (not sent), required ones have
no default, and ``null`` is refused unless the spec allows it. A model therefore holds a
valid value whoever built it: the SDK from keyword arguments, or the backend from a
request body.
"""

from __future__ import annotations

import math
import re
import reprlib
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from .._types import UNSET

__all__ = [
    "MAX_JSON_DEPTH",
    "Check",
    "SPEC",
    "FieldError",
    "Spec",
    "any_of",
    "array_of",
    "boolean",
    "check_json",
    "enum",
    "field",
    "identifier",
    "instance_of",
    "integer",
    "json_object",
    "json_value",
    "map_of",
    "nullable",
    "shown",
    "number",
    "object_of",
    "string",
    "tag",
    "uuid",
    "validator",
]

MAX_JSON_DEPTH = 32
"""How deeply a JSON value (metadata, parameters, ...) may nest."""

Check = Callable[[str, Any], None]
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class FieldError(ValueError):
    """A value breaks the spec: ``field`` is its dotted path, ``problem`` what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


SPEC = "julep_async.spec"
"""The attrs metadata key under which a field keeps its :class:`Spec`."""


@attrs.frozen
class Spec:
    """How a field is checked: its check, and whether it must be given or may be null."""

    check: Check
    required: bool = False
    nullable: bool = False


def field(check: Check, *, required: bool = False, nullable: bool = False) -> Any:
    """An attrs field whose value passes ``check`` (or is ``UNSET``, or an allowed ``None``).

    The model checks every field at once, in one generated function (:func:`validator`),
    so a field left ``UNSET`` costs next to nothing."""
    spec = Spec(check, required, nullable)
    if required:
        return attrs.field(metadata={SPEC: spec})
    return attrs.field(default=UNSET, metadata={SPEC: spec})


def tag(value: str) -> Any:
    """A discriminator: a field that can only hold ``value``, its default (always sent)."""
    return attrs.field(default=value, metadata={SPEC: Spec(enum((value,)), required=True)})


def validator(cls: type) -> Callable[[Any], None]:
    """One function that checks every field of the model ``cls`` as its :class:`Spec` says,
    generated (as attrs generates ``__init__``) so that each field is a few bytecodes."""
    namespace: dict[str, Any] = {"UNSET": UNSET, "FieldError": FieldError}
    lines = ["def validate(self):"]
    for attribute in attrs.fields(cls):
        spec = attribute.metadata.get(SPEC)
        if spec is None:
            continue
        name = attribute.name
        namespace[f"check_{name}"] = spec.check
        lines += [
            f"    value = self.{name}",
            "    if value is UNSET:",
            f"        raise FieldError({name!r}, 'is required')" if spec.required else "        pass",
            "    elif value is None:",
            "        pass" if spec.nullable else f"        raise FieldError({name!r}, 'must not be null')",
            "    else:",
            f"        check_{name}({name!r}, value)",
        ]
    if len(lines) == 1:
        lines.append("    pass")
    exec(compile("\n".join(lines), f"<julep_async validator {cls.__qualname__}>", "exec"), namespace)
    validate: Callable[[Any], None] = namespace["validate"]
    return validate


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxdict, _REPR.maxlist = 2, 60, 60, 4, 4


def shown(value: Any) -> str:
    """A value for an error message: its type and a short repr, safe for any value (one
    nested thousands deep, or one that holds itself)."""
    return f"{type(value).__name__} {_REPR.repr(value)}"


# -- checks -------------------------------------------------------------------------


def string(*, min_length: int = 0, max_length: int | None = None, pattern: str | None = None) -> Check:
    """A str, with the spec's ``minLength``, ``maxLength`` and ``pattern`` (matched as a whole)."""
    # JSON Schema patterns are ECMA 262: ASCII classes, and ``$`` never matches before a
    # final newline, so match the whole string with ASCII semantics.
    compiled = re.compile(pattern.removeprefix("^").removesuffix("$"), re.ASCII) if pattern else None

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str):
            raise FieldError(name, f"must be a string, got {shown(value)}")
        if len(value) < min_length:
            raise FieldError(name, "must not be empty" if min_length == 1 else f"must be {min_length}+ characters")
        if max_length is not None and len(value) > max_length:
            raise FieldError(name, f"must be at most {max_length} characters, got {len(value)}")
        if compiled is not None and compiled.fullmatch(value) is None:
            raise FieldError(name, f"must match {pattern}, got {_REPR.repr(value)}")

    return check


def _bounds(name: str, value: float, minimum: float | None, maximum: float | None, exclusive_maximum: bool) -> None:
    if minimum is not None and value < minimum:
        raise FieldError(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and (value >= maximum if exclusive_maximum else value > maximum):
        raise FieldError(name, f"must be {'below' if exclusive_maximum else 'at most'} {maximum}, got {value}")


INTEGER_FORMATS = {"int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1), "uint8": (0, 2**8 - 1),
                   "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1)}
"""The sized integers of the spec (TypeSpec's), as ranges."""


def integer(*, minimum: int | None = None, maximum: int | None = None, exclusive_maximum: bool = False,
            format: str | None = None) -> Check:
    """An int (never a bool), within the bounds and the range of its ``format`` (``uint16``...)."""
    if format is not None:
        low, high = INTEGER_FORMATS[format]
        minimum = low if minimum is None else max(minimum, low)
        maximum = high if maximum is None else min(maximum, high)

    def check(name: str, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise FieldError(name, f"must be an integer, got {shown(value)}")
        _bounds(name, value, minimum, maximum, exclusive_maximum)

    return check


def number(*, minimum: float | None = None, maximum: float | None = None, exclusive_maximum: bool = False) -> Check:
    """A finite int or float (never a bool), within the bounds."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise FieldError(name, f"must be a number, got {shown(value)}")
        if not math.isfinite(value):
            raise FieldError(name, f"must be a finite number (NaN and Infinity are not JSON), got {value}")
        _bounds(name, value, minimum, maximum, exclusive_maximum)

    return check


def boolean() -> Check:
    """``True`` or ``False``: never ``1``, ``"yes"`` or another truthy value."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, bool):
            raise FieldError(name, f"must be true or false, got {shown(value)}")

    return check


def enum(values: Iterable[str]) -> Check:
    """One of ``values`` (the spec's ``enum``)."""
    options = tuple(values)
    allowed = frozenset(options)
    listing = ", ".join(repr(value) for value in options)

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or value not in allowed:
            raise FieldError(name, f"must be one of {listing}, got {_REPR.repr(value)}")

    return check


def uuid() -> Check:
    """A hyphenated UUID string, in either case."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or _UUID.fullmatch(value) is None:
            raise FieldError(name, f"must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got {_REPR.repr(value)}")

    return check


# PropList.txt; both properties are immutable under Unicode's stability policy.
_PATTERN_SYNTAX = (
    (0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x5E), (0x60, 0x60), (0x7B, 0x7E), (0xA1, 0xA7), (0xA9, 0xA9),
    (0xAB, 0xAC), (0xAE, 0xAE), (0xB0, 0xB1), (0xB6, 0xB6), (0xBB, 0xBB), (0xBF, 0xBF), (0xD7, 0xD7),
    (0xF7, 0xF7), (0x2010, 0x2027), (0x2030, 0x203E), (0x2041, 0x2053), (0x2055, 0x205E), (0x2190, 0x245F),
    (0x2500, 0x2775), (0x2794, 0x2BFF), (0x2E00, 0x2E7F), (0x3001, 0x3003), (0x3008, 0x3020), (0x3030, 0x3030),
    (0xFD3E, 0xFD3F), (0xFE45, 0xFE46),
)
_PATTERN_WHITE_SPACE = ((0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0x200E, 0x200F), (0x2028, 0x2029))
_OTHER_ID_START = ((0x1885, 0x1886), (0x2118, 0x2118), (0x212E, 0x212E), (0x309B, 0x309C))


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _syntax_or_space(char: str) -> bool:
    return _within(ord(char), _PATTERN_SYNTAX) or _within(ord(char), _PATTERN_WHITE_SPACE)


def _starts_identifier(char: str) -> bool:
    """``[\\p{L}\\p{Nl}\\p{Pattern_Syntax}\\p{Pattern_White_Space}]``."""
    category = unicodedata.category(char)
    return category[0] == "L" or category == "Nl" or _syntax_or_space(char)


def _continues_identifier(char: str) -> bool:
    """``[\\p{ID_Start}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}\\p{Pattern_Syntax}\\p{Pattern_White_Space}]``, where
    ID_Start is L, Nl and Other_ID_Start less Pattern_Syntax and Pattern_White_Space."""
    return (_starts_identifier(char) or unicodedata.category(char) in ("Mn", "Mc", "Nd", "Pc")
            or _within(ord(char), _OTHER_ID_START))


def identifier(*, empty: bool = False) -> Check:
    """``Common.identifierSafeUnicode``: at most 120 characters, a letter (or syntax or space)
    first, then identifier characters (Unicode TR 31); ``empty`` allows ``""`` too."""
    base = string(max_length=120)

    def check(name: str, value: Any) -> None:
        base(name, value)
        if value == "" and empty:
            return
        if not value or not _starts_identifier(value[0]) or not all(map(_continues_identifier, value[1:])):
            raise FieldError(name, f"must be a Unicode-safe identifier (a letter first), got {_REPR.repr(value)}")

    return check


def array_of(item: Check, *, min_items: int = 0, max_items: int | None = None) -> Check:
    """A list (a tuple counts) whose every item passes ``item``."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, (list, tuple)):
            raise FieldError(name, f"must be a list, got {shown(value)}")
        if len(value) < min_items:
            raise FieldError(name, "must not be empty" if min_items == 1 else f"must hold {min_items}+ items")
        if max_items is not None and len(value) > max_items:
            raise FieldError(name, f"must hold at most {max_items} items, got {len(value)}")
        for index, element in enumerate(value):
            item(f"{name}[{index}]", element)

    return check


def any_of(*checks: Check) -> Check:
    """Passes when one of ``checks`` passes (the spec's ``anyOf``); else the error of the
    option that got furthest into the value (the deepest field named)."""

    def check(name: str, value: Any) -> None:
        errors: list[FieldError] = []
        for option in checks:
            try:
                option(name, value)
            except FieldError as error:
                errors.append(error)
            else:
                return
        raise max(errors, key=lambda error: len(error.field))

    return check


def instance_of(*kinds: type) -> Check:
    """An instance of one of ``kinds``: a nested model, which the converter builds from a dict."""
    names = " or ".join(kind.__name__ for kind in kinds)

    def check(name: str, value: Any) -> None:
        if not isinstance(value, kinds):
            raise FieldError(name, f"must be {names}, got {shown(value)}")

    return check


def check_json(name: str, value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """``value`` is finite, serializable JSON (str keys) nested at most ``max_depth`` deep.

    Iterative, so a value nested thousands deep (or a dict that holds itself) is refused
    instead of exhausting the stack.
    """
    stack: list[tuple[Any, str, int]] = [(value, name, 0)]
    while stack:
        item, path, depth = stack.pop()
        if item is None or isinstance(item, (str, bool, int)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise FieldError(path, f"must be a finite number (NaN and Infinity are not JSON), got {item}")
            continue
        if depth >= max_depth:
            raise FieldError(name, f"nests deeper than {max_depth} levels (or holds itself)")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise FieldError(path, f"keys must be strings, got {shown(key)}")
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item))
        else:
            raise FieldError(path, f"is not JSON (a string, number, boolean, null, list or object): {shown(item)}")


def object_of(properties: dict[str, Check], *, required: Iterable[str] = ()) -> Check:
    """A JSON object whose named properties pass their checks; others are allowed, as the
    spec allows them (no schema of it sets ``additionalProperties: false``)."""
    needed = tuple(required)

    def check(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise FieldError(name, f"must be an object, got {shown(value)}")
        for key in needed:
            if key not in value:
                raise FieldError(f"{name}.{key}", "is required")
        for key, property_check in properties.items():
            if key in value:
                property_check(f"{name}.{key}", value[key])
        check_json(name, value)

    return check


def map_of(value_check: Check) -> Check:
    """A JSON object whose every value passes ``value_check`` (``additionalProperties: {...}``)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise FieldError(name, f"must be an object, got {shown(value)}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise FieldError(name, f"keys must be strings, got {shown(key)}")
            value_check(f"{name}.{key}", item)

    return check


def nullable(check: Check) -> Check:
    """``check``, or ``None``."""

    def allow_null(name: str, value: Any) -> None:
        if value is not None:
            check(name, value)

    return allow_null


def json_value() -> Check:
    """Any JSON value (a field the spec leaves untyped)."""
    return check_json


def json_object() -> Check:
    """A JSON object: string keys, JSON values (metadata, parameters, ...)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise FieldError(name, f"must be an object, got {shown(value)}")
        check_json(name, value)

    return check
