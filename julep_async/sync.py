"""``Client``: the blocking facade, derived from :class:`~julep_async.AsyncClient`.

No method is written twice. A ``Client`` runs an ``AsyncClient`` on an anyio blocking
portal (an event loop in a daemon thread); every attribute lookup is forwarded, and
coroutine methods become plain calls, pagers plain iterables and streams plain
iterators. A resource method added to the async client appears here by itself.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from .client import AsyncClient
from .pagination import AsyncPager, Page
from .resources._base import Resource
from .streaming import AsyncStream

T = TypeVar("T")


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


def _wrap(portal: BlockingPortal, value: Any) -> Any:
    """The blocking face of ``value``, an attribute or a result of the async client."""
    if isinstance(value, AsyncClient):  # with_options(): a copy on the same portal
        return Client._sharing(portal, value)
    if isinstance(value, Resource):
        return _SyncNamespace(portal, value)
    if isinstance(value, AsyncPager):
        return SyncPager(portal, value)
    if isinstance(value, AsyncStream):
        return SyncStream(portal, value)
    if inspect.iscoroutinefunction(value):

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            return _wrap(portal, portal.call(functools.partial(value, *args, **kwargs)))

        return call
    if inspect.ismethod(value):

        @functools.wraps(value)
        def plain(*args: Any, **kwargs: Any) -> Any:
            return _wrap(portal, value(*args, **kwargs))

        return plain
    return value


class _SyncNamespace:
    """A resource of the async client, with blocking methods."""

    def __init__(self, portal: BlockingPortal, target: Any) -> None:
        self._portal = portal
        self._target = target

    def __getattr__(self, name: str) -> Any:
        return _wrap(self._portal, getattr(self._target, name))

    def __dir__(self) -> list[str]:
        return [name for name in dir(self._target) if not name.startswith("_")]

    def __repr__(self) -> str:
        return f"<sync {self._target!r}>"


class SyncPager(Generic[T]):
    """``list()`` on :class:`Client`: the requested page is fetched by the call itself
    (``.items``); iterating walks every item from there on, fetching further pages."""

    def __init__(self, portal: BlockingPortal, pager: AsyncPager[T]) -> None:
        self._portal = portal
        self._pager = pager
        self.first: Page[T] = self.page()

    def page(self, offset: int | None = None) -> Page[T]:
        return self._portal.call(self._pager.page, offset)

    @property
    def items(self) -> list[T]:
        return self.first.items

    def __iter__(self) -> Iterator[T]:
        page = self.first
        while True:
            yield from page.items
            if not page.has_more:
                return
            page = self.page(page.offset + len(page.items))


class SyncStream(Generic[T]):
    """A streamed reply on :class:`Client`: a plain iterator and context manager."""

    def __init__(self, portal: BlockingPortal, stream: AsyncStream[T]) -> None:
        self._portal = portal
        self._stream = stream

    def __iter__(self) -> Iterator[T]:
        return _blocking_iter(self._portal, self._stream.__aiter__(), self._stream.aclose)

    def close(self) -> None:
        self._portal.call(self._stream.aclose)

    def __enter__(self) -> SyncStream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _blocking_iter(portal: BlockingPortal, iterator: Any, close: Callable[[], Any]) -> Iterator[Any]:
    try:
        while True:
            try:
                yield portal.call(iterator.__anext__)
            except StopAsyncIteration:
                return
    finally:
        portal.call(close)


class Client:
    """The blocking client: the same arguments, resources and methods as
    :class:`~julep_async.AsyncClient`, as plain calls.

    Use it as a context manager, or call :meth:`close`.
    """

    _thread: threading.Thread | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._portal, self._thread = _start_portal()
        try:
            self._async = self._portal.call(functools.partial(_make_client, *args, **kwargs))
        except BaseException:
            self._stop()
            raise

    __init__.__signature__ = inspect.signature(AsyncClient.__init__)  # type: ignore[attr-defined]

    @classmethod
    def _sharing(cls, portal: BlockingPortal, async_client: AsyncClient) -> Client:
        """A Client over ``async_client`` on another Client's portal (which it leaves running)."""
        client = cls.__new__(cls)
        client._portal, client._thread, client._async = portal, None, async_client
        return client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _wrap(self._portal, getattr(self._async, name))

    def __dir__(self) -> list[str]:
        return [name for name in dir(self._async) if not name.startswith("_")]

    def __repr__(self) -> str:
        return f"<Client over {self._async!r}>"

    def close(self) -> None:
        """Close the async client and stop the portal (if this Client started it). Safe to
        call twice."""
        self._close(None)

    def _close(self, error: BaseException | None) -> None:
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

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close(exc)


async def _make_client(*args: Any, **kwargs: Any) -> AsyncClient:
    return await AsyncClient(*args, **kwargs).__aenter__()
