"""A tool's ``integration`` (and ``api_call``) is judged as Julep's spec judges it: the
``anyOf`` of the ``Tools.*IntegrationDef``, each provider's ``setup`` and ``arguments`` by
their own schemas, ``format: uri`` by RFC 3986.

The spec is the oracle: values drawn from its schemas (then spoilt at random) must be
accepted by the request models exactly when a JSON Schema validator (jsonschema-rs, as
schemathesis uses) accepts them.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from julep_async.converter import structure_input
from julep_async.exceptions import ValidationError
from julep_async.types import CreateToolRequest
from julep_async.types._fields import FieldError
from julep_async.types.tools import INTEGRATION, uri

pytest.importorskip("yaml")
jsonschema_rs = pytest.importorskip("jsonschema_rs")
from julep_spec import SPEC, corrected_spec  # noqa: E402

needs_spec = pytest.mark.skipif(not SPEC.exists(), reason="the shared reference spec is not beside this checkout")
REF = "#/components/schemas/"


@functools.cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = corrected_spec()["components"]["schemas"]
    return schemas


@functools.cache
def _validator(name: str, prop: str) -> Any:
    """jsonschema-rs for the property ``prop`` of the spec's schema ``name``."""
    document = {"components": {"schemas": _schemas()}, **_schemas()[name]["properties"][prop]}
    return jsonschema_rs.Draft4Validator(document, validate_formats=True)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _schemas()[schema["$ref"].removeprefix(REF)]
    return schema


