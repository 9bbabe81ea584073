"""``RecordingTransport``: record interactions to a cassette, or replay them without a server.

It wraps any transport at the seam and patches nothing. Requests are paired by a
canonical key — method, path, sorted query, canonical JSON body; never headers, so
per-call values such as idempotency keys do not matter — plus an occurrence count per
key taken in *issue* order. Concurrent calls therefore get their own replies whatever
order they complete in, and a lookup is one dict access.

Modes (as in vcrpy): ``"none"`` replays only (``inner`` may be ``None``; aiohttp is never
imported); ``"once"`` records when the cassette does not exist, else replays;
``"new_episodes"`` replays what it has and records the rest; ``"all"`` records afresh.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import anyio

from .. import __version__, _json, _sse, exceptions
from .._redact import Redactor, credentials
from ..exceptions import APIConnectionError, APIError, CassetteError, ValidationError
from . import _misses, cassette
from .base import ByteStream, Request, Response, StreamWrapper, Transport
from .cassette import Interaction, RecordedError, RecordedRequest, RecordedResponse, RecordedStream, StreamEvent
from .memory import InMemoryTransport

RecordMode = Literal["none", "once", "new_episodes", "all"]
MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all")


class RecordingTransport:
    """Records to, or replays from, the cassette at ``path``.

    Args:
        inner: the transport to record through (``None``: replay only).
        path: the cassette file.
        mode: ``"none"``, ``"once"``, ``"new_episodes"`` or ``"all"`` (see the module doc).
        allow_unused: do not fail at close when recorded interactions were not replayed.
        pacing: ``"instant"`` (default) replays streams at once; ``"recorded"`` waits out
            the recorded offsets between events.
        timing: record real time offsets of stream events; default: yes, unless ``inner``
            is in-process (its streams take no time, and offsets would only add noise).
        secrets: more values that must never be written (the keys sent in
            ``Authorization``, ``X-Auth-Key`` and ``X-Custom-Api-Key`` always count).
        rerecord: the command that re-records this cassette, quoted in error messages.

    Closing saves a recording (atomically; refused if a secret appears anywhere in it) or,
    after a replay, fails on interactions left unused — but only when the work done through
    it succeeded. After a failure (``aclose(complete=False)``, ``aclose_after(error)``, or
    an ``async with`` block that raised), a new cassette is written marked incomplete, an
    existing one is left as it was, and unused interactions are not reported, so the
    error that ended the work is the one that surfaces. An
    :class:`~julep_async.AsyncClient` that owns this transport tells it how its own block
    ended (see :class:`~julep_async.transports.base.OutcomeAware`).
    """

    def __init__(
        self,
        inner: Transport | None,
        path: str | os.PathLike[str],
        mode: RecordMode = "once",
        *,
        allow_unused: bool = False,
        pacing: Literal["instant", "recorded"] = "instant",
        timing: bool | None = None,
        secrets: Iterable[str] = (),
        rerecord: str | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValidationError(f"record mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.path: Path = Path(path)
        self.mode = mode
        self.allow_unused = allow_unused
        self.pacing = pacing
        self.rerecord: str = rerecord or f"re-run with RecordingTransport(..., mode='all') to rewrite {self.path}"
        self._inner = inner
        self._secrets = {s for s in secrets if s}
        self._timing = timing if timing is not None else not isinstance(inner, InMemoryTransport)
        existed = self.path.exists()
        self.replaying: bool = mode == "none" or (mode == "once" and existed)
        self._recording = not self.replaying
        self._recorded: dict[str, list[Interaction]] = defaultdict(list)
        self._new: list[tuple[str, Interaction]] = []  # with each one's key
        self._issued: dict[str, int] = defaultdict(int)
        self._existed = existed
        self._closed = False
        if mode != "all" and (self.replaying or existed):
            self._index(cassette.load(self.path, self.rerecord).interactions)
        if inner is None and self._recording:
            raise CassetteError(f"mode {mode!r} records, and needs an inner transport to record through "
                                f"(there is no cassette at {self.path} to replay)")

    def __repr__(self) -> str:
        what = "replaying" if self.replaying else "recording"
        return f"<RecordingTransport {what} {self.path} mode={self.mode}>"

    def _index(self, interactions: Iterable[Interaction]) -> None:
        with cassette.collector_paused():
            for interaction in interactions:
                self._recorded[interaction.request.key()].append(interaction)
            for recorded in self._recorded.values():
                recorded.sort(key=lambda i: i.occurrence)

    # -- the seam -----------------------------------------------------------------

    async def handle_async_request(self, request: Request) -> Response:
        if self._closed:
            raise CassetteError(f"{self!r} is closed")
        recorded_request = RecordedRequest.of(request)
        key = recorded_request.key()
        occurrence = self._issued[key]
        self._issued[key] = occurrence + 1  # taken at issue time: completion order never matters
        recorded = self._recorded.get(key)
        if recorded is not None and occurrence < len(recorded):  # mode "all" loaded none: it never replays
            return await self._replay(recorded[occurrence], request)
        if not self._recording:
            raise _misses.miss(recorded_request, occurrence, self._recorded, path=self.path, rerecord=self.rerecord)
        return await self._record(request, key, recorded_request, occurrence)

    async def aclose(self, *, complete: bool = True) -> None:
        """Save the recording, or check that the replay used every interaction.

        Args:
            complete: the work done through this transport succeeded; ``False`` marks a
                failed run (see the class docstring).
        """
        if self._closed:
            return
        self._closed = True
        try:
            if self._recording:
                if complete or not self._existed:
                    self._save(complete)
            elif complete and not self.allow_unused:
                error = _misses.unused(self._recorded, self._issued, path=self.path, rerecord=self.rerecord)
                if error is not None:
                    raise error
        finally:
            if self._inner is not None:
                await self._inner.aclose()

    async def aclose_after(self, error: BaseException | None) -> None:
        """Close after work that ended with ``error`` (``None``: it succeeded)."""
        await self.aclose(complete=error is None)

    async def __aenter__(self) -> RecordingTransport:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose_after(exc)

    # -- replay -------------------------------------------------------------------

    async def _replay(self, interaction: Interaction, request: Request) -> Response:
        if interaction.error is not None:
            raise _raised(interaction.error)
        response = interaction.response
        assert response is not None  # an interaction holds a response or an error
        headers = dict(response.headers)
        if response.stream is None:
            return Response(response.status, headers, response.raw_body())
        stream = _Replayed(response.stream, self.pacing, self.rerecord)
        if request.stream:
            return Response(response.status, headers, stream=stream)
        return Response(response.status, headers, await Response(0, stream=stream).aread())

    # -- record -------------------------------------------------------------------

    async def _record(self, request: Request, key: str, recorded: RecordedRequest, occurrence: int) -> Response:
        assert self._inner is not None
        self._secrets.update(credentials(request.headers))
        redact = Redactor(self._secrets)
        try:
            response = await self._inner.handle_async_request(request)
        except APIError as exc:
            self._new.append((key, Interaction(occurrence=occurrence, request=recorded,
                                               error=_recorded_error(exc, redact))))
            raise
        headers = {k: v for k, v in response.headers.items() if k not in cassette.VOLATILE_RESPONSE_HEADERS}
        if response.stream is None:
            body = RecordedResponse.fields_of(response.body)
            reply = RecordedResponse(status=response.status, headers=headers, **body)
            self._new.append((key, Interaction(occurrence=occurrence, request=recorded, response=reply)))
            return response

        def finished(stream: RecordedStream) -> None:
            reply = RecordedResponse(status=response.status, headers=headers, stream=stream)
            self._new.append((key, Interaction(occurrence=occurrence, request=recorded, response=reply)))

        return Response(response.status, response.headers,
                        stream=_Recorder(response.stream, finished, timed=self._timing, redact=redact))

    def _save(self, complete: bool) -> None:
        kept = [(key, i) for key, group in self._recorded.items() for i in group]  # mode "all" loaded none
        interactions = [i for _, i in sorted(kept + self._new, key=lambda pair: (pair[0], pair[1].occurrence))]
        text = cassette.dumps(cassette.Cassette(
            complete=complete, format_version=cassette.FORMAT_VERSION, interactions=tuple(interactions),
            recorded_with={"transport": type(self._inner).__name__}, sdk_version=__version__,
        ))
        if Redactor(self._secrets).found_in(text):
            raise CassetteError(
                f"refusing to save {self.path}: an API key sent with the requests appears in the "
                "recorded data (a reply echoes it?). Nothing was written."
            )
        cassette.write_atomically(self.path, text)


def _recorded_error(error: APIError, redact: Redactor) -> RecordedError:
    return RecordedError(type=type(error).__name__, message=redact(str(error)))


def _raised(error: RecordedError) -> APIError:
    """The SDK error a recorded failure stands for (a connection error if the name is unknown)."""
    cls = getattr(exceptions, error.type, None)
    return (cls if isinstance(cls, type) and issubclass(cls, APIError) else APIConnectionError)(error.message)


def _event_data(data: str) -> Any:
    """An event's data as a cassette holds it: JSON as structure, anything else as ``raw``."""
    try:
        return _json.loads(data)
    except ValueError:
        return {"raw": data}


