"""Streams through RecordingTransport: how a stream's end is recorded and replayed, its
time offsets (``timing=``) and replay speed (``pacing=``), and events that are not JSON.
Times are read on trio's MockClock, where every sleep is a jump: no test waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from julep_async import AsyncClient
from julep_async.exceptions import APIConnectionError, APITimeoutError, CassetteError
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response, cassette
from julep_async.transports.cassette import (
    Cassette,
    Interaction,
    RecordedError,
    RecordedRequest,
    RecordedResponse,
    RecordedStream,
    StreamEvent,
)

pytestmark = [pytest.mark.anyio, pytest.mark.mock_clock]
STREAM = Request("POST", "/s", stream=True)


class Paced:
    """A stream body: each step is ``(seconds, chunk)``, the chunk sent that long after the
    one before it (on anyio's clock), or ``(seconds, error)``, raised instead."""

    def __init__(self, *steps: tuple[float, bytes | BaseException]) -> None:
        self.steps = list(steps)
        self.closed = False

    def __aiter__(self) -> Paced:
        return self

    async def __anext__(self) -> bytes:
        if not self.steps:
            raise StopAsyncIteration
        seconds, chunk = self.steps.pop(0)
        await anyio.sleep(seconds)
        if isinstance(chunk, BaseException):
            raise chunk
        return chunk

    async def aclose(self) -> None:
        self.closed = True


class Streaming:
    """A transport that is not in-process as far as RecordingTransport can tell: it answers
    every request with a :class:`Paced` stream."""

    def __init__(self, *steps: tuple[float, bytes | BaseException]) -> None:
        self.steps = steps

    async def handle_async_request(self, request: Request) -> Response:
        return Response(200, {"content-type": "text/event-stream"}, stream=Paced(*self.steps))

    async def aclose(self) -> None:
        pass


def _in_memory(*steps: tuple[float, bytes | BaseException]) -> InMemoryTransport:
    return InMemoryTransport(lambda request: Response(200, {"content-type": "text/event-stream"},
                                                      stream=Paced(*steps)))


THREE = ((0.0, b'data: {"n":1}\n\n'), (0.25, b'data: {"n":2}\n\n'), (0.75, b'data: {"n":3}\n\n'))


async def _arrivals(response: Response) -> list[tuple[float, bytes]]:
    """Each chunk of the stream, with when it came (from now, on anyio's clock)."""
    assert response.stream is not None
    started = anyio.current_time()
    arrivals = []
    try:
        async for chunk in response.stream:
            arrivals.append((anyio.current_time() - started, chunk))
    finally:
        await response.stream.aclose()
    return arrivals


def _recorded_stream(path: Path) -> dict[str, Any]:
    stream: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["interactions"][0]["response"]["stream"]
    return stream


async def _record(path: Path, inner: Any, **options: Any) -> list[tuple[float, bytes]]:
    await anyio.sleep(100)  # offsets are counted from the reply, not from the clock's zero
    async with RecordingTransport(inner, path, "all", **options) as recorder:
        return await _arrivals(await recorder.handle_async_request(STREAM))


async def _replay(path: Path, **options: Any) -> list[tuple[float, bytes]]:
    async with RecordingTransport(None, path, "none", **options) as replayer:
        return await _arrivals(await replayer.handle_async_request(STREAM))


# -- timing= and pacing= --------------------------------------------------------------


async def test_timing_records_when_each_event_came(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", _in_memory(*THREE), timing=True)
    events = _recorded_stream(tmp_path / "c.json")["events"]
    assert [(e["data"], e["offset_ms"]) for e in events] == [({"n": 1}, 0), ({"n": 2}, 250), ({"n": 3}, 1000)]


async def test_an_in_process_transport_is_recorded_without_offsets_by_default(
        anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", _in_memory(*THREE))
    assert [e["offset_ms"] for e in _recorded_stream(tmp_path / "c.json")["events"]] == [0, 0, 0]


async def test_any_other_transport_is_recorded_with_offsets_by_default(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE))
    assert [e["offset_ms"] for e in _recorded_stream(tmp_path / "c.json")["events"]] == [0, 250, 1000]


async def test_timing_false_records_no_offsets(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE), timing=False)
    assert [e["offset_ms"] for e in _recorded_stream(tmp_path / "c.json")["events"]] == [0, 0, 0]


async def test_recording_passes_each_chunk_on_when_it_comes(anyio_backend: Any, tmp_path: Path) -> None:
    arrivals = await _record(tmp_path / "c.json", Streaming(*THREE))
    assert arrivals == [(0.0, THREE[0][1]), (0.25, THREE[1][1]), (1.0, THREE[2][1])]


async def test_a_recorded_stream_replays_at_once_by_default(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE))
    assert await _replay(tmp_path / "c.json") == [(0.0, chunk) for _, chunk in THREE]


