"""Server-sent events, decoded above the transport so every transport streams alike."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from .exceptions import APIConnectionError, APIResponseValidationError
from .transports.base import ByteStream

T = TypeVar("T")


async def sse_data(stream: ByteStream) -> AsyncIterator[str]:
    """Yield the ``data`` of each event of an SSE byte stream.

    Julep frames every event as one ``data: <json>`` line and a blank line, with no
    ``[DONE]``. A stream that ends inside an event was cut: that raises
    :class:`~julep_async.exceptions.APIConnectionError`, never a silent end.
    """
    buffer = b""
    async for chunk in stream:
        buffer += chunk
        while True:
            end, size = _event_end(buffer)
            if end < 0:
                break
            block, buffer = buffer[:end], buffer[end + size :]
            data = [
                line[5:].removeprefix(b" ")
                for line in block.replace(b"\r\n", b"\n").split(b"\n")
                if line.startswith(b"data:")
            ]
            if data:
                text = b"\n".join(data).decode()
                if text != "[DONE]":
                    yield text
    if buffer.strip():
        raise APIConnectionError("the stream ended in the middle of an event (connection cut)")


def _event_end(buffer: bytes) -> tuple[int, int]:
    lf, crlf = buffer.find(b"\n\n"), buffer.find(b"\r\n\r\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return crlf, 4
    return lf, 2


class AsyncStream(Generic[T]):
    """An async iterator of typed events that is also an async context manager.

    Leaving the ``async with`` block (or calling :meth:`aclose`) before the end frees
    the connection. Iterate it once.
    """

    def __init__(self, stream: ByteStream, parse: Callable[[Any], T]) -> None:
        self._stream = stream
        self._parse = parse
        self._events = self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        try:
            async for data in sse_data(self._stream):
                try:
                    payload = json.loads(data)
                except ValueError:
                    raise APIResponseValidationError(
                        f"a stream event is not JSON: {data[:200]!r}", status_code=200, body=data
                    ) from None
                yield self._parse(payload)
        finally:
            await self._stream.aclose()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._events

    async def __anext__(self) -> T:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._events.aclose()  # type: ignore[attr-defined]
        await self._stream.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
