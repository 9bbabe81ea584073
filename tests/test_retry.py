"""The retry decision is a pure function (a table of cases); the loop sleeps its waits on
anyio's clock, which trio's MockClock drives here."""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import anyio
import pytest

from julep_async import AsyncClient
from julep_async.exceptions import APIConnectionError, APITimeoutError, InternalServerError, ValidationError
from julep_async.retry import RetryPolicy, retry_delay
from julep_async.testing import no_backoff
from julep_async.transports import Request, Response

POLICY = RetryPolicy(attempts=4, initial=0.5, max_backoff=4.0, jitter=0.0, max_retry_after=10.0)


@pytest.mark.parametrize(("status", "retried"), [
    (200, False), (400, False), (401, False), (404, False), (422, False),
    (408, True), (409, True), (429, True), (500, True), (502, True), (503, True), (599, True),
])
def test_which_statuses_are_retried(status: int, retried: bool) -> None:
    assert (retry_delay(POLICY, 0, status=status) is not None) is retried


def test_connection_errors_and_timeouts_are_retried_other_errors_not() -> None:
    assert retry_delay(POLICY, 0, error=APIConnectionError("reset")) == 0.5
    assert retry_delay(POLICY, 0, error=APITimeoutError("slow")) == 0.5
    assert retry_delay(POLICY, 0, error=ValidationError("bad")) is None


def test_capped_exponential_backoff() -> None:
    assert [retry_delay(POLICY, n, status=503) for n in range(3)] == [0.5, 1.0, 2.0]
    assert retry_delay(RetryPolicy(attempts=10, initial=0.5, max_backoff=4.0, jitter=0), 6, status=503) == 4.0


def test_no_retry_past_the_last_attempt() -> None:
    assert retry_delay(POLICY, 2, status=503) is not None
    assert retry_delay(POLICY, 3, status=503) is None
    assert retry_delay(RetryPolicy(attempts=1), 0, status=503) is None


def test_jitter_takes_away_up_to_its_fraction() -> None:
    policy = RetryPolicy(initial=1.0, jitter=0.25)
    assert retry_delay(policy, 0, status=503, rand=lambda: 0.0) == 1.0
    assert retry_delay(policy, 0, status=503, rand=lambda: 1.0) == 0.75


def test_server_requested_delays_are_honoured_up_to_the_cap() -> None:
    assert retry_delay(POLICY, 0, status=429, headers={"retry-after": "3"}) == 3.0
    assert retry_delay(POLICY, 0, status=429, headers={"retry-after-ms": "250"}) == 0.25
    assert retry_delay(POLICY, 0, status=429, headers={"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_delay(POLICY, 0, status=429, headers={"retry-after": "3600"}) == 10.0
    http_date = formatdate(time.time() + 5, usegmt=True)
    assert 3.0 < retry_delay(POLICY, 0, status=503, headers={"retry-after": http_date}) <= 5.0  # type: ignore[operator]
    assert retry_delay(POLICY, 0, status=503, headers={"retry-after": "soon"}) == 0.5


def test_x_should_retry_overrides_the_status() -> None:
    assert retry_delay(POLICY, 0, status=503, headers={"x-should-retry": "false"}) is None
    assert retry_delay(POLICY, 0, status=400, headers={"x-should-retry": "true"}) == 0.5


def test_policy_is_frozen_and_validated() -> None:
    with pytest.raises(AttributeError):
        POLICY.attempts = 9  # type: ignore[misc]
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2)


class Flaky:
    """Answers 503 with ``Retry-After`` ``failures`` times, then 200 with ``body``."""

    def __init__(self, failures: int, body: bytes, *, retry_after: str) -> None:
        self.failures, self.body, self.retry_after, self.calls = failures, body, retry_after, 0

    async def handle_async_request(self, request: Request) -> Response:
        self.calls += 1
        if self.calls <= self.failures:
            return Response(503, {"retry-after": self.retry_after})
        return Response(200, {}, self.body)

    async def aclose(self) -> None:
        pass


USER = b'{"id": "u", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}'


async def _get_user(transport: Flaky, policy: RetryPolicy) -> float:
    """Fetch a user through ``transport``; the time it took on anyio's clock."""
    started = anyio.current_time()
    async with AsyncClient(transport=transport, retry=policy) as client:
        await client.users.get("00000000-0000-4000-8000-000000000000")
    return anyio.current_time() - started


@pytest.mark.anyio
@pytest.mark.mock_clock
async def test_retry_waits_are_slept_on_anyio_s_clock(anyio_backend: Any) -> None:
    transport = Flaky(2, USER, retry_after="30")
    assert await _get_user(transport, RetryPolicy(attempts=3, max_retry_after=60, deadline=None)) == 60
    assert transport.calls == 3


@pytest.mark.anyio
@pytest.mark.mock_clock
async def test_the_deadline_is_read_on_anyio_s_clock(anyio_backend: Any) -> None:
    transport = Flaky(2, USER, retry_after="30")
    started = anyio.current_time()
    with pytest.raises(InternalServerError):  # a second 30 s wait would end past the 45 s deadline
        await _get_user(transport, RetryPolicy(attempts=3, max_retry_after=60, deadline=45))
    assert (transport.calls, anyio.current_time() - started) == (2, 30)


@pytest.mark.anyio
@pytest.mark.mock_clock
async def test_no_backoff_skips_the_waits_but_not_the_retries(anyio_backend: Any) -> None:
    transport = Flaky(2, USER, retry_after="3600")
    with no_backoff():
        assert await _get_user(transport, RetryPolicy(attempts=3, deadline=None)) == 0
    assert transport.calls == 3


@pytest.mark.anyio
@pytest.mark.mock_clock
async def test_no_backoff_is_task_local(anyio_backend: Any) -> None:
    took: dict[str, float] = {}
    policy = RetryPolicy(attempts=2, max_retry_after=60, deadline=None)

    async def fetch(name: str) -> None:
        took[name] = await _get_user(Flaky(1, USER, retry_after="30"), policy)

    async with anyio.create_task_group() as tg:
        tg.start_soon(fetch, "sibling started before the switch")
        with no_backoff():
            tg.start_soon(fetch, "task started inside the switch")
            await fetch("task that set the switch")
    assert took == {"sibling started before the switch": 30, "task started inside the switch": 0,
                    "task that set the switch": 0}


def test_no_backoff_reaches_the_calls_of_the_blocking_client() -> None:
    from julep_async import Client

    # Without the switch the hour-long Retry-After would pass the deadline: no retry, a 503.
    with Client(transport=Flaky(2, USER, retry_after="3600"), retry=RetryPolicy(attempts=3, deadline=60)) as client:
        with no_backoff():
            assert client.users.get("00000000-0000-4000-8000-000000000000").id == "u"
