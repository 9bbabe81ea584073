"""AsyncClient's request pipeline around the transport: the in-flight cap and the session
turn are given back however a call ends; the headers, options and lifecycle of a call.

The transports here are small scripted ones: the behaviour under test is the client's."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
import warnings
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from julep_async import AsyncClient, RetryPolicy, Timeout, __version__
from julep_async.backend import Backend
from julep_async.exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    BadRequestError,
    InternalServerError,
    JulepError,
    SessionNotFoundError,
    ValidationError,
)
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio
SID = "00000000-0000-4000-8000-000000000000"
USER = b'{"id": "u", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}'
CHUNK = (b'data: {"id": "c", "created_at": "2025-01-01T00:00:00Z", "choices": '
         b'[{"index": 0, "delta": {"role": "assistant", "content": "hi "}}]}\n\n')
ONCE = RetryPolicy(attempts=1)
HANG_GUARD = 10  # seconds; only a regression gets there


class Front:
    """In front of a real backend: ``fail`` decides, per request, a reply or an error to
    give instead of passing it on; every request is noted."""

    def __init__(self, fail: Callable[[Request], Response | BaseException | None] = lambda r: None) -> None:
        self.backend = Backend(seed=0)
        self.fail = fail
        self.requests: list[Request] = []
        self.gate: anyio.Event | None = None

    async def handle(self, request: Request) -> Response:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        failure = self.fail(request)
        if isinstance(failure, BaseException):
            raise failure
        return failure if failure is not None else await self.backend.handle(request)


def _chat_streams_fail(status: int) -> Callable[[Request], Response | None]:
    def fail(request: Request) -> Response | None:
        if request.stream and request.path.endswith("/chat"):
            return Response(status, {"content-type": "application/json"}, b'{"error": {"message": "model down"}}')
        return None

    return fail


async def _session(client: AsyncClient) -> str:
    agent = await client.agents.create("A")
    return (await client.sessions.create(agent_id=agent.id)).id


async def _list_agents(client: AsyncClient) -> None:
    await client.agents.list()


async def _chat(client: AsyncClient, session_id: str, text: str = "hi") -> str:
    with anyio.fail_after(HANG_GUARD):
        return (await client.sessions.chat(session_id, [{"role": "user", "content": text}])).content


# -- the in-flight cap ----------------------------------------------------------------


async def test_the_in_flight_slot_is_given_back_when_the_transport_raises(anyio_backend: str) -> None:
    errors = iter([APIConnectionError("reset")])
    front = Front(lambda request: next(errors, None))
    async with AsyncClient(transport=InMemoryTransport(front.handle), max_in_flight=1, retry=ONCE) as client:
        with pytest.raises(APIConnectionError):
            await client.agents.list()
        with anyio.fail_after(HANG_GUARD):
            await client.agents.list()


async def test_the_in_flight_slot_is_given_back_when_the_call_is_cancelled(anyio_backend: str) -> None:
    front = Front()
    front.gate = anyio.Event()
    async with AsyncClient(transport=InMemoryTransport(front.handle), max_in_flight=1) as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_list_agents, client)
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()
        front.gate = None
        with anyio.fail_after(HANG_GUARD):
            await client.agents.list()


async def test_a_stream_holds_its_in_flight_slot_until_it_is_closed(anyio_backend: str) -> None:
    front = Front()
    async with AsyncClient(transport=InMemoryTransport(front.handle), max_in_flight=1) as client:
        session_id = await _session(client)
        stream = await client.sessions.chat(session_id, [{"role": "user", "content": "hi"}], stream=True)
        sent = len(front.requests)
        async with anyio.create_task_group() as tg:
            tg.start_soon(_list_agents, client)
            await anyio.wait_all_tasks_blocked()
            assert len(front.requests) == sent  # the list waits for the stream's slot
            await stream.aclose()
        assert len(front.requests) == sent + 1


async def test_calls_beyond_the_cap_wait_their_turn_and_all_complete(anyio_backend: str) -> None:
    front = Front()
    front.gate = anyio.Event()
    async with AsyncClient(transport=InMemoryTransport(front.handle), max_in_flight=2) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(_list_agents, client)
            await anyio.wait_all_tasks_blocked()
            assert len(front.requests) == 2
            front.gate.set()
    assert len(front.requests) == 5


# -- the session's turn ---------------------------------------------------------------


async def test_a_streaming_chat_answered_with_an_error_raises_it_and_gives_the_turn_back(anyio_backend: str) -> None:
    front = Front(_chat_streams_fail(503))
    async with AsyncClient(transport=InMemoryTransport(front.handle), retry=ONCE) as client:
        session_id = await _session(client)
        with pytest.raises(InternalServerError, match="model down"):
            await client.sessions.chat(session_id, [{"role": "user", "content": "hi"}], stream=True)
        front.fail = lambda request: None
        assert await _chat(client, session_id, "again")
        assert client._turns == {}


async def test_a_streaming_chat_on_a_missing_session_raises_and_holds_no_turn(anyio_backend: str) -> None:
    async with AsyncClient(transport=InMemoryTransport(seed=0)) as client:
        with pytest.raises(SessionNotFoundError):
            await client.sessions.chat(SID, [{"role": "user", "content": "hi"}], stream=True)
        assert client._turns == {}


async def test_a_streaming_chat_whose_transport_raises_gives_the_turn_back(anyio_backend: str) -> None:
    def reset(request: Request) -> BaseException | None:
        return APIConnectionError("reset") if request.stream else None

    front = Front(reset)
    async with AsyncClient(transport=InMemoryTransport(front.handle), retry=ONCE) as client:
        session_id = await _session(client)
        with pytest.raises(APIConnectionError):
            await client.sessions.chat(session_id, [{"role": "user", "content": "hi"}], stream=True)
        front.fail = lambda request: None
        assert await _chat(client, session_id, "again")


async def test_a_stream_holds_its_session_s_turn_until_it_is_closed(anyio_backend: str) -> None:
    front = Front()
    async with AsyncClient(transport=InMemoryTransport(front.handle)) as client:
        session_id = await _session(client)
        stream = await client.sessions.chat(session_id, [{"role": "user", "content": "first"}], stream=True)
        replies: list[str] = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: _append(replies, _chat(client, session_id, "second")))
            await anyio.wait_all_tasks_blocked()
            assert replies == []
            async with stream:
                async for _ in stream:
                    pass
        assert len(replies) == 1 and client._turns == {}


async def _append(replies: list[str], reply: Any) -> None:
    replies.append(await reply)


# -- a stream's body ------------------------------------------------------------------


async def test_a_stream_request_answered_with_a_plain_body_is_read_as_events(anyio_backend: str) -> None:
    def plain(request: Request) -> Response:
        if request.path.endswith("/chat"):
            return Response(200, {"content-type": "text/event-stream"}, CHUNK + CHUNK)  # a body, not a stream
        return Response(200, {"content-type": "application/json"}, USER)

    async with AsyncClient(transport=InMemoryTransport(plain)) as client:
        stream = await client.sessions.chat(SID, [{"role": "user", "content": "hi"}], stream=True)
        assert [chunk.content async for chunk in stream] == ["hi ", "hi "]


async def test_a_stream_gets_the_read_timeout_of_its_call(anyio_backend: str) -> None:
    def stalls(request: Request) -> Response:
        return Response(200, {}, stream=Stalling(CHUNK))

    async with AsyncClient(transport=InMemoryTransport(stalls), timeout=Timeout(read=0.05),
                           retry=RetryPolicy(deadline=None)) as client:
        stream = await client.sessions.chat(SID, [{"role": "user", "content": "hi"}], stream=True)
        assert (await stream.__anext__()).content == "hi "
        with pytest.raises(Exception, match=r"no stream event came within 0\.05s"):
            await stream.__anext__()


class Stalling:
    """One chunk, then silence."""

    def __init__(self, chunk: bytes) -> None:
        self.chunks = [chunk]

    def __aiter__(self) -> Stalling:
        return self

    async def __anext__(self) -> bytes:
        if self.chunks:
            return self.chunks.pop()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        pass


# -- what is sent ---------------------------------------------------------------------


async def _sent(call: Callable[[AsyncClient], Any], **options: Any) -> list[Request]:
    front = Front()
    options.setdefault("api_key", "sk-test-key-0123")
    async with AsyncClient(transport=InMemoryTransport(front.handle), **options) as client:
        with contextlib.suppress(SessionNotFoundError):
            await call(client)
    return front.requests


async def test_a_get_carries_the_default_headers_and_no_idempotency_key(anyio_backend: str) -> None:
    (request,) = await _sent(lambda c: c.sessions.get(SID))
    assert dict(request.headers) == {"accept": "application/json", "content-type": "application/json",
                                     "user-agent": f"julep-async/{__version__}",
                                     "authorization": "Bearer sk-test-key-0123"}


async def test_without_a_key_no_authorization_is_sent(anyio_backend: str) -> None:
    (request,) = await _sent(lambda c: c.sessions.get(SID), api_key=None)
    assert "authorization" not in request.headers


async def test_every_other_method_carries_a_fresh_idempotency_key(anyio_backend: str) -> None:
    requests = await _sent(lambda c: c.agents.create("A")) + await _sent(lambda c: c.agents.create("A"))
    keys = [r.headers["idempotency-key"] for r in requests]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys) and keys[0] != keys[1]


async def test_a_stream_asks_for_server_sent_events(anyio_backend: str) -> None:
    async def chat(client: AsyncClient) -> None:
        session_id = await _session(client)
        async with await client.sessions.chat(session_id, [{"role": "user", "content": "hi"}], stream=True):
            pass

    requests = await _sent(chat)
    assert [r.headers["accept"] for r in requests] == ["application/json"] * 2 + ["text/event-stream"]
    assert [r.stream for r in requests] == [False, False, True]


async def test_client_headers_are_sent_lower_case_with_every_request(anyio_backend: str) -> None:
    (request,) = await _sent(lambda c: c.sessions.get(SID), headers={"X-Trace": "t1"})
    assert request.headers["x-trace"] == "t1"


async def test_per_call_options_reach_the_request(anyio_backend: str) -> None:
    async def create(client: AsyncClient) -> None:
        await client.agents.create("A", extra_body={"tier": "gold"}, extra_query={"dry_run": 1},
                                   extra_headers={"X-Trace": "t2"}, timeout=7)

    (request,) = await _sent(create)
    assert request.query == (("dry_run", "1"),)
    assert request.headers["x-trace"] == "t2"
    assert request.body is not None and b'"tier":"gold"' in request.body and b'"name":"A"' in request.body
    assert request.timeout == Timeout(attempt=7)


async def test_extra_query_comes_after_the_call_s_own_query(anyio_backend: str) -> None:
    (request,) = await _sent(lambda c: c.agents.list(limit=5, extra_query={"x": "y"}))
    assert request.query[-1] == ("x", "y") and ("limit", "5") in request.query


@pytest.mark.parametrize("given", [None, Timeout(attempt=3, connect=1, read=2)], ids=["none", "Timeout"])
async def test_a_per_call_timeout_replaces_the_client_s(anyio_backend: str, given: Timeout | None) -> None:
    (request,) = await _sent(lambda c: c.sessions.get(SID, timeout=given), retry=RetryPolicy(deadline=None))
    assert request.timeout == (given or Timeout(attempt=None))


@pytest.mark.parametrize(("options", "message"), [
    ({"extra_body": [1]}, "extra_body must be a dict, got list"),
    ({"extra_query": "a=b"}, "extra_query must be a dict, got str"),
    ({"extra_headers": [("a", "b")]}, "extra_headers must be a dict, got list"),
    ({"timeout": True}, "timeout must be seconds, a Timeout or None"),
])
async def test_per_call_options_of_the_wrong_type_are_refused_before_sending(
        anyio_backend: str, options: dict[str, Any], message: str) -> None:
    front = Front()
    async with AsyncClient(transport=InMemoryTransport(front.handle)) as client:
        with pytest.raises(ValidationError, match=message):
            await client.sessions.get(SID, **options)
    assert front.requests == []


# -- the client's life ----------------------------------------------------------------


class Owned:
    """A transport that notes how it was closed."""

    def __init__(self) -> None:
        self.closed: list[str] = []

    async def handle_async_request(self, request: Request) -> Response:
        return Response(200, {}, USER)

    async def aclose(self) -> None:
        self.closed.append("aclose")


class OutcomeAwareOwned(Owned):
    async def aclose_after(self, error: BaseException | None) -> None:
        self.closed.append(f"aclose_after({type(error).__name__})")


async def test_a_client_closes_a_transport_given_to_it_unless_told_not_to(anyio_backend: str) -> None:
    kept, given = Owned(), Owned()
    async with AsyncClient(transport=kept, close_transport=False):
        pass
    async with AsyncClient(transport=given):
        pass
    assert (kept.closed, given.closed) == ([], ["aclose"])


async def test_a_transport_that_wants_the_outcome_is_told_how_the_block_ended(anyio_backend: str) -> None:
    transport = OutcomeAwareOwned()
    with pytest.raises(KeyError):
        async with AsyncClient(transport=transport):
            raise KeyError("the block failed")
    async with AsyncClient(transport=(clean := OutcomeAwareOwned())):
        pass
    assert (transport.closed, clean.closed) == (["aclose_after(KeyError)"], ["aclose_after(NoneType)"])


async def test_closing_twice_closes_the_transport_once(anyio_backend: str) -> None:
    transport = Owned()
    client = AsyncClient(transport=transport)
    await client.aclose()
    await client.aclose()
    assert transport.closed == ["aclose"]


async def test_a_closed_client_cannot_be_reopened(anyio_backend: str) -> None:
    client = AsyncClient(transport=Owned())
    await client.aclose()
    with pytest.raises(JulepError, match="this client is closed; create a new one"):
        await client.__aenter__()


async def test_a_client_used_without_async_with_opens_on_its_first_call(anyio_backend: str) -> None:
    client = AsyncClient(transport=Owned(), base_url="http://example.test/")
    assert repr(client) == "<AsyncClient http://example.test transport=Owned unopened>"
    await client.users.get(SID)
    assert repr(client) == "<AsyncClient http://example.test transport=Owned opened>"
    await client.aclose()
    assert repr(client) == "<AsyncClient http://example.test transport=Owned closed>"


async def test_a_client_left_open_warns_when_collected(anyio_backend: str) -> None:
    client = AsyncClient(transport=Owned())
    await client.users.get(SID)
    with pytest.warns(ResourceWarning, match="was never closed"):
        del client
        gc.collect()


async def test_a_copy_shares_the_transport_and_leaves_it_open(anyio_backend: str) -> None:
    transport = Owned()
    async with AsyncClient(transport=transport, headers={"x-a": "1"}, max_in_flight=3) as client:
        copy = client.with_options(max_retries=0, strict=True)
        assert copy.transport is transport and copy.retry.attempts == 1 and copy.max_in_flight == 3
        await copy.aclose()
        assert transport.closed == []
        assert client.with_options().timeout == client.timeout
    assert transport.closed == ["aclose"]


async def test_a_replaying_transport_is_asked_once_at_construction(anyio_backend: str) -> None:
    class Replayer(Owned):
        replaying = True

    assert AsyncClient(transport=Replayer(), close_transport=False)._replaying is True
    assert AsyncClient(transport=Owned(), close_transport=False)._replaying is False


def test_the_transport_must_have_both_methods() -> None:
    class HalfTransport:
        async def handle_async_request(self, request: Request) -> Response:
            return Response(200)

    with pytest.raises(ValidationError, match="transport must be a Transport"):
        AsyncClient(transport=HalfTransport())  # type: ignore[arg-type]


@pytest.mark.parametrize(("settings", "message"), [
    ({"max_retries": -1}, "max_retries must be 0 or more, got -1"),
    ({"max_in_flight": 0}, "max_in_flight must be at least 1 or None, got 0"),
    ({"strict": 1}, "strict must be bool"),
    ({"max_retries": True}, "max_retries must be int or None"),
    ({"timeout": -1}, "Timeout.attempt must be a positive number"),
    ({"headers": ["x"]}, "headers must be Mapping or None"),
])
def test_settings_are_checked_at_construction(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AsyncClient(transport=Owned(), **settings)


async def test_closing_inside_a_cancelled_scope_still_closes_the_transport(anyio_backend: str) -> None:
    class Slow(Owned):
        async def aclose(self) -> None:
            await anyio.lowlevel.checkpoint()  # a checkpoint: the cancellation would strike here
            self.closed.append("aclose")

    transport = Slow()
    client = AsyncClient(transport=transport)
    with anyio.CancelScope() as scope:
        scope.cancel()
        await client.aclose()
    assert transport.closed == ["aclose"]


@pytest.mark.parametrize("state", ["unopened", "closed", "not owning its transport"])
async def test_only_an_open_client_that_owns_its_transport_warns_when_collected(
        anyio_backend: str, state: str) -> None:
    client = AsyncClient(transport=Owned(), close_transport=state != "not owning its transport")
    if state != "unopened":
        await client.users.get(SID)
    if state == "closed":
        await client.aclose()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_client_builds_its_http_transport_from_its_settings() -> None:
    from julep_async import Limits
    from julep_async.transports import HttpTransport

    limits = Limits(max_connections=7)
    client = AsyncClient(api_key="k", base_url="http://127.0.0.1:9/api/", limits=limits, close_transport=False)
    transport = client.transport
    assert isinstance(transport, HttpTransport)
    assert (transport.base_url, transport.limits, client._owns_transport) == ("http://127.0.0.1:9/api", limits, True)


async def test_a_copy_of_a_strict_client_stays_strict(anyio_backend: str) -> None:
    user = USER[:-1] + b', "new_field": 1}'
    async with AsyncClient(transport=InMemoryTransport(lambda r: Response(200, {}, user)), strict=True) as client:
        with pytest.raises(APIResponseValidationError, match="new_field"):
            await client.with_options(timeout=5).users.get(SID)


async def test_a_status_error_carries_the_reply_s_request_id(anyio_backend: str) -> None:
    def refuse(request: Request) -> Response:
        return Response(400, {"x-request-id": "req-9"}, b'{"error": {"message": "bad", "code": "invalid"}}')

    async with AsyncClient(transport=InMemoryTransport(refuse)) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.users.get(SID)
    assert (caught.value.request_id, caught.value.code, caught.value.body) == (
        "req-9", "invalid", {"error": {"message": "bad", "code": "invalid"}})


async def test_a_reply_that_is_not_json_is_quoted_up_to_200_characters(anyio_backend: str) -> None:
    async with AsyncClient(transport=InMemoryTransport(lambda r: Response(200, {}, b"x" * 300))) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.users.get(SID)
    assert str(caught.value) == f"the body of GET /users/{SID}'s 200 reply is not JSON: '{'x' * 200}'"
    assert caught.value.body == "x" * 300


async def test_request_bodies_are_compact_json_with_real_characters(anyio_backend: str) -> None:
    (request,) = await _sent(lambda c: c.agents.create("Zoë"))
    assert request.body is not None and b'"name":"Zo\xc3\xab"' in request.body and b" " not in request.body


@pytest.mark.mock_clock
async def test_a_failed_call_is_one_info_line_with_its_time_and_attempts(
        anyio_backend: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="julep_async")

    async def reset(request: Request) -> Response:
        raise APIConnectionError("reset")

    policy = RetryPolicy(attempts=2, initial=0.5, jitter=0.0)
    async with AsyncClient(transport=InMemoryTransport(reset), retry=policy) as client:
        with pytest.raises(APIConnectionError):
            await client.users.get(SID)
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info == [f"GET /users/{SID} failed after 0.500s (attempts: 2): reset"]


@pytest.mark.mock_clock
async def test_a_call_is_one_info_line_with_its_status_time_attempts_and_request_id(
        anyio_backend: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="julep_async")
    replies = iter([Response(503, {}, b"{}"), Response(200, {"x-request-id": "req-7"}, USER)])
    policy = RetryPolicy(attempts=2, initial=0.5, jitter=0.0)
    async with AsyncClient(transport=InMemoryTransport(lambda r: next(replies)), retry=policy) as client:
        await client.users.get(SID)
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info == [f"GET /users/{SID} -> 200 in 0.500s (attempts: 2, request id: req-7)"]


@pytest.mark.mock_clock
async def test_a_raw_reply_counts_its_retries_and_its_time(anyio_backend: Any) -> None:
    replies = iter([Response(503, {}, b"{}"), Response(200, {"x-request-id": "req-7"}, USER)])
    policy = RetryPolicy(attempts=2, initial=0.5, jitter=0.0)
    async with AsyncClient(transport=InMemoryTransport(lambda r: next(replies)), retry=policy) as client:
        raw = await client.users.with_raw_response.get(SID)
    assert (raw.status_code, raw.retries_taken, raw.elapsed.total_seconds(), raw.content) == (200, 1, 0.5, USER)
