"""OpenTelemetry (the ``otel`` extra): spans, metrics and trace propagation, on every transport."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from julep_async import AsyncClient, RetryPolicy
from julep_async.backend import Backend
from julep_async.exceptions import InternalServerError, SessionNotFoundError
from julep_async.otel import Tracing
from julep_async.server import running
from julep_async.testing import no_backoff

pytestmark = pytest.mark.anyio
MISSING = "00000000-0000-4000-8000-000000000000"
KEY = "sk-otel-0123456789"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def says(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def one(spans: Iterable[ReadableSpan], name: str) -> ReadableSpan:
    [span] = [span for span in spans if span.name == name]
    return span


def children(spans: Sequence[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    found = [span for span in spans if span.parent is not None and span.parent.span_id == parent.context.span_id]
    return sorted(found, key=lambda span: span.start_time or 0)


def texts(spans: Iterable[ReadableSpan]) -> list[str]:
    """Every attribute value of every span and span event, as text."""
    return [str(value) for span in spans
            for attributes in (span.attributes, *(event.attributes for event in span.events))
            for value in (attributes or {}).values()]


async def test_a_call_is_a_span_named_after_its_operation_with_a_span_per_attempt(
        client: AsyncClient, session: Any, backend: Backend, provider: TracerProvider,
        exporter: InMemorySpanExporter) -> None:
    def overloaded(prompt: Any) -> str:
        backend.responder = lambda prompt: "fine"
        raise RuntimeError("the model is overloaded")

    backend.responder = overloaded  # a 500, then a reply (the replay leg has both in its cassette)
    traced = client.with_options(hooks=[Tracing(tracer_provider=provider)],
                                 retry=RetryPolicy(attempts=3, initial=0.25, jitter=0))
    with no_backoff():
        reply = await traced.sessions.chat(session.id, says("hello"), model="gpt-4o-mini")
    spans = exporter.get_finished_spans()
    call = one(spans, "sessions.chat")
    attempts = children(spans, call)
    assert call.kind is SpanKind.INTERNAL and call.parent is None
    assert [(a.name, a.kind, a.attributes.get("http.response.status_code")) for a in attempts] == [
        ("POST /sessions/{id}/chat", SpanKind.CLIENT, 500), ("POST /sessions/{id}/chat", SpanKind.CLIENT, 201)]
    assert attempts[1].attributes["http.request.resend_count"] == 1
    assert reply.usage is not None
    assert {name: call.attributes[name] for name in (
        "gen_ai.operation.name", "gen_ai.request.model", "julep.session.id", "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons", "julep.attempts")} == {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "julep.session.id": session.id,
        "gen_ai.usage.input_tokens": reply.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": reply.usage.completion_tokens,
        "gen_ai.response.finish_reasons": ("stop",), "julep.attempts": 2}
    assert [(event.name, event.attributes) for event in call.events] == [
        ("julep.wait.retry", {"julep.wait.seconds": 0.25})]


async def test_every_leg_gives_the_same_spans(client: AsyncClient, session: Any, provider: TracerProvider,
                                              exporter: InMemorySpanExporter) -> None:
    """The span shape does not depend on the transport: a replayed call gives the spans of
    the recorded one (the HTTP leg's server is not traced here: no provider)."""
    traced = client.with_options(hooks=[Tracing(tracer_provider=provider)])
    await traced.sessions.chat(session.id, says("hello"))
    async with await traced.sessions.chat(session.id, says("again"), stream=True) as stream:
        async for _chunk in stream:
            pass
    await traced.sessions.history(session.id)
    with pytest.raises(SessionNotFoundError):
        await traced.sessions.get(MISSING)
    spans = exporter.get_finished_spans()
    names = {span.context.span_id: span.name for span in spans if span.context is not None}
    shape = [(span.name, span.kind.name, span.parent and names[span.parent.span_id], sorted(span.attributes or {}),
              [event.name for event in span.events]) for span in spans]
    common = ["http.request.method", "julep.operation", "julep.session.id", "url.template"]
    reply = ["http.response.status_code", "julep.attempts", "julep.request.id"]
    chat = ["gen_ai.operation.name", "gen_ai.response.finish_reasons", "gen_ai.response.id",
            "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"]
    attempt = ["http.request.method", "http.response.status_code", "julep.request.id", "url.template"]
    assert shape == [
        ("POST /sessions/{id}/chat", "CLIENT", "sessions.chat", attempt, []),
        ("sessions.chat", "INTERNAL", None, sorted(common + reply + chat), []),
        ("POST /sessions/{id}/chat", "CLIENT", "sessions.chat", attempt, []),
        ("sessions.chat", "INTERNAL", None, sorted(common + reply + chat + ["julep.stream.events",
                                                                              "julep.stream.outcome"]), []),
        ("GET /sessions/{id}/history", "CLIENT", "sessions.history", attempt, []),
        ("sessions.history", "INTERNAL", None, sorted(common + reply), []),
        ("GET /sessions/{id}", "CLIENT", "sessions.get", sorted([*attempt, "error.type"]), []),
        ("sessions.get", "INTERNAL", None, sorted([*common, "error.type", "http.response.status_code",
                                                   "julep.request.id"]), ["exception"]),
    ]


async def test_in_one_trace_server_time_a_retry_wait_a_queue_and_a_turn_wait_are_told_apart(
        connect: Callable[..., AsyncClient], backend: Backend, provider: TracerProvider,
        exporter: InMemorySpanExporter) -> None:
    client = connect(hooks=[Tracing(tracer_provider=provider)], max_in_flight=1,
                     retry=RetryPolicy(attempts=2, initial=0.05, jitter=0))
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent.id)
    replies = iter(["first", RuntimeError("the model is overloaded"), "second"])

    def model(prompt: Any) -> str:
        reply = next(replies)
        if isinstance(reply, Exception):
            raise reply
        return reply

    backend.responder = model
    exporter.clear()
    with no_backoff(), provider.get_tracer("app").start_as_current_span("work"):
        first = await client.sessions.chat(session.id, says("first"), stream=True)  # holds the turn and the slot
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: client.sessions.chat(session.id, says("second")))  # waits for its turn
            await anyio.wait_all_tasks_blocked()
            tasks.start_soon(lambda: client.agents.get(agent.id))  # waits for the slot
            await anyio.wait_all_tasks_blocked()
            async with first:
                async for _chunk in first:
                    pass
    spans = exporter.get_finished_spans()
    work = one(spans, "work")
    assert len({span.context.trace_id for span in spans if span.context is not None}) == 1
    calls = {(span.name, "julep.stream.events" in (span.attributes or {})): span for span in children(spans, work)}
    streamed, second, get = calls["sessions.chat", True], calls["sessions.chat", False], calls["agents.get", False]
    waits = {name: [event.name for event in span.events] for name, span in
             (("streamed", streamed), ("second", second), ("get", get))}
    assert waits["streamed"] == [] and waits["get"] == ["julep.wait.in_flight"]
    # (whether "second" also queues for the slot depends on when agents.get gives it back)
    assert {"julep.wait.turn", "julep.wait.retry"} <= set(waits["second"])
    # The server's time is the attempts: CLIENT spans under each call, one per request sent.
    assert [len(children(spans, span)) for span in (streamed, second, get)] == [1, 2, 1]
    assert all(attempt.kind is SpanKind.CLIENT for attempt in children(spans, second))


