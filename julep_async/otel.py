"""OpenTelemetry traces and metrics for julep_async, built on its event hooks.

Needs the ``otel`` extra (``pip install 'julep-async[otel]'``: ``opentelemetry-api``
only; you bring the SDK and exporters)::

    from julep_async import AsyncClient
    from julep_async.otel import Tracing

    client = AsyncClient(api_key="...", hooks=[Tracing()])  # the global tracer and meter providers

What each call gives (the same on every transport: a replayed call gives the spans of
the recorded one, without the server's):

- a span named after the SDK method (``sessions.chat``), kind INTERNAL, a child of the
  span current where the call was made, with ``julep.operation``, ``julep.session.id``,
  ``http.request.method``, ``url.template`` and, where they apply, the GenAI semantic
  conventions' ``gen_ai.operation.name``, ``gen_ai.request.model``,
  ``gen_ai.usage.input_tokens`` / ``output_tokens`` and ``gen_ai.response.finish_reasons``;
- under it, one span per attempt, kind CLIENT, named ``POST /sessions/{id}/chat``, with
  ``http.response.status_code``, ``julep.request.id`` and ``http.request.resend_count``
  for a retry. Its W3C ``traceparent`` goes out with the request, so a server that
  continues the trace (``julep-async serve`` does) puts its span under it;
- span events on the call's span for each wait, stamped when the wait began and carrying
  ``julep.wait.seconds``: ``julep.wait.turn`` (its session's turn),
  ``julep.wait.in_flight`` (a slot under ``max_in_flight``) and ``julep.wait.retry``
  (the backoff before the next attempt). The attempt spans are the server's time;
- a streamed reply keeps its span open until the stream ends: ``julep.stream.events``
  and ``julep.stream.outcome`` (``completed``, ``closed``, ``failed``).

Metrics: ``julep.client.request.duration`` (histogram, seconds, per call, every wait
included) and ``julep.client.token.usage`` (counter, tokens, ``gen_ai.token.type`` =
``input`` | ``output``).

No header, credential or message content is recorded: errors are recorded redacted,
and the messages sent and received only with ``capture_content=True`` (as the GenAI
conventions' ``gen_ai.input.messages`` / ``gen_ai.output.messages``, JSON, redacted).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

try:
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.trace import Span, SpanKind, Status, StatusCode
except ImportError as _missing:  # pragma: no cover - the message is the point
    raise ImportError(
        "julep_async.otel needs OpenTelemetry: pip install 'julep-async[otel]' (the opentelemetry-api package)"
    ) from _missing

import attrs

from . import __version__
from .exceptions import APIStatusError
from .hooks import (
    AttemptEnded,
    AttemptStarted,
    Call,
    CallFailed,
    CallStarted,
    Event,
    Responded,
    StreamEnded,
    Waited,
    route_of,
)
from .transports.base import Request, Response
from .types import ChatInput, ChatResponse

__all__ = ["ServerTracing", "Tracing"]

# What the GenAI conventions call the operations that are theirs.
GEN_AI_OPERATIONS = {"sessions.chat": "chat", "docs.embed": "embeddings"}
# Seconds, as the GenAI conventions advise for operation durations.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)


@attrs.define
class _Open:
    """A call in flight: its span, the attempt's, and what the metrics are labelled with."""

    span: Span
    labels: dict[str, str | int]
    attempt: Span | None = None


