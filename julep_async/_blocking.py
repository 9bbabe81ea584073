"""The runtime under :class:`~julep_async.Client`: a portal thread, and the few helpers
every generated method calls.

``julep_async/sync.py`` is generated from the async code by ``scripts/unasync.py``. Each
of its methods is one line: it calls the async twin's method and hands the result to a
helper here (``_wait``, ``_stream``, ``_wait_or_stream``, ``_pager``, ``_share``), which
runs the coroutine on the client's anyio blocking portal (an event loop in a daemon
thread) and gives pagers and streams their blocking faces. Nothing else is written twice.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Generic, ParamSpec, Self, TypeVar, cast

import anyio
from anyio.from_thread import BlockingPortal

from .client import AsyncClient
from .pagination import AsyncPager, Page
from .streaming import AsyncStream

__all__ = ["Blocking", "ClientCore", "SyncPager", "SyncStream"]

A = TypeVar("A")
T = TypeVar("T")
S = TypeVar("S")
P = ParamSpec("P")


def _start_portal() -> tuple[BlockingPortal, threading.Thread]:
    ready = threading.Event()
    box: list[BlockingPortal] = []

    async def serve() -> None:
        async with BlockingPortal() as portal:
            box.append(portal)
            ready.set()
            await portal.sleep_until_stopped()

    thread = threading.Thread(target=anyio.run, args=(serve,), name="julep-async-portal", daemon=True)
    thread.start()
    ready.wait()
    return box[0], thread


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


class SyncPager(Generic[T]):
    """``list()`` on :class:`~julep_async.Client`: the requested page is fetched by the call
    itself (``.items``); iterating walks every item from there on, fetching further pages
    as it goes."""

    def __init__(self, portal: BlockingPortal, pager: AsyncPager[T]) -> None:
        self._portal = portal
        self._pager = pager
        self.first: Page[T] = self.page()

    def page(self, offset: int | None = None) -> Page[T]:
        """Fetch the page at ``offset`` (default: the pager's own)."""
        return self._portal.call(self._pager.page, offset)

    @property
    def items(self) -> list[T]:
        """The items of the requested page."""
        return self.first.items

    def __iter__(self) -> Iterator[T]:
        page = self.first
        while True:
            yield from page.items
            if not page.has_more:
                return
            page = self.page(page.offset + len(page.items))


class SyncStream(Generic[T]):
    """A streamed reply on :class:`~julep_async.Client`: a plain iterator and context
    manager. Leaving the ``with`` block (or :meth:`close`) before the end frees the
    connection; so does reaching the end or an error."""

    def __init__(self, portal: BlockingPortal, stream: AsyncStream[T]) -> None:
        self._portal = portal
        self._stream = stream

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        try:
            return self._portal.call(self._stream.__anext__)  # closes itself at the end or on error
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._portal.call(self._stream.aclose)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Blocking(Generic[A]):
    """The blocking face of ``A`` (an async client or resource), whose coroutines run on
    ``portal``. The generated classes in :mod:`julep_async.sync` derive from it."""

    _portal: BlockingPortal
    _async: A

    def __init__(self, portal: BlockingPortal, target: A) -> None:
        self._portal = portal
        self._async = target

    def __repr__(self) -> str:
        return f"<sync {self._async!r}>"

    def _wait(self, call: Awaitable[T]) -> T:
        """Run ``call``, a coroutine of the async twin, on the portal; its result."""
        try:
            return self._portal.call(_awaited, call)
        except BaseException:
            if inspect.iscoroutine(call) and inspect.getcoroutinestate(call) == inspect.CORO_CREATED:
                call.close()  # never started (the client is closed): no "never awaited" warning
            raise

    def _stream(self, call: Awaitable[AsyncStream[T]]) -> SyncStream[T]:
        return SyncStream(self._portal, self._wait(call))

    def _wait_or_stream(self, call: Awaitable[T | AsyncStream[S]]) -> T | SyncStream[S]:
        result = self._wait(call)
        if isinstance(result, AsyncStream):  # isinstance() cannot see the item type: it is S
            return SyncStream(self._portal, cast("AsyncStream[S]", result))
        return result

    def _pager(self, pager: AsyncPager[T]) -> SyncPager[T]:
        return SyncPager(self._portal, pager)


class ClientCore(Blocking[AsyncClient]):
    """What :class:`~julep_async.Client` adds by hand to its generated surface: the portal
    thread's lifecycle (``close``, the context manager) and sharing a portal."""

    _thread: threading.Thread | None

    def _open(self, make: Callable[P, AsyncClient], /, *args: P.args, **kwargs: P.kwargs) -> None:
        """Start a portal and build (and enter) the async client on it."""
        self._portal, self._thread = _start_portal()

        async def build() -> AsyncClient:
            return await make(*args, **kwargs).__aenter__()

        try:
            self._async = self._portal.call(build)
        except BaseException:
            self._stop()
            raise

    def _share(self, async_client: AsyncClient) -> Self:
        """A client over ``async_client`` on this client's portal (which it leaves running)."""
        client = type(self).__new__(type(self))
        client._portal, client._thread, client._async = self._portal, None, async_client
        return client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self._async!r}>"

    def close(self) -> None:
        """Close the async client and stop the portal (if this client started it). Safe to
        call twice."""
        self._close(None)

    def _close(self, error: BaseException | None) -> None:
        """Close, telling a transport the client owns how the ``with`` block ended."""
        if self._thread is None:
            self._portal.call(self._async._close, error)
        elif self._thread.is_alive():
            try:
                self._portal.call(self._async._close, error)
            finally:
                self._stop()

    def _stop(self) -> None:
        assert self._thread is not None
        self._portal.call(self._portal.stop)
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close(exc)

