"""``AsyncClient``: configuration, lifecycle, resources, and the one request pipeline.

``resource call → _request()`` (build a :class:`Request`) ``→ _send()`` (in-flight cap)
``→ _send_with_retries()`` (retries within the deadline, ``transport.handle_async_request``)
``→ _raise_for_status()`` / ``_structure()`` (status → typed error, JSON → model).
"""

from __future__ import annotations

import enum
import json
import logging
import os
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar, overload

import anyio
import attrs
import cattrs

from . import __version__
from ._types import RequestOptions
from .config import DEFAULT_BASE_URL, Limits, Timeout
from .converter import converter, strict_converter, to_wire
from .exceptions import APIResponseValidationError, JulepError, ValidationError, error_for_status
from .pagination import AsyncPager
from .resources.agents import Agents
from .resources.docs import Docs
from .resources.sessions import Sessions
from .resources.users import Users
from .retry import RetryPolicy, send_with_retries
from .streaming import AsyncStream
from .transports.base import BytesStream, ByteStream, Request, Response, StreamWrapper, Transport
from .types import Input
from .types._fields import FieldError, check_json

T = TypeVar("T")
logger: logging.Logger = logging.getLogger("julep_async")


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class AsyncClient:
    """The async Julep client.

    Args:
        api_key: falls back to ``JULEP_API_KEY``; required when the client builds its own
            HTTP transport, optional with a transport you pass (it is then still sent,
            and selects the tenant of the fake backend).
        base_url: falls back to ``JULEP_BASE_URL``, then ``https://api.julep.ai/api``.
        transport: where requests go (default: an :class:`~julep_async.transports.HttpTransport`).
        close_transport: close a transport you passed when the client is closed (default:
            yes); a transport the client built itself is always closed.
        timeout: per-attempt limits (:class:`~julep_async.config.Timeout`).
        retry: when to retry and the total deadline (:class:`~julep_async.retry.RetryPolicy`).
        limits: connection pool of the HTTP transport the client builds itself.
        max_in_flight: most requests in flight at once (``None`` = no cap), apart from the
            connection pool; a stream counts until it is closed.
        headers: extra headers sent with every request.
        strict: refuse reply fields the models do not know (for tests: drift shows up).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        timeout: Timeout = Timeout(),
        retry: RetryPolicy = RetryPolicy(),
        limits: Limits = Limits(),
        max_in_flight: int | None = None,
        headers: Mapping[str, str] | None = None,
        strict: bool = False,
        close_transport: bool = True,
    ) -> None:
        api_key = api_key if api_key is not None else os.environ.get("JULEP_API_KEY")
        self.base_url: str = (base_url or os.environ.get("JULEP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        close_transport = close_transport or transport is None  # one it builds, it closes
        if transport is None:
            if not api_key:
                raise JulepError(
                    "no API key: pass api_key=... or set JULEP_API_KEY "
                    "(or pass transport=InMemoryTransport() to run without a server)"
                )
            from .transports.http import HttpTransport

            transport = HttpTransport(self.base_url, timeout=timeout, limits=limits)
        if max_in_flight is not None and max_in_flight < 1:
            raise ValidationError(f"max_in_flight must be at least 1 or None, got {max_in_flight}")
        self._api_key = api_key or None
        self._transport = transport
        self.timeout = timeout
        self.retry = retry
        self.max_in_flight = max_in_flight
        self._converter = strict_converter if strict else converter
        self._strict = strict
        self._extra_headers = {k.lower(): v for k, v in (headers or {}).items()}
        self._headers = {
            "accept": "application/json",
            "content-type": "application/json",
            "user-agent": f"julep-async/{__version__}",
            **self._extra_headers,
        }
        if self._api_key:
            self._headers["authorization"] = f"Bearer {self._api_key}"
        self._in_flight: anyio.Semaphore | None = None
        self._turns: dict[str, _Turn] = {}
        self._state = _State.UNOPENED
        self._owns_transport = close_transport

    # -- resources ----------------------------------------------------------------

    @cached_property
    def agents(self) -> Agents:
        return Agents(self)

    @cached_property
    def users(self) -> Users:
        return Users(self)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(self)

    @cached_property
    def docs(self) -> Docs:
        return Docs(self)

    # -- lifecycle ----------------------------------------------------------------

    @property
    def transport(self) -> Transport:
        return self._transport

    @property
    def api_key(self) -> str | None:
        return self._api_key

    def __repr__(self) -> str:
        return f"<AsyncClient {self.base_url} transport={type(self._transport).__name__} {self._state.value}>"

    async def __aenter__(self) -> AsyncClient:
        if self._state is _State.CLOSED:
            raise JulepError("this client is closed; create a new one")
        self._state = _State.OPENED
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client and its transport. Safe to call twice."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._owns_transport:
            with anyio.CancelScope(shield=True):
                await self._transport.aclose()

    def __del__(self) -> None:
        if getattr(self, "_state", None) is _State.OPENED and self._owns_transport:
            warnings.warn(f"{self!r} was never closed; use 'async with' or aclose()", ResourceWarning,
                          stacklevel=1)

    def with_options(self, **overrides: Any) -> AsyncClient:
        """A copy with some settings changed (``timeout``, ``retry``, ``max_in_flight``,
        ``headers``, ``strict``) sharing this client's transport; closing it leaves the
        transport open."""
        allowed = {"timeout", "retry", "max_in_flight", "headers", "strict"}
        if unknown := set(overrides) - allowed:
            raise JulepError(f"with_options() cannot change {', '.join(sorted(unknown))}")
        settings: dict[str, Any] = {
            "timeout": self.timeout, "retry": self.retry, "max_in_flight": self.max_in_flight,
            "headers": self._extra_headers, "strict": self._strict, **overrides,
        }
        return AsyncClient(api_key=self._api_key, base_url=self.base_url, transport=self._transport,
                           close_transport=False, **settings)

    # -- the pipeline -------------------------------------------------------------

    def _build(self, method: str, path: str, body: Input | None, query: Any, stream: bool,
               options: RequestOptions | None) -> Request:
        if self._state is not _State.OPENED:
            if self._state is _State.CLOSED:
                raise JulepError("this client is closed; create a new one")
            self._state = _State.OPENED
        headers: Mapping[str, str] = self._headers
        if method != "GET":
            headers = {**headers, "idempotency-key": os.urandom(16).hex()}
        if stream:
            headers = {**headers, "accept": "text/event-stream"}
        data = None if body is None else to_wire(body)
        timeout = self.timeout.attempt
        if options:
            data, query, headers, timeout = _apply(options, data, query, headers, timeout)
        encoded = None if data is None else json.dumps(
            data, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
        return Request(method, path, tuple(query), headers, encoded, stream, timeout)

    async def _send(self, request: Request) -> Response:
        if self.max_in_flight is None:
            return await self._send_with_retries(request)
        if self._in_flight is None:
            self._in_flight = anyio.Semaphore(self.max_in_flight)
        slot = self._in_flight
        try:
            slot.acquire_nowait()
        except anyio.WouldBlock:
            await slot.acquire()
        try:
            response = await self._send_with_retries(request)
        except BaseException:
            slot.release()
            raise
        if response.stream is None:
            slot.release()
            return response
        return attrs.evolve(response, stream=_OnClose(response.stream, slot.release))

    async def _send_with_retries(self, request: Request) -> Response:
        response = await send_with_retries(
            self._transport.handle_async_request, request, self.retry,
            virtual_time=getattr(self._transport, "replaying", False),
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d", request.method, request.path, response.status)
        return response

    async def _take_turn(self, key: str) -> Callable[[], None]:
        """Wait until no other call holds ``key`` (a session's chat turn); return the release.

        Chats on one session run one at a time, in arrival order, so their history writes
        never interleave, whatever the server does; other sessions are not held up. An
        uncontended turn costs a dict lookup.
        """
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
            return lambda: self._pass_turn(key, turn)
        waiter = anyio.Event()
        turn.waiters.append(waiter)
        try:
            await waiter.wait()
        except BaseException:
            if waiter.is_set():  # handed the turn just as we were cancelled: pass it on
                self._pass_turn(key, turn)
            else:
                turn.waiters.remove(waiter)
            raise
        return lambda: self._pass_turn(key, turn)

    def _pass_turn(self, key: str, turn: _Turn) -> None:
        if turn.waiters:
            turn.waiters.popleft().set()
        else:
            del self._turns[key]

    async def _raise_for_status(self, request: Request, response: Response) -> None:
        if response.status < 400:
            return
        raw = await response.aread()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        raise error_for_status(response.status, body, path=request.path,
                               request_id=response.headers.get("x-request-id"))

    def _structure(self, data: Any, cast_to: type[T], status: int) -> T:
        try:
            return self._converter.structure(data, cast_to)
        except Exception as exc:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, cattrs.BaseValidationError) else str(exc)
            raise APIResponseValidationError(
                f"the reply does not fit {cast_to.__name__}: {detail}", status_code=status, body=data
            ) from None

    @overload
    async def _request(self, method: str, path: str, *, cast_to: type[T], body: Input | None = None,
                       query: Any = (), options: RequestOptions | None = None) -> T: ...

    @overload
    async def _request(self, method: str, path: str, *, cast_to: None, body: Input | None = None,
                       query: Any = (), options: RequestOptions | None = None) -> None: ...

    async def _request(self, method: str, path: str, *, cast_to: type[T] | None, body: Input | None = None,
                       query: Any = (), options: RequestOptions | None = None) -> T | None:
        """Send one call and return its reply as ``cast_to`` (``None``: ignore the body)."""
        request = self._build(method, path, body, query, False, options)
        response = await self._send(request)
        await self._raise_for_status(request, response)
        if cast_to is None:
            return None
        try:
            data = json.loads(response.body)
        except ValueError:
            raise APIResponseValidationError(
                f"{method} {path} replied {response.status} with a body that is not JSON: "
                f"{response.body[:200]!r}", status_code=response.status, body=response.body,
            ) from None
        return self._structure(data, cast_to, response.status)

    async def _stream(self, method: str, path: str, *, body: Input, parse: type[T],
                      on_close: Callable[[], None] | None = None,
                      options: RequestOptions | None = None) -> AsyncStream[T]:
        """Send one call whose reply is an SSE stream of ``parse`` events; ``on_close`` runs
        once the stream is exhausted or closed (or at once, if the call fails)."""
        try:
            request = self._build(method, path, body, (), True, options)
            response = await self._send(request)
            await self._raise_for_status(request, response)
        except BaseException:
            if on_close is not None:
                on_close()
            raise
        stream: ByteStream = response.stream or BytesStream([response.body])
        if on_close is not None:
            stream = _OnClose(stream, on_close)
        return AsyncStream(stream, lambda data: self._structure(data, parse, response.status))

    def _pager(self, path: str, query: list[tuple[str, str]], cast_to: type[T], *,
               limit: int, offset: int, options: RequestOptions | None = None) -> AsyncPager[T]:
        async def fetch(offset: int, limit: int) -> list[T]:
            page = [*query, ("limit", str(limit)), ("offset", str(offset))]
            envelope = await self._request("GET", path, query=page, cast_to=_Items, options=options)
            return [self._structure(item, cast_to, 200) for item in envelope.items]

        return AsyncPager(fetch, limit=limit, offset=offset)


def _apply(options: RequestOptions, data: Any, query: Any, headers: Mapping[str, str],
           timeout: float | None) -> tuple[Any, Any, Mapping[str, str], float | None]:
    """One call's ``extra_body``, ``extra_query``, ``extra_headers`` and ``timeout`` applied."""
    if (extra_body := options.get("extra_body")) is not None:
        if not isinstance(extra_body, Mapping):
            raise ValidationError(f"extra_body must be a dict, got {type(extra_body).__name__}")
        try:
            check_json("extra_body", dict(extra_body))
        except FieldError as error:
            raise ValidationError(str(error)) from None
        data = {**(data or {}), **extra_body}
    if (extra_query := options.get("extra_query")) is not None:
        if not isinstance(extra_query, Mapping):
            raise ValidationError(f"extra_query must be a dict, got {type(extra_query).__name__}")
        query = [*query, *((str(key), str(value)) for key, value in extra_query.items())]
    if (extra_headers := options.get("extra_headers")) is not None:
        if not isinstance(extra_headers, Mapping):
            raise ValidationError(f"extra_headers must be a dict, got {type(extra_headers).__name__}")
        headers = {**headers, **{str(key).lower(): str(value) for key, value in extra_headers.items()}}
    if "timeout" in options:
        given = options["timeout"]
        if (given is not None and not isinstance(given, (int, float, Timeout))) or isinstance(given, bool):
            raise ValidationError(f"timeout must be seconds, a Timeout or None, got {given!r:.60}")
        timeout = given.attempt if isinstance(given, Timeout) else None if given is None else float(given)
    return data, query, headers, timeout


@attrs.frozen
class _Items:
    items: list[Any]


@attrs.define
class _Turn:
    """A session's chat turn, held by one call; the others wait in line."""

    waiters: deque[anyio.Event] = attrs.Factory(deque)


class _OnClose(StreamWrapper):
    """A stream that calls ``done`` once when it is exhausted, fails or is closed."""

    def __init__(self, inner: ByteStream, done: Callable[[], None]) -> None:
        super().__init__(inner)
        self._done = done

    async def _closed(self) -> None:
        self._done()