async def test_pacing_recorded_waits_out_the_recorded_offsets(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE))
    arrivals = await _replay(tmp_path / "c.json", pacing="recorded")
    assert arrivals == [(0.0, THREE[0][1]), (0.25, THREE[1][1]), (1.0, THREE[2][1])]


async def test_pacing_recorded_never_goes_back_in_time(anyio_backend: Any, tmp_path: Path) -> None:
    events = tuple(StreamEvent(data={"n": n}, offset_ms=ms) for n, ms in enumerate((500, 200, 700)))
    _write(tmp_path / "c.json", RecordedResponse(status=200, headers={},
                                                 stream=RecordedStream(events=events, end="clean")))
    arrivals = await _replay(tmp_path / "c.json", pacing="recorded")
    assert [when for when, _ in arrivals] == [0.5, 0.5, 1.0]  # an offset before the last one: no wait


# -- how a stream ends ----------------------------------------------------------------


async def test_a_stream_closed_early_is_recorded_as_cancelled(anyio_backend: Any, tmp_path: Path) -> None:
    async with RecordingTransport(Streaming(*THREE), tmp_path / "c.json", "all") as recorder:
        response = await recorder.handle_async_request(STREAM)
        assert response.stream is not None
        await response.stream.__aiter__().__anext__()
        await response.stream.aclose()
    stream = _recorded_stream(tmp_path / "c.json")
    assert (stream["end"], len(stream["events"])) == ("cancelled", 1)


async def test_a_stream_recorded_as_cancelled_never_replays_as_a_clean_end(
        anyio_backend: Any, tmp_path: Path) -> None:
    async def first_chunk_only(client: AsyncClient) -> list[str]:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent_id=agent.id)
        stream = await client.sessions.chat(session.id, [{"role": "user", "content": "tell me more"}], stream=True)
        async with stream:
            return [(await stream.__anext__()).content]

    path = tmp_path / "cancelled.json"
    async with AsyncClient(transport=RecordingTransport(InMemoryTransport(seed=0), path, "all")) as client:
        recorded = await first_chunk_only(client)
    async with AsyncClient(transport=RecordingTransport(None, path, "none")) as client:
        assert await first_chunk_only(client) == recorded  # what was recorded replays
    async with AsyncClient(transport=RecordingTransport(None, path, "none", allow_unused=True)) as client:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent_id=agent.id)
        stream = await client.sessions.chat(session.id, [{"role": "user", "content": "tell me more"}], stream=True)
        with pytest.raises(CassetteError, match=r"stops after 1 event\(s\): the consumer closed it early while "
                                                r"recording\. Re-record: re-run with RecordingTransport"):
            async for _ in stream:  # reading on, past what was recorded, is an error, not an end
                pass


async def test_a_clean_end_is_recorded_and_replayed_as_one(anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE))
    assert _recorded_stream(tmp_path / "c.json")["end"] == "clean"
    assert len(await _replay(tmp_path / "c.json")) == 3


async def test_a_stream_cut_mid_event_keeps_the_broken_event_and_the_error(
        anyio_backend: Any, tmp_path: Path) -> None:
    steps = ((0.0, b'data: {"n":1}\n\ndata: {"n"'), (0.0, APITimeoutError("no event came within 5s")))
    async with RecordingTransport(Streaming(*steps), tmp_path / "c.json", "all") as recorder:
        with pytest.raises(APITimeoutError):  # the call fails; the recording of it succeeds
            await _arrivals(await recorder.handle_async_request(STREAM))
    stream = _recorded_stream(tmp_path / "c.json")
    assert (stream["end"], stream["partial"], stream["error"]) == (
        "cut", 'data: {"n"', {"type": "APITimeoutError", "message": "no event came within 5s"})
    async with RecordingTransport(None, tmp_path / "c.json", "none") as replayer:
        response = await replayer.handle_async_request(STREAM)
        assert response.stream is not None
        chunks = []
        with pytest.raises(APITimeoutError, match="no event came within 5s"):
            async for chunk in response.stream:
                chunks.append(chunk)
    assert b"".join(chunks) == b'data: {"n":1}\n\ndata: {"n"'


