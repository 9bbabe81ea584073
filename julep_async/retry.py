"""Retries as frozen data plus one pure decision function.

:func:`retry_delay` decides; :func:`send_with_retries` is the small loop that obeys it.
Every non-GET request carries an ``Idempotency-Key`` that the client sets once per call,
so a retried chat is recognised by the server instead of being written twice.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping

import anyio
import attrs

from .exceptions import APIConnectionError, APITimeoutError
from .transports.base import Request, Response

__all__ = ["RetryPolicy", "retry_delay", "send_with_retries", "set_testing"]

logger: logging.Logger = logging.getLogger("julep_async")

RETRY_STATUSES = frozenset({408, 409, 429})
_testing = False


def set_testing(enabled: bool) -> None:
    """Turn backoff sleeping off (``True``) or on again, for test suites.

    Retries still happen and are still decided by :func:`retry_delay`; only the
    wait between attempts is skipped. The one piece of global state in julep_async.
    """
    global _testing
    _testing = enabled


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

    attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(default=0.25, validator=[attrs.validators.ge(0), attrs.validators.le(1)])
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    deadline: float | None = 120.0



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


async def send_with_retries(
    send: Callable[[Request], Awaitable[Response]], request: Request, policy: RetryPolicy,
    *, virtual_time: bool = False,
) -> Response:
    """Send ``request`` until it succeeds, fails for good, or no retry is left.

    Returns the last response (possibly an error status, for the caller to raise);
    re-raises the last connection error. ``policy.deadline`` bounds the whole call: each
    attempt's ``timeout`` is lowered to the time left (the transport enforces it), and a
    wait that would end past the deadline is not started. With ``virtual_time`` (a
    replaying transport: no server is waiting) the waits are decided but not slept.
    """
    skip_waits = _testing or virtual_time
    ends = None if policy.deadline is None else time.monotonic() + policy.deadline
    retries = 0
    while True:
        attempt = request
        if ends is not None:
            left = ends - time.monotonic()
            if left <= 0:
                raise _deadline_passed(request, policy)
            if request.timeout is None or left < request.timeout:
                attempt = attrs.evolve(request, timeout=left)
        try:
            response = await send(attempt)
        except APIConnectionError as exc:
            if isinstance(exc, APITimeoutError) and ends is not None and time.monotonic() >= ends - 0.001:
                raise _deadline_passed(request, policy) from exc
            delay = retry_delay(policy, retries, error=exc)
            if delay is None or not (skip_waits or ends is None or time.monotonic() + delay < ends):
                raise
            reason = f"{type(exc).__name__}: {exc}"
        else:
            if response.status < 400:
                return response
            delay = retry_delay(policy, retries, status=response.status, headers=response.headers)
            if delay is None or not (skip_waits or ends is None or time.monotonic() + delay < ends):
                return response
            await response.aclose()
            reason = f"status {response.status}"
        retries += 1
        logger.debug(
            "retrying %s %s in %.3fs (retry %d, %s)", request.method, request.path, delay, retries, reason
        )
        if not skip_waits:
            await anyio.sleep(delay)


def _deadline_passed(request: Request, policy: RetryPolicy) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {request.path} did not complete within the {policy.deadline}s deadline "
        "(RetryPolicy.deadline)"
    )
