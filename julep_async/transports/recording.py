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

import base64
import difflib
import json
import os
import urllib.parse
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, Literal

import anyio

from .. import exceptions
from ..exceptions import APIConnectionError, APIError, CassetteError, CassetteMissError, ValidationError
from . import cassette
from .base import SECRET_HEADERS, ByteStream, Request, Response, StreamWrapper, Transport
from .memory import InMemoryTransport

RecordMode = Literal["none", "once", "new_episodes", "all"]
MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all")
MIN_SECRET_LENGTH = 8  # shorter keys would match ordinary text; they are not scanned for

Interaction = dict[str, Any]


def request_form(request: Request) -> dict[str, Any]:
    """How a request is written in a cassette (credentials and volatile headers left out)."""
    return {
        "method": request.method,
        "path": request.path,
        "query": sorted([list(pair) for pair in request.query]),
        "headers": {k: v for k, v in request.headers.items() if k in cassette.REQUEST_HEADERS},
        **cassette.encode_body(request.body),
    }


def key_of(form: dict[str, Any]) -> str:
    """The pairing key of a request form: method, path, query and body — not headers."""
    body = {k: form[k] for k in ("body", "text", "base64") if k in form}
    return f"{form['method']} {form['path']} {cassette.canonical_json(form['query'])} {cassette.canonical_json(body)}"


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

    ``aclose()`` saves a recording (atomically; refused if a secret appears anywhere in
    it) or, after a replay, fails on interactions left unused. ``aclose(complete=False)``
    marks a failed record run: a new cassette is written marked incomplete, an existing
    one is left as it was.
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
        self._new: list[Interaction] = []
        self._issued: dict[str, int] = defaultdict(int)
        self._existed = existed
        self._closed = False
        if mode != "all" and (self.replaying or existed):
            self._index(cassette.load(self.path, self.rerecord)["interactions"])
        if inner is None and self._recording:
            raise CassetteError(f"mode {mode!r} records, and needs an inner transport to record through "
                                f"(there is no cassette at {self.path} to replay)")

    def __repr__(self) -> str:
        what = "replaying" if self.replaying else "recording"
        return f"<RecordingTransport {what} {self.path} mode={self.mode}>"

    def _index(self, interactions: list[Interaction]) -> None:
        for interaction in interactions:
            self._recorded[key_of(interaction["request"])].append(interaction)
        for recorded in self._recorded.values():
            recorded.sort(key=lambda i: i["occurrence"])

    # -- the seam -----------------------------------------------------------------

    async def handle_async_request(self, request: Request) -> Response:
        if self._closed:
            raise CassetteError(f"{self!r} is closed")
        form = request_form(request)
        key = key_of(form)
        occurrence = self._issued[key]
        self._issued[key] = occurrence + 1  # taken at issue time: completion order never matters
        recorded = self._recorded.get(key)
        if recorded is not None and occurrence < len(recorded) and self.mode != "all":
            return await self._replay(recorded[occurrence], request)
        if not self._recording:
            raise self._miss(form, key, occurrence)
        return await self._record(request, form, occurrence)

    async def aclose(self, *, complete: bool = True) -> None:
        """Save the recording, or check that the replay used every interaction."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._recording:
                if complete or not self._existed:
                    self._save(complete)
            elif complete and not self.allow_unused:
                self._check_all_used()
        finally:
            if self._inner is not None:
                await self._inner.aclose()

    async def __aenter__(self) -> RecordingTransport:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        await self.aclose(complete=exc_type is None)

    # -- replay -------------------------------------------------------------------

    async def _replay(self, interaction: Interaction, request: Request) -> Response:
        if (error := interaction.get("error")) is not None:
            raise _error_class(error["type"])(error.get("message", "recorded failure"))
        response = interaction["response"]
        headers = dict(response.get("headers", {}))
        if "stream" not in response:
            return Response(response["status"], headers, cassette.decode_body(response))
        stream = _Replayed(response["stream"], self.pacing, self.rerecord)
        if request.stream:
            return Response(response["status"], headers, stream=stream)
        return Response(response["status"], headers, await Response(0, stream=stream).aread())

    def _miss(self, form: dict[str, Any], key: str, occurrence: int) -> CassetteMissError:
        sent = f"{form['method']} {form['path']}"
        recorded = self._recorded.get(key, [])
        if recorded:
            reason = (f"the cassette holds {len(recorded)} such request(s) and all were used; "
                      f"this is occurrence {occurrence + 1}")
            return CassetteMissError(f"{sent}: {reason} ({self.path}).\nRe-record: {self.rerecord}")
        candidates = [i["request"] for group in self._recorded.values() for i in group[:1]]
        same_path = [c for c in candidates if (c["method"], c["path"]) == (form["method"], form["path"])]
        pool = same_path or [c for c in candidates if c["method"] == form["method"]] or candidates
        closest = sorted(pool, key=lambda c: -difflib.SequenceMatcher(None, key_of(c), key).quick_ratio())[:3]
        lines = [f"{sent}: no recorded interaction matches this request in {self.path}."]
        if closest:
            lines.append("Closest recorded requests:")
            lines += [f"  {n}. {c['method']} {c['path']}" for n, c in enumerate(closest, 1)]
            lines.append("Difference from the closest (- recorded, + sent):")
            lines += _diff(closest[0], form)
        else:
            lines.append("The cassette holds no interactions.")
        lines.append(f"Re-record: {self.rerecord}")
        return CassetteMissError("\n".join(lines))

    def _check_all_used(self) -> None:
        unused = [
            f"  {group[0]['request']['method']} {group[0]['request']['path']} "
            f"({len(group) - self._issued.get(key, 0)} of {len(group)} unused)"
            for key, group in self._recorded.items()
            if self._issued.get(key, 0) < len(group)
        ]
        if unused:
            raise CassetteError(
                f"{len(unused)} recorded request(s) in {self.path} were never replayed — the code under test "
                "no longer makes them:\n" + "\n".join(unused)
                + f"\nRe-record: {self.rerecord}  (or pass allow_unused=True)"
            )

    # -- record -------------------------------------------------------------------

    async def _record(self, request: Request, form: dict[str, Any], occurrence: int) -> Response:
        assert self._inner is not None
        self._secrets.update(_credentials(request))
        interaction: Interaction = {"occurrence": occurrence, "request": form}
        try:
            response = await self._inner.handle_async_request(request)
        except APIError as exc:
            interaction["error"] = {"type": type(exc).__name__, "message": str(exc)}
            self._new.append(interaction)
            raise
        headers = {k: v for k, v in response.headers.items() if k not in cassette.VOLATILE_RESPONSE_HEADERS}
        if response.stream is None:
            interaction["response"] = {"status": response.status, "headers": headers,
                                       **cassette.encode_body(response.body)}
            self._new.append(interaction)
            return response

        def finished(stream: dict[str, Any]) -> None:
            interaction["response"] = {"status": response.status, "headers": headers, "stream": stream}
            self._new.append(interaction)

        return Response(response.status, response.headers,
                        stream=_Recorder(response.stream, finished, timed=self._timing))

    def _save(self, complete: bool) -> None:
        kept = [] if self.mode == "all" else [i for group in self._recorded.values() for i in group]
        interactions = sorted(kept + self._new, key=lambda i: (key_of(i["request"]), i["occurrence"]))
        from .. import __version__

        text = cassette.dumps({
            "complete": complete,
            "format_version": cassette.FORMAT_VERSION,
            "interactions": interactions,
            "recorded_with": {"transport": type(self._inner).__name__},
            "sdk_version": __version__,
        })
        for secret in self._secrets:
            if len(secret) >= MIN_SECRET_LENGTH and any(form in text for form in _encodings(secret)):
                raise CassetteError(
                    f"refusing to save {self.path}: an API key sent with the requests appears in the "
                    "recorded data (a reply echoes it?). Nothing was written."
                )
        cassette.write_atomically(self.path, text)


def _credentials(request: Request) -> set[str]:
    found = set()
    for name in SECRET_HEADERS:
        value = request.headers.get(name)
        if value:
            found.add(value[7:] if value[:7].lower() == "bearer " else value)
    return found


def _encodings(secret: str) -> list[str]:
    """The forms a secret can take in a file: raw, base64 (alone or as ``Bearer``), URL-encoded."""
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode(), base64.b64encode(b"Bearer " + raw).decode(),
            urllib.parse.quote(secret, safe=""), base64.urlsafe_b64encode(raw).decode().rstrip("=")]


def _error_class(name: str) -> type[APIError]:
    cls = getattr(exceptions, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, APIError) else APIConnectionError


def _diff(recorded: dict[str, Any], sent: dict[str, Any]) -> list[str]:
    def lines(form: dict[str, Any]) -> list[str]:
        shown = {k: form[k] for k in ("method", "path", "query", "body", "text") if k in form}
        return json.dumps(shown, sort_keys=True, indent=2, ensure_ascii=False).splitlines()

    diff = difflib.unified_diff(lines(recorded), lines(sent), "recorded", "sent", lineterm="", n=2)
    return ["    " + line for line in list(diff)[2:]] or ["    (identical apart from the occurrence count)"]


def _split_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete SSE event blocks, and what remains after the last blank line."""
    blocks = buffer.replace(b"\r\n", b"\n").split(b"\n\n")
    return [b for b in blocks[:-1] if b.strip()], blocks[-1]