@pytest.mark.asyncio_only
async def test_traceparent_reaches_serve_and_its_span_is_a_child_of_the_attempt(
        provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    async with running(Backend(seed=0), tracer_provider=provider) as url:
        async with AsyncClient(api_key="test-key", base_url=url, hooks=[Tracing(tracer_provider=provider)]) as client:
            await client.agents.create("A")
    spans = exporter.get_finished_spans()
    [served] = [span for span in spans if span.kind is SpanKind.SERVER]
    [attempt] = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert served.parent is not None and attempt.context is not None and served.context is not None
    assert (served.parent.span_id, served.context.trace_id) == (attempt.context.span_id, attempt.context.trace_id)
    assert (served.name, served.attributes["http.response.status_code"]) == ("POST /agents", 201)


@pytest.mark.asyncio_only
async def test_serve_traces_only_requests_that_continue_a_trace(
        provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    async with running(Backend(seed=0), tracer_provider=provider) as url:
        async with AsyncClient(api_key="test-key", base_url=url) as client:
            await client.agents.create("A")
    assert exporter.get_finished_spans() == ()


async def test_message_contents_stay_out_of_spans_by_default(
        client: AsyncClient, session: Any, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    reply = await client.with_options(hooks=[Tracing(tracer_provider=provider)]).sessions.chat(
        session.id, says("the secret plans"))
    assert not any("secret plans" in text or reply.content in text for text in texts(exporter.get_finished_spans()))


async def test_capture_content_records_the_messages_sent_and_received(
        client: AsyncClient, session: Any, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    traced = client.with_options(hooks=[Tracing(tracer_provider=provider, capture_content=True)])
    reply = await traced.sessions.chat(session.id, says("the plans"))
    call = one(exporter.get_finished_spans(), "sessions.chat")
    assert json.loads(str(call.attributes["gen_ai.input.messages"])) == says("the plans")
    assert json.loads(str(call.attributes["gen_ai.output.messages"])) == [
        {"role": "assistant", "content": reply.content, "finish_reason": "stop"}]


@pytest.mark.live_backend
async def test_the_key_is_in_no_span_even_when_echoed_or_captured(
        connect: Callable[..., AsyncClient], backend: Backend, provider: TracerProvider,
        exporter: InMemorySpanExporter) -> None:
    client = connect(api_key=KEY, hooks=[Tracing(tracer_provider=provider, capture_content=True)])
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent.id)
    await client.sessions.chat(session.id, says(f"my key is {KEY}"))  # captured, and echoed by the model

    def leaky(prompt: Any) -> str:
        raise RuntimeError(f"cannot use {KEY}")  # a 500 whose message quotes the key

    backend.responder = leaky
    with no_backoff(), pytest.raises(InternalServerError):
        await client.sessions.chat(session.id, says("again"))
    found = texts(exporter.get_finished_spans())
    assert any("<redacted>" in text for text in found)
    assert not any(KEY.lower() in text.lower() for text in found)


async def test_a_stream_keeps_its_span_open_until_it_ends(
        client: AsyncClient, session: Any, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    traced = client.with_options(hooks=[Tracing(tracer_provider=provider)])
    stream = await traced.sessions.chat(session.id, says("a b c"), stream=True)
    assert [span.name for span in exporter.get_finished_spans()] == ["POST /sessions/{id}/chat"]
    chunks = [chunk async for chunk in stream]
    call = one(exporter.get_finished_spans(), "sessions.chat")
    assert (call.attributes["julep.stream.events"], call.attributes["julep.stream.outcome"]) == (
        len(chunks), "completed")
    assert "gen_ai.usage.output_tokens" in call.attributes


async def test_a_failed_call_is_an_error_span_naming_its_error(
        client: AsyncClient, provider: TracerProvider, exporter: InMemorySpanExporter) -> None:
    with pytest.raises(SessionNotFoundError):
        await client.with_options(hooks=[Tracing(tracer_provider=provider)]).sessions.get(MISSING)
    call = one(exporter.get_finished_spans(), "sessions.get")
    assert call.status.status_code is StatusCode.ERROR
    assert (call.attributes["error.type"], call.attributes["http.response.status_code"]) == (
        "SessionNotFoundError", 404)
    [exception] = call.events
    assert exception.attributes is not None
    assert exception.attributes["exception.type"] == "julep_async.exceptions.SessionNotFoundError"


async def test_metrics_record_each_calls_duration_and_the_tokens_it_used(
        client: AsyncClient, session: Any) -> None:
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    reply = await client.with_options(hooks=[Tracing(meter_provider=meters)]).sessions.chat(session.id, says("hi"))
    data = reader.get_metrics_data()
    assert data is not None
    points = {metric.name: list(metric.data.data_points)
              for resource in data.resource_metrics for scope in resource.scope_metrics for metric in scope.metrics}
    [duration] = points["julep.client.request.duration"]
    assert duration.count == 1 and duration.attributes["julep.operation"] == "sessions.chat"
    tokens = {point.attributes["gen_ai.token.type"]: point.value for point in points["julep.client.token.usage"]}
    assert reply.usage is not None
    assert tokens == {"input": reply.usage.prompt_tokens, "output": reply.usage.completion_tokens}


def test_importing_julep_async_does_not_import_opentelemetry() -> None:
    code = ("import sys, julep_async, julep_async.hooks, julep_async.server; "
            "print(any(name.startswith('opentelemetry') for name in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_without_the_extra_julep_async_otel_says_what_to_install() -> None:
    code = "import sys; sys.modules['opentelemetry'] = None; import julep_async.otel"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "pip install 'julep-async[otel]'" in result.stderr
