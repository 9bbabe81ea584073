"""Event hooks: one seam in the request pipeline, for timing, metrics and tracing.

Register callables on the client; each is told of every call's events, in order::

    def hook(event: Event) -> None:
        print(event)

    async with AsyncClient(hooks=[hook]) as client: ...
    client.with_options(hooks=[*client.hooks, another])   # hooks= replaces the list

A hook may be a plain function or an ``async`` one (whatever it returns that is
awaitable is awaited). Hooks run in the task that makes the call, in the order given,
before the call goes on: a slow hook slows the call. A hook that raises does not break
the call: the error is logged (the ``julep_async`` logger, ERROR, with the traceback)
and the next hook is told. Cancellation is not caught. The events that end a call
(:class:`CallFailed`, :class:`StreamEnded`), and those told while the call holds
something it must give back (a turn, a slot, an open stream), are delivered even while
the call is being cancelled, so a span or a timer can always be closed.

The events, each a frozen, slotted object carrying the :class:`Call` it belongs to:

- :class:`CallStarted`: a call is built and starts (its request is valid);
- :class:`Waited`: it had to wait, for its session's turn or for a slot under
  ``max_in_flight`` (told only when it actually waited);
- :class:`AttemptStarted`: an attempt is about to be sent; a hook may add headers to it;
- :class:`AttemptEnded`: the attempt ended: status or error, time taken, request id,
  and the wait before the next attempt;
- :class:`Responded`: the call has its reply (for a stream: the stream is open);
- :class:`StreamEnded`: a streamed reply ended: completed, closed early, or failed;
- :class:`CallFailed`: the call raised (the error as the caller gets it).

Every call that starts ends with exactly one :class:`Responded` (followed, for a stream,
by one :class:`StreamEnded`) or one :class:`CallFailed`. In between: the waits (turn,
then slot), then ``AttemptStarted``/``AttemptEnded`` per attempt.

Times are seconds on anyio's clock, measured only when the client has hooks: with none,
no event is built and the pipeline pays one falsy check per event site.

Events never carry headers or credentials, and every error they carry has had the
client's API key redacted. :attr:`Call.body` and the replies are the caller's own data
(message contents included); they are left out of ``repr(event)``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import anyio
import attrs

from ._ids import canonical_id
from ._redact import Redactor
from .streaming import AsyncStream
from .transports.base import ByteStream, Request, Response
from .types import ChatChunk, Input, join_chunks

__all__ = [
    "AttemptEnded",
    "AttemptStarted",
    "Call",
    "CallFailed",
    "CallStarted",
    "Event",
    "Hook",
    "Responded",
    "StreamEnded",
    "Waited",
    "operation_of",
    "route_of",
]

logger: logging.Logger = logging.getLogger("julep_async")
T = TypeVar("T")


@attrs.frozen(eq=False)
class Call:
    """One API call: the same object on each of its events (a dict key for per-call state).

    Attributes:
        operation: the SDK method that made it, e.g. ``"sessions.chat"`` (see :func:`operation_of`).
        method: the HTTP method.
        path: the path below the base URL, e.g. ``/sessions/<id>/chat``.
        route: the path with each id written ``{id}``: ``/sessions/{id}/chat``.
        session_id: the session it concerns, if its path names one.
        stream: its reply is a stream.
        body: the request body model sent (e.g. a :class:`~julep_async.types.ChatInput`),
            if any: the caller's own data, message contents included.
        redact: the client's redaction: hides its credentials in any text you derive from
            the call's data (``call.redact(json.dumps(...))``).
    """

    operation: str
    method: str
    path: str
    route: str
    session_id: str | None
    stream: bool
    body: Input | None = attrs.field(repr=False)
    redact: Callable[[str], str] = attrs.field(repr=False)


@attrs.frozen
class CallStarted:
    """The call is built and starts: nothing has been waited for or sent yet."""

    call: Call


@attrs.frozen
class Waited:
    """The call had to wait ``seconds`` before going on: for its session's ``"turn"``
    (chats on one session run one at a time) or for a slot under the client's
    ``max_in_flight`` cap (``"in_flight"``). Told only when it actually waited."""

    call: Call
    reason: Literal["turn", "in_flight"]
    seconds: float


@attrs.frozen
class AttemptStarted:
    """Attempt ``attempt`` (0 for the first) is about to be sent.

    ``headers`` starts empty; what a hook puts in it is added to this attempt's request
    (a W3C ``traceparent``, say). Names are sent in lower case; a header the request
    already has (``authorization``, ``idempotency-key``, ...) is not replaced, and an
    invalid name or value is logged and left out.
    """

    call: Call
    attempt: int
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class AttemptEnded:
    """Attempt ``attempt`` ended after ``elapsed`` seconds: with a reply ``status`` (and
    the server's ``request_id``), or with ``error`` (a connection error or a timeout; no
    reply). ``retry_in`` is the wait before the next attempt, ``None`` if this was the last
    (a replaying transport or :func:`~julep_async.testing.no_backoff` decides the wait but
    skips it)."""

    call: Call
    attempt: int
    status: int | None
    error: BaseException | None
    elapsed: float
    request_id: str | None
    retry_in: float | None


@attrs.frozen
class Responded:
    """The call has its reply: ``status``, the last attempt's ``request_id``, ``elapsed``
    seconds since :class:`CallStarted` (every wait included) and the ``attempts`` sent
    (1: no retry). ``reply`` is what the call returns (a model, or ``None``); for a
    stream it is ``None``: the stream is now open, and :class:`StreamEnded` follows."""

    call: Call
    status: int
    request_id: str | None
    elapsed: float
    attempts: int
    reply: object = attrs.field(repr=False)


@attrs.frozen
class StreamEnded:
    """A streamed reply ended after ``events`` events: ``"completed"`` (read to its end),
    ``"closed"`` (closed, or cancelled, before the end) or ``"failed"`` (``error``: the
    stream broke off, timed out, or sent an event that does not parse). ``elapsed`` is
    seconds since :class:`CallStarted`. For a completed chat stream, ``reply`` is the
    :class:`~julep_async.types.ChatResponse` its chunks add up to (``join_chunks``)."""

    call: Call
    outcome: Literal["completed", "closed", "failed"]
    events: int
    error: BaseException | None
    elapsed: float
    reply: object = attrs.field(repr=False)


@attrs.frozen
class CallFailed:
    """The call raised ``error`` (redacted), ``elapsed`` seconds after :class:`CallStarted`,
    with ``attempts`` sent (0 if it failed, or was cancelled, before sending anything)."""

    call: Call
    error: BaseException
    elapsed: float
    attempts: int


Event: TypeAlias = CallStarted | Waited | AttemptStarted | AttemptEnded | Responded | StreamEnded | CallFailed
"""Any event a hook is told of."""

Hook: TypeAlias = Callable[[Event], Awaitable[None] | None]
"""A sync or async callable told of each event."""


# -- operations --------------------------------------------------------------------


def _operations() -> dict[tuple[str, str], str]:
    """``(method, route) → operation``: one entry per SDK method that sends a request."""
    table = {
        ("GET", "/agents/models"): "agents.list_models",
        ("POST", "/sessions/{id}/chat"): "sessions.chat",
        ("POST", "/sessions/{id}/render"): "sessions.render",
        ("GET", "/sessions/{id}/history"): "sessions.history",
        ("DELETE", "/sessions/{id}/history"): "sessions.clear",
        ("POST", "/sessions/{id}/docs/search"): "sessions.docs.search",
        ("GET", "/docs/{id}"): "docs.get",
        ("POST", "/embed"): "docs.embed",
        ("GET", "/agents/{id}/tools"): "agents.tools.list",
        ("POST", "/agents/{id}/tools"): "agents.tools.create",
        ("PATCH", "/agents/{id}/tools/{id}"): "agents.tools.update",
        ("PUT", "/agents/{id}/tools/{id}"): "agents.tools.reset",
        ("DELETE", "/agents/{id}/tools/{id}"): "agents.tools.delete",
    }
    crud = {("GET", ""): "list", ("POST", ""): "create", ("GET", "/{id}"): "get",
            ("POST", "/{id}"): "create_or_update", ("PATCH", "/{id}"): "update", ("PUT", "/{id}"): "reset",
            ("DELETE", "/{id}"): "delete"}
    docs = {("POST", "/{id}/docs"): "docs.create", ("GET", "/{id}/docs"): "docs.list",
            ("DELETE", "/{id}/docs/{id}"): "docs.delete"}
    for kind in ("agents", "users", "sessions"):
        for (method, tail), name in (crud | docs).items():
            table[(method, f"/{kind}{tail}")] = f"{kind}.{name}"
    for owner in ("agents", "users"):
        table[("POST", f"/{owner}/{{id}}/search")] = f"{owner}.docs.search"
        table[("DELETE", f"/{owner}/{{id}}/docs")] = f"{owner}.docs.bulk_delete"
    return table


_OPERATIONS = _operations()


def route_of(path: str) -> str:
    """``path`` with each id (a UUID, in any of the forms Julep reads) written ``{id}``."""
    return "/".join("{id}" if 32 <= len(part) <= 36 and canonical_id(part) else part for part in path.split("/"))


def operation_of(method: str, path: str) -> str:
    """The SDK method a request comes from (``"sessions.chat"``, ``"agents.docs.search"``),
    the name of its span; ``"<METHOD> <route>"`` for a request no SDK method sends."""
    return _operation(method, route_of(path))


def _operation(method: str, route: str) -> str:
    return _OPERATIONS.get((method, route), f"{method} {route}")


# -- delivery (used by the client, only when it has hooks) ------------------------------


class _Watch:
    """One call as its hooks see it: the events are built here and told by :meth:`emit`.
    The client makes one per call only when it has hooks."""

    __slots__ = ("_attempt_began", "attempts", "call", "hooks", "redactor", "started")

    def __init__(self, hooks: Sequence[Hook], call: Call, redactor: Redactor) -> None:
        self.hooks = hooks
        self.call = call
        self.redactor = redactor
        self.started = anyio.current_time()
        self.attempts = 0
        self._attempt_began = self.started

    @classmethod
    async def start(cls, hooks: Sequence[Hook], request: Request, body: Input | None, redactor: Redactor) -> _Watch:
        """Tell the hooks that the call of ``request`` starts; its watch."""
        route = route_of(request.path)
        session_id = request.path.split("/")[2] if route.startswith("/sessions/{id}") else None
        call = Call(_operation(request.method, route), request.method, request.path, route, session_id,
                    request.stream, body, redactor)
        watch = cls(hooks, call, redactor)
        await watch.emit(CallStarted(call))
        return watch

    async def emit(self, event: Event, *, shield: bool = False) -> None:
        """Tell each hook of ``event`` in turn; log (and get past) a hook that raises.
        ``shield``: an async hook finishes even if the call is being cancelled."""
        for hook in self.hooks:
            try:
                told = hook(event)
                if told is not None and inspect.isawaitable(told):
                    with anyio.CancelScope(shield=shield):
                        await told
            except Exception:
                logger.exception("the hook %r raised on %s; the call goes on", hook, type(event).__name__)

    def elapsed(self) -> float:
        return anyio.current_time() - self.started

    async def wait_for(self, reason: Literal["turn", "in_flight"], wait: Callable[[], Awaitable[object]]) -> None:
        """Wait, then tell the hooks how long it took. Told shielded: the caller now holds
        what it waited for, and releases it only if a later step is cancelled."""
        since = anyio.current_time()
        await wait()
        await self.emit(Waited(self.call, reason, anyio.current_time() - since), shield=True)

    async def attempt_started(self) -> dict[str, str]:
        """Tell of the next attempt; the headers the hooks want added to it."""
        self._attempt_began = anyio.current_time()
        event = AttemptStarted(self.call, self.attempts)
        await self.emit(event)
        return event.headers

    async def attempt_ended(self, attempt: int, response: Response | None, error: BaseException | None,
                            retry_in: float | None) -> None:
        """The retry loop's observer (``AttemptObserver``), through the client's tally."""
        self.attempts = attempt + 1
        if error is not None:
            self.redactor.error(error)
        await self.emit(AttemptEnded(
            self.call, attempt, None if response is None else response.status, error,
            anyio.current_time() - self._attempt_began,
            None if response is None else response.headers.get("x-request-id"), retry_in))

    async def responded(self, response: Response, reply: object, *, shield: bool = False) -> None:
        await self.emit(Responded(self.call, response.status, response.headers.get("x-request-id"), self.elapsed(),
                                  self.attempts, reply), shield=shield)

    async def failed(self, error: BaseException) -> None:
        self.redactor.error(error)
        await self.emit(CallFailed(self.call, error, self.elapsed(), self.attempts), shield=True)


class _WatchedStream(AsyncStream[T], Generic[T]):
    """An :class:`AsyncStream` that tells its call's hooks how it ended (:class:`StreamEnded`)."""

    def __init__(self, watch: _Watch, stream: ByteStream, parse: Callable[[str], T], *,
                 read: float | None = None, ends: float | None = None) -> None:
        super().__init__(stream, parse, read=read, ends=ends)
        self._watch = watch
        self._items: list[T] = []
        self._told = False

    async def __anext__(self) -> T:
        item = await super().__anext__()
        self._items.append(item)
        return item

    async def _ended(self, error: BaseException | None) -> None:
        await super()._ended(error)
        if self._told:
            return
        self._told = True
        outcome: Literal["completed", "closed", "failed"]
        reply: Any = None
        if isinstance(error, StopAsyncIteration):
            outcome, error = "completed", None
            chunks = [item for item in self._items if isinstance(item, ChatChunk)]
            reply = join_chunks(chunks) if chunks else None
        elif isinstance(error, Exception):
            outcome = "failed"
            self._watch.redactor.error(error)
        else:  # closed by the caller, or cancelled
            outcome, error = "closed", None
        watch = self._watch
        await watch.emit(StreamEnded(watch.call, outcome, len(self._items), error, watch.elapsed(), reply),
                         shield=True)
