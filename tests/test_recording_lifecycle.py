"""RecordingTransport's life: what it needs to start, what closing it does (once), what it
keeps out of a recording, and what a replay miss or an unused interaction says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from julep_async import __version__
from julep_async.exceptions import APIConnectionError, CassetteError, CassetteMissError, ValidationError
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response

pytestmark = pytest.mark.anyio


class Inner:
    """A transport that answers ``status`` with ``headers`` and counts its closes."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"{}") -> None:
        self.reply = Response(status, headers or {"content-type": "application/json"}, body)
        self.closes = 0
        self.requests: list[Request] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.requests.append(request)
        return self.reply

    async def aclose(self) -> None:
        self.closes += 1


def _interactions(path: Path) -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    return interactions


async def _record(path: Path, *requests: Request, inner: Any = None) -> None:
    async with RecordingTransport(inner or Inner(), path, "all") as recorder:
        for request in requests:
            await recorder.handle_async_request(request)


# -- closing --------------------------------------------------------------------------


async def test_a_closed_recorder_refuses_requests(tmp_path: Path, anyio_backend: str) -> None:
    recorder = RecordingTransport(Inner(), tmp_path / "c.json", "all")
    await recorder.aclose()
    with pytest.raises(CassetteError, match=r"<RecordingTransport recording .*c\.json mode=all> is closed"):
        await recorder.handle_async_request(Request("GET", "/x"))


async def test_closing_a_recording_closes_the_inner_transport(tmp_path: Path, anyio_backend: str) -> None:
    inner = Inner()
    await _record(tmp_path / "c.json", Request("GET", "/x"), inner=inner)
    assert inner.closes == 1


async def test_closing_twice_saves_once_and_closes_the_inner_transport_once(
        tmp_path: Path, anyio_backend: str) -> None:
    inner, path = Inner(), tmp_path / "c.json"
    recorder = RecordingTransport(inner, path, "all")
    await recorder.handle_async_request(Request("GET", "/x"))
    await recorder.aclose()
    path.unlink()
    await recorder.aclose()
    assert (inner.closes, path.exists()) == (1, False)


async def test_the_inner_transport_is_closed_even_when_the_save_is_refused(
        tmp_path: Path, anyio_backend: str) -> None:
    key = "sk-echoed-back-0123456789"
    inner = Inner(body=json.dumps({"you_sent": key}).encode())
    recorder = RecordingTransport(inner, tmp_path / "c.json", "all")
    await recorder.handle_async_request(Request("GET", "/x", headers={"authorization": f"Bearer {key}"}))
    with pytest.raises(CassetteError, match=r"^refusing to save .*: an API key sent with the requests appears in the "
                                            r"recorded data \(a reply echoes it\?\)\. Nothing was written\.$"):
        await recorder.aclose()
    assert inner.closes == 1
    await recorder.aclose()  # and a second close does not try again
    assert inner.closes == 1


