"""Event hooks: what each call tells them, on every transport, and what it costs without them."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import anyio
import attrs
import pytest

import julep_async.hooks
from julep_async import AsyncClient, Client, RetryPolicy
from julep_async.backend import Backend
from julep_async.backend.routes import ROUTES
from julep_async.exceptions import APIConnectionError, AuthenticationError, SessionNotFoundError, ValidationError
from julep_async.hooks import (
    AttemptEnded,
    AttemptStarted,
    CallFailed,
    Event,
    Responded,
    StreamEnded,
    Waited,
    operation_of,
)
from julep_async.testing import no_backoff
from julep_async.transports import InMemoryTransport, Request, Response
from julep_async.types import ChatInput, join_chunks

pytestmark = pytest.mark.anyio
MISSING = "00000000-0000-4000-8000-000000000000"
KEY = "sk-hooks-0123456789"


class Recorder:
    """A hook that keeps every event it is told of."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [type(event).__name__ for event in self.events]

    def of(self, kind: type[Any]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


class Listening(Backend):
    """The fake backend, keeping each request it hears; ``then`` holds replies (or errors)
    to give, in order, before it answers for real."""

    def __init__(self) -> None:
        super().__init__(seed=0)
        self.heard: list[Request] = []
        self.then: list[Callable[[Request], Response]] = []

    async def handle(self, request: Request) -> Response:
        self.heard.append(request)
        if self.then:
            return self.then.pop(0)(request)
        return await super().handle(request)


@pytest.fixture
def backend() -> Listening:
    return Listening()


def says(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_a_call_is_told_as_started_attempted_and_responded(connect: Callable[..., AsyncClient]) -> None:
    seen = Recorder()
    agent = await connect(hooks=[seen]).agents.create("A")
    assert seen.kinds() == ["CallStarted", "AttemptStarted", "AttemptEnded", "Responded"]
    call = seen.events[0].call
    assert all(event.call is call for event in seen.events)
    assert (call.operation, call.method, call.route, call.session_id, call.stream) == (
        "agents.create", "POST", "/agents", None, False)
    ended, responded = seen.of(AttemptEnded)[0], seen.of(Responded)[0]
    assert (ended.attempt, ended.error, ended.retry_in) == (0, None, None)
    assert ended.status == responded.status == 201
    assert ended.request_id == responded.request_id is not None
    assert (responded.reply, responded.attempts) == (agent, 1)


async def test_a_chat_names_its_session_and_carries_its_body_out_of_sight(client: AsyncClient, session: Any) -> None:
    seen = Recorder()
    await client.with_options(hooks=[seen]).sessions.chat(session.id, says("secret plans"), model="gpt-4o-mini")
    call = seen.events[0].call
    assert (call.operation, call.route, call.session_id) == ("sessions.chat", "/sessions/{id}/chat", session.id)
    assert isinstance(call.body, ChatInput) and call.body.messages[0].content == "secret plans"
    assert not any("secret plans" in repr(event) for event in seen.events)


async def test_async_hooks_are_awaited_in_the_order_given(connect: Callable[..., AsyncClient]) -> None:
    told: list[tuple[str, str]] = []

    async def first(event: Event) -> None:
        await anyio.lowlevel.checkpoint()
        told.append(("async", type(event).__name__))

    def second(event: Event) -> None:
        told.append(("sync", type(event).__name__))

    await connect(hooks=[first, second]).agents.create("A")
    kinds = ["CallStarted", "AttemptStarted", "AttemptEnded", "Responded"]
    assert told == [(hook, kind) for kind in kinds for hook in ("async", "sync")]


async def test_each_attempt_is_told_with_the_wait_before_the_next(
        client: AsyncClient, session: Any, backend: Listening) -> None:
    def overloaded(prompt: Any) -> str:
        backend.responder = lambda prompt: "fine"
        raise RuntimeError("the model is overloaded")

    backend.responder = overloaded  # a 500, then a reply (the replay leg has both in its cassette)
    seen = Recorder()
    patient = client.with_options(hooks=[seen], retry=RetryPolicy(attempts=3, initial=0.25, jitter=0))
    with no_backoff():  # the wait is still decided, and told
        reply = await patient.sessions.chat(session.id, says("hello"))
    assert reply.content == "fine"
    assert [event.attempt for event in seen.of(AttemptStarted)] == [0, 1]
    assert [(event.attempt, event.status, event.retry_in) for event in seen.of(AttemptEnded)] == [
        (0, 500, 0.25), (1, 201, None)]
    assert seen.of(Responded)[0].attempts == 2


async def test_a_failed_call_is_told_with_the_error_its_caller_gets(client: AsyncClient) -> None:
    seen = Recorder()
    with pytest.raises(SessionNotFoundError) as caught:
        await client.with_options(hooks=[seen]).sessions.get(MISSING)
    assert seen.kinds() == ["CallStarted", "AttemptStarted", "AttemptEnded", "CallFailed"]
    failed = seen.of(CallFailed)[0]
    assert (failed.error, failed.attempts, failed.call.session_id) == (caught.value, 1, MISSING)


async def test_a_chat_that_waits_for_its_sessions_turn_is_told_so(client: AsyncClient, session: Any) -> None:
    seen = Recorder()
    watched = client.with_options(hooks=[seen])
    first = await watched.sessions.chat(session.id, says("first"), stream=True)  # holds the turn until read
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(lambda: watched.sessions.chat(session.id, says("second")))
        await anyio.wait_all_tasks_blocked()
        async with first:
            async for _chunk in first:
                pass
    waits = seen.of(Waited)
    assert [(wait.reason, wait.call.body.messages[0].content) for wait in waits] == [("turn", "second")]
    assert waits[0].seconds >= 0


async def test_a_call_queued_behind_the_in_flight_cap_is_told_so(connect: Callable[..., AsyncClient]) -> None:
    seen = Recorder()
    client = connect(hooks=[seen], max_in_flight=1)
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent.id)
    stream = await client.sessions.chat(session.id, says("holds the only slot"), stream=True)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(lambda: client.agents.get(agent.id))
        await anyio.wait_all_tasks_blocked()
        async with stream:
            async for _chunk in stream:
                pass
    assert [(wait.reason, wait.call.operation) for wait in seen.of(Waited)] == [("in_flight", "agents.get")]


async def test_a_stream_read_to_its_end_is_told_completed_with_the_reply_it_adds_up_to(
        client: AsyncClient, session: Any) -> None:
    seen = Recorder()
    stream = await client.with_options(hooks=[seen]).sessions.chat(session.id, says("a b c"), stream=True)
    async with stream:
        chunks = [chunk async for chunk in stream]
    assert seen.kinds() == ["CallStarted", "AttemptStarted", "AttemptEnded", "Responded", "StreamEnded"]
    assert seen.of(Responded)[0].reply is None  # the stream is open
    ended = seen.of(StreamEnded)[0]
    assert (ended.outcome, ended.events, ended.error) == ("completed", len(chunks), None)
    assert ended.reply == join_chunks(chunks)


async def test_a_stream_closed_before_its_end_is_told_closed_once(client: AsyncClient, session: Any) -> None:
    seen = Recorder()
    stream = await client.with_options(hooks=[seen]).sessions.chat(session.id, says("a b c d e"), stream=True)
    async for _chunk in stream:
        break
    await stream.aclose()
    await stream.aclose()
    assert [(ended.outcome, ended.events, ended.reply) for ended in seen.of(StreamEnded)] == [("closed", 1, None)]


async def test_a_stream_that_breaks_off_is_told_failed(client: AsyncClient, session: Any, backend: Listening) -> None:
    def cut(prompt: Any) -> Any:
        yield "partial answer "
        raise RuntimeError("the model went away")

    backend.responder = cut
    seen = Recorder()
    stream = await client.with_options(hooks=[seen]).sessions.chat(session.id, says("x"), stream=True)
    received = []
    with pytest.raises(APIConnectionError) as caught:
        async for chunk in stream:
            received.append(chunk)
    ended = seen.of(StreamEnded)[0]
    assert received and (ended.outcome, ended.events, ended.error) == ("failed", len(received), caught.value)


async def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
        client: AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("a broken hook")

    seen = Recorder()
    agent = await client.with_options(hooks=[broken, seen]).agents.create("A")
    assert agent.name == "A"
    assert seen.kinds() == ["CallStarted", "AttemptStarted", "AttemptEnded", "Responded"]
    assert caplog.text.count("raised on") == 4 and "a broken hook" in caplog.text


@pytest.mark.live_backend
async def test_a_hook_adds_headers_to_each_attempt_but_never_replaces_the_clients_own(
        connect: Callable[..., AsyncClient], backend: Listening) -> None:
    def tag(event: Event) -> None:
        if isinstance(event, AttemptStarted):
            event.headers.update({"X-Attempt": str(event.attempt), "authorization": "Bearer stolen"})

    await connect(hooks=[tag]).agents.create("A")
    heard = backend.heard[-1].headers
    assert heard["x-attempt"] == "0" and heard["authorization"] == "Bearer test-key"


async def test_a_header_a_hook_cannot_send_is_logged_and_left_out(caplog: pytest.LogCaptureFixture) -> None:
    heard: list[Request] = []

    def reply(request: Request) -> Response:
        heard.append(request)
        return Response(200, {}, b"{}")

    def bad(event: Event) -> None:
        if isinstance(event, AttemptStarted):
            event.headers["x-bad"] = "line\nbreak"

    async with AsyncClient(transport=InMemoryTransport(reply), hooks=[bad]) as client:
        await client.sessions.clear(MISSING)
    assert "x-bad" not in heard[0].headers
    assert ("headers added by a hook were not sent: header 'x-bad' must be a string without CR, LF or NUL "
            "characters") in caplog.text


@pytest.mark.live_backend
async def test_the_key_is_in_no_event_even_when_a_server_or_a_connection_echoes_it(
        connect: Callable[..., AsyncClient], backend: Listening) -> None:
    def reset(request: Request) -> Response:
        raise APIConnectionError(f"reset while sending Bearer {KEY}")  # over HTTP: a 500, retried

    def echo(request: Request) -> Response:
        return Response(401, {"content-type": "application/json"},
                        b'{"error": {"message": "invalid key %s"}}' % KEY.encode())

    seen = Recorder()
    client = connect(api_key=KEY, hooks=[seen])
    agent = await client.agents.create("A")
    backend.then = [reset, echo]
    with pytest.raises(AuthenticationError):
        await client.agents.get(agent.id)
    assert seen.of(CallFailed) and len(seen.of(AttemptEnded)) == 3
    for event in seen.events:
        shown = [repr(event), *(str(getattr(event, field.name)) for field in attrs.fields(type(event)))]
        error = getattr(event, "error", None)
        shown += [repr(error), str(getattr(error, "body", ""))]
        assert not any(KEY.lower() in text.lower() for text in shown), shown


async def test_with_options_replaces_the_hooks(anyio_backend: str) -> None:
    before, after = Recorder(), Recorder()
    async with AsyncClient(transport=InMemoryTransport(), hooks=[before]) as client:
        assert client.with_options(timeout=3).hooks == (before,)
        replaced = client.with_options(hooks=[after])
        assert replaced.hooks == (after,)
        await replaced.agents.create("A")
    assert after.events and not before.events


def test_the_blocking_client_tells_its_hooks() -> None:
    seen = Recorder()
    with Client(transport=InMemoryTransport(), hooks=[seen]) as client:
        client.agents.create("A")
        assert client.hooks == (seen,)
    assert seen.kinds() == ["CallStarted", "AttemptStarted", "AttemptEnded", "Responded"]


def test_a_hook_must_be_callable() -> None:
    with pytest.raises(ValidationError, match="each hook must be a callable"):
        AsyncClient(transport=InMemoryTransport(), hooks=[print, 42])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="hooks must be Sequence"):
        AsyncClient(transport=InMemoryTransport(), hooks=print)  # type: ignore[arg-type]


