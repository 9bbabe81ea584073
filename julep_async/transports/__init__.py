"""Transports: the one seam between :class:`~julep_async.AsyncClient` and the world."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ByteStream, OutcomeAware, Replaying, Request, Response, Transport
from .memory import InMemoryTransport

if TYPE_CHECKING:
    from .http import HttpTransport
    from .recording import RecordingTransport

__all__ = [
    "ByteStream",
    "HttpTransport",
    "InMemoryTransport",
    "OutcomeAware",
    "RecordingTransport",
    "Replaying",
    "Request",
    "Response",
    "Transport",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: only the HTTP transport needs aiohttp, and replay must not load it.
    if name == "HttpTransport":
        from .http import HttpTransport

        return HttpTransport
    if name == "RecordingTransport":
        from .recording import RecordingTransport

        return RecordingTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
