"""The retry loop's waits and its deadline, watched on trio's MockClock: every sleep jumps
the clock at once, so each attempt's time on anyio's clock is exactly the waits before it.
No test here reads the wall clock."""

from __future__ import annotations

import contextlib
import logging
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import anyio
import pytest

from julep_async import AsyncClient
from julep_async.exceptions import APIConnectionError, APITimeoutError, InternalServerError, ValidationError
from julep_async.retry import RetryPolicy, retry_delay, send_with_retries
from julep_async.testing import no_backoff
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response
from julep_async.transports.base import BytesStream

pytestmark = [pytest.mark.anyio, pytest.mark.mock_clock]

STEADY = RetryPolicy(attempts=3, initial=0.5, max_backoff=8.0, jitter=0.0, deadline=None)
USER = b'{"id": "u", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}'
USER_ID = "00000000-0000-4000-8000-000000000000"


class Script:
    """A transport that answers each attempt with the next entry of ``replies`` (a status,
    a :class:`Response`, or an exception to raise), after ``takes`` seconds of anyio's clock,
    and notes when each attempt started and what it was sent."""

    def __init__(self, *replies: int | Response | BaseException, takes: float = 0.0) -> None:
        self.replies = list(replies)
        self.takes = takes
        self.started = anyio.current_time()
        self.times: list[float] = []
        self.requests: list[Request] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.times.append(anyio.current_time() - self.started)
        self.requests.append(request)
        if self.takes:
            await anyio.sleep(self.takes)
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply if isinstance(reply, Response) else Response(reply, {}, USER if reply < 400 else b"{}")

    async def aclose(self) -> None:
        pass


class Replayer(Script):
    """A :class:`Script` that says, through the ``Replaying`` protocol, whether it replays."""

    def __init__(self, *replies: int, replaying: bool) -> None:
        super().__init__(*replies)
        self.replaying = replaying


async def _send(script: Script, policy: RetryPolicy, *, ends: float | None = None) -> Response:
    return await send_with_retries(script.handle_async_request, Request("GET", "/x"), policy, ends=ends)


# -- waits ----------------------------------------------------------------------------


async def test_the_backoff_is_slept_between_attempts(anyio_backend: Any) -> None:
    script = Script(503, 503, 200)
    assert (await _send(script, STEADY)).status == 200
    assert script.times == [0.0, 0.5, 1.5]  # 0.5 s, then 1 s


async def test_a_connection_error_is_retried_after_the_same_backoff(anyio_backend: Any) -> None:
    script = Script(APIConnectionError("reset"), APIConnectionError("reset"), 200)
    assert (await _send(script, STEADY)).status == 200
    assert script.times == [0.0, 0.5, 1.5]


async def test_the_last_connection_error_is_raised_when_no_attempt_is_left(anyio_backend: Any) -> None:
    script = Script(APIConnectionError("first"), APIConnectionError("last"))
    with pytest.raises(APIConnectionError, match="last"):
        await _send(script, RetryPolicy(attempts=2, initial=0.5, jitter=0.0, deadline=None))
    assert script.times == [0.0, 0.5]


async def test_the_wait_is_the_server_s_retry_after(anyio_backend: Any) -> None:
    script = Script(Response(503, {"retry-after": "7"}), 200)
    await _send(script, STEADY)
    assert script.times == [0.0, 7.0]


async def test_a_negative_retry_after_means_no_wait(anyio_backend: Any) -> None:
    script = Script(Response(503, {"retry-after": "-5"}), Response(503, {"retry-after-ms": "-5000"}), 200)
    await _send(script, STEADY)
    assert script.times == [0.0, 0.0, 0.0]


async def test_a_retry_after_date_in_the_past_means_no_wait(anyio_backend: Any) -> None:
    past = formatdate(time.time() - 3600, usegmt=True)
    script = Script(Response(503, {"retry-after": past}), 200)
    await _send(script, STEADY)
    assert script.times == [0.0, 0.0]


async def test_a_transport_that_is_not_replaying_gets_the_waits(anyio_backend: Any) -> None:
    transport = Replayer(503, 503, 200, replaying=False)
    async with AsyncClient(transport=transport, retry=STEADY) as client:
        await client.users.get(USER_ID)
    assert transport.times == [0.0, 0.5, 1.5]


