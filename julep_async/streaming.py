"""Server-sent events, decoded above the transport so every transport streams alike."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

import anyio

from . import _sse
from .exceptions import APITimeoutError
from .transports.base import ByteStream

T = TypeVar("T")


class AsyncStream(Generic[T]):
    """An async iterator of typed events that is also an async context manager.

    Leaving the ``async with`` block (or calling :meth:`aclose`) before the end frees
    the connection; so does reaching the end or an error. Iterate it once.

    Args:
        stream: the SSE body.
        parse: turns each event's data into a ``T`` (raising a
            :class:`~julep_async.exceptions.JulepError` if it cannot).
        read: seconds the next *event* may take (:attr:`Timeout.read
            <julep_async.config.Timeout.read>`): a server that sends bytes but never
            completes an event still times out. ``None``: no limit.
        ends: when, on anyio's clock, the call's deadline passes
            (:attr:`RetryPolicy.deadline <julep_async.retry.RetryPolicy.deadline>`): the
            whole stream must end by then. ``None``: no deadline.

    Either limit running out raises :class:`~julep_async.exceptions.APITimeoutError`
    and closes the stream.
    """

    def __init__(self, stream: ByteStream, parse: Callable[[str], T], *,
                 read: float | None = None, ends: float | None = None) -> None:
        self._stream = stream
        self._parse = parse
        self._read = read
        self._ends = ends
        self._chunks = stream.__aiter__()
        self._decoder = _sse.Decoder()
        self._ready: deque[str] = deque()

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def __anext__(self) -> T:
        try:
            return self._parse(await self._next_in_time())
        except BaseException as error:
            await self._ended(error)
            raise

    async def _next_in_time(self) -> str:
        """The next event's data, within ``read`` and before ``ends``."""
        if self._ready or (self._read is None and self._ends is None):
            return await self._next_data()
        until = min(math.inf if self._ends is None else self._ends,
                    math.inf if self._read is None else anyio.current_time() + self._read)
        with anyio.CancelScope(deadline=until):
            return await self._next_data()
        if self._ends is not None and anyio.current_time() >= self._ends:
            raise APITimeoutError("the stream did not end before the call's deadline (RetryPolicy.deadline)")
        raise APITimeoutError(f"no stream event came within {self._read}s (Timeout.read)")

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
        await self._ended(None)

    async def _ended(self, error: BaseException | None) -> None:
        """Close the body. ``error`` is what ended the stream: ``StopAsyncIteration`` at its
        end, ``None`` when :meth:`aclose` is called (the event hooks' stream tells them)."""
        await self._stream.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
