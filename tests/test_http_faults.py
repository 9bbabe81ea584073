"""The HTTP transport against a misbehaving server: every fault ends in success by
retry, or in the right typed error. asyncio only (aiohttp)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from faults import (
    FaultServer,
    delay,
    fault_server,
    lost_response,
    never_answer,
    reset_mid_response,
    sse_forever,
    status,
)

from julep_async import AsyncClient, Timeout
from julep_async.backend import Backend
from julep_async.exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from julep_async.retry import RetryPolicy
from julep_async.server import running

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]
QUICK = RetryPolicy(attempts=3, initial=0.01, max_backoff=0.02, max_retry_after=0.05, deadline=10)


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    async with fault_server() as running:
        yield running


@pytest.fixture
async def setup(server: FaultServer) -> AsyncIterator[tuple[AsyncClient, Any]]:
    async with AsyncClient(api_key="k", base_url=server.url, retry=QUICK) as client:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent_id=agent.id)
        server.seen.clear()
        yield client, session


async def test_503_twice_then_success(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [status(503), status(503)]
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])
    assert "hi" in reply.content
    assert len(server.seen) == 3
    assert len({r.headers["idempotency-key"] for r in server.seen}) == 1  # one key across retries


async def test_429_with_retry_after_is_honoured(server: FaultServer, setup: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    client, session = setup
    caplog.set_level(logging.DEBUG, logger="julep_async")
    server.script = [status(429, b'{"error": {"message": "slow down"}}', **{"retry-after": "0.02"})]
    assert (await client.sessions.get(session.id)).id == session.id
    assert len(server.seen) == 2
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert waits == [f"retrying GET /sessions/{session.id} in 0.020s (retry 1, status 429)"]  # backoff: 0.010s


async def test_429_past_the_attempts_is_a_rate_limit_error(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [status(429, b'{"error": {"message": "slow down"}}', **{"retry-after-ms": "5"})] * 3
    with pytest.raises(RateLimitError, match="slow down"):
        await client.sessions.get(session.id)


async def test_chat_retried_after_a_lost_response_leaves_one_turn(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [lost_response()]
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "exactly once"}])
    assert len(server.seen) == 2
    history = await client.sessions.history(session.id)
    assert [e.content for e in history.entries] == ["exactly once", reply.content]


async def test_connection_reset_mid_response_is_retried(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [reset_mid_response()]
    assert (await client.sessions.get(session.id)).id == session.id
    assert len(server.seen) == 2


async def test_reset_on_every_attempt_is_a_connection_error(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [reset_mid_response()] * 3
    with pytest.raises(APIConnectionError, match=r"cut mid-body|closed the connection"):
        await client.sessions.get(session.id)


async def test_reply_slower_than_the_attempt_timeout(server: FaultServer, setup: Any) -> None:
    client, session = setup
    slow = client.with_options(timeout=Timeout(attempt=0.1), retry=RetryPolicy(attempts=2, initial=0))
    server.script = [delay(1.0)]
    assert (await slow.sessions.get(session.id)).id == session.id  # the second attempt is fast
    server.script = [delay(1.0), delay(1.0)]
    with pytest.raises(APITimeoutError) as caught:
        await slow.sessions.get(session.id)
    assert isinstance(caught.value, TimeoutError)


async def test_plain_text_500(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [status(500, b"Internal Server Error", **{"content-type": "text/plain"})] * 3
    with pytest.raises(InternalServerError) as caught:
        await client.sessions.get(session.id)
    assert caught.value.body == "Internal Server Error" and caught.value.status_code == 500


async def test_malformed_json(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [status(200, b'{"id": "truncated')]
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        await client.sessions.get(session.id)


async def test_server_that_never_answers_hits_the_total_deadline(server: FaultServer, setup: Any) -> None:
    client, session = setup
    stuck = client.with_options(retry=RetryPolicy(attempts=5, initial=0, deadline=0.3), timeout=Timeout(attempt=None))
    server.script = [never_answer()]
    started = anyio.current_time()
    with anyio.fail_after(10), pytest.raises(APITimeoutError, match="deadline"):  # no limit but the deadline
        await stuck.sessions.get(session.id)
    assert anyio.current_time() - started >= 0.3  # not before the deadline
    assert len(server.seen) == 1  # the one attempt ran until the deadline


async def test_connection_refused_is_a_connection_error() -> None:
    async with fault_server() as running:
        url = running.url
    async with AsyncClient(api_key="k", base_url=url, retry=RetryPolicy(attempts=2, initial=0)) as client:
        with pytest.raises(APIConnectionError, match="could not connect"):
            await client.agents.list()


async def test_a_stream_that_stalls_hits_the_read_timeout() -> None:
    resume = anyio.Event()

    async def stalls(prompt: list[dict[str, Any]]) -> Any:
        yield "first words "
        await resume.wait()  # the server goes silent mid-stream
        yield "too late"

    async with running(Backend(responder=stalls)) as url:
        try:
            async with AsyncClient(api_key="k", base_url=url, timeout=Timeout(read=0.2)) as client:
                agent = await client.agents.create("A")
                session = await client.sessions.create(agent_id=agent.id)
                stream = await client.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
                first = await stream.__anext__()
                assert first.content == "first "  # the stream is framed word by word
                assert (await stream.__anext__()).content == "words "
                with pytest.raises(APITimeoutError):
                    await stream.__anext__()
        finally:
            resume.set()


CHUNK = (b'data: {"id": "c", "created_at": "2025-01-01T00:00:00Z", "choices": '
         b'[{"index": 0, "delta": {"role": "assistant", "content": "word "}}]}\n\n')


async def test_a_stream_that_dribbles_bytes_hits_the_read_timeout_between_events(
        server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [sse_forever(b"d", every=0.02)]  # bytes keep coming; an event never completes
    patient = client.with_options(timeout=Timeout(read=0.3), retry=RetryPolicy(deadline=None))
    with anyio.fail_after(10):
        stream = await patient.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
        with pytest.raises(APITimeoutError, match=r"Timeout\.read"):
            await stream.__anext__()


async def test_a_stream_that_outlives_the_deadline_stops_at_the_deadline(server: FaultServer, setup: Any) -> None:
    client, session = setup
    server.script = [sse_forever(CHUNK, every=0.02)]  # events keep coming, each well within ``read``
    bounded = client.with_options(retry=RetryPolicy(deadline=0.5))
    received = 0
    with anyio.fail_after(10):
        stream = await bounded.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
        with pytest.raises(APITimeoutError, match="deadline"):
            async for _ in stream:
                received += 1
    assert received > 0
    with anyio.fail_after(10):  # the session's turn was given back
        assert (await client.sessions.chat(session.id, [{"role": "user", "content": "again"}])).content
