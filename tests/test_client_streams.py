"""A streamed chat through the client: what it sends, what its hooks and its raw response
are told, the session's turn it holds, and the read timeout and deadline it keeps while
hooks watch it. The server is a scripted transport; times are read on trio's MockClock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest
from test_streaming import Events

from julep_async import AsyncClient, RetryPolicy, Timeout
from julep_async.exceptions import APIResponseValidationError, APITimeoutError, NotFoundError
from julep_async.hooks import CallFailed, CallStarted, Event, Waited
from julep_async.transports import InMemoryTransport, Request, Response
from julep_async.types import ChatInput

pytestmark = pytest.mark.anyio
SESSION = "5e3f1f4c-1a2b-4c3d-8e4f-000000000001"
ASK = [{"role": "user", "content": "hi"}]
HEADERS = {"content-type": "text/event-stream", "x-request-id": "req-7"}


def event(text: str) -> bytes:
    return (f'data: {{"id": "c", "created_at": "2025-01-01T00:00:00Z", "choices": [{{"index": 0, '
            f'"finish_reason": null, "delta": {{"role": "assistant", "content": "{text}"}}}}]}}\n\n').encode()


class Server:
    """The requests heard, and the transport that answers each from ``reply``."""

    def __init__(self, reply: Callable[[], Response]) -> None:
        self.requests: list[Request] = []
        self.reply = reply
        self.transport = InMemoryTransport(self.answer)

    def answer(self, request: Request) -> Response:
        self.requests.append(request)
        return self.reply()


def streaming(*chunks: bytes, every: float = 0.0, forever: bool = False) -> Server:
    return Server(lambda: Response(200, HEADERS, stream=Events(*chunks, every=every, forever=forever)))


def client(server: Server, **options: Any) -> AsyncClient:
    return AsyncClient(api_key="sk-streams", transport=server.transport, **options)


async def test_a_streamed_chat_sends_the_calls_own_headers_and_query(anyio_backend: str) -> None:
    server = streaming(event("a"))
    async with client(server) as julep:
        stream = await julep.sessions.chat(SESSION, ASK, stream=True, extra_headers={"x-trace": "t-1"},
                                           extra_query={"region": "eu"})
        assert [chunk.choices[0].delta.content async for chunk in stream] == ["a"]
    request = server.requests[0]
    assert request.headers["x-trace"] == "t-1" and ("region", "eu") in request.query
    assert request.headers["accept"] == "text/event-stream"


async def test_hooks_are_told_a_streamed_chats_body_and_its_wait_for_the_turn(anyio_backend: str) -> None:
    events: list[Event] = []
    async with client(streaming(event("a")), hooks=[events.append]) as julep:
        first = await julep.sessions.chat(SESSION, ASK, stream=True)
        async with anyio.create_task_group() as group:
            async def second() -> None:
                await (await julep.sessions.chat(SESSION, ASK, stream=True)).aclose()

            group.start_soon(second)
            await anyio.sleep(0.01)
            await first.aclose()  # hands the session's turn to the second chat
    started = [e for e in events if isinstance(e, CallStarted)]
    assert len(started) == 2 and isinstance(started[0].call.body, ChatInput)
    assert started[0].call.body.messages[0].content == "hi" and started[0].call.stream
    waited = [e for e in events if isinstance(e, Waited)]
    assert [(w.call, w.reason) for w in waited] == [(started[1].call, "turn")]


async def test_a_streamed_chat_cancelled_while_waiting_for_its_turn_leaves_the_turn_to_the_next(
        anyio_backend: str) -> None:
    async with client(streaming(event("a"))) as julep:
        first = await julep.sessions.chat(SESSION, ASK, stream=True)
        with anyio.move_on_after(0.05) as scope:
            await julep.sessions.chat(SESSION, ASK, stream=True)
        assert scope.cancelled_caught
        await first.aclose()
        with anyio.fail_after(5):
            third = await julep.sessions.chat(SESSION, ASK, stream=True)
        assert [chunk.choices[0].delta.content async for chunk in third] == ["a"]


async def test_a_failed_streamed_chat_tells_its_hooks_the_error_and_frees_the_turn(anyio_backend: str) -> None:
    events: list[Event] = []
    missing = Server(lambda: Response(404, {"content-type": "application/json"},
                                      b'{"error": {"message": "no such session", "type": "not_found"}}'))
    async with client(missing, hooks=[events.append]) as julep:
        for _ in range(2):  # the second would wait forever for a turn the first kept
            with anyio.fail_after(5), pytest.raises(NotFoundError) as caught:
                await julep.sessions.chat(SESSION, ASK, stream=True)
    failed = [e for e in events if isinstance(e, CallFailed)]
    assert len(failed) == 2 and failed[0].error is not None and str(failed[0].error) == str(caught.value)


async def test_a_stream_event_that_is_not_json_is_named_with_the_status(anyio_backend: str) -> None:
    async with client(streaming(b"data: {nope\n\n")) as julep:
        stream = await julep.sessions.chat(SESSION, ASK, stream=True)
        with pytest.raises(APIResponseValidationError) as caught:
            await stream.__anext__()
    assert str(caught.value).startswith("a stream event is not JSON: '{nope'")
    assert caught.value.status_code == 200


async def test_a_streamed_chats_raw_response_has_its_status_and_request_id(anyio_backend: str) -> None:
    async with client(streaming(event("a"), event("b"))) as julep:
        raw = await julep.sessions.with_raw_response.chat(SESSION, ASK, stream=True)
        assert (raw.status_code, raw.request_id, raw.retries_taken) == (200, "req-7", 0)
        assert [chunk.choices[0].delta.content async for chunk in raw.parse()] == ["a", "b"]


@pytest.mark.mock_clock
@pytest.mark.parametrize("watched", [False, True], ids=["no hooks", "hooks"])
async def test_a_streamed_chat_keeps_the_read_timeout_between_events(anyio_backend: str, watched: bool) -> None:
    hooks = [lambda event: None] if watched else []
    server = streaming(event("a"), every=3, forever=True)
    async with client(server, timeout=Timeout(read=5), hooks=hooks) as julep:
        stream = await julep.sessions.chat(SESSION, ASK, stream=True)
        started = anyio.current_time()
        assert (await stream.__anext__()).choices[0].delta.content == "a"
        with pytest.raises(APITimeoutError):
            await stream.__anext__()
    assert anyio.current_time() - started == 3 + 5


@pytest.mark.mock_clock
@pytest.mark.parametrize("watched", [False, True], ids=["no hooks", "hooks"])
async def test_a_streamed_chat_keeps_the_calls_deadline_over_the_whole_stream(anyio_backend: str,
                                                                             watched: bool) -> None:
    hooks = [lambda event: None] if watched else []
    server = streaming(*(event(str(n)) for n in range(5)), every=3)
    async with client(server, retry=RetryPolicy(deadline=7), hooks=hooks) as julep:
        started = anyio.current_time()
        stream = await julep.sessions.chat(SESSION, ASK, stream=True)
        with pytest.raises(APITimeoutError):
            async for _ in stream:
                pass
    assert anyio.current_time() - started == 7
