"""Server-sent events, decoded above the transport so every transport streams alike."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from . import _sse
from .exceptions import APIResponseValidationError
from .transports.base import ByteStream

T = TypeVar("T")


class AsyncStream(Generic[T]):
    """An async iterator of typed events that is also an async context manager.

    Leaving the ``async with`` block (or calling :meth:`aclose`) before the end frees
    the connection; so does reaching the end or an error. Iterate it once.
    """

    def __init__(self, stream: ByteStream, parse: Callable[[Any], T]) -> None:
        self._stream = stream
        self._parse = parse
        self._chunks = stream.__aiter__()
        self._decoder = _sse.Decoder()
        self._ready: deque[str] = deque()

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def __anext__(self) -> T:
        try:
            data = await self._next_data()
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

    async def _next_data(self) -> str:
        """The data of the next event (``[DONE]``, which Julep never sends, is skipped)."""
        while not self._ready:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._decoder.end()
                raise
            self._ready.extend(data for data in self._decoder.feed(chunk) if data != "[DONE]")
        return self._ready.popleft()

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._stream.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