async def test_a_replaying_transport_skips_the_waits(anyio_backend: Any) -> None:
    transport = Replayer(503, 503, 200, replaying=True)
    async with AsyncClient(transport=transport, retry=STEADY) as client:
        await client.users.get(USER_ID)
    assert transport.times == [0.0, 0.0, 0.0]


async def test_a_recording_transport_waits_like_the_server_behind_it(anyio_backend: Any, tmp_path: Path) -> None:
    script = Script(503, 200)
    recorder = RecordingTransport(InMemoryTransport(script.handle_async_request), tmp_path / "waits.json", "all")
    async with AsyncClient(transport=recorder, retry=STEADY) as client:
        await client.users.get(USER_ID)
    assert script.times == [0.0, 0.5]


# -- x-should-retry -------------------------------------------------------------------


async def test_x_should_retry_true_retries_a_status_that_is_not_retried(anyio_backend: Any) -> None:
    script = Script(Response(400, {"x-should-retry": "true"}), 200)
    assert (await _send(script, STEADY)).status == 200
    assert script.times == [0.0, 0.5]


async def test_x_should_retry_false_returns_a_retryable_status_at_once(anyio_backend: Any) -> None:
    script = Script(Response(503, {"x-should-retry": "false"}), 200)
    assert (await _send(script, STEADY)).status == 503
    assert script.times == [0.0]


async def test_x_should_retry_through_the_client(anyio_backend: Any) -> None:
    transport = Script(Response(503, {"x-should-retry": "false"}, b"{}"))
    async with AsyncClient(transport=transport, retry=STEADY) as client:
        with pytest.raises(InternalServerError):
            await client.users.get(USER_ID)
    assert len(transport.requests) == 1


# -- the deadline ---------------------------------------------------------------------


async def test_a_wait_that_would_end_past_the_deadline_is_not_taken(anyio_backend: Any) -> None:
    script = Script(Response(503, {"retry-after": "11"}), 200)
    assert (await _send(script, STEADY, ends=anyio.current_time() + 10)).status == 503
    assert script.times == [0.0]


async def test_a_wait_that_would_end_at_the_deadline_is_not_taken(anyio_backend: Any) -> None:
    script = Script(Response(503, {"retry-after": "10"}), 200)  # no time would be left to try again
    assert (await _send(script, STEADY, ends=anyio.current_time() + 10)).status == 503
    assert script.times == [0.0]


async def test_a_wait_that_ends_before_the_deadline_is_taken(anyio_backend: Any) -> None:
    script = Script(Response(503, {"retry-after": "9"}), 200)
    assert (await _send(script, STEADY, ends=anyio.current_time() + 10)).status == 200
    assert script.times == [0.0, 9.0]


async def test_a_connection_error_whose_wait_would_pass_the_deadline_is_raised(anyio_backend: Any) -> None:
    script = Script(APIConnectionError("reset"), 200)
    policy = RetryPolicy(attempts=3, initial=5.0, jitter=0.0, deadline=None)
    with pytest.raises(APIConnectionError, match="reset"):
        await _send(script, policy, ends=anyio.current_time() + 5)
    assert script.times == [0.0]


async def test_each_attempt_is_given_only_the_time_left(anyio_backend: Any) -> None:
    script = Script(503, 503, 200, takes=3.0)
    await _send(script, RetryPolicy(attempts=3, initial=1.0, jitter=0.0, deadline=None),
                ends=anyio.current_time() + 20)
    assert script.times == [0.0, 4.0, 9.0]
    assert [r.timeout.attempt for r in script.requests] == [20.0, 16.0, 11.0]


async def test_an_attempt_is_made_with_half_a_second_left(anyio_backend: Any) -> None:
    script = Script(503, 200, takes=9.5)
    with no_backoff():
        reply = await _send(script, RetryPolicy(attempts=2, deadline=None), ends=anyio.current_time() + 10)
    assert reply.status == 200
    assert script.times == [0.0, 9.5]
    assert script.requests[1].timeout.attempt == 0.5