async def test_the_inner_transport_is_closed_even_when_interactions_were_left_unused(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/x"))
    inner = Inner()
    with pytest.raises(CassetteError, match="never replayed"):
        await RecordingTransport(inner, path, "once").aclose()  # a cassette exists: "once" replays
    assert inner.closes == 1


async def test_a_failed_run_does_not_report_unused_interactions(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/x"))
    await RecordingTransport(None, path, "none").aclose_after(RuntimeError("the test failed first"))
    await RecordingTransport(None, path, "none").aclose(complete=False)


async def test_a_failed_run_over_an_existing_cassette_writes_nothing(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/x"))
    before = path.read_bytes()
    recorder = RecordingTransport(Inner(), path, "new_episodes")
    await recorder.handle_async_request(Request("GET", "/y"))
    await recorder.aclose_after(RuntimeError("the test failed"))
    assert path.read_bytes() == before


async def test_a_successful_block_saves_a_complete_cassette(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/x"))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert {key: value for key, value in document.items() if key != "interactions"} == {
        "complete": True, "format_version": 1, "recorded_with": {"transport": "Inner"}, "sdk_version": __version__}


# -- what a recorder needs ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["once", "new_episodes", "all"])
async def test_recording_needs_an_inner_transport(tmp_path: Path, anyio_backend: str, mode: Any) -> None:
    with pytest.raises(CassetteError, match=f"mode '{mode}' records, and needs an inner transport"):
        RecordingTransport(None, tmp_path / "absent.json", mode)


async def test_new_episodes_without_an_inner_transport_is_refused_over_an_existing_cassette(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/x"))
    with pytest.raises(CassetteError, match="needs an inner transport"):
        RecordingTransport(None, path, "new_episodes")


async def test_mode_all_records_over_a_cassette_it_cannot_read(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    path.write_text("{ not a cassette", encoding="utf-8")
    await _record(path, Request("GET", "/x"))
    assert [i["request"]["path"] for i in _interactions(path)] == ["/x"]


async def test_new_episodes_keeps_what_it_replayed_and_adds_what_it_recorded(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/a"), Request("GET", "/b"))
    inner = Inner()
    async with RecordingTransport(inner, path, "new_episodes") as recorder:
        await recorder.handle_async_request(Request("GET", "/b"))
        await recorder.handle_async_request(Request("GET", "/c"))
        await recorder.handle_async_request(Request("GET", "/b"))  # a second /b: not recorded yet
    assert [r.path for r in inner.requests] == ["/c", "/b"]
    assert [(i["request"]["path"], i["occurrence"]) for i in _interactions(path)] == [
        ("/a", 0), ("/b", 0), ("/b", 1), ("/c", 0)]


async def test_the_default_mode_records_a_missing_cassette_then_replays_it(tmp_path: Path, anyio_backend: str) -> None:
    inner, path = Inner(), tmp_path / "c.json"
    async with RecordingTransport(inner, path) as recorder:
        assert (recorder.mode, recorder.replaying) == ("once", False)
        await recorder.handle_async_request(Request("GET", "/x"))
    async with RecordingTransport(inner, path) as replayer:
        assert replayer.replaying
        await replayer.handle_async_request(Request("GET", "/x"))
    assert len(inner.requests) == 1


def test_the_settings_are_kept_as_given(tmp_path: Path) -> None:
    recorder = RecordingTransport(Inner(), str(tmp_path / "c.json"), "all", allow_unused=True, pacing="recorded",
                                  rerecord="make rerecord")
    assert (recorder.path, recorder.mode, recorder.allow_unused, recorder.pacing, recorder.rerecord) == (
        tmp_path / "c.json", "all", True, "recorded", "make rerecord")
    default = RecordingTransport(Inner(), tmp_path / "d.json")
    assert (default.mode, default.allow_unused, default.pacing) == ("once", False, "instant")
    assert default.rerecord == f"re-run with RecordingTransport(..., mode='all') to rewrite {tmp_path / 'd.json'}"


def test_the_repr_says_what_it_does(tmp_path: Path) -> None:
    assert repr(RecordingTransport(Inner(), tmp_path / "c.json", "all")) == (
        f"<RecordingTransport recording {tmp_path / 'c.json'} mode=all>")
    (tmp_path / "c.json").write_text(json.dumps({"complete": True, "format_version": 1, "interactions": [],
                                                 "recorded_with": {}, "sdk_version": "0"}), encoding="utf-8")
    assert repr(RecordingTransport(None, tmp_path / "c.json", "none")) == (
        f"<RecordingTransport replaying {tmp_path / 'c.json'} mode=none>")


# -- what is kept out -----------------------------------------------------------------

VOLATILE = {"date": "Tue, 01 Jan 2030 00:00:00 GMT", "set-cookie": "session=abc", "server": "gunicorn",
            "content-length": "2", "transfer-encoding": "chunked", "connection": "keep-alive",
            "keep-alive": "timeout=5", "cf-ray": "8a1b", "content-encoding": "gzip"}


async def test_volatile_reply_headers_are_never_recorded(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    kept = {"content-type": "application/json", "x-request-id": "req-1"}
    inner = Inner(headers={**kept, **VOLATILE})
    async with RecordingTransport(inner, path, "all") as recorder:
        live = await recorder.handle_async_request(Request("GET", "/x"))
    assert live.headers == {**kept, **VOLATILE}  # the live caller gets the reply as it came
    assert _interactions(path)[0]["response"]["headers"] == kept
    async with RecordingTransport(None, path, "none") as replayer:
        assert (await replayer.handle_async_request(Request("GET", "/x"))).headers == kept


async def test_only_the_accept_and_content_type_request_headers_are_recorded(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    headers = {"accept": "application/json", "content-type": "application/json", "user-agent": "julep-async/0",
               "idempotency-key": "k1", "x-trace": "t1"}
    await _record(path, Request("POST", "/x", headers=headers, body=b"{}"))
    assert _interactions(path)[0]["request"]["headers"] == {"accept": "application/json",
                                                            "content-type": "application/json"}


async def test_a_failure_that_is_not_an_api_error_is_not_recorded(tmp_path: Path, anyio_backend: str) -> None:
    def broken(request: Request) -> Response:
        raise RuntimeError("a bug in the handler")

    path = tmp_path / "c.json"
    async with RecordingTransport(InMemoryTransport(broken), path, "all") as recorder:
        with pytest.raises(RuntimeError):
            await recorder.handle_async_request(Request("GET", "/x"))
    assert _interactions(path) == []


async def test_an_error_is_recorded_with_its_type_and_message(tmp_path: Path, anyio_backend: str) -> None:
    def reset(request: Request) -> Response:
        raise APIConnectionError("GET /x: reset")

    path = tmp_path / "c.json"
    async with RecordingTransport(InMemoryTransport(reset), path, "all") as recorder:
        with pytest.raises(APIConnectionError):
            await recorder.handle_async_request(Request("GET", "/x"))
    assert _interactions(path)[0]["error"] == {"type": "APIConnectionError", "message": "GET /x: reset"}


# -- misses and unused interactions ---------------------------------------------------


async def test_a_miss_on_an_empty_cassette_says_it_holds_nothing(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path)
    async with RecordingTransport(None, path, "none", rerecord="make rerecord") as replayer:
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(Request("GET", "/x"))
    assert str(caught.value) == (f"GET /x: no recorded interaction matches this request in {path}.\n"
                                 "The cassette holds no interactions.\nRe-record: make rerecord")


async def test_a_miss_shows_the_three_closest_requests_and_a_diff_from_the_closest(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, *(Request("GET", "/items", query=(("page", str(n)),)) for n in (1, 2, 3, 4)),
                  Request("POST", "/items", body=b'{"page": 9}'), Request("DELETE", "/other"))
    async with RecordingTransport(None, path, "none", allow_unused=True, rerecord="make rerecord") as replayer:
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(Request("GET", "/items", query=(("page", "5"),)))
    assert str(caught.value).splitlines() == [
        f"GET /items: no recorded interaction matches this request in {path}.",
        "Closest recorded requests:", "  1. GET /items", "  2. GET /items", "  3. GET /items",
        "Difference from the closest (- recorded, + sent):",
        "    @@ -6,5 +6,5 @@", "         [", '           "page",', '    -      "1"', '    +      "5"', "         ]",
        "       ]",
        "Re-record: make rerecord",
    ]


async def test_a_miss_looks_first_at_the_same_path_then_the_same_method(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/sessions/abc"), Request("POST", "/sessions/abd"),
                  Request("POST", "/agents"), Request("GET", "/agents"))
    async with RecordingTransport(None, path, "none", allow_unused=True) as replayer:
        with pytest.raises(CassetteMissError) as by_method:
            await replayer.handle_async_request(Request("POST", "/sessions/abc", body=b"{}"))
        with pytest.raises(CassetteMissError) as by_path:
            await replayer.handle_async_request(Request("GET", "/sessions/abc", query=(("a", "b"),)))
    assert "Closest recorded requests:\n  1. POST /sessions/abd\n  2. POST /agents\nDifference" in str(by_method.value)
    assert "Closest recorded requests:\n  1. GET /sessions/abc\nDifference" in str(by_path.value)


async def test_the_unused_report_counts_each_request(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/a"), Request("GET", "/a"), Request("GET", "/a"), Request("GET", "/b"))
    replayer = RecordingTransport(None, path, "none", rerecord="make rerecord")
    await replayer.handle_async_request(Request("GET", "/a"))
    with pytest.raises(CassetteError) as caught:
        await replayer.aclose()
    assert str(caught.value) == (
        f"2 recorded request(s) in {path} were never replayed — the code under test no longer makes them:\n"
        "  GET /a (2 of 3 unused)\n  GET /b (1 of 1 unused)\nRe-record: make rerecord  (or pass allow_unused=True)")


async def test_a_miss_after_every_recorded_occurrence_was_used_counts_them(
        tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("GET", "/a"), Request("GET", "/a"))
    async with RecordingTransport(None, path, "none", rerecord="make rerecord") as replayer:
        for _ in range(2):
            await replayer.handle_async_request(Request("GET", "/a"))
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(Request("GET", "/a"))
    assert str(caught.value) == (f"GET /a: the cassette holds 2 such request(s) and all were used; this is "
                                 f"occurrence 3 ({path}).\nRe-record: make rerecord")


async def test_a_miss_is_shown_against_the_most_similar_recorded_request(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("POST", "/agents", body=b'{"name": "zzzzzzzzzzzzzzzzzzzz"}'),
                  Request("POST", "/agents", body=b'{"name": "Zoe"}'))
    async with RecordingTransport(None, path, "none", allow_unused=True) as replayer:
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(Request("POST", "/agents", body='{"name": "Zoë"}'.encode()))
    changed = [" ".join(line.split()) for line in str(caught.value).splitlines() if line.startswith(("    -", "    +"))]
    assert changed == ['- "name": "Zoe"', '+ "name": "Zoë"']  # the closer of the two, with its real characters


@pytest.mark.parametrize(("recorded", "sent", "changed"), [
    (b'{"name": "Zoe"}', '{"name": "Zoë"}'.encode(), ['-    "name": "Zoe"', '+    "name": "Zoë"']),
    (b"hello there", b"hello world", ['-  "text": "hello there"', '+  "text": "hello world"']),
    (b"\xff\x00", b"\xfe\x00", ['-  "base64": "/wA=",', '+  "base64": "/gA=",']),
], ids=["json", "text", "bytes"])
async def test_a_miss_shows_the_body_as_the_cassette_holds_it(
        tmp_path: Path, anyio_backend: str, recorded: bytes, sent: bytes, changed: list[str]) -> None:
    path = tmp_path / "c.json"
    await _record(path, Request("POST", "/agents", body=recorded))
    async with RecordingTransport(None, path, "none", allow_unused=True) as replayer:
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(Request("POST", "/agents", body=sent))
    diff = str(caught.value).split("(- recorded, + sent):\n")[1].splitlines()[:-1]
    assert [line[4:] for line in diff if line.startswith(("    -", "    +"))] == changed


@pytest.mark.parametrize(("recorded", "sent", "changed"), [
    (Request("GET", "/x"), Request("DELETE", "/x"), ['-  "method": "GET",', '+  "method": "DELETE",']),
    (Request("GET", "/a"), Request("GET", "/b"), ['-  "path": "/a",', '+  "path": "/b",']),
    (Request("GET", "/a", query=(("k", "1"),)), Request("GET", "/a", query=(("k", "2"),)),
     ['-      "1"', '+      "2"']),
], ids=["method", "path", "query"])
async def test_a_miss_shows_which_part_of_the_request_differs(
        tmp_path: Path, anyio_backend: str, recorded: Request, sent: Request, changed: list[str]) -> None:
    path = tmp_path / "c.json"
    await _record(path, recorded)
    async with RecordingTransport(None, path, "none", allow_unused=True) as replayer:
        with pytest.raises(CassetteMissError) as caught:
            await replayer.handle_async_request(sent)
    diff = str(caught.value).split("(- recorded, + sent):\n")[1].splitlines()[:-1]
    assert [line[4:] for line in diff if line.startswith(("    -", "    +"))] == changed


async def test_an_unknown_mode_is_refused_with_the_modes_there_are(tmp_path: Path, anyio_backend: str) -> None:
    with pytest.raises(ValidationError, match=r"^record mode must be one of none, once, new_episodes, all, "
                                              r"got 'sometimes'$"):
        RecordingTransport(None, tmp_path / "c.json", "sometimes")  # type: ignore[arg-type]


async def test_a_broken_cassette_names_the_command_that_rerecords_it(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CassetteError, match=r"Re-record it: make rerecord$"):
        RecordingTransport(None, path, "none", rerecord="make rerecord")
