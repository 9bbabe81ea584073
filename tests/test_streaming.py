"""AsyncStream: the read timeout between events, the call's deadline over the whole
stream, and closing. Times are read on trio's MockClock: every wait is a jump, and the
clock shows exactly when a limit ran out."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from julep_async import AsyncStream
from julep_async._sse import Decoder, encode, encode_json
from julep_async.exceptions import APIConnectionError, APITimeoutError

pytestmark = pytest.mark.anyio


class Events:
    """A stream body: each chunk is sent ``every`` seconds after the one before (on anyio's
    clock); after the last, silence (``forever``) or the end."""

    def __init__(self, *chunks: bytes, every: float = 0.0, forever: bool = False) -> None:
        self.chunks = list(chunks)
        self.every = every
        self.forever = forever
        self.closed = 0

    def __aiter__(self) -> Events:
        return self

    async def __anext__(self) -> bytes:
        if not self.chunks:
            if self.forever:
                await anyio.sleep_forever()
            raise StopAsyncIteration
        await anyio.sleep(self.every)
        return self.chunks.pop(0)

    async def aclose(self) -> None:
        self.closed += 1


def _event(n: int) -> bytes:
    return f'data: {{"n": {n}}}\n\n'.encode()


async def _times(stream: AsyncStream[Any]) -> list[tuple[float, Any]]:
    started = anyio.current_time()
    return [(anyio.current_time() - started, event) async for event in stream]


@pytest.mark.mock_clock
async def test_the_read_timeout_applies_to_each_event_not_to_the_whole_stream(anyio_backend: Any) -> None:
    body = Events(*(_event(n) for n in range(4)), every=3)
    stream = AsyncStream(body, json.loads, read=5)
    assert await _times(stream) == [(3, {"n": 0}), (6, {"n": 1}), (9, {"n": 2}), (12, {"n": 3})]


@pytest.mark.mock_clock
async def test_a_stream_silent_for_longer_than_the_read_timeout_times_out_and_closes(anyio_backend: Any) -> None:
    body = Events(_event(0), every=1, forever=True)
    stream = AsyncStream(body, json.loads, read=5)
    started = anyio.current_time()
    assert await stream.__anext__() == {"n": 0}
    with pytest.raises(APITimeoutError, match=r"^no stream event came within 5s \(Timeout\.read\)$"):
        await stream.__anext__()
    assert (anyio.current_time() - started, body.closed) == (6, 1)


@pytest.mark.mock_clock
async def test_bytes_that_never_complete_an_event_time_out(anyio_backend: Any) -> None:
    body = Events(*[b"d"] * 100, every=1)  # a byte a second, never a whole event
    stream = AsyncStream(body, json.loads, read=5)
    started = anyio.current_time()
    with pytest.raises(APITimeoutError, match=r"Timeout\.read"):
        await stream.__anext__()
    assert anyio.current_time() - started == 5


@pytest.mark.mock_clock
async def test_the_deadline_ends_a_stream_that_goes_on_too_long(anyio_backend: Any) -> None:
    body = Events(*(_event(n) for n in range(100)), every=3)
    started = anyio.current_time()
    stream = AsyncStream(body, json.loads, read=5, ends=started + 10)
    received = []
    with pytest.raises(APITimeoutError, match=r"^the stream did not end before the call's deadline "
                                              r"\(RetryPolicy\.deadline\)$"):
        async for event in stream:
            received.append(event["n"])
    assert (received, anyio.current_time() - started, body.closed) == ([0, 1, 2], 10, 1)


@pytest.mark.mock_clock
async def test_the_deadline_applies_without_a_read_timeout(anyio_backend: Any) -> None:
    started = anyio.current_time()
    stream = AsyncStream(Events(forever=True), json.loads, ends=started + 10)
    with pytest.raises(APITimeoutError, match="deadline"):
        await stream.__anext__()
    assert anyio.current_time() - started == 10


@pytest.mark.mock_clock
async def test_without_limits_a_stream_waits_as_long_as_it_takes(anyio_backend: Any) -> None:
    stream = AsyncStream(Events(_event(0), every=3600), json.loads)
    assert await _times(stream) == [(3600, {"n": 0})]


@pytest.mark.mock_clock
async def test_events_already_received_are_handed_out_after_the_deadline(anyio_backend: Any) -> None:
    started = anyio.current_time()
    stream = AsyncStream(Events(_event(0) + _event(1), forever=True), json.loads, read=5, ends=started + 1)
    assert await stream.__anext__() == {"n": 0}
    await anyio.sleep(2)  # the caller is slow; both events came in one chunk long ago
    assert await stream.__anext__() == {"n": 1}
    with pytest.raises(APITimeoutError, match="deadline"):
        await stream.__anext__()


async def test_done_markers_are_skipped(anyio_backend: str) -> None:
    stream = AsyncStream(Events(_event(0), b"data: [DONE]\n\n", _event(1)), json.loads)
    assert [event async for event in stream] == [{"n": 0}, {"n": 1}]


async def test_an_event_that_does_not_parse_closes_the_stream(anyio_backend: str) -> None:
    body = Events(b"data: {not json\n\n", _event(1))
    stream = AsyncStream(body, json.loads)
    with pytest.raises(ValueError):
        await stream.__anext__()
    assert body.closed == 1


async def test_the_end_of_the_stream_closes_it(anyio_backend: str) -> None:
    body = Events(_event(0))
    assert [event async for event in AsyncStream(body, json.loads)] == [{"n": 0}]
    assert body.closed == 1


async def test_leaving_the_block_closes_the_stream(anyio_backend: str) -> None:
    body = Events(_event(0), _event(1))
    async with AsyncStream(body, json.loads) as stream:
        assert await stream.__anext__() == {"n": 0}
        assert body.closed == 0
    assert body.closed == 1


async def test_a_stream_cut_mid_event_raises_and_closes(anyio_backend: str) -> None:
    body = Events(_event(0), b'data: {"n": 1')
    stream = AsyncStream(body, json.loads)
    assert await stream.__anext__() == {"n": 0}
    with pytest.raises(APIConnectionError, match=r"^the stream ended in the middle of an event \(connection cut\)$"):
        await stream.__anext__()
    assert body.closed == 1


# -- the codec ------------------------------------------------------------------------


def test_encode_writes_a_data_line_per_line_and_a_blank_line() -> None:
    assert encode("one") == b"data: one\n\n"
    assert encode("one\ntwo") == b"data: one\ndata: two\n\n"
    assert encode("") == b"data: \n\n"


def test_encode_json_is_compact_with_real_characters() -> None:
    assert encode_json({"a": [1, "☃"]}) == 'data: {"a":[1,"☃"]}\n\n'.encode()


@pytest.mark.parametrize("data", ["one", "one\ntwo", "", " leading space", "a:b", '{"x": 1}'])
def test_what_encode_writes_decodes_to_the_same_data(data: str) -> None:
    assert Decoder().feed(encode(data)) == [data]


def test_pending_holds_the_bytes_of_an_event_begun_but_not_ended() -> None:
    decoder = Decoder()
    assert decoder.feed(b'data: {"n": 0}\n\nid: 7\ndata: {"n"') == ['{"n": 0}']
    assert decoder.pending == b'id: 7\ndata: {"n"'
    assert decoder.feed(b": 1}\n\n") == ['{"n": 1}']
    assert decoder.pending == b""


def test_a_comment_between_events_leaves_nothing_pending() -> None:
    decoder = Decoder()
    assert decoder.feed(b": keep-alive\n") == []
    assert decoder.pending == b""
    decoder.end()  # a comment is not a broken event


def test_an_event_of_other_fields_only_yields_no_data() -> None:
    decoder = Decoder()
    assert decoder.feed(b"event: ping\nid: 3\n\n") == []
    assert decoder.pending == b""


def test_a_cr_split_from_its_lf_makes_one_line_end() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # the LF completes the CR: no blank line yet
    assert decoder.feed(b"\r\n") == ["a"]


def test_an_empty_chunk_changes_nothing() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\n\n") == ["a"]


def test_a_crlf_split_between_its_cr_and_lf_inside_an_event_is_one_line_end() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_data_keeps_its_trailing_spaces_and_letters() -> None:
    assert Decoder().feed(b"data: a  \n\ndata: aX\r\n\r\n") == ["a  ", "aX"]


def test_data_that_is_not_utf8_is_decoded_with_replacement_characters() -> None:
    assert Decoder().feed(b"data: caf\xe9\n\n") == ["caf\ufffd"]


def test_a_comment_after_an_event_leaves_nothing_pending() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\n\n: keep-alive\n") == ["a"]
    assert decoder.pending == b""
    decoder.end()
