"""The one SSE codec: framing edge cases, split at every byte, and a cut mid-event.

The stream decoder, the recorder and the backend all use it, so a framing the codec
reads is read alike by streaming and by recording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from julep_async import AsyncStream
from julep_async.exceptions import APIConnectionError
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response
from julep_async.transports.base import BytesStream

pytestmark = pytest.mark.anyio


async def _decode(chunks: list[bytes]) -> list[Any]:
    async with AsyncStream(BytesStream(chunks), json.loads) as stream:
        return [event async for event in stream]


def _every_split(raw: bytes) -> list[list[bytes]]:
    """The stream in one chunk, one byte per chunk, and split in two at every offset."""
    return [[raw], [raw[i : i + 1] for i in range(len(raw))]] + [[raw[:i], raw[i:]] for i in range(1, len(raw))]


@pytest.mark.parametrize(("raw", "events"), [
    (b'data: {"a":1}\n\ndata: {"b":2}\n\n', [{"a": 1}, {"b": 2}]),
    (b'data: {"a":1}\r\n\r\ndata: {"b":2}\r\n\r\n', [{"a": 1}, {"b": 2}]),
    (b'data: {"a":1}\r\rdata: {"b":2}\r\r', [{"a": 1}, {"b": 2}]),
    (b'data: {"a":1}\n\r\ndata: {"b":2}\r\n\n', [{"a": 1}, {"b": 2}]),
    (b'data:{"a":1}\n\n', [{"a": 1}]),
    (b'data: {"a":\ndata: 1}\n\n', [{"a": 1}]),
    (b': a comment\nevent: chunk\nid: 7\ndata: {"a":1}\n\n', [{"a": 1}]),
    (b'event: ping\n\ndata: {"a":1}\n\n\n\n', [{"a": 1}]),
], ids=["lf", "crlf", "cr", "mixed", "no-space", "multi-line", "other-fields", "no-data-and-blank-lines"])
async def test_framings_decode_to_the_same_events_however_the_bytes_are_split(
        raw: bytes, events: list[Any], anyio_backend: str) -> None:
    for chunks in _every_split(raw):
        assert await _decode(chunks) == events, chunks


@pytest.mark.parametrize("raw", [b'data: {"a":1}\n\ndata: {"b"', b'data: {"a":1}\n\ndata: {"b":2}\n', b"data: x"])
async def test_a_stream_cut_mid_event_raises_instead_of_ending(raw: bytes, anyio_backend: str) -> None:
    for chunks in _every_split(raw):
        with pytest.raises(APIConnectionError, match="middle of an event"):
            await _decode(chunks)


async def test_a_recording_keeps_the_events_of_any_framing(tmp_path: Path, anyio_backend: str) -> None:
    raw = b'data: {"a":1}\r\rdata:{"b":\r\ndata: 2}\n\n'

    def server(request: Request) -> Response:
        return Response(200, {"content-type": "text/event-stream"}, stream=BytesStream([raw[:9], raw[9:]]))

    path = tmp_path / "framing.json"
    async with RecordingTransport(InMemoryTransport(server), path, "all") as recorder:
        response = await recorder.handle_async_request(Request("POST", "/x", stream=True))
        assert response.stream is not None
        recorded = await _decode([chunk async for chunk in response.stream])
    events = json.loads(path.read_text())["interactions"][0]["response"]["stream"]["events"]
    assert [event["data"] for event in events] == [{"a": 1}, {"b": 2}]
    async with RecordingTransport(None, path, "none") as replayer:
        response = await replayer.handle_async_request(Request("POST", "/x", stream=True))
        assert response.stream is not None
        assert await _decode([chunk async for chunk in response.stream]) == recorded