def _flatten(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema with its ``allOf`` parts merged in, the most specific part winning
    where two name the same property (how every ``Tools.*IntegrationDef`` narrows its base)."""
    schema = _resolve(schema)
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for part in [schema, *(_flatten(p) for p in schema.get("allOf", ()))]:
        for key, value in part.get("properties", {}).items():
            properties.setdefault(key, value)
        required.update(part.get("required", ()))
    rest = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required")}
    return {**rest, "properties": properties, "required": sorted(required)}


JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=4)
                    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
                    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                    max_leaves=4)
URIS = st.sampled_from(["https://example.com/a?b=c#d", "mailto:a@b.c", "urn:isbn:0451450523", "http://[::1]:8080/"])


def _valid(draw: Callable[[st.SearchStrategy[Any]], Any], schema: dict[str, Any]) -> Any:
    """A value ``schema`` accepts, drawn by its own keywords."""
    schema = _resolve(schema)
    if "allOf" in schema:
        schema = _flatten(schema)
    if "anyOf" in schema:
        return _valid(draw, draw(st.sampled_from(schema["anyOf"])))
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type")
    if kind == "string":
        return draw(URIS if schema.get("format") == "uri" else st.text(max_size=5))
    if kind == "integer":
        return draw(st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31 - 1)))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "array":
        return [_valid(draw, schema.get("items", {})) for _ in range(draw(st.integers(0, 2)))]
    if kind == "object" or "properties" in schema:
        value = {key: _valid(draw, sub) for key, sub in schema.get("properties", {}).items()
                 if key in schema.get("required", ()) or draw(st.booleans())}
        extra = schema.get("additionalProperties", {})  # OpenAPI's default: anything
        if extra is not False and draw(st.booleans()):
            values = JSON if extra in ({}, True) else st.deferred(lambda: st.composite(_valid)(extra))
            value.update(draw(st.dictionaries(st.text(max_size=3), values, max_size=1)))
        return value
    return draw(JSON)  # {} (or only `nullable`): anything


@st.composite
def integrations(draw: st.DrawFn) -> Any:
    """A valid integration, then up to three of its values replaced, dropped or spoilt."""
    definitions = _schemas()["Tools.CreateToolRequest"]["properties"]["integration"]["anyOf"]
    value = _valid(draw, draw(st.sampled_from(definitions)))
    for _ in range(draw(st.integers(0, 3))):
        parent, key = value, None
        while isinstance(parent, dict) and parent and draw(st.booleans()):  # walk down a random path
            key = draw(st.sampled_from(sorted(parent)))
            if not isinstance(parent[key], dict) or not parent[key]:
                break
            parent, key = parent[key], None
        if not isinstance(parent, dict) or not parent:
            continue
        key = key if key is not None else draw(st.sampled_from(sorted(parent)))
        spoilt = draw(st.one_of(JSON, st.sampled_from(["not a uri", "browserbase", "get_session", 7, None]),
                                st.builds(dict)))
        if draw(st.booleans()):
            parent[key] = spoilt
        else:
            del parent[key]
    return value


def _accepted(check: Any, value: Any) -> bool:
    try:
        check("integration", copy.deepcopy(value))
    except FieldError:
        return False
    return True


@needs_spec
@settings(max_examples=1500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(integrations())
def test_an_integration_is_accepted_exactly_when_the_spec_accepts_it(value: Any) -> None:
    assert _accepted(INTEGRATION, value) == _validator("Tools.CreateToolRequest", "integration").is_valid(value), value


@needs_spec
@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_every_definition_the_spec_allows_is_accepted(data: st.DataObject) -> None:
    definitions = _schemas()["Tools.CreateToolRequest"]["properties"]["integration"]["anyOf"]
    value = _valid(data.draw, data.draw(st.sampled_from(definitions)))
    assert _validator("Tools.CreateToolRequest", "integration").is_valid(value), value  # the drawing is right
    assert _accepted(INTEGRATION, value), value


@needs_spec
@settings(max_examples=3000, deadline=None, database=None)
@given(st.one_of(st.text(alphabet="aAzZ09:/?#[]@!$&'()*+,;=-._~%é \\{}|^`\"<>vV", max_size=25),
                 st.builds(str.__add__, st.sampled_from(["http://", "a:", "http://[", "http://[::1]", "urn:", "x://u@",
                                                         "http://[v1.a]", "http://[V7.:]"]),
                           st.text(alphabet="aAfF09:/?#[]@!$&'()*+,;=-._~%é {}|v.", max_size=15))))
def test_format_uri_is_checked_as_json_schema_validators_check_it(text: str) -> None:
    expected = jsonschema_rs.Draft4Validator({"format": "uri"}, validate_formats=True).is_valid(text)
    assert _accepted(uri(), text) == expected, text


REFUSED = [
    # schemathesis, seed 9: a browserbase setup whose api_url is an object (the spec: a string)
    ({"provider": "browserbase", "setup": {"api_key": "k", "project_id": "p", "api_url": {}}}, "setup.api_url"),
    ({"provider": "brave", "setup": {}}, "setup.brave_api_key"),
    ({"provider": "brave", "setup": None}, "setup"),
    ({"provider": "email", "setup": {"host": "h", "port": "25", "user": "u", "password": "p"}}, "setup.port"),
    ({"provider": "spider", "arguments": {"url": "not a uri"}}, "arguments.url"),
    ({"provider": "spider", "method": "fetch"}, "method"),
    ({"provider": "browserbase", "method": "get_logs"}, "method"),  # no definition has it
    ({"provider": "browserbase", "method": "get_session", "arguments": {}}, "arguments.id"),
    ({"provider": "remote_browser"}, "setup"),
    ({"provider": "mcp", "setup": {"transport": "stdio"}}, "setup.transport"),
    ({"provider": "google_sheets", "arguments": {"spreadsheet_id": "s"}}, "arguments"),
    ({"provider": "nope"}, "provider"),
    ({"method": "search"}, "provider"),
]


@pytest.mark.parametrize(("integration", "field"), REFUSED, ids=[f[1] for f in REFUSED])
def test_a_bad_integration_is_refused_naming_the_field(integration: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        structure_input({"name": "t", "type": "integration", "integration": integration}, CreateToolRequest)
    assert f"integration.{field}" in str(caught.value) or str(caught.value).startswith(f"integration.{field}")


def test_a_misspelt_method_is_named_among_all_the_providers_methods() -> None:
    with pytest.raises(ValidationError) as caught:
        structure_input({"name": "t", "type": "integration", "integration": {
            "provider": "browserbase", "method": "get_sesion"}}, CreateToolRequest)
    assert str(caught.value) == (
        "integration.method: must be one of 'create_context', 'install_extension_from_github', 'list_sessions', "
        "'create_session', 'get_session', 'complete_session', 'get_live_urls', got 'get_sesion'")


ACCEPTED = [
    {"provider": "dummy", "setup": {"anything": [1, {}]}, "arguments": "anything"},
    {"provider": "browserbase"},  # method, setup and arguments all optional
    {"provider": "browserbase", "method": "list_sessions", "arguments": {"status": "RUNNING", "x": 1}},
    {"provider": "wikipedia", "setup": None, "arguments": {"query": "q"}},  # setup: nullable, untyped
    {"provider": "mcp", "arguments": {"dummy": "d"}},  # McpListToolsArguments
    {"provider": "mcp", "setup": {"transport": "http", "http_url": "https://mcp.example/sse"}},
    {"provider": "google_sheets", "arguments": {"spreadsheet_id": "s", "ranges": ["A1"], "range": 5}},
    {"provider": "arxiv", "arguments": {"query": "q", "max_results": 300000}},
    {"provider": "cloudinary", "method": "media_edit", "arguments": {"public_id": "p", "transformation": [{}]}},
]


@pytest.mark.parametrize("integration", ACCEPTED, ids=[str(i) for i in range(len(ACCEPTED))])
def test_what_the_spec_allows_is_accepted(integration: dict[str, Any]) -> None:
    made = structure_input({"name": "t", "type": "integration", "integration": integration}, CreateToolRequest)
    assert made.integration == integration
