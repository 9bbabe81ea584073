"""Client configuration as frozen data, with the defaults as named constants."""

from __future__ import annotations

from typing import Any

import attrs

DEFAULT_BASE_URL = "https://api.julep.ai/api"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_ATTEMPT_TIMEOUT = 60.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_MAX_CONNECTIONS = 100


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be positive or None, got {value!r}")


@attrs.frozen
class Timeout:
    """Per-attempt time limits, in seconds (``None`` = no limit).

    Args:
        attempt: one attempt, from sending the request to the end of the reply body
            (for a stream: to its first byte; then ``read`` applies between chunks).
        connect: opening a connection, within ``attempt``.
        read: the longest silence while reading a body — for a stream, between two
            chunks, so a server that stalls mid-stream cannot hang the caller.

    The total deadline across retries is :attr:`julep_async.retry.RetryPolicy.deadline`.
    """

    attempt: float | None = attrs.field(default=DEFAULT_ATTEMPT_TIMEOUT, validator=_positive_or_none)
    connect: float | None = attrs.field(default=DEFAULT_CONNECT_TIMEOUT, validator=_positive_or_none)
    read: float | None = attrs.field(default=DEFAULT_READ_TIMEOUT, validator=_positive_or_none)


@attrs.frozen
class Limits:
    """Connection pool of the HTTP transport.

    Args:
        max_connections: open connections in all (0 = unlimited).
        max_connections_per_host: open connections to one host (0 = unlimited).
        keepalive_timeout: seconds an idle connection is kept for reuse.
    """

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_connections_per_host: int = 0
    keepalive_timeout: float = 15.0