async def test_no_attempt_starts_once_the_deadline_has_passed(anyio_backend: Any) -> None:
    script = Script(503, 200, takes=10.0)  # the first attempt uses up all the time
    message = r"^GET /x did not complete within the 30s deadline \(RetryPolicy\.deadline\)$"
    with no_backoff(), pytest.raises(APITimeoutError, match=message):
        await _send(script, RetryPolicy(attempts=2, deadline=30), ends=anyio.current_time() + 10)
    assert script.times == [0.0]


async def test_an_attempt_cut_short_by_the_deadline_is_a_deadline_error(anyio_backend: Any) -> None:
    script = Script(APITimeoutError("GET /x: timed out"), 200)  # it had only the time left
    with pytest.raises(APITimeoutError, match="deadline") as caught:
        await _send(script, RetryPolicy(attempts=2, deadline=5), ends=anyio.current_time() + 5)
    assert script.times == [0.0]
    assert isinstance(caught.value.__cause__, APITimeoutError)


async def test_an_attempt_timeout_within_the_deadline_is_retried(anyio_backend: Any) -> None:
    script = Script(APITimeoutError("GET /x: timed out"), 200)  # its own limit, not the deadline
    policy = RetryPolicy(attempts=2, initial=0.5, jitter=0.0, deadline=None)
    assert (await _send(script, policy, ends=anyio.current_time() + 100)).status == 200
    assert script.times == [0.0, 0.5]


async def test_a_timed_out_attempt_is_retried_when_the_call_has_no_deadline(anyio_backend: Any) -> None:
    script = Script(APITimeoutError("GET /x: timed out"), 200)
    assert (await _send(script, STEADY)).status == 200
    assert script.times == [0.0, 0.5]


@pytest.mark.parametrize("failure", [Response(503, {"retry-after": "60"}), APIConnectionError("reset")],
                         ids=["status", "connection error"])
async def test_with_no_backoff_a_wait_that_would_pass_the_deadline_does_not_stop_the_retry(
        anyio_backend: Any, failure: Response | BaseException) -> None:
    script = Script(failure, 200)  # the wait is skipped, so it uses none of the time left
    policy = RetryPolicy(attempts=2, initial=60.0, max_backoff=60.0, jitter=0.0, deadline=None)
    with no_backoff():
        assert (await _send(script, policy, ends=anyio.current_time() + 10)).status == 200
    assert script.times == [0.0, 0.0]


async def test_the_client_s_deadline_lowers_the_first_attempt_s_timeout(anyio_backend: Any) -> None:
    transport = Script(200)
    async with AsyncClient(transport=transport, retry=RetryPolicy(deadline=5), timeout=60) as client:
        await client.users.get(USER_ID)
    assert transport.requests[0].timeout.attempt == 5.0


async def test_without_a_deadline_the_attempt_timeout_is_kept(anyio_backend: Any) -> None:
    transport = Script(200)
    async with AsyncClient(transport=transport, retry=RetryPolicy(deadline=None), timeout=60) as client:
        await client.users.get(USER_ID)
    assert transport.requests[0].timeout.attempt == 60.0


# -- what each attempt leaves behind ----------------------------------------------------


class Closing:
    """A stream body that notes whether it was closed."""

    def __init__(self) -> None:
        self.closed = False
        self.chunks = BytesStream([b"{}"])

    def __aiter__(self) -> Any:
        return self.chunks

    async def aclose(self) -> None:
        self.closed = True


async def test_a_reply_that_is_retried_is_released(anyio_backend: Any) -> None:
    body = Closing()
    script = Script(Response(503, {}, stream=body), 200)
    await _send(script, STEADY)
    assert body.closed


Seen = list[tuple[int, int | None, str | None, float | None]]


async def _observed(script: Script, *, ends: float | None = None) -> Seen:
    """What the observer is told of each attempt: number, status, error, wait."""
    seen: Seen = []

    def observe(attempt: int, response: Response | None, error: BaseException | None, wait: float | None) -> None:
        seen.append((attempt, response.status if response else None, type(error).__name__ if error else None, wait))

    deadline = None if ends is None else anyio.current_time() + ends
    with contextlib.suppress(APIConnectionError):
        await send_with_retries(script.handle_async_request, Request("GET", "/x"), STEADY, ends=deadline,
                                observe=observe)
    return seen