class Tracing:
    """A hook that turns each call's events into OpenTelemetry spans and metrics.

    Register it like any hook: ``AsyncClient(hooks=[Tracing()])``, or
    ``client.with_options(hooks=[*client.hooks, Tracing()])``. One instance may serve
    several clients. A call's span ends with the call; a stream's, when the stream is
    read to its end or closed (a stream never closed keeps its span open).

    Args:
        tracer_provider: where spans go (default: the global provider).
        meter_provider: where metrics go (default: the global provider).
        capture_content: also record the messages sent and the reply's messages
            (``gen_ai.input.messages`` / ``gen_ai.output.messages``), with the client's
            credentials redacted. Off by default: message contents are your users' data.
    """

    def __init__(self, *, tracer_provider: trace.TracerProvider | None = None,
                 meter_provider: metrics.MeterProvider | None = None, capture_content: bool = False) -> None:
        self.capture_content = capture_content
        self._tracer = trace.get_tracer("julep_async", __version__, tracer_provider)
        meter = metrics.get_meter("julep_async", __version__, meter_provider)
        self._duration = meter.create_histogram(
            "julep.client.request.duration", unit="s", description="Duration of julep_async calls, waits included",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS)
        self._tokens = meter.create_counter(
            "julep.client.token.usage", unit="{token}", description="Tokens used by julep_async calls")
        self._open: dict[Call, _Open] = {}

    def __repr__(self) -> str:
        return f"<Tracing capture_content={self.capture_content} calls in flight={len(self._open)}>"

    def __call__(self, event: Event) -> None:
        match event:
            case CallStarted(call):
                self._started(call)
            case Waited(call, reason, seconds):
                if (open_ := self._open.get(call)) is not None:
                    _wait_event(open_.span, reason, seconds, began=time.time_ns() - int(seconds * 1e9))
            case AttemptStarted():
                self._attempt_started(event)
            case AttemptEnded():
                self._attempt_ended(event)
            case Responded(call, status, request_id):
                if (open_ := self._open.get(call)) is not None:
                    open_.span.set_attributes(_reply_attributes(status, request_id, event.attempts))
                    open_.labels["http.response.status_code"] = status
                    if not call.stream:
                        self._finish(call, event.reply, event.elapsed, None)
            case StreamEnded(call, outcome, events, error):
                if (open_ := self._open.get(call)) is not None:
                    open_.span.set_attributes({"julep.stream.events": events, "julep.stream.outcome": outcome})
                    self._finish(call, event.reply, event.elapsed, error)
            case CallFailed(call, error, elapsed):
                if (open_ := self._open.get(call)) is not None:
                    if isinstance(error, APIStatusError):
                        open_.span.set_attributes(_reply_attributes(error.status_code, error.request_id, None))
                        open_.labels["http.response.status_code"] = error.status_code
                    self._finish(call, None, elapsed, error)

    def _started(self, call: Call) -> None:
        attributes: dict[str, Any] = {"julep.operation": call.operation, "http.request.method": call.method,
                                      "url.template": call.route}
        labels: dict[str, str | int] = {"julep.operation": call.operation}
        if call.session_id is not None:
            attributes["julep.session.id"] = call.session_id
        if (operation := GEN_AI_OPERATIONS.get(call.operation)) is not None:
            attributes["gen_ai.operation.name"] = labels["gen_ai.operation.name"] = operation
        if isinstance(call.body, ChatInput):
            if isinstance(call.body.model, str):
                attributes["gen_ai.request.model"] = labels["gen_ai.request.model"] = call.body.model
            if self.capture_content:
                sent = [message.to_dict() for message in call.body.messages]
                attributes["gen_ai.input.messages"] = call.redact(json.dumps(sent, ensure_ascii=False))
        span = self._tracer.start_span(call.operation, kind=SpanKind.INTERNAL, attributes=attributes)
        self._open[call] = _Open(span, labels)

    def _attempt_started(self, event: AttemptStarted) -> None:
        open_ = self._open.get(event.call)
        if open_ is None:
            return
        attributes: dict[str, Any] = {"http.request.method": event.call.method, "url.template": event.call.route}
        if event.attempt:
            attributes["http.request.resend_count"] = event.attempt
        open_.attempt = self._tracer.start_span(
            f"{event.call.method} {event.call.route}", context=trace.set_span_in_context(open_.span),
            kind=SpanKind.CLIENT, attributes=attributes)
        propagate.inject(event.headers, context=trace.set_span_in_context(open_.attempt))

    def _attempt_ended(self, event: AttemptEnded) -> None:
        open_ = self._open.get(event.call)
        if open_ is None or open_.attempt is None:
            return
        span, open_.attempt = open_.attempt, None
        if event.status is not None:
            span.set_attributes(_reply_attributes(event.status, event.request_id, None))
            if event.status >= 400:
                span.set_status(StatusCode.ERROR)
                span.set_attribute("error.type", str(event.status))
        if event.error is not None:
            _failed(span, event.error, event.call)
        if event.retry_in is not None:
            span.set_attribute("julep.retry.wait_seconds", event.retry_in)
            _wait_event(open_.span, "retry", event.retry_in, began=time.time_ns())
        span.end()

    def _finish(self, call: Call, reply: object, elapsed: float, error: BaseException | None) -> None:
        """End the call's span and count it."""
        open_ = self._open.pop(call)
        span = open_.span
        if open_.attempt is not None:  # cancelled mid-attempt
            open_.attempt.end()
        if error is not None:
            _failed(span, error, call)
            open_.labels["error.type"] = type(error).__qualname__
        if isinstance(reply, ChatResponse):
            span.set_attributes(self._chat_attributes(call, reply))
            usage = reply.usage
            if usage is not None:
                for kind, tokens in (("input", usage.prompt_tokens), ("output", usage.completion_tokens)):
                    if tokens is not None:
                        self._tokens.add(tokens, {**open_.labels, "gen_ai.token.type": kind})
        self._duration.record(elapsed, open_.labels)
        span.end()

    def _chat_attributes(self, call: Call, reply: ChatResponse) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "gen_ai.response.id": reply.id,
            "gen_ai.response.finish_reasons": [choice.finish_reason or "" for choice in reply.choices],
        }
        if reply.usage is not None:
            if reply.usage.prompt_tokens is not None:
                attributes["gen_ai.usage.input_tokens"] = reply.usage.prompt_tokens
            if reply.usage.completion_tokens is not None:
                attributes["gen_ai.usage.output_tokens"] = reply.usage.completion_tokens
        if self.capture_content:
            received = [{**{key: value for key, value in choice.message.to_dict().items() if value is not None},
                         "finish_reason": choice.finish_reason} for choice in reply.choices]
            attributes["gen_ai.output.messages"] = call.redact(json.dumps(received, ensure_ascii=False))
        return attributes


