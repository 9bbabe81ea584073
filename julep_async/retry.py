"""Retries as frozen data plus one pure decision function.

:func:`retry_delay` decides; :func:`send_with_retries` is the small loop that obeys it.
Every non-GET request carries an ``Idempotency-Key`` that the client sets once per call,
so a retried chat is recognised by the server instead of being written twice.

Waits and the deadline are read on anyio's clock (``anyio.current_time()``), so a test
clock such as trio's ``MockClock`` drives them. :func:`no_backoff` (exported as
:func:`julep_async.testing.no_backoff`) is the one switch that skips the waits.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping

import anyio
import attrs

from .config import count, number
from .exceptions import APIConnectionError, APITimeoutError
from .transports.base import Request, Response

__all__ = ["AttemptObserver", "RetryPolicy", "no_backoff", "retry_delay", "send_with_retries"]

logger: logging.Logger = logging.getLogger("julep_async")

RETRY_STATUSES = frozenset({408, 409, 429})
_NO_BACKOFF = contextvars.ContextVar("julep_async_no_backoff", default=False)


@contextlib.contextmanager
def no_backoff() -> Iterator[None]:
    """Skip the waits between retries inside the block, for test suites.

    Retries still happen and are still decided by :func:`retry_delay`; only the wait is
    skipped. The switch is task-local (a context variable): it covers the calls made in
    the block and in tasks started from it, and no other task.
    """
    token = _NO_BACKOFF.set(True)
    try:
        yield
    finally:
        _NO_BACKOFF.reset(token)


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Args:
        attempts: attempts in all, the first included (1 = never retry).
        initial: backoff before the first retry, in seconds.
        max_backoff: cap on the exponential backoff.
        jitter: fraction of the backoff taken away at random (0 = none).
        max_retry_after: cap on a server-requested delay (``Retry-After``, ``retry-after-ms``).
        deadline: seconds for the whole call, every attempt and wait included (``None`` = none).

    Retried: connection errors, timeouts, 408, 409, 429 and every 5xx; an
    ``x-should-retry: true|false`` reply header overrides the status rule. The wait
    before retry ``n`` (from 0) is the server's requested delay if it gave one (capped
    at ``max_retry_after``), else ``min(initial * 2**n, max_backoff) * (1 - jitter * U)``
    with ``U`` uniform in [0, 1). A wait that would pass the deadline is not taken.
    """

    attempts: int = attrs.field(default=3, validator=count(minimum=1))
    initial: float = attrs.field(default=0.5, validator=number())
    max_backoff: float = attrs.field(default=8.0, validator=number())
    jitter: float = attrs.field(default=0.25, validator=number(maximum=1))
    max_retry_after: float = attrs.field(default=60.0, validator=number())
    deadline: float | None = attrs.field(default=120.0, validator=number(positive=True, optional=True))


def _server_delay(headers: Mapping[str, str]) -> float | None:
    """The delay the server asked for, in seconds, or ``None``."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        try:
            return max(float(value), 0.0)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
    return None


def retry_delay(
    policy: RetryPolicy,
    retries_done: int,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    error: BaseException | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` to stop. Pure but for ``rand``.

    Give either the failed attempt's ``error`` or its reply ``status`` and ``headers``.
    """
    if retries_done + 1 >= policy.attempts:
        return None
    headers = headers or {}
    if error is not None:
        if not isinstance(error, APIConnectionError):
            return None
    else:
        override = headers.get("x-should-retry")
        if override in ("true", "false"):
            if override == "false":
                return None
        elif status is None or not (status in RETRY_STATUSES or status >= 500):
            return None
    server = _server_delay(headers)
    if server is not None:
        return min(server, policy.max_retry_after)
    backoff = min(policy.initial * 2.0**retries_done, policy.max_backoff)
    return backoff * (1 - policy.jitter * rand())


AttemptObserver = Callable[[int, Response | None, BaseException | None, float | None], Awaitable[None] | None]
"""Told of each attempt as it ends: its number (0 for the first), the reply or the error,
and the wait before the next attempt (``None``: there is none). It may return an
awaitable, which is awaited before the loop goes on (the client's event hooks)."""


async def send_with_retries(
    send: Callable[[Request], Awaitable[Response]], request: Request, policy: RetryPolicy,
    *, ends: float | None = None, started: float | None = None, skip_waits: bool = False,
    redact: Callable[[str], str] = str, observe: AttemptObserver | None = None,
) -> Response:
    """Send ``request`` until it succeeds, fails for good, or no retry is left.

    Returns the last response (possibly an error status, for the caller to raise);
    re-raises the last connection error. ``ends`` (on anyio's clock) is the deadline of the
    whole call: each attempt's ``timeout.attempt`` is lowered to the time left (the
    transport enforces it), and a wait that would end past it is not started; ``started``
    is the clock's reading when the call began, if the caller has it (saves a reading). With
    ``skip_waits`` (a replaying transport: no server is waiting) or inside
    :func:`no_backoff`, the waits are decided but not slept. ``redact`` cleans log lines;
    ``observe`` is told of each attempt.
    """
    skip_waits = skip_waits or _NO_BACKOFF.get()
    retries, now = 0, started
    while True:
        attempt, until_deadline = _attempt(request, ends, policy, now)
        now = None
        try:
            response = await send(attempt)
        except APIConnectionError as exc:
            out_of_time = until_deadline and isinstance(exc, APITimeoutError)  # it had only the time left
            delay = None if out_of_time else _in_time(retry_delay(policy, retries, error=exc), ends, skip_waits)
            if observe is not None and (told := observe(retries, None, exc, delay)) is not None:
                await told
            if delay is None:
                if out_of_time:
                    raise _deadline_passed(request, policy) from exc
                raise
            reason = f"{type(exc).__name__}: {exc}"
        else:
            delay = None if response.status < 400 else _in_time(
                retry_delay(policy, retries, status=response.status, headers=response.headers), ends, skip_waits)
            if observe is not None and (told := observe(retries, response, None, delay)) is not None:
                await told
            if delay is None:
                return response
            await response.aclose()
            reason = f"status {response.status}"
        retries += 1
        if logger.isEnabledFor(logging.DEBUG):
            what = f"{request.method} {request.path} in {delay:.3f}s (retry {retries}, {reason})"
            logger.debug("retrying %s", redact(what))
        if not skip_waits:
            await anyio.sleep(delay)


def _attempt(request: Request, ends: float | None, policy: RetryPolicy, now: float | None) -> tuple[Request, bool]:
    """The request for the next attempt, and whether its time limit is the time left."""
    if ends is None:
        return request, False
    left = ends - (anyio.current_time() if now is None else now)
    if left <= 0:
        raise _deadline_passed(request, policy)
    timeout = request.timeout.within(left)
    if timeout is request.timeout:
        return request, False
    return attrs.evolve(request, timeout=timeout), True


def _in_time(delay: float | None, ends: float | None, skip_waits: bool) -> float | None:
    """``delay``, if there is one and the wait (unless skipped) ends before the deadline."""
    if delay is None or skip_waits or ends is None or anyio.current_time() + delay < ends:
        return delay
    return None


def _deadline_passed(request: Request, policy: RetryPolicy) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {request.path} did not complete within the {policy.deadline}s deadline "
        "(RetryPolicy.deadline)"
    )
