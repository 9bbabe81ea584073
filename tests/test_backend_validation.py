"""The fake backend judges raw requests exactly as the spec does: it refuses what the spec
refuses (422 naming the field), accepts what it accepts, and nothing it stores can break a
later call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from julep_async.backend import Backend
from julep_async.backend.parse import MAX_BODY_BYTES
from julep_async.transports import Request

pytestmark = pytest.mark.anyio
HEADERS = {"authorization": "Bearer k", "content-type": "application/json"}


async def call(backend: Backend, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
               query: tuple[tuple[str, str], ...] = ()) -> tuple[int, Any]:
    encoded = raw if raw is not None else None if body is None else json.dumps(body).encode()
    response = await backend.handle(Request(method, path, query, HEADERS, encoded))
    data = await response.aread()
    return response.status, json.loads(data) if data else None


@pytest.fixture
async def world(anyio_backend: str) -> dict[str, Any]:
    backend = Backend(seed=0)
    _, agent = await call(backend, "POST", "/agents", {"name": "A"})
    _, session = await call(backend, "POST", "/sessions", {"agent": agent["id"]})
    return {"backend": backend, "agent": agent["id"], "session": session["id"]}


BAD_TOOL = {"name": "g", "type": "system", "integration": {
    "provider": "browserbase", "setup": {"api_key": "k", "project_id": "p", "api_url": {"not": "a string"}}}}
REFUSED = [
    ("POST", "/agents", {"name": ""}, "name"),
    ("POST", "/agents", {"about": "no name"}, "name"),
    ("POST", "/agents", {"name": "a", "canonical_name": "1abc"}, "canonical_name"),
    ("POST", "/agents", {"name": "a", "canonical_name": "abc\n"}, "canonical_name"),
    ("POST", "/agents", {"name": "a", "instructions": 5}, "instructions"),
    ("POST", "/agents", {"name": "a", "default_settings": ""}, "default_settings"),
    ("POST", "/agents", {"name": "a", "metadata": None}, "metadata"),
    ("PATCH", "/agents/{agent}", {"instructions": 5}, "instructions"),
    ("PATCH", "/agents/{agent}", None, "body"),
    ("POST", "/sessions", {"agent": "{agent}", "recall_options": {"limit": "x"}}, "recall_options.limit"),
    ("POST", "/sessions", {"agent": "{agent}", "recall_options": {"mode": "fuzzy"}}, "recall_options.mode"),
    ("POST", "/sessions", {"agent": "{agent}", "context_overflow": "compress"}, "context_overflow"),
    ("POST", "/sessions", {"agent": "not-a-uuid"}, "agent"),
    ("POST", "/sessions", {"agent": "{agent}", "token_budget": -5}, "token_budget"),  # a uint16
    ("POST", "/sessions", {"agent": "{agent}", "token_budget": 65536}, "token_budget"),
    ("POST", "/users", {"name": "0day"}, "name"),  # identifierSafeUnicode: a letter first
    ("POST", "/agents/{agent}/docs", {"title": "t", "content": [3895031264]}, "content[0]"),
    ("POST", "/agents/{agent}/docs", {"title": "t" * 801, "content": "c"}, "title"),
    ("POST", "/agents/{agent}/search", {"text": "x", "limit": None}, "limit"),
    ("POST", "/agents/{agent}/search", {"text": "x", "limit": 51}, "limit"),
    ("POST", "/agents/{agent}/search", {"limit": 5}, "text"),
    ("POST", "/sessions/{session}/chat", {"messages": []}, "messages"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": "x"}], "temperature": 9},
     "temperature"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": "x"}], "stop": ["a"] * 5},
     "stop"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": "x"}], "tools": [{"name": "1"}]},
     "tools[0]"),
    # schemathesis, seed 9: an integration is checked by its provider's own setup and arguments
    ("POST", "/sessions/{session}/render", {"messages": [{"role": "user", "content": "x"}], "tools": [BAD_TOOL]},
     "tools[0].integration.setup.api_url"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": "x"}], "tools": [BAD_TOOL]},
     "tools[0].integration.setup.api_url"),
    ("POST", "/agents/{agent}/tools", BAD_TOOL, "integration.setup.api_url"),
    # JSON may escape a lone surrogate ("\ud800"), but it is not Unicode: it could never be sent back
    ("POST", "/agents", {"name": "A\ud800"}, "name holds a lone surrogate"),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": "\udc80"}]},
     "messages[0].content holds a lone surrogate"),
    ("POST", "/agents/{agent}/tools", {"name": "ping", "type": "api_call", "api_call": {"method": "GET", "url": "x y"}},
     "api_call.url"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), REFUSED, ids=[f"{r[0]} {r[3]}" for r in REFUSED])
async def test_what_the_spec_refuses_is_a_422_naming_the_field(world: dict[str, Any], method: str, path: str,
                                                               body: Any, field: str) -> None:
    body = json.loads(json.dumps(body).replace("{agent}", world["agent"])) if body is not None else None
    status, reply = await call(world["backend"], method, path.format(**world), body)
    assert status == 422, reply
    assert reply["error"]["code"] == "validation_error" and field in reply["error"]["message"]


ACCEPTED = [
    ("POST", "/agents", {"name": "a", "unknown_extra_field": {"x": 1}}, 201),
    ("POST", "/agents/{agent}/docs", {"title": "", "content": "untitled"}, 201),
    ("POST", "/agents/{agent}/search", {"body": {"text": "wrapped"}}, 200),
    ("POST", "/agents/{agent}/search", {"vector": [0.1, 0.2], "confidence": -1}, 200),
    ("POST", "/sessions", {"agent": "{agent}", "token_budget": 0}, 201),
    ("POST", "/sessions", {"agent": "{agent}", "recall_options": {"confidence": 5}}, 201),  # text mode: ignored
    ("PATCH", "/agents/{agent}", {}, 200),
    ("POST", "/sessions/{session}/chat", {"messages": [{"role": "user", "content": [{"text": "parts"}]}]}, 201),
    ("POST", "/embed", {"body": {"text": ["a", "b"]}}, 200),
    ("POST", "/sessions/{session}/render", {"messages": [{"role": "user", "content": "x"}], "tools": [
        {**BAD_TOOL, "integration": {"provider": "browserbase", "setup": {"api_key": "k", "project_id": "p"}}}]}, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), ACCEPTED, ids=[f"{r[0]} {r[1]}" for r in ACCEPTED])
async def test_what_the_spec_accepts_is_accepted(world: dict[str, Any], method: str, path: str, body: Any,
                                                 status: int) -> None:
    body = json.loads(json.dumps(body).replace("{agent}", world["agent"]))
    got, reply = await call(world["backend"], method, path.format(**world), body)
    assert got == status, reply


@pytest.mark.parametrize(("query", "status"), [
    ((("limit", "1000"),), 422), ((("limit", "0"),), 422), ((("limit", "ten"),), 422), ((("offset", "-1"),), 422),
    ((("direction", "up"),), 422), ((("metadata_filter", "odd"),), 422), ((("metadata_filter", "a,1"),), 200),
    ((("metadata_filter.a", "1"),), 200), ((("limit", "999"),), 200),
    # form style, explode=false, whose first key starts with "{": not JSON, still key,value pairs
    ((("metadata_filter", "{G,[None],_5,[1.2e+180],\\N,true"),), 200), ((("metadata_filter", "{,"),), 200),
    ((("metadata_filter", '{"a": 1}'),), 200), ((("metadata_filter", "{odd"),), 422),
])
async def test_list_queries_are_checked(world: dict[str, Any], query: tuple[tuple[str, str], ...],
                                        status: int) -> None:
    assert (await call(world["backend"], "GET", "/agents", query=query))[0] == status


async def test_a_form_encoded_metadata_filter_key_may_start_with_a_brace(world: dict[str, Any]) -> None:
    backend = world["backend"]
    _, braced = await call(backend, "POST", "/agents", {"name": "B", "metadata": {"{k": "v", "n": 2}})
    status, reply = await call(backend, "GET", "/agents", query=(("metadata_filter", "{k,v,n,2"),))
    assert status == 200 and [agent["id"] for agent in reply["items"]] == [braced["id"]]


async def test_a_docs_page_is_capped_at_100_as_on_the_server(world: dict[str, Any]) -> None:
    status, reply = await call(world["backend"], "GET", f"/agents/{world['agent']}/docs", query=(("limit", "101"),))
    assert status == 400 and "100" in reply["error"]["message"]


@pytest.mark.parametrize(("raw", "status"), [
    (b'{"name": NaN}', 422), (b'{"name": "a", "metadata": {"x": 1e999}}', 422), (b"{not json", 422),
    (b"[" * 5000 + b"]" * 5000, 422), (b'{"a":' * 70 + b"1" + b"}" * 70, 422), (b"x" * (MAX_BODY_BYTES + 1), 413),
    (b'"a string"', 422),
])
async def test_bodies_that_are_not_acceptable_json_are_refused(world: dict[str, Any], raw: bytes,
                                                               status: int) -> None:
    assert (await call(world["backend"], "POST", "/agents", raw=raw))[0] == status


async def test_refused_values_are_never_stored_so_later_calls_work(world: dict[str, Any]) -> None:
    backend, agent, session = world["backend"], world["agent"], world["session"]
    assert (await call(backend, "PATCH", f"/agents/{agent}", {"instructions": 5}))[0] == 422
    assert (await call(backend, "PATCH", f"/sessions/{session}", {"recall_options": {"limit": "x"}}))[0] == 422
    status, reply = await call(backend, "POST", f"/sessions/{session}/chat",
                               {"messages": [{"role": "user", "content": "still fine?"}]})
    assert status == 201 and reply["choices"][0]["message"]["content"]


async def test_literal_paths_win_over_ids_and_ids_are_read_in_any_case(world: dict[str, Any]) -> None:
    backend = world["backend"]
    assert (await call(backend, "GET", "/agents/models"))[0] == 200
    assert (await call(backend, "PUT", "/agents/models", {"name": "x"}))[0] == 405
    status, reply = await call(backend, "GET", f"/agents/{world['agent'].upper()}")
    assert status == 200 and reply["id"] == world["agent"]


async def test_replies_carry_spec_shapes(world: dict[str, Any]) -> None:
    _, agent = await call(world["backend"], "GET", f"/agents/{world['agent']}")
    assert isinstance(agent["canonical_name"], str) and "project" not in agent
    assert agent["default_settings"] == {} and agent["instructions"] == []
    _, session = await call(world["backend"], "GET", f"/sessions/{world['session']}")
    assert "system_template" not in session and session["kind"] == "single_agent_no_user"
    assert session["agent"] == world["agent"] and "agents" not in session and "user" not in session