def _event_form(block: bytes) -> Any:
    data = b"\n".join(line[5:].removeprefix(b" ") for line in block.split(b"\n") if line.startswith(b"data:"))
    try:
        return json.loads(data)
    except ValueError:
        return {"raw": block.decode(errors="replace")}


class _Recorder(StreamWrapper):
    """Passes each chunk on at once and notes it; the stream's record is made when it ends."""

    def __init__(self, inner: ByteStream, finished: Any, *, timed: bool) -> None:
        super().__init__(inner)
        self._finished = finished
        self._timed = timed
        self._started = anyio.current_time() if timed else 0.0
        self._events: list[dict[str, Any]] = []
        self._buffer = b""
        self._end = "cancelled"
        self._error: dict[str, str] | None = None

    def _passed(self, chunk: bytes) -> None:
        offset = round((anyio.current_time() - self._started) * 1000) if self._timed else 0
        blocks, self._buffer = _split_events(self._buffer + chunk)
        self._events += [{"data": _event_form(block), "offset_ms": offset} for block in blocks]

    def _ending(self, error: BaseException) -> BaseException:
        if isinstance(error, StopAsyncIteration):
            self._end = "clean"
        elif isinstance(error, APIError):
            self._end, self._error = "cut", {"type": type(error).__name__, "message": str(error)}
        return error

    async def _closed(self) -> None:
        record: dict[str, Any] = {"end": self._end, "error": self._error, "events": self._events}
        if self._buffer.strip():
            record["partial"] = self._buffer.decode(errors="replace")
        self._finished(record)