class _Recorder(StreamWrapper):
    """Passes each chunk on at once and notes it; the stream's record is made when it ends."""

    def __init__(self, inner: ByteStream, finished: Callable[[RecordedStream], None], *,
                 timed: bool, redact: Redactor) -> None:
        super().__init__(inner)
        self._finished = finished
        self._timed = timed
        self._redact = redact
        self._started = anyio.current_time()
        self._events: list[StreamEvent] = []
        self._decoder = _sse.Decoder()
        self._end: Literal["clean", "cancelled", "cut"] = "cancelled"
        self._error: RecordedError | None = None

    def _passed(self, chunk: bytes) -> None:
        offset = round((anyio.current_time() - self._started) * 1000) if self._timed else 0
        self._events += [StreamEvent(data=_event_data(data), offset_ms=offset) for data in self._decoder.feed(chunk)]

    def _ending(self, error: BaseException) -> BaseException:
        if isinstance(error, StopAsyncIteration):
            self._end = "clean"
        elif isinstance(error, APIError):
            self._end, self._error = "cut", _recorded_error(error, self._redact)
        return error

    async def _closed(self) -> None:
        partial = self._decoder.pending.decode(errors="replace") or None
        self._finished(RecordedStream(events=tuple(self._events), end=self._end, error=self._error, partial=partial))


class _Replayed:
    """A recorded stream played back: same events, same ending."""

    def __init__(self, stream: RecordedStream, pacing: str, rerecord: str) -> None:
        self._stream = stream
        self._events: AsyncIterator[bytes] = self._play(pacing, rerecord)

    async def _play(self, pacing: str, rerecord: str) -> AsyncIterator[bytes]:
        previous = 0
        for event in self._stream.events:
            if pacing == "recorded" and event.offset_ms > previous:
                await anyio.sleep((event.offset_ms - previous) / 1000)
            previous = event.offset_ms
            raw = isinstance(event.data, dict) and set(event.data) == {"raw"}
            yield _sse.encode(event.data["raw"]) if raw else _sse.encode_json(event.data)
        if self._stream.partial:
            yield self._stream.partial.encode()
        if self._stream.end == "cut":
            raise _raised(self._stream.error or RecordedError(type="APIConnectionError", message="the stream was cut"))
        if self._stream.end == "cancelled":
            raise CassetteError(
                f"the recording of this stream stops after {len(self._stream.events)} event(s): the consumer "
                f"closed it early while recording. Re-record: {rerecord}"
            )

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._events

    async def aclose(self) -> None:
        await self._events.aclose()  # type: ignore[attr-defined]