def _reply_attributes(status: int, request_id: str | None, attempts: int | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"http.response.status_code": status}
    if request_id is not None:
        attributes["julep.request.id"] = request_id
    if attempts is not None:
        attributes["julep.attempts"] = attempts
    return attributes


def _wait_event(span: Span, reason: str, seconds: float, *, began: int) -> None:
    span.add_event(f"julep.wait.{reason}", {"julep.wait.seconds": seconds}, timestamp=began)


def _failed(span: Span, error: BaseException, call: Call) -> None:
    """Mark ``span`` failed by ``error``: an ``exception`` event as OpenTelemetry records
    one, its message and traceback redacted (an error's cause may quote what was sent)."""
    name = type(error).__qualname__
    span.add_event("exception", {
        "exception.type": f"{type(error).__module__}.{name}",
        "exception.message": call.redact(str(error)),
        "exception.stacktrace": call.redact("".join(traceback.format_exception(error))),
    })
    span.set_attribute("error.type", name)
    if isinstance(error, Exception):  # a cancellation is not the call's fault
        span.set_status(Status(StatusCode.ERROR, call.redact(f"{name}: {error}")))


class ServerTracing:
    """Server spans for ``julep-async serve``: one per request that carries a W3C
    ``traceparent``, a child of the caller's span (a request without one is not traced:
    the server only continues traces).

    Args:
        tracer_provider: where spans go (default: the global provider, set up as usual,
            e.g. by ``opentelemetry-instrument julep-async serve``).
    """

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._tracer = trace.get_tracer("julep_async.server", __version__, tracer_provider)

    @staticmethod
    def continues(headers: Mapping[str, str]) -> bool:
        """The request (lower-case ``headers``) continues a trace."""
        return "traceparent" in headers

    @contextmanager
    def serving(self, request: Request) -> Iterator[Span]:
        """The span of answering ``request``, current while the block runs."""
        route = route_of(request.path)
        with self._tracer.start_as_current_span(
            f"{request.method} {route}", context=propagate.extract(request.headers), kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "http.route": route},
        ) as span:
            yield span

    @staticmethod
    def answered(span: Span, response: Response) -> None:
        """Record the reply's status on the server's span."""
        span.set_attribute("http.response.status_code", response.status)
        if (request_id := response.headers.get("x-request-id")) is not None:
            span.set_attribute("julep.request.id", request_id)
        if response.status >= 500:
            span.set_status(StatusCode.ERROR)
