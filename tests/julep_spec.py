"""Julep's v1 OpenAPI spec as the real server speaks it: the one place where the spec's
artifacts are corrected, for every test that checks the wire against the spec
(``test_wire_conformance`` validates the SDK's requests with it, ``test_schemathesis``
drives ``julep-async serve`` with it).

``corrected_spec()`` loads ``reference/julep-openapi.yaml`` and corrects, in memory:

Generation/validation artifacts of the spec itself

* **defaults marked required**: every ``required`` property or query/header parameter that
  has a ``default`` is made optional; the server fills the default (``julep-v1-api.md`` §2.1).
* **``\\p{...}`` patterns** (``Common.identifierSafeUnicode``: user names, chat ``model``):
  Python's ``re`` (openapi-core, Hypothesis) cannot compile Unicode property classes, so
  each ``\\p{...}`` is expanded into the explicit code points it names (Unicode data of
  this Python). The pattern keeps its meaning; it is not dropped. Hypothesis can draw
  from the expanded classes, but takes ~10 s per operation to build a strategy from their
  ~140,000 code points, so the schema also names a ``format`` (``IDENTIFIER_FORMAT``), for
  which ``identifier_strategy()`` draws the same strings by Unicode category; schemathesis
  registers it (``schemathesis_hooks.py``) and still filters what it draws by the pattern.
  Validators ignore a format they do not know.
* **sized integers** (``format: uint16``, ``int8``...) are TypeSpec types that the OpenAPI
  emitter writes as a ``format`` alone; JSON Schema validators ignore such formats, so
  ``token_budget: -7366`` would pass as a valid ``uint16``. Each range is made explicit
  (``minimum``/``maximum``) wherever the spec states no bound of its own.
* **user ``name`` defaults to ``""``**, which the pattern it is declared with rejects (``+``
  needs one character); the default is what the server stores when no name is given, so
  ``""`` is made a valid name wherever it is the default, in requests and replies.

Where the real v1 server differs from its spec (``julep-v1-api.md`` §8)

* **errors** (§4, §8.10): the spec documents no error status at all. Julep answers 400,
  401, 403, 404, 409 and 422 with ``{"error": {"message", "code", "type"?}}``; each
  operation documents them, so error replies are validated too.
* **create-or-update answers 201** (§8.2), and so does a non-streaming chat; both are
  documented beside the spec's 200.
* **chat streams** (§5, with ``event_streams=True``): the spec gives
  ``Chat.ChunkChatResponse`` as the schema of ``text/event-stream``, meaning the JSON in
  each event's ``data``; before OpenAPI 3.2 a stream's ``schema`` describes each whole event
  (``{"data", "event", "id", "retry"}``, as schemathesis reads it), so it is restated as an
  event whose ``data`` is JSON (``contentMediaType``) of that schema.
* **list ``direction`` defaults to ``desc``** (§8.3), not ``asc``.
* **doc search bodies are flat** (§8.6): the spec's ``{"body": ...}`` wrapper is a TypeSpec
  artifact; server and official SDK send the fields at top level.
* **bulk doc delete answers ``{"items": [...]}``** (§8.7), not a bare array.
* **doc list ``limit`` is 1..100** (§2.1, §8.8): the server rejects more with 400.
* **session participants** (§2.2): the server needs at least one agent and refuses
  ``agent`` together with ``agents`` (400); this project's backend refuses ``user`` with
  ``users`` the same way.
* **list ``metadata_filter``** is read from ``metadata_filter.<key>=<value>`` (§2.1); the
  spec's form-encoded object is optional like every defaulted parameter.

Extensions of this project's backend

* ``context_overflow="summarize"`` joins the spec's enum (truncate/adaptive).

Session documents (``/sessions/{id}/docs...``) and the extra query parameters are not in
the spec at all; the tests that use the spec set them apart.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[2] / "shared" / "reference" / "julep-openapi.yaml"

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "code"],
            "properties": {"message": {"type": "string"}, "code": {"type": "string"}, "type": {"type": "string"}},
        },
    },
}
ERROR_STATUSES = ("400", "401", "403", "404", "409", "422")
_METHODS = ("get", "put", "post", "delete", "patch")


# -- \p{...} ---------------------------------------------------------------------------

# PropList.txt; both properties are immutable by Unicode's stability policy.
_PATTERN_SYNTAX = (
    (0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x5E), (0x60, 0x60), (0x7B, 0x7E), (0xA1, 0xA7), (0xA9, 0xA9),
    (0xAB, 0xAC), (0xAE, 0xAE), (0xB0, 0xB1), (0xB6, 0xB6), (0xBB, 0xBB), (0xBF, 0xBF), (0xD7, 0xD7),
    (0xF7, 0xF7), (0x2010, 0x2027), (0x2030, 0x203E), (0x2041, 0x2053), (0x2055, 0x205E), (0x2190, 0x245F),
    (0x2500, 0x2775), (0x2794, 0x2BFF), (0x2E00, 0x2E7F), (0x3001, 0x3003), (0x3008, 0x3020), (0x3030, 0x3030),
    (0xFD3E, 0xFD3F), (0xFE45, 0xFE46),
)
_PATTERN_WHITE_SPACE = ((0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0x200E, 0x200F), (0x2028, 0x2029))
_OTHER_ID_START = ((0x1885, 0x1886), (0x2118, 0x2118), (0x212E, 0x212E), (0x309B, 0x309C))


def _ranges(ranges: tuple[tuple[int, int], ...]) -> bytearray:
    mask = bytearray(sys.maxunicode + 1)
    for lo, hi in ranges:
        mask[lo : hi + 1] = b"\x01" * (hi - lo + 1)
    return mask


_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf",
               "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn")


@functools.cache
def _categories() -> bytes:
    """One byte per code point: the index of its general category in ``_CATEGORIES``."""
    index = {name: number for number, name in enumerate(_CATEGORIES)}
    return bytes(index[unicodedata.category(chr(cp))] for cp in range(sys.maxunicode + 1))


def _either(*masks: bytes) -> bytes:
    ored = 0
    for mask in masks:
        ored |= int.from_bytes(mask, "big")
    return ored.to_bytes(sys.maxunicode + 1, "big")


def _but(mask: bytes, *without: bytes) -> bytes:
    kept = int.from_bytes(mask, "big") & ~int.from_bytes(_either(*without), "big")
    return kept.to_bytes(sys.maxunicode + 1, "big")


@functools.cache
def _mask(name: str) -> bytes:
    """One byte per code point, 1 where it has the property ``name``."""
    if name == "Pattern_Syntax":
        return bytes(_ranges(_PATTERN_SYNTAX))
    if name == "Pattern_White_Space":
        return bytes(_ranges(_PATTERN_WHITE_SPACE))
    if name == "ID_Start":  # DerivedCoreProperties.txt: L + Nl + Other_ID_Start - Pattern_Syntax - Pattern_White_Space
        start = _either(_mask("L"), _mask("Nl"), bytes(_ranges(_OTHER_ID_START)))
        return _but(start, _mask("Pattern_Syntax"), _mask("Pattern_White_Space"))
    table = bytes(category.startswith(name) for category in _CATEGORIES).ljust(256, b"\x00")
    return _categories().translate(table)  # a general category (L, Nd...): 1 where a code point is in it


@functools.cache
def _class_body(names: tuple[str, ...]) -> str:
    """The code points having any of the properties ``names``, as the inside of a ``[...]``."""

    def char(cp: int) -> str:  # literal, escaped when it means something inside a class
        return "\\" + chr(cp) if chr(cp) in "\\]^-[" else chr(cp)

    runs = re.finditer(rb"\x01+", _either(*(_mask(name) for name in names)))
    return "".join(char(r.start()) if r.end() - r.start() == 1 else f"{char(r.start())}-{char(r.end() - 1)}"
                   for r in runs)


IDENTIFIER_FORMAT = "julep-identifier-safe-unicode"


def identifier_strategy() -> Any:
    """A Hypothesis strategy for ``Common.identifierSafeUnicode``: exactly the strings its
    pattern matches (up to a length), drawn by category instead of from the spelt-out class."""
    from hypothesis import strategies as st

    def chars(*ranges: tuple[int, int]) -> str:
        return "".join(chr(cp) for lo, hi in ranges for cp in range(lo, hi + 1))

    syntax_or_space = chars(*_PATTERN_SYNTAX, *_PATTERN_WHITE_SPACE)
    # [\p{L}\p{Nl}\p{Pattern_Syntax}\p{Pattern_White_Space}]+
    first = st.characters(categories=["L", "Nl"], include_characters=syntax_or_space)
    # [\p{ID_Start}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\p{Pattern_Syntax}\p{Pattern_White_Space}]*, where ID_Start
    # and the last two together are L, Nl, Other_ID_Start, Pattern_Syntax and Pattern_White_Space
    rest = st.characters(categories=["L", "Nl", "Mn", "Mc", "Nd", "Pc"],
                         include_characters=syntax_or_space + chars(*_OTHER_ID_START))
    return st.builds(str.__add__, st.text(first, min_size=1, max_size=8), st.text(rest, max_size=24))


def expand_unicode_properties(pattern: str) -> str:
    """``[\\p{Lu}]`` → ``[A-ZÀ-ÖØ-Þ...]``: character classes made only of ``\\p{...}`` items,
    spelt out so that any regex engine (Python's ``re``, ECMA-262, Rust) reads them alike."""

    def spell(match: re.Match[str]) -> str:
        return "[" + _class_body(tuple(re.findall(r"\\p\{(\w+)\}", match.group(0)))) + "]"

    return re.sub(r"\[(?:\\p\{\w+\})+\]", spell, pattern)


# -- the corrections ------------------------------------------------------------------


_INTEGER_RANGES = {f"{sign}int{bits}": (0, 2**bits - 1) if sign else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
                   for sign in ("", "u") for bits in (8, 16, 32, 64)}


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(node.get("required"), list):
            node["required"] = [n for n in node["required"] if "default" not in (props.get(n) or {})]
            if not node["required"]:
                del node["required"]  # OpenAPI 3.0 forbids an empty list
        if node.get("type") == "integer" and node.get("format") in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[node["format"]]
            node.setdefault("minimum", low)
            node.setdefault("maximum", high)
        if node.get("in") in ("query", "header") and "default" in (node.get("schema") or {}):
            node["required"] = False
        if node.get("name") == "metadata_filter" and node.get("in") == "query":
            node["required"] = False
        if "\\p{" in str(node.get("pattern", "")):
            node["pattern"] = expand_unicode_properties(node["pattern"])
            node["format"] = IDENTIFIER_FORMAT
        if node.get("default") == "" and "identifierSafeUnicode" in str(node.get("allOf")):
            node["anyOf"] = [{"allOf": node.pop("allOf")}, {"type": "string", "maxLength": 0}]  # "" must be valid
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def corrected_spec(*, event_streams: bool = False) -> dict[str, Any]:
    """The spec, corrected as this module's docstring lists (a fresh dict on every call).

    ``event_streams=True`` also restates the chat stream per event (see the docstring). That
    needs ``contentMediaType``/``contentSchema``, JSON Schema keywords an OpenAPI 3.0 schema
    object does not list: schemathesis reads them, openapi-spec-validator rejects them.
    """
    import yaml

    spec: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    _walk(spec)
    schemas, paths, parameters = spec["components"]["schemas"], spec["paths"], spec["components"]["parameters"]

    schemas["Julep.Error"] = _ERROR
    error = {"description": "Julep's error envelope", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Julep.Error"}}}}
    for item in paths.values():
        for method in _METHODS:
            if method in item:
                for status in ERROR_STATUSES:
                    item[method]["responses"].setdefault(status, copy.deepcopy(error))

    for kind in ("agents", "users", "sessions"):  # create-or-update: 201, as the server answers
        responses = paths[f"/{kind}/{{id}}"]["post"]["responses"]
        responses["201"] = copy.deepcopy(responses["200"])
    chat = paths["/sessions/{id}/chat"]["post"]["responses"]  # a JSON chat reply is 201 too; SSE stays 200
    chat["201"] = {"description": "Created", "content": {"application/json": copy.deepcopy(
        chat["200"]["content"]["application/json"])}}
    if event_streams:  # each event's `data` is a chunk, not the event itself
        stream = chat["200"]["content"]["text/event-stream"]
        stream["schema"] = {"type": "object", "required": ["data"], "properties": {"data": {
            "type": "string", "contentMediaType": "application/json", "contentSchema": stream["schema"]}}}

    parameters["Common.PaginationOptions.direction"]["schema"]["default"] = "desc"

    for owner in ("agents", "users"):
        body = paths[f"/{owner}/{{id}}/search"]["post"]["requestBody"]["content"]["application/json"]
        body["schema"] = copy.deepcopy(body["schema"]["properties"]["body"])
        bulk = paths[f"/{owner}/{{id}}/docs"]["delete"]["responses"]["202"]["content"]["application/json"]
        bulk["schema"] = {"type": "object", "required": ["items"], "properties": {"items": bulk["schema"]}}
        listing = paths[f"/{owner}/{{id}}/docs"]["get"]["parameters"]
        for index, parameter in enumerate(listing):
            if parameter.get("$ref", "").endswith(".limit"):
                listing[index] = {**copy.deepcopy(parameters["Common.PaginationOptions.limit"]),
                                  "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100}}

    create = schemas["Sessions.CreateSessionRequest"]  # also the body of POST /sessions/{id}
    create["properties"]["agents"]["minItems"] = 1
    create["anyOf"] = [{"required": ["agent"]}, {"required": ["agents"]}]
    create["not"] = {"anyOf": [{"required": ["agent", "agents"]}, {"required": ["user", "users"]}]}

    schemas["Sessions.ContextOverflowType"]["enum"].append("summarize")
    return spec
