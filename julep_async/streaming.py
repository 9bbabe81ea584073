"""Server-sent events, decoded above the transport so every transport streams alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from .exceptions import APIConnectionError, APIResponseValidationError
from .transports.base import ByteStream

T = TypeVar("T")


class SSEDecoder:
    """The ``data`` of each event of an SSE byte stream, one string per event.

    Julep frames every event as one ``data: <json>`` line and a blank line, with no
    ``[DONE]``. A stream that ends inside an event was cut: that raises
    :class:`~julep_async.exceptions.APIConnectionError`, never a silent end.
    """

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream
        self._chunks = stream.__aiter__()
        self._buffer = b""
        self._ready: list[str] = []

    def __aiter__(self) -> SSEDecoder:
        return self

    async def __anext__(self) -> str:
        while not self._ready:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                if self._buffer.strip():
                    raise APIConnectionError("the stream ended in the middle of an event (connection cut)") from None
                raise
            self._buffer += chunk
            self._split()
        return self._ready.pop(0)

    def _split(self) -> None:
        while True:
            end, size = _event_end(self._buffer)
            if end < 0:
                return
            block, self._buffer = self._buffer[:end], self._buffer[end + size :]
            data = [
                line[5:].removeprefix(b" ")
                for line in block.replace(b"\r\n", b"\n").split(b"\n")
                if line.startswith(b"data:")
            ]
            if data and (text := b"\n".join(data).decode()) != "[DONE]":
                self._ready.append(text)


def _event_end(buffer: bytes) -> tuple[int, int]:
    lf, crlf = buffer.find(b"\n\n"), buffer.find(b"\r\n\r\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return crlf, 4
    return lf, 2


class AsyncStream(Generic[T]):
    """An async iterator of typed events that is also an async context manager.

    Leaving the ``async with`` block (or calling :meth:`aclose`) before the end frees
    the connection; so does reaching the end or an error. Iterate it once.
    """

    def __init__(self, stream: ByteStream, parse: Callable[[Any], T]) -> None:
        self._stream = stream
        self._parse = parse
        self._events = SSEDecoder(stream)

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def __anext__(self) -> T:
        try:
            data = await self._events.__anext__()
            try:
                payload = json.loads(data)
            except ValueError:
                raise APIResponseValidationError(
                    f"a stream event is not JSON: {data[:200]!r}", status_code=200, body=data
                ) from None
            return self._parse(payload)
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._stream.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
