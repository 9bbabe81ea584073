"""``with_raw_response`` on every transport leg: the reply with its status, headers,
request id, retries and elapsed time; and the request log the ``julep_async`` logger keeps."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from julep_async import AsyncClient, Client, RawResponse, RetryPolicy
from julep_async.exceptions import SessionNotFoundError
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio
HELLO = [{"role": "user", "content": "hello"}]
MISSING = "00000000-0000-4000-8000-000000000000"


async def test_a_raw_reply_carries_its_exchange(client: AsyncClient, agent: Any) -> None:
    raw = await client.agents.with_raw_response.get(agent.id)
    assert isinstance(raw, RawResponse)
    assert raw.parse() == agent and raw.json()["id"] == agent.id
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
    assert raw.request_id is not None and raw.request_id.startswith("req_")  # kept in cassettes too
    assert raw.retries_taken == 0 and isinstance(raw.elapsed, timedelta) and raw.elapsed >= timedelta(0)


async def test_raw_replies_keep_each_calls_status(client: AsyncClient, agent: Any) -> None:
    made = await client.sessions.with_raw_response.create(agent.id, metadata={"a": 1})
    assert made.status_code == 201 and made.parse().metadata == {"a": 1}
    chat = await client.sessions.with_raw_response.chat(made.parse().id, HELLO)
    assert chat.status_code == 201 and "hello" in chat.parse().content
    cleared = await client.sessions.with_raw_response.clear(made.parse().id)
    assert (cleared.status_code, cleared.parse()) == (202, None)
    deleted = await client.sessions.with_raw_response.delete(made.parse().id)
    assert deleted.status_code == 202 and deleted.parse().id == made.parse().id


async def test_a_raw_call_raises_like_the_plain_one(client: AsyncClient) -> None:
    with pytest.raises(SessionNotFoundError) as caught:
        await client.sessions.with_raw_response.get(MISSING)
    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")


class FailsFirst:
    """An in-memory transport whose first reply to each request is a 503."""

    def __init__(self) -> None:
        self.inner = InMemoryTransport(seed=0)
        self.seen: set[bytes] = set()

    async def handle_async_request(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", request.path).encode()
        if key not in self.seen:
            self.seen.add(key)
            return Response(503, {"x-request-id": "req_failed"}, b'{"error": {"message": "busy"}}')
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


async def test_retries_taken_counts_the_retries() -> None:
    async with AsyncClient(transport=FailsFirst(), retry=RetryPolicy(initial=0, max_backoff=0)) as client:
        raw = await client.agents.with_raw_response.create("A")
    assert raw.retries_taken == 1 and raw.status_code == 201 and raw.request_id != "req_failed"


def test_the_blocking_client_has_raw_replies_too() -> None:
    with Client(transport=InMemoryTransport(seed=0)) as client:
        raw = client.agents.with_raw_response.create("A")
        assert isinstance(raw, RawResponse) and raw.status_code == 201 and raw.parse().name == "A"


async def test_each_request_is_one_info_line_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="julep_async")
    async with AsyncClient(api_key="sk-secret-key-0123456789", transport=InMemoryTransport(seed=0)) as client:
        agent = await client.agents.create("A")
        with pytest.raises(SessionNotFoundError):
            await client.sessions.get(MISSING)
    lines = [record.getMessage() for record in caplog.records if record.name == "julep_async"]
    assert lines[0].startswith("POST /agents -> 201 in ") and "attempts: 1" in lines[0]
    assert "request id: req_" in lines[0]
    assert lines[1].startswith(f"GET /sessions/{MISSING} -> 404")
    assert agent.id and all("sk-secret" not in line for line in lines)


def test_julep_log_switches_the_logger_on() -> None:
    program = (
        "import anyio\n"
        "from julep_async import AsyncClient\n"
        "from julep_async.transports import InMemoryTransport\n"
        "async def main():\n"
        "    async with AsyncClient(transport=InMemoryTransport()) as client:\n"
        "        await client.agents.create('A')\n"
        "anyio.run(main)\n"
    )
    env = {"JULEP_LOG": "debug", "PATH": ""}
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "julep_async INFO] POST /agents -> 201" in done.stderr
    quiet = subprocess.run([sys.executable, "-c", program], env={"PATH": ""}, capture_output=True, text=True,
                           timeout=60)
    assert "POST /agents" not in quiet.stderr
