"""``AsyncClient``: configuration, lifecycle, resources, and the one request pipeline.

``resource call → _request()`` (build a :class:`Request`; a chat takes its session's turn)
``→ _send()`` (in-flight cap) ``→ _send_with_retries()`` (retries within the deadline,
``transport.handle_async_request``) ``→ _raise_for_status()`` / ``_structure()`` (status →
typed error, JSON → model). With event hooks, a :class:`~julep_async.hooks._Watch` goes
along and tells them what happens at each step; without, each step checks one falsy value.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar, overload

import anyio
import attrs
import cattrs

from . import __version__, _json
from ._logs import configure_from_environment
from ._redact import Redactor, credentials
from ._response import Exchange, capturing
from ._types import UNSET, RequestOptions, Unset
from .config import DEFAULT_BASE_URL, Limits, Timeout
from .converter import Body, converter, strict_converter
from .exceptions import APIError, APIResponseValidationError, JulepError, ValidationError, error_for_status
from .hooks import Hook, _Watch, _WatchedStream
from .pagination import AsyncPager
from .resources.agents import Agents
from .resources.docs import Docs
from .resources.sessions import Sessions
from .resources.users import Users
from .retry import RetryPolicy, send_with_retries
from .streaming import AsyncStream
from .transports.base import (
    BytesStream,
    ByteStream,
    OutcomeAware,
    Replaying,
    Request,
    Response,
    StreamWrapper,
    Transport,
)
from .types._fields import FieldError, check_json, shown

T = TypeVar("T")
logger: logging.Logger = logging.getLogger("julep_async")
configure_from_environment()
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_UNSAFE = re.compile(r"[\r\n\0]")


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
        timeout: per-attempt limits: a :class:`~julep_async.config.Timeout`, or a number
            of seconds for ``Timeout(attempt=...)``. The whole ``Timeout`` rides on each request.
        retry: when to retry and the total deadline (:class:`~julep_async.retry.RetryPolicy`).
        max_retries: retries after the first attempt (shorthand for ``retry``'s ``attempts``
            minus one; ``0`` never retries).
        limits: connection pool of the HTTP transport the client builds itself.
        max_in_flight: most requests in flight at once (``None`` = no cap), apart from the
            connection pool; a stream counts until it is closed.
        headers: extra headers sent with every request.
        hooks: callables (sync or async) told of each call's events: its start, its waits
            for a session's turn or an in-flight slot, each attempt, its reply or failure,
            and how a stream ended (see :mod:`julep_async.hooks`; OpenTelemetry:
            :class:`julep_async.otel.Tracing`). A hook that raises is logged, never
            breaks the call.
        strict: refuse reply fields the models do not know (for tests: drift shows up).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        timeout: Timeout | float = Timeout(),
        retry: RetryPolicy = RetryPolicy(),
        max_retries: int | None = None,
        limits: Limits = Limits(),
        max_in_flight: int | None = None,
        headers: Mapping[str, str] | None = None,
        hooks: Sequence[Hook] = (),
        strict: bool = False,
        close_transport: bool = True,
    ) -> None:
        _check_settings(api_key=api_key, base_url=base_url, transport=transport, timeout=timeout, retry=retry,
                        max_retries=max_retries, limits=limits, max_in_flight=max_in_flight, headers=headers,
                        hooks=hooks, strict=strict, close_transport=close_transport)
        if max_retries is not None:
            retry = attrs.evolve(retry, attempts=max_retries + 1)
        api_key = api_key if api_key is not None else os.environ.get("JULEP_API_KEY")
        api_key = _checked_key(api_key) if api_key else None
        self.base_url: str = (base_url or os.environ.get("JULEP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        close_transport = close_transport or transport is None  # one it builds, it closes
        if transport is None:
            if not api_key:
                raise JulepError(
                    "no API key: pass api_key=... or set JULEP_API_KEY "
                    "(or pass transport=InMemoryTransport() to run without a server)"
                )
            from .transports.http import HttpTransport

            transport = HttpTransport(self.base_url, limits=limits)
        self._api_key = api_key
        self._transport = transport
        self._replaying = isinstance(transport, Replaying) and transport.replaying
        self.timeout: Timeout = timeout if isinstance(timeout, Timeout) else Timeout(attempt=timeout)
        self.retry = retry
        self.max_in_flight = max_in_flight
        self.hooks: tuple[Hook, ...] = tuple(hooks)
        self._converter = strict_converter if strict else converter
        self._strict = strict
        self._extra_headers = _checked_headers(headers or {})
        defaults = {
            "accept": "application/json",
            "content-type": "application/json",
            "user-agent": f"julep-async/{__version__}",
            **self._extra_headers,
        }
        if self._api_key:
            defaults["authorization"] = f"Bearer {self._api_key}"
        self._headers: Mapping[str, str] = MappingProxyType(defaults)  # shared by GETs: read-only
        self._redact = Redactor(credentials(defaults))
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
        await self._close(exc)

    async def aclose(self) -> None:
        """Close the client and its transport. Safe to call twice."""
        await self._close(None)

    async def _close(self, error: BaseException | None) -> None:
        """Close; a transport the client owns learns how the work ended (:class:`OutcomeAware`)."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        if self._owns_transport:
            with anyio.CancelScope(shield=True):
                if isinstance(self._transport, OutcomeAware):
                    await self._transport.aclose_after(error)
                else:
                    await self._transport.aclose()

    def __del__(self) -> None:
        if getattr(self, "_state", None) is _State.OPENED and self._owns_transport:
            warnings.warn(f"{self!r} was never closed; use 'async with' or aclose()", ResourceWarning,
                          stacklevel=1)  # whatever frame the collector ran in says nothing: name this one

    def with_options(
        self, *, timeout: Timeout | float | Unset = UNSET, retry: RetryPolicy | Unset = UNSET,
        max_retries: int | Unset = UNSET, max_in_flight: int | Unset | None = UNSET,
        headers: Mapping[str, str] | Unset = UNSET, hooks: Sequence[Hook] | Unset = UNSET,
        strict: bool | Unset = UNSET,
    ) -> AsyncClient:
        """A copy with the given settings changed, sharing this client's transport (closing
        the copy leaves the transport open); ``headers`` replace the extra headers and
        ``hooks`` the hooks (``hooks=[*client.hooks, mine]`` adds one)."""
        given = {"timeout": timeout, "retry": retry, "max_retries": max_retries, "max_in_flight": max_in_flight,
                 "headers": headers, "hooks": hooks, "strict": strict}
        settings: dict[str, Any] = {
            "timeout": self.timeout, "retry": self.retry, "max_in_flight": self.max_in_flight,
            "headers": self._extra_headers, "hooks": self.hooks, "strict": self._strict,
            **{name: value for name, value in given.items() if value is not UNSET},
        }
        return AsyncClient(api_key=self._api_key, base_url=self.base_url, transport=self._transport,
                           close_transport=False, **settings)

    # -- the pipeline -------------------------------------------------------------

    def _build(self, method: str, path: str, body: Body | None, query: Any, stream: bool,
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
        data = None if body is None else body.wire
        timeout = self.timeout
        if options:
            data, query, headers, timeout = _apply(options, data, query, headers, timeout)
        try:
            encoded = None if data is None else _json.dumps(data)
        except UnicodeEncodeError:  # no UTF-8 document can hold a lone surrogate
            where = _json.unencodable(data) or "(the body)"
            raise ValidationError(f"{where}: is text that is not valid Unicode (a lone surrogate)",
                                  problems=((where, "is not valid Unicode"),)) from None
        return Request(method, path, tuple(query), headers, encoded, stream, timeout)

    async def _watch(self, request: Request, body: Body | None) -> _Watch:
        """The call's watch, for the event hooks (which see the body as its model)."""
        return await _Watch.start(self.hooks, request, body.model() if body else None, self._redact)

    def _start(self, watch: _Watch | None) -> _Tally:
        """A call's tally, started now; it ends by ``RetryPolicy.deadline`` from now."""
        now = anyio.current_time()  # the one clock reading before the first attempt
        return _Tally(now, None if self.retry.deadline is None else now + self.retry.deadline, watch)

    async def _send(self, request: Request, tally: _Tally) -> Response:
        if self.max_in_flight is None:
            return await self._send_with_retries(request, tally)
        if self._in_flight is None:
            self._in_flight = anyio.Semaphore(self.max_in_flight)
        slot = self._in_flight
        try:
            slot.acquire_nowait()
        except anyio.WouldBlock:
            if tally.watch is None:
                await slot.acquire()
            else:
                await tally.watch.wait_for("in_flight", slot.acquire)
        try:
            response = await self._send_with_retries(request, tally)
        except BaseException:
            slot.release()
            raise
        if response.stream is None:
            slot.release()
            return response
        return attrs.evolve(response, stream=_OnClose(response.stream, slot.release))

    async def _send_with_retries(self, request: Request, tally: _Tally) -> Response:
        send: Callable[[Request], Awaitable[Response]] = self._transport.handle_async_request
        if tally.watch is not None:
            send = self._attempts(send, tally.watch)
        try:
            response = await send_with_retries(send, request, self.retry, ends=tally.ends, started=tally.started,
                                               skip_waits=self._replaying,
                                               redact=self._redact, observe=tally)
        except APIError as exc:  # a transport's message may quote what it was sent
            self._redact.error(exc)
            if logger.isEnabledFor(logging.INFO):
                logger.info("%s %s failed after %.3fs (attempts: %d): %s", request.method, request.path,
                            anyio.current_time() - tally.started, tally.attempts, exc)
            raise
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s -> %d in %.3fs (attempts: %d, request id: %s)", request.method, request.path,
                        response.status, anyio.current_time() - tally.started, tally.attempts,
                        response.headers.get("x-request-id", "-"))
        return response

    @staticmethod
    def _attempts(send: Callable[[Request], Awaitable[Response]],
                  watch: _Watch) -> Callable[[Request], Awaitable[Response]]:
        """``send``, telling the hooks of each attempt and adding the headers they give."""

        async def attempt(request: Request) -> Response:
            added = await watch.attempt_started()
            if added:
                try:
                    request = attrs.evolve(request, headers={**_checked_headers(added), **request.headers})
                except ValidationError as error:
                    logger.error("headers added by a hook were not sent: %s", error)
            return await send(request)

        return attempt

    async def _take_turn(self, key: str, watch: _Watch | None = None) -> Callable[[], None]:
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
            if watch is None:
                await waiter.wait()
            else:
                await watch.wait_for("turn", waiter.wait)
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
            body: Any = self._redact.data(_json.loads(raw))
        except ValueError:
            body = self._redact(raw.decode(errors="replace"))
        raise error_for_status(response.status, body, path=request.path,
                               request_id=response.headers.get("x-request-id"))

    def _structure(self, data: Any, cast_to: type[T], status: int) -> T:
        try:
            return self._converter.structure(data, cast_to)
        except Exception as exc:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, cattrs.BaseValidationError) else str(exc)
            raise APIResponseValidationError(self._redact(f"the reply does not fit {cast_to.__name__}: {detail}"),
                                             status_code=status, body=self._redact.data(data)) from None

    def _json(self, raw: bytes | str, status: int, what: str) -> Any:
        """``raw`` decoded as JSON; else an error naming ``what`` it was."""
        try:
            return _json.loads(raw)
        except ValueError:
            text = raw if isinstance(raw, str) else raw.decode(errors="replace")
            raise APIResponseValidationError(self._redact(f"{what} is not JSON: {text[:200]!r}"),
                                             status_code=status, body=self._redact(text)) from None

    @overload
    async def _request(self, method: str, path: str, *, cast_to: type[T], body: Body | None = None,
                       query: Any = (), options: RequestOptions | None = None, turn: bool = False) -> T: ...

    @overload
    async def _request(self, method: str, path: str, *, cast_to: None, body: Body | None = None,
                       query: Any = (), options: RequestOptions | None = None, turn: bool = False) -> None: ...

    async def _request(self, method: str, path: str, *, cast_to: type[T] | None, body: Body | None = None,
                       query: Any = (), options: RequestOptions | None = None, turn: bool = False) -> T | None:
        """Send one call and return its reply as ``cast_to`` (``None``: ignore the body).
        With ``turn``, the call first takes ``path``'s turn (:meth:`_take_turn`: a session's chat)."""
        request = self._build(method, path, body, query, False, options)
        watch = await self._watch(request, body) if self.hooks else None
        try:
            release = await self._take_turn(path, watch) if turn else None
            try:
                tally = self._start(watch)
                response = await self._send(request, tally)
                if (exchange := capturing()) is not None:
                    tally.fill(exchange, response)
                await self._raise_for_status(request, response)
                result = None if cast_to is None else self._structure(self._json(
                    response.body, response.status, f"the body of {method} {path}'s {response.status} reply",
                ), cast_to, response.status)
            finally:
                if release is not None:
                    release()
        except BaseException as error:
            if watch is not None:
                await watch.failed(error)
            raise
        if watch is not None:
            await watch.responded(response, result)
        return result

    async def _stream(self, method: str, path: str, *, body: Body, parse: type[T],
                      options: RequestOptions | None = None) -> AsyncStream[T]:
        """Send one call whose reply is an SSE stream of ``parse`` events (a streamed chat:
        it takes ``path``'s turn and holds it until the stream is exhausted or closed).
        The read timeout applies between events, and the call's deadline to the whole stream."""
        request = self._build(method, path, body, (), True, options)
        watch = await self._watch(request, body) if self.hooks else None
        release = None
        try:
            release = await self._take_turn(path, watch)
            tally = self._start(watch)
            response = await self._send(request, tally)
            if (exchange := capturing()) is not None:
                tally.fill(exchange, response)
            await self._raise_for_status(request, response)
        except BaseException as error:
            if release is not None:
                release()
            if watch is not None:
                await watch.failed(error)
            raise
        stream: ByteStream = _OnClose(response.stream or BytesStream([response.body]), release)
        status = response.status

        def parse_event(data: str) -> T:
            return self._structure(self._json(data, status, "a stream event"), parse, status)

        if watch is None:
            return AsyncStream(stream, parse_event, read=request.timeout.read, ends=tally.ends)
        # Shielded: cancelled in the hook, the stream (and its turn and slot) would be lost.
        await watch.responded(response, None, shield=True)
        return _WatchedStream(watch, stream, parse_event, read=request.timeout.read, ends=tally.ends)

    def _pager(self, path: str, query: list[tuple[str, str]], cast_to: type[T], *,
               limit: int, offset: int, options: RequestOptions | None = None) -> AsyncPager[T]:
        async def fetch(offset: int, limit: int) -> list[T]:
            page = [*query, ("limit", str(limit)), ("offset", str(offset))]
            envelope = await self._request("GET", path, query=page, cast_to=_Items, options=options)
            return [self._structure(item, cast_to, 200) for item in envelope.items]

        return AsyncPager(fetch, limit=limit, offset=offset)


