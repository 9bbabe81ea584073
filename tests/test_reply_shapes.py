"""Every chat reply shape the v1 spec allows parses, on every leg; and fields this SDK does
not know yet reach the server unchanged through ``extra_body``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.backend import Backend
from julep_async.transports import Request, Response

pytestmark = pytest.mark.anyio

BASE = {"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "created_at": "2025-01-01T00:00:00Z", "jobs": []}
DOC = {"id": "4c90c3cc-0d44-4b50-8888-8dd25736052a", "owner": {"id": BASE["id"], "role": "agent"},
       "title": "Qubits", "metadata": {}, "snippet": {"index": 0, "content": "A qubit"}, "distance": 0.25}
LOGPROBS = {"content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105],
                         "top_logprobs": [{"token": "Hi", "logprob": -0.1}]}]}
SHAPES: dict[str, dict[str, Any]] = {
    "single message": {**BASE, "docs": [DOC], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
                       "choices": [{"index": 0, "finish_reason": "stop", "logprobs": LOGPROBS,
                                    "message": {"role": "assistant", "content": "Hi",
                                                "id": BASE["id"], "created_at": BASE["created_at"]}}]},
    "multiple messages": {**BASE, "docs": [], "choices": [
        {"index": 0, "finish_reason": "stop", "messages": [{"role": "assistant", "content": "Hi"},
                                                          {"role": "assistant", "content": "again"}]}]},
    "chunk shaped": {**BASE, "docs": [], "choices": [
        {"index": 0, "finish_reason": "stop", "delta": {"role": "assistant", "content": "Hi"}}]},
    "content parts": {**BASE, "docs": [], "choices": [
        {"index": 0, "finish_reason": "stop",
         "message": {"role": "assistant", "content": [{"type": "text", "text": "H"}, {"type": "text", "text": "i"}]}}]},
    "tool calls": {**BASE, "docs": [], "choices": [
        {"index": 0, "finish_reason": "tool_calls", "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": "{}"}}],
         "message": {"role": "assistant", "content": None, "tool_calls": [
             {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}]},
}


class ShapedBackend(Backend):
    """The fake backend, but a chat whose message names a shape gets that reply; every
    request body it is sent is kept."""

    def __init__(self) -> None:
        super().__init__(seed=0)
        self.bodies: list[Any] = []

    async def handle(self, request: Request) -> Response:
        body = json.loads(request.body) if request.body else None
        self.bodies.append(body)
        if request.path.endswith("/chat") and body and (shape := SHAPES.get(body["messages"][0]["content"])):
            return Response(201, {"content-type": "application/json"}, json.dumps(shape).encode())
        return await super().handle(request)


@pytest.fixture
def backend() -> ShapedBackend:
    return ShapedBackend()


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_reply_shape_parses(client: AsyncClient, session: Any, shape: str) -> None:
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": shape}])
    choice = reply.choices[0]
    if shape == "tool calls":
        assert choice.tool_calls and choice.tool_calls[0].function is not None
        assert reply.tool_calls[0].id == "call_1" and reply.content == ""
        return
    assert reply.content == "Hi" and choice.message.role == "assistant"
    if shape == "multiple messages":
        assert [m.content for m in choice.messages or []] == ["Hi", "again"]
    if shape == "single message":
        assert reply.usage is not None and reply.usage.total_tokens == 4
        assert choice.logprobs is not None and choice.logprobs.content is not None
        assert choice.logprobs.content[0].top_logprobs[0].token == "Hi"
        assert reply.docs[0].title == "Qubits" and reply.docs[0].distance == 0.25


async def test_an_unknown_field_reaches_the_server_through_extra_body(client: AsyncClient, session: Any,
                                                                      backend: ShapedBackend, leg: str) -> None:
    future = {"reasoning_effort": "high", "nested": {"x": [1, 2]}}
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "hello"}], extra_body=future)
    assert "hello" in reply.content
    if leg != "replay":  # a replay matches the recorded body, extra fields included, or misses
        assert {key: backend.bodies[-1][key] for key in future} == future