async def test_each_attempt_is_reported_with_its_wait(anyio_backend: Any) -> None:
    seen = await _observed(Script(503, APIConnectionError("reset"), 200))
    assert seen == [(0, 503, None, 0.5), (1, None, "APIConnectionError", 1.0), (2, 200, None, None)]


async def test_the_last_status_is_reported_with_no_wait(anyio_backend: Any) -> None:
    assert (await _observed(Script(503, 503, 503)))[-1] == (2, 503, None, None)


async def test_the_last_connection_error_is_reported_with_no_wait(anyio_backend: Any) -> None:
    seen = await _observed(Script(*[APIConnectionError("reset")] * 3))
    assert seen[-1] == (2, None, "APIConnectionError", None)


async def test_an_attempt_cut_short_by_the_deadline_is_reported(anyio_backend: Any) -> None:
    assert await _observed(Script(APITimeoutError("GET /x: timed out")), ends=5) == [(0, None, "APITimeoutError", None)]


async def test_a_status_whose_wait_would_pass_the_deadline_is_reported_with_no_wait(anyio_backend: Any) -> None:
    assert await _observed(Script(Response(503, {"retry-after": "9"})), ends=5) == [(0, 503, None, None)]


async def test_an_error_whose_wait_would_pass_the_deadline_is_reported_with_no_wait(anyio_backend: Any) -> None:
    seen = await _observed(Script(APIConnectionError("reset")), ends=0.25)
    assert seen == [(0, None, "APIConnectionError", None)]


async def test_each_retry_is_logged_with_its_wait_and_reason(anyio_backend: Any,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="julep_async")
    script = Script(503, APIConnectionError("reset"), 200)
    await send_with_retries(script.handle_async_request, Request("GET", "/x"), STEADY, redact=str.upper)
    assert [r.getMessage() for r in caplog.records] == [
        "retrying GET /X IN 0.500S (RETRY 1, STATUS 503)",
        "retrying GET /X IN 1.000S (RETRY 2, APICONNECTIONERROR: RESET)",
    ]


# -- the decision, at its edges -------------------------------------------------------


def test_retry_policy_defaults_are_the_documented_ones() -> None:
    policy = RetryPolicy()
    assert (policy.attempts, policy.initial, policy.max_backoff, policy.jitter, policy.max_retry_after,
            policy.deadline) == (3, 0.5, 8.0, 0.25, 60.0, 120.0)


def test_retry_after_ms_that_is_not_a_number_falls_back_to_retry_after() -> None:
    assert retry_delay(STEADY, 0, status=503, headers={"retry-after-ms": "soon", "retry-after": "2"}) == 2.0


def test_a_retry_after_that_is_no_number_and_no_date_falls_back_to_the_backoff() -> None:
    assert retry_delay(STEADY, 1, status=503, headers={"retry-after": "tomorrow-ish"}) == 1.0


def test_x_should_retry_with_another_value_leaves_the_status_rule() -> None:
    assert retry_delay(STEADY, 0, status=503, headers={"x-should-retry": "maybe"}) == 0.5
    assert retry_delay(STEADY, 0, status=400, headers={"x-should-retry": "maybe"}) is None


def test_a_reply_without_a_status_is_not_retried() -> None:
    assert retry_delay(STEADY, 0) is None


def test_the_jitter_scales_the_backoff_by_the_random_draw() -> None:
    policy = RetryPolicy(initial=2.0, jitter=0.5)
    assert retry_delay(policy, 0, status=503, rand=lambda: 0.5) == 1.5


def test_the_backoff_is_capped_at_max_backoff() -> None:
    policy = RetryPolicy(attempts=10, initial=1.0, max_backoff=3.0, jitter=0.0)
    assert [retry_delay(policy, n, status=503) for n in range(4)] == [1.0, 2.0, 3.0, 3.0]


def test_a_validation_error_is_not_retried() -> None:
    assert retry_delay(STEADY, 0, error=ValidationError("bad")) is None