async def test_a_cut_recorded_without_its_error_replays_as_a_connection_error(
        anyio_backend: Any, tmp_path: Path) -> None:
    _write(tmp_path / "c.json", RecordedResponse(status=200, headers={}, stream=RecordedStream(events=(), end="cut")))
    with pytest.raises(APIConnectionError, match=r"^the stream was cut$") as caught:
        await _replay(tmp_path / "c.json")
    assert type(caught.value) is APIConnectionError


async def test_an_event_that_is_not_json_replays_as_the_same_text(anyio_backend: Any, tmp_path: Path) -> None:
    steps = ((0.0, b"data: plain words\n\n"), (0.0, b"data: two\ndata: lines\n\n"), (0.0, b'data: {"n":1}\n\n'))
    await _record(tmp_path / "c.json", Streaming(*steps))
    events = [e["data"] for e in _recorded_stream(tmp_path / "c.json")["events"]]
    assert events == [{"raw": "plain words"}, {"raw": "two\nlines"}, {"n": 1}]
    assert [chunk for _, chunk in await _replay(tmp_path / "c.json")] == [step[1] for step in steps]


async def test_a_recorded_stream_replays_as_a_body_to_a_request_that_does_not_stream(
        anyio_backend: Any, tmp_path: Path) -> None:
    await _record(tmp_path / "c.json", Streaming(*THREE))
    async with RecordingTransport(None, tmp_path / "c.json", "none") as replayer:
        response = await replayer.handle_async_request(Request("POST", "/s"))
    assert (response.status, response.headers) == (200, {"content-type": "text/event-stream"})
    assert (response.stream, response.body) == (None, b"".join(chunk for _, chunk in THREE))


def _write(path: Path, response: RecordedResponse) -> None:
    request = RecordedRequest.of(STREAM)
    cassette.write_atomically(path, cassette.dumps(Cassette(
        complete=True, format_version=1, interactions=(Interaction(occurrence=0, request=request, response=response),),
        recorded_with={"transport": "Streaming"}, sdk_version="0.1.0")))


async def test_a_recorded_error_of_an_unknown_type_replays_as_a_connection_error(
        anyio_backend: Any, tmp_path: Path) -> None:
    for name in ("NoSuchError", "CassetteError", "error_for_status"):  # no such name, not an APIError, not a class
        request = RecordedRequest.of(STREAM)
        error = RecordedError(type=name, message="it broke")
        cassette.write_atomically(tmp_path / "c.json", cassette.dumps(Cassette(
            complete=True, format_version=1, interactions=(Interaction(occurrence=0, request=request, error=error),),
            recorded_with={"transport": "Streaming"}, sdk_version="0.1.0")))
        async with RecordingTransport(None, tmp_path / "c.json", "none") as replayer:
            with pytest.raises(APIConnectionError, match="it broke") as caught:
                await replayer.handle_async_request(STREAM)
        assert type(caught.value) is APIConnectionError


async def test_a_streamed_reply_keeps_its_headers_live_and_replayed(anyio_backend: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    async with RecordingTransport(Streaming(*THREE), path, "all") as recorder:
        live = await recorder.handle_async_request(STREAM)
        await live.aread()
    async with RecordingTransport(None, path, "none") as replayer:
        replayed = await replayer.handle_async_request(STREAM)
        await replayed.aread()
    assert live.headers == replayed.headers == {"content-type": "text/event-stream"}
    assert replayed.status == 200


async def test_a_cut_in_the_middle_of_a_character_keeps_what_can_be_read_of_the_event(
        anyio_backend: Any, tmp_path: Path) -> None:
    steps = ((0.0, 'data: {"t": "☃"}\n\n'.encode()), (0.0, 'data: {"t": "☃'.encode()[:-1]),
             (0.0, APIConnectionError("reset")))
    async with RecordingTransport(Streaming(*steps), tmp_path / "c.json", "all") as recorder:
        with pytest.raises(APIConnectionError):
            await _arrivals(await recorder.handle_async_request(STREAM))
    assert _recorded_stream(tmp_path / "c.json")["partial"] == 'data: {"t": "\ufffd'
