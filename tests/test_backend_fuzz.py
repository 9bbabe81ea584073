"""Hypothesis throws arbitrary requests at ``Backend.handle``: every route, with bodies,
queries and ids of every shape. The backend never raises and never answers 5xx; every
error is Julep's JSON envelope; and nothing it accepted can break a later call."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from julep_async.backend import Backend
from julep_async.backend.routes import ROUTES
from julep_async.transports import Request

HEADERS = {"authorization": "Bearer fuzz", "content-type": "application/json"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
# Bodies built around the fields the routes read, so the fuzz reaches past the first check.
FIELDS = ["name", "about", "model", "instructions", "metadata", "default_settings", "canonical_name", "project",
          "agent", "agents", "user", "users", "situation", "token_budget", "context_overflow", "recall_options",
          "messages", "tools", "tool_choice", "stream", "save", "recall", "max_tokens", "temperature", "stop",
          "title", "content", "text", "vector", "limit", "metadata_filter", "delete_all", "type", "function", "body",
          "role", "mode", "confidence", "alpha", "include_embeddings"]
bodies = (
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6).map(lambda d: json.dumps(d).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=60)
    | st.none()
)
queries = st.lists(st.tuples(st.sampled_from(["limit", "offset", "sort_by", "direction", "metadata_filter",
                                              "metadata_filter.k", "include_embeddings", "agent_id", "before"]),
                             st.text(max_size=12)), max_size=3)


@st.composite
def requests(draw: st.DrawFn, known: dict[str, str]) -> Request:
    route = draw(st.sampled_from(ROUTES))
    segments = []
    for part in route.parts:
        if part.startswith("{"):
            segments.append(draw(st.sampled_from([*known.values(), "not-an-id", "00000000-0000-4000-8000-000000000000",
                                                  known["agent"].upper()])))
        else:
            segments.append(part)
    method = draw(st.sampled_from([route.method, route.method, "GET", "POST", "PATCH", "PUT", "DELETE"]))
    return Request(method, "/" + "/".join(segments), tuple(draw(queries)), HEADERS, draw(bodies))


async def _send(backend: Backend, request: Request) -> tuple[int, Any]:
    response = await backend.handle(request)
    raw = await response.aread()
    if response.headers.get("content-type") == "text/event-stream":
        return response.status, raw
    return response.status, json.loads(raw)


async def _world() -> tuple[Backend, dict[str, str]]:
    backend = Backend(seed=0)
    _, agent = await _send(backend, Request("POST", "/agents", headers=HEADERS, body=b'{"name": "A"}'))
    _, user = await _send(backend, Request("POST", "/users", headers=HEADERS, body=b"{}"))
    body = json.dumps({"agent": agent["id"], "user": user["id"]}).encode()
    _, session = await _send(backend, Request("POST", "/sessions", headers=HEADERS, body=body))
    return backend, {"agent": agent["id"], "user": user["id"], "session": session["id"]}


async def _still_works(backend: Backend, known: dict[str, str]) -> None:
    """Whatever was stored, the session, its agent and user still answer every read and a chat."""
    for path in (f"/agents/{known['agent']}", f"/users/{known['user']}", f"/sessions/{known['session']}",
                 "/agents", "/users", "/sessions", f"/sessions/{known['session']}/history",
                 f"/agents/{known['agent']}/docs", f"/agents/{known['agent']}/tools"):
        status, _ = await _send(backend, Request("GET", path, headers=HEADERS))
        assert status in (200, 404), path  # 404: the fuzz may have deleted it
    chat = json.dumps({"messages": [{"role": "user", "content": "still there?"}]}).encode()
    status, _ = await _send(backend, Request("POST", f"/sessions/{known['session']}/chat", headers=HEADERS, body=chat))
    assert status in (201, 400, 404)  # 400: a fuzzed tiny token budget may leave no room


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_backend_never_raises_and_never_answers_5xx(data: st.DataObject) -> None:
    async def run() -> None:
        backend, known = await _world()
        for request in data.draw(st.lists(requests(known), min_size=1, max_size=8)):
            status, reply = await _send(backend, request)
            assert status < 500, (request, reply)
            if status >= 400:
                assert isinstance(reply, dict) and isinstance(reply["error"]["message"], str), reply
        await _still_works(backend, known)

    anyio.run(run)


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_every_route_survives_garbage(route: Any) -> None:
    async def run() -> None:
        backend, known = await _world()
        path = "/" + "/".join(known["agent"] if p.startswith("{") else p for p in route.parts)
        for body in (b"\xff\xfe", b"[]", b"null", b'{"messages": [{}]}', b"1e999", b'{"a": ' * 200 + b"}" * 200):
            status, reply = await _send(backend, Request(route.method, path, (("limit", "x"),), HEADERS, body))
            assert status < 500, (route, body, reply)
            if status >= 400:
                assert isinstance(reply["error"]["message"], str)
        await _still_works(backend, known)

    anyio.run(run)