class _Replayed:
    """A recorded stream played back: same events, same ending."""

    def __init__(self, stream: dict[str, Any], pacing: str, rerecord: str) -> None:
        self._stream = stream
        self._events: AsyncIterator[bytes] = self._play(pacing, rerecord)

    async def _play(self, pacing: str, rerecord: str) -> AsyncIterator[bytes]:
        previous = 0
        for event in self._stream["events"]:
            if pacing == "recorded" and event["offset_ms"] > previous:
                await anyio.sleep((event["offset_ms"] - previous) / 1000)
            previous = event["offset_ms"]
            data = event["data"]
            if isinstance(data, dict) and set(data) == {"raw"}:
                yield data["raw"].encode() + b"\n\n"
            else:
                yield b"data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode() + b"\n\n"
        if partial := self._stream.get("partial"):
            yield partial.encode()
        if self._stream["end"] == "cut":
            error = self._stream.get("error") or {"type": "APIConnectionError", "message": "stream cut"}
            raise _error_class(error["type"])(error.get("message", "the stream was cut"))
        if self._stream["end"] == "cancelled":
            raise CassetteError(
                f"the recording of this stream stops after {len(self._stream['events'])} event(s): the consumer "
                f"closed it early while recording. Re-record: {rerecord}"
            )

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._events

    async def aclose(self) -> None:
        await self._events.aclose()  # type: ignore[attr-defined]