def _apply(options: RequestOptions, data: Any, query: Any, headers: Mapping[str, str],
           timeout: Timeout) -> tuple[Any, Any, Mapping[str, str], Timeout]:
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
        headers = {**headers, **_checked_headers(extra_headers)}
    if "timeout" in options:
        given = options["timeout"]
        if (given is not None and not isinstance(given, (int, float, Timeout))) or isinstance(given, bool):
            raise ValidationError(f"timeout must be seconds, a Timeout or None, got {shown(given)}")
        timeout = given if isinstance(given, Timeout) else attrs.evolve(timeout, attempt=given)
    return data, query, headers, timeout


def _check_settings(**settings: Any) -> None:
    """Refuse, at construction, a setting of the wrong type or range (never later)."""
    kinds: dict[str, tuple[type, ...]] = {
        "api_key": (str, type(None)), "base_url": (str, type(None)), "timeout": (Timeout, int, float),
        "retry": (RetryPolicy,), "max_retries": (int, type(None)), "limits": (Limits,),
        "max_in_flight": (int, type(None)), "headers": (Mapping, type(None)), "hooks": (Sequence,),
        "strict": (bool,), "close_transport": (bool,),
    }
    for name, kinds_of in kinds.items():
        value = settings[name]
        if not isinstance(value, kinds_of) or (isinstance(value, bool) and bool not in kinds_of):
            expected = " or ".join("None" if kind is type(None) else kind.__name__ for kind in kinds_of)
            raise ValidationError(f"{name} must be {expected}, got {shown(value)}")
    transport = settings["transport"]
    if transport is not None and not (callable(getattr(transport, "handle_async_request", None))
                                      and callable(getattr(transport, "aclose", None))):
        raise ValidationError(f"transport must be a Transport (handle_async_request and aclose), got "
                              f"{shown(transport)}")
    for hook in settings["hooks"]:
        if not callable(hook):
            raise ValidationError(f"each hook must be a callable, got {shown(hook)}")
    if settings["max_retries"] is not None and settings["max_retries"] < 0:
        raise ValidationError(f"max_retries must be 0 or more, got {settings['max_retries']}")
    if settings["max_in_flight"] is not None and settings["max_in_flight"] < 1:
        raise ValidationError(f"max_in_flight must be at least 1 or None, got {settings['max_in_flight']}")
    if not isinstance(settings["timeout"], Timeout):
        Timeout(attempt=settings["timeout"])  # checks the number


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with lower-case names, each name a token and each value free of CR, LF and NUL."""
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ValidationError(f"header name {name!r} is not a valid HTTP header name")
        if not isinstance(value, str) or _UNSAFE.search(value):  # the value is not shown: it may be a secret
            raise ValidationError(f"header {name.lower()!r} must be a string without CR, LF or NUL characters")
    return {name.lower(): value for name, value in headers.items()}


def _checked_key(api_key: str) -> str:
    if not isinstance(api_key, str) or _UNSAFE.search(api_key):
        raise ValidationError("api_key must be a string without CR, LF or NUL characters")
    return api_key


class _Tally:
    """One call's attempts, counted as they end (the retry loop's observer), and the call's
    :class:`~julep_async.hooks._Watch` when the client has hooks."""

    __slots__ = ("attempts", "ends", "started", "watch")

    def __init__(self, started: float, ends: float | None, watch: _Watch | None = None) -> None:
        self.attempts = 0
        self.started, self.ends = started, ends  # on anyio's clock
        self.watch = watch

    def __call__(self, attempt: int, response: Response | None, error: BaseException | None,
                 wait: float | None) -> Awaitable[None] | None:
        self.attempts = attempt + 1
        if self.watch is not None:
            return self.watch.attempt_ended(attempt, response, error, wait)
        return None

    def fill(self, exchange: Exchange, response: Response) -> None:
        """Record the call's exchange for a ``with_raw_response`` caller."""
        exchange.status, exchange.headers = response.status, response.headers
        exchange.content = response.body
        exchange.retries, exchange.elapsed = self.attempts - 1, anyio.current_time() - self.started


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