def test_every_route_is_named_after_the_sdk_method_that_sends_it() -> None:
    client = AsyncClient(transport=InMemoryTransport())
    names = []
    for route in ROUTES:
        name = operation_of(route.method, re.sub(r"\{\w+\}", MISSING, route.path))
        target: Any = client
        for part in name.split("."):
            target = getattr(target, part)
        assert callable(target), name
        names.append(name)
    assert len(set(names)) == len(ROUTES)


async def test_without_hooks_no_hook_code_runs_and_no_event_is_built(connect: Callable[..., AsyncClient]) -> None:
    """The cost of hooks nobody set: the pipeline checks a falsy value and nothing else."""
    ran: set[str] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        where = frame.f_code.co_filename
        if event != "call":
            return
        if where == julep_async.hooks.__file__:
            ran.add(frame.f_code.co_qualname)
        elif where.startswith("<attrs generated") and "julep_async.hooks." in where:  # an event's __init__
            ran.add(f"{where.rpartition('.')[2].rstrip('>')}.{frame.f_code.co_name}")

    async def work(client: AsyncClient) -> None:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent.id)
        stream = await client.sessions.chat(session.id, says("streamed"), stream=True)
        async with anyio.create_task_group() as tasks:  # a turn and an in-flight slot waited for
            tasks.start_soon(lambda: client.sessions.chat(session.id, says("waits its turn")))
            await anyio.wait_all_tasks_blocked()
            async with stream:
                async for _chunk in stream:
                    pass
        with pytest.raises(SessionNotFoundError):
            await client.sessions.get(MISSING)

    client = connect(max_in_flight=1)
    sys.setprofile(profile)
    try:
        await work(client)
    finally:
        sys.setprofile(None)
    assert ran == set()
    sys.setprofile(profile)  # the same work with a hook runs that code: the profile above saw all it had to
    try:
        await work(client.with_options(hooks=[Recorder()]))
    finally:
        sys.setprofile(None)
    assert {"_Watch.start", "CallStarted.__init__", "Waited.__init__"} <= ran
