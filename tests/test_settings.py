"""Settings travel as data: checked when made, carried whole on each request, never shared
mutably between a client and its transport."""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from faults import FaultServer, fault_server, never_answer

from julep_async import AsyncClient, Limits, RetryPolicy, Timeout
from julep_async.exceptions import APITimeoutError, SessionNotFoundError, ValidationError
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio
SID = "00000000-0000-4000-8000-000000000000"


class Seen:
    """Answers every request with a 404 and keeps what it was sent."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        return Response(404, {"content-type": "application/json"}, b'{"error": {"message": "no"}}')


BAD_SETTINGS = [
    (RetryPolicy, "deadline", -1), (RetryPolicy, "deadline", 0), (RetryPolicy, "deadline", math.nan),
    (RetryPolicy, "deadline", math.inf), (RetryPolicy, "initial", math.nan), (RetryPolicy, "initial", -1),
    (RetryPolicy, "max_backoff", math.inf), (RetryPolicy, "jitter", math.nan), (RetryPolicy, "jitter", 1.5),
    (RetryPolicy, "max_retry_after", math.nan), (RetryPolicy, "max_retry_after", -1),
    (RetryPolicy, "attempts", 0), (RetryPolicy, "attempts", 2.5),
    (Timeout, "attempt", math.nan), (Timeout, "attempt", math.inf), (Timeout, "connect", -1), (Timeout, "read", 0),
    (Timeout, "read", math.nan), (Limits, "max_connections", -1), (Limits, "max_connections_per_host", -1),
    (Limits, "keepalive_timeout", math.nan), (Limits, "keepalive_timeout", -1),
]


@pytest.mark.parametrize(("cls", "name", "value"), BAD_SETTINGS,
                         ids=[f"{cls.__name__}({name}={value})" for cls, name, value in BAD_SETTINGS])
def test_settings_refuse_nan_infinite_and_negative_values(cls: Any, name: str, value: float) -> None:
    with pytest.raises(ValidationError, match=f"{cls.__name__}.{name} must be"):
        cls(**{name: value})


@pytest.mark.parametrize("bad", ["\r", "\n", "\0"], ids=["CR", "LF", "NUL"])
def test_an_api_key_with_cr_lf_or_nul_is_refused_at_construction(bad: str) -> None:
    key = f"sk-secret{bad}injected"
    with pytest.raises(ValidationError, match="api_key") as caught:
        AsyncClient(api_key=key, transport=InMemoryTransport())
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("bad", ["\r", "\n", "\0"], ids=["CR", "LF", "NUL"])
def test_a_header_value_with_cr_lf_or_nul_is_refused_at_construction(bad: str) -> None:
    with pytest.raises(ValidationError, match="x-trace"):
        AsyncClient(transport=InMemoryTransport(), headers={"X-Trace": f"abc{bad}def"})
    with pytest.raises(ValidationError, match="x-trace"):
        AsyncClient(transport=InMemoryTransport()).with_options(headers={"X-Trace": f"abc{bad}def"})


def test_a_header_name_that_is_not_a_token_is_refused_at_construction() -> None:
    with pytest.raises(ValidationError, match="header name"):
        AsyncClient(transport=InMemoryTransport(), headers={"X Trace:": "abc"})


async def test_the_whole_timeout_rides_on_each_request(anyio_backend: str) -> None:
    seen = Seen()
    timeout = Timeout(attempt=3, connect=1, read=2)
    async with AsyncClient(transport=InMemoryTransport(seen), retry=RetryPolicy(deadline=None)) as client:
        with pytest.raises(SessionNotFoundError):
            await client.with_options(timeout=timeout).sessions.get(SID)
    assert seen.requests[0].timeout == timeout


async def test_a_number_of_seconds_is_the_attempt_timeout(anyio_backend: str) -> None:
    seen = Seen()
    async with AsyncClient(transport=InMemoryTransport(seen), retry=RetryPolicy(deadline=None), timeout=7) as client:
        with pytest.raises(SessionNotFoundError):
            await client.sessions.get(SID)
    assert seen.requests[0].timeout == Timeout(attempt=7)


async def test_a_transport_cannot_change_the_clients_default_headers(anyio_backend: str) -> None:
    seen: list[dict[str, str]] = []

    def meddling(request: Request) -> Response:
        seen.append(dict(request.headers))
        with contextlib.suppress(TypeError):
            request.headers["x-injected"] = "1"  # type: ignore[index]
        return Response(404, {"content-type": "application/json"}, b'{"error": {"message": "no"}}')

    async with AsyncClient(transport=InMemoryTransport(meddling), retry=RetryPolicy(attempts=1)) as client:
        for _ in range(2):
            with pytest.raises(SessionNotFoundError):
                await client.sessions.get(SID)
    assert "x-injected" not in seen[1]


@pytest.fixture
async def silent_server() -> AsyncIterator[FaultServer]:
    async with fault_server() as server:
        server.script = [never_answer()] * 10
        yield server


@pytest.mark.asyncio_only
async def test_with_options_read_timeout_applies_over_http(silent_server: FaultServer) -> None:
    async with AsyncClient(api_key="k", base_url=silent_server.url) as client:
        quick = client.with_options(timeout=Timeout(attempt=None, read=0.2), retry=RetryPolicy(attempts=1))
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await quick.sessions.get(SID)


@pytest.mark.asyncio_only
async def test_the_aiohttp_timeout_cache_does_not_grow_under_a_deadline(silent_server: FaultServer) -> None:
    from julep_async.transports import http

    silent_server.script = []
    before = http.socket_timeouts.cache_info()
    async with AsyncClient(api_key="k", base_url=silent_server.url,
                           retry=RetryPolicy(attempts=1, deadline=30)) as client:
        for _ in range(20):  # each attempt has a different time left before the deadline
            with pytest.raises(SessionNotFoundError):
                await client.sessions.get(SID)
    after = http.socket_timeouts.cache_info()
    assert after.currsize - before.currsize <= 1 and after.maxsize is not None
