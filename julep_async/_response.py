"""Raw responses: a call's reply with what the HTTP exchange said about it."""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Mapping
from datetime import timedelta
from typing import Any, Generic, TypeVar

import attrs

from . import _json

__all__ = ["RawResponse", "raw"]

T = TypeVar("T")


@attrs.frozen
class RawResponse(Generic[T]):
    """A call's reply (:meth:`parse`) with its exchange: status, headers, request id, the
    retries it took and how long it took, every attempt and wait included.

    Returned by ``client.<resource>.with_raw_response.<method>(...)``.
    """

    status_code: int
    headers: Mapping[str, str]
    retries_taken: int
    elapsed: timedelta
    content: bytes
    _parsed: T = attrs.field(alias="parsed")

    @property
    def request_id(self) -> str | None:
        """The server's ``x-request-id`` for the last attempt, if it sent one."""
        return self.headers.get("x-request-id")

    def parse(self) -> T:
        """The reply as the plain method returns it (a model, or ``None``)."""
        return self._parsed

    def json(self) -> Any:
        """The reply's body, decoded."""
        return _json.loads(self.content) if self.content else None


@attrs.define
class Exchange:
    """What one call's request went through, filled in by the client as it happens."""

    status: int = 0
    headers: Mapping[str, str] = attrs.Factory(dict)
    content: bytes = b""
    retries: int = 0
    elapsed: float = 0.0


_CAPTURE: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("julep_async_raw", default=None)


def capturing() -> Exchange | None:
    """The exchange a ``with_raw_response`` call is recording, if any."""
    return _CAPTURE.get()


async def raw(call: Awaitable[T]) -> RawResponse[T]:
    """Run ``call`` (one API call) and return its reply with the exchange behind it."""
    exchange = Exchange()
    token = _CAPTURE.set(exchange)
    try:
        parsed = await call
    finally:
        _CAPTURE.reset(token)
    return RawResponse(exchange.status, exchange.headers, exchange.retries, timedelta(seconds=exchange.elapsed),
                       exchange.content, parsed=parsed)
