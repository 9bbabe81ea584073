"""The seam: the :class:`Transport` protocol and the SDK's own request/response types.

Nothing above this module sees an HTTP library. A transport turns a :class:`Request`
into a :class:`Response`, raising :class:`~julep_async.exceptions.APIConnectionError`
(or :class:`~julep_async.exceptions.APITimeoutError`) when there is no usable reply.
Error *statuses* are replies, not exceptions: the client turns them into typed errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Protocol, cast, runtime_checkable

import attrs

from .._redact import REDACTED, SECRET_HEADERS
from ..config import Timeout

__all__ = ["ByteStream", "OutcomeAware", "Replaying", "Request", "Response", "Transport"]

Query = tuple[tuple[str, str], ...]


def _redacted(headers: Mapping[str, str]) -> str:
    return repr({k: REDACTED if k in SECRET_HEADERS else v for k, v in headers.items()})


@runtime_checkable
class ByteStream(Protocol):
    """A response body read chunk by chunk; the reader must exhaust or close it."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


@attrs.frozen
class Request:
    """One HTTP-shaped request, independent of any HTTP library.

    Args:
        method: upper-case HTTP method.
        path: path below the base URL, e.g. ``/sessions/<id>/chat``.
        query: query parameters in the order they are sent.
        headers: header names in lower case.
        body: the encoded JSON body, if any.
        stream: the caller wants the body as a :class:`ByteStream` (SSE).
        timeout: the limits of this attempt (its ``attempt`` already lowered to the time
            left before the call's deadline); a transport that waits on I/O enforces them.
    """

    method: str
    path: str
    query: Query = ()
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=_redacted)
    body: bytes | None = None
    stream: bool = False
    timeout: Timeout = Timeout()


@attrs.frozen
class Response:
    """A reply: status, lower-case headers, and a body that is either bytes or a stream."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""
    stream: ByteStream | None = None

    async def aread(self) -> bytes:
        """The whole body (reads and closes the stream, if any)."""
        if self.stream is None:
            return self.body
        try:
            return b"".join([chunk async for chunk in self.stream])
        finally:
            await self.stream.aclose()

    async def aclose(self) -> None:
        """Release the body without reading it."""
        if self.stream is not None:
            await self.stream.aclose()


class Transport(Protocol):
    """What :class:`~julep_async.AsyncClient` needs from a transport.

    Only the client calls :meth:`handle_async_request`. When ``request.stream`` is set
    the transport may answer with ``Response.stream``; the caller then owns the stream
    and must exhaust or close it. A transport may also implement :class:`Replaying` and
    :class:`OutcomeAware`.
    """

    async def handle_async_request(self, request: Request) -> Response: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Replaying(Protocol):
    """Optional for a :class:`Transport`: it may answer from a recording, with no server behind it.

    While :attr:`replaying` is true the client does not sleep between retries (no server
    would notice the pause), just as inside :func:`julep_async.testing.no_backoff`.
    """

    @property
    def replaying(self) -> bool: ...


@runtime_checkable
class OutcomeAware(Protocol):
    """Optional for a :class:`Transport`: it wants to know how the work done through it ended.

    An :class:`~julep_async.AsyncClient` that owns such a transport closes it with
    ``aclose_after(error)`` in place of ``aclose()``: ``error`` is the exception that ended
    the client's ``async with`` block, or ``None`` when the block ended normally or the
    client was closed with ``aclose()``. A recording transport uses it to keep a failed
    run from saving a complete cassette, and to let the block's own error surface.
    """

    async def aclose_after(self, error: BaseException | None) -> None: ...


class BytesStream:
    """A :class:`ByteStream` over chunks already in memory."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(reversed(chunks))

    def __aiter__(self) -> BytesStream:
        return self

    async def __anext__(self) -> bytes:
        if not self._chunks:
            raise StopAsyncIteration
        return self._chunks.pop()

    async def aclose(self) -> None:
        self._chunks = []


class StreamWrapper:
    """Base of a :class:`ByteStream` that wraps another one.

    Wrappers are plain iterator objects, not async generators, so that closing the
    outermost closes every layer at once, under asyncio and trio alike. A wrapper closes
    itself when the inner stream ends or fails. Subclasses override the hooks:
    :meth:`_passed` (each chunk), :meth:`_ending` (how it ended, and what to raise) and
    :meth:`_closed` (once, at the close).
    """

    def __init__(self, inner: ByteStream) -> None:
        self._inner = inner
        self._iterator: AsyncIterator[bytes] | None = None
        self._open = True

    def __aiter__(self) -> StreamWrapper:
        return self

    async def _pull(self) -> bytes:
        if self._iterator is None:
            self._iterator = self._inner.__aiter__()
        return await self._iterator.__anext__()

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._pull()
        except BaseException as error:
            raised = self._ending(error)
            await self.aclose()
            if raised is error:
                raise
            raise raised from error
        self._passed(chunk)
        return chunk

    def _passed(self, chunk: bytes) -> None:
        """Called with each chunk on its way through."""

    def _ending(self, error: BaseException) -> BaseException:
        """Called when the inner stream ends (``StopAsyncIteration``) or fails; returns what to raise."""
        return error

    async def _closed(self) -> None:
        """Called once, when the stream is closed (exhausted, failed or abandoned)."""

    async def aclose(self) -> None:
        if not self._open:
            return
        self._open = False
        iterator, self._iterator = self._iterator, None
        try:
            await self._closed()
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None and iterator is not cast(object, self._inner):
                await close()
            await self._inner.aclose()
