"""Client configuration as frozen data, with the defaults as named constants.

Every setting is checked when it is made: NaN, infinities and values out of range
raise :class:`~julep_async.exceptions.ValidationError` at once, never on a later call.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from .exceptions import ValidationError

DEFAULT_BASE_URL = "https://api.julep.ai/api"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_ATTEMPT_TIMEOUT = 60.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_MAX_CONNECTIONS = 100

Validator = Any  # an attrs validator: (instance, attribute, value) -> None


def number(*, minimum: float = 0.0, maximum: float = math.inf, positive: bool = False,
           optional: bool = False) -> Validator:
    """A finite real number in ``[minimum, maximum]`` (``positive``: above 0); ``None`` if ``optional``."""
    wanted = "a positive number" if positive else f"a number from {minimum:g}" + (
        f" to {maximum:g}" if maximum < math.inf else " up")
    wanted += " or None" if optional else ""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) \
                or not minimum <= value <= maximum or (positive and value <= 0):
            raise ValidationError(f"{type(instance).__name__}.{attribute.name} must be {wanted}, got {value!r}")

    return check


def count(*, minimum: int) -> Validator:
    """A whole number from ``minimum`` up."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name} must be a whole number from {minimum} up, got {value!r}"
            )

    return check


_SECONDS = number(positive=True, optional=True)


@attrs.frozen
class Timeout:
    """Per-attempt time limits, in seconds (``None`` = no limit).

    Args:
        attempt: one attempt, from sending the request to the end of the reply body
            (for a stream: to its headers; then ``read`` applies between events).
        connect: opening a connection, within ``attempt``.
        read: the longest silence while reading a reply: between two chunks of a body,
            and between two *events* of a stream, so a server that stalls mid-stream,
            or dribbles bytes that never complete an event, cannot hang the caller.

    The whole ``Timeout`` travels with each request, so ``client.with_options(timeout=...)``
    changes all three limits. The total deadline across retries, a stream included, is
    :attr:`julep_async.retry.RetryPolicy.deadline`.
    """

    attempt: float | None = attrs.field(default=DEFAULT_ATTEMPT_TIMEOUT, validator=_SECONDS)
    connect: float | None = attrs.field(default=DEFAULT_CONNECT_TIMEOUT, validator=_SECONDS)
    read: float | None = attrs.field(default=DEFAULT_READ_TIMEOUT, validator=_SECONDS)

    def within(self, left: float) -> Timeout:
        """These limits with ``attempt`` lowered to ``left`` seconds, if it is more."""
        return self if self.attempt is not None and self.attempt <= left else attrs.evolve(self, attempt=left)


@attrs.frozen
class Limits:
    """Connection pool of the HTTP transport.

    Args:
        max_connections: open connections in all (0 = unlimited).
        max_connections_per_host: open connections to one host (0 = unlimited).
        keepalive_timeout: seconds an idle connection is kept for reuse.
    """

    max_connections: int = attrs.field(default=DEFAULT_MAX_CONNECTIONS, validator=count(minimum=0))
    max_connections_per_host: int = attrs.field(default=0, validator=count(minimum=0))
    keepalive_timeout: float = attrs.field(default=15.0, validator=number())
