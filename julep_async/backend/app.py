"""The fake Julep backend as one async handler: :class:`~julep_async.transports.Request`
in, :class:`~julep_async.transports.Response` out.

:class:`~julep_async.transports.InMemoryTransport` calls it in-process; ``julep-async
serve`` puts it behind aiohttp.web. Either way it is the same code and the same bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio

from .. import _json
from ..transports.base import ByteStream, Request, Response, StreamWrapper
from .clock import Clock
from .context import DEFAULT_CONTEXT_WINDOW, Summarizer, TokenCounter, count_tokens
from .faults import Fault
from .parse import Call
from .responder import ModelReply, Responder, as_responder, takes_tools
from .routes import resolve
from .store import Tenant

JSON_HEADERS = {"content-type": "application/json"}
ANONYMOUS = ""


def _dumps(payload: Any) -> bytes:
    return _json.dumps(payload)


def api_key_of(headers: Mapping[str, str]) -> str | None:
    """The key a request carries: ``Authorization: Bearer <key>`` or ``X-Auth-Key``."""
    value = headers.get("authorization") or headers.get("x-auth-key")
    if value is None:
        return None
    return value[7:] if value[:7].lower() == "bearer " else value


class Backend:
    """A stateful, in-memory implementation of the Julep v1 API (and this project's extensions).

    Args:
        seed: makes ids and timestamps deterministic (see :class:`~.clock.Clock`).
        responder: the fake model (see :mod:`.responder`); default echoes deterministically.
        api_keys: if given, only these keys are accepted (401 without a key, 403 with
            another); if ``None`` any key, or none, is accepted.
        token_counter: counts the tokens of a text (default: ``ceil(len / 4)``).
        summarizer: folds old turns into a summary (default: deterministic, see :mod:`.context`).
        context_window: the fake model's window, in tokens.
        call_tools: the default model calls every function tool it is given (else only one
            that ``tool_choice`` names).

    State is kept per API key: one key never sees another key's data.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        responder: Responder | Sequence[str | ModelReply] | None = None,
        api_keys: Iterable[str] | None = None,
        token_counter: TokenCounter = count_tokens,
        summarizer: Summarizer | None = None,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
        call_tools: bool = False,
    ) -> None:
        self.clock: Clock = Clock(seed)
        self.responder: Responder = as_responder(responder, call_tools=call_tools)
        self.api_keys: frozenset[str] | None = None if api_keys is None else frozenset(api_keys)
        self.counter = token_counter
        self.summarizer = summarizer
        self.context_window = context_window
        self.timer: Callable[[], float] = (lambda: 0.0) if seed is not None else time.perf_counter
        self._tenants: dict[str, Tenant] = {}

    def __repr__(self) -> str:
        return f"<Backend tenants={len(self._tenants)}>"

    @property
    def responder(self) -> Responder:
        """The fake model (see :mod:`.responder`); replace it at any time."""
        return self._responder

    @responder.setter
    def responder(self, responder: Responder) -> None:
        self._responder = responder
        self.responder_takes_tools: bool = takes_tools(responder)  # asked once, not on every turn

    async def handle(self, request: Request) -> Response:
        """Answer one request, with an ``x-request-id``. Never raises for a bad request:
        errors are error replies."""
        try:
            tenant = self._tenant(request)
            key = request.headers.get("idempotency-key") if request.method != "GET" else None
            if key:
                response = await self._idempotent(tenant, key, request)
            else:
                response = await self._dispatch(tenant, request)
        except Fault as fault:
            response = Response(fault.status, JSON_HEADERS, _dumps(fault.payload()))
        headers = {**response.headers, "x-request-id": self.clock.request_id()}
        return Response(response.status, headers, response.body, response.stream)

    def _tenant(self, request: Request) -> Tenant:
        key = api_key_of(request.headers)
        if self.api_keys is not None:
            if not key:
                raise Fault(401, "an API key is required (Authorization: Bearer <key>)")
            if key not in self.api_keys:
                raise Fault(403, "Could not validate API KEY")
        key = key or ANONYMOUS
        tenant = self._tenants.get(key)
        if tenant is None:
            tenant = self._tenants[key] = Tenant()
        return tenant

    async def _dispatch(self, tenant: Tenant, request: Request) -> Response:
        handler, collection, ids = resolve(request.method, request.path)
        call = Call(self, tenant, collection, ids, dict(request.query), request.body)
        try:
            reply = await handler(call)
        except Fault:
            raise
        except Exception as exc:  # a bug, or a failing responder: a 500, as a server would answer
            raise Fault(500, f"internal error: {type(exc).__name__}: {exc}", type="internal_error") from exc
        if isinstance(reply, Response):
            return reply
        status, payload = reply
        return Response(status, JSON_HEADERS, _dumps(payload))

    async def _idempotent(self, tenant: Tenant, key: str, request: Request) -> Response:
        """Replay the saved reply for a repeated ``Idempotency-Key``; wait if it is in flight."""
        fingerprint = (request.method, request.path, request.body or b"")
        while key in tenant.pending:  # a duplicate while the first is running: wait for it
            waiter = tenant.pending[key]
            if waiter is None:
                waiter = tenant.pending[key] = anyio.Event()
            await waiter.wait()
        saved = tenant.replies.get(key)
        if saved is not None:
            seen, status, headers, body = saved
            if seen != fingerprint:
                raise Fault(422, "this Idempotency-Key was used for a different request",
                            code="idempotency_key_reused")
            return Response(status, dict(headers), body)
        tenant.pending[key] = None  # the Event is made only if a duplicate has to wait

        def finished(status: int, headers: Mapping[str, str], body: bytes | None) -> None:
            if body is not None and status < 500:  # kept: trimmed to their size (see _json.trimmed)
                method, path, sent = fingerprint
                tenant.remember(key, ((method, path, _json.trimmed(sent)), status, tuple(headers.items()),
                                      _json.trimmed(body)))
            if (waiter := tenant.pending.pop(key, None)) is not None:
                waiter.set()

        try:
            response = await self._dispatch(tenant, request)
        except BaseException:
            finished(500, {}, None)
            raise
        if response.stream is None:
            finished(response.status, response.headers, response.body)
            return response
        return Response(response.status, response.headers, stream=_Teed(
            response.stream,
            lambda chunks: finished(response.status, response.headers, None if chunks is None else b"".join(chunks)),
        ))


class _Teed(StreamWrapper):
    """Passes a stream through and hands its chunks to ``finished`` (``None`` if it broke off)."""

    def __init__(self, inner: ByteStream, finished: Callable[[list[bytes] | None], None]) -> None:
        super().__init__(inner)
        self._finished = finished
        self._chunks: list[bytes] = []
        self._complete = False

    def _passed(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def _ending(self, error: BaseException) -> BaseException:
        self._complete = isinstance(error, StopAsyncIteration)
        return error

    async def _closed(self) -> None:
        self._finished(self._chunks if self._complete else None)
