"""The cassette file: its exact layout, the bodies it holds (JSON, text, base64), the
checks each interaction must pass, and writes that fail loudly and leave nothing behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from julep_async.exceptions import CassetteError
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

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["at import", "afresh"])
def converter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the converter that cassette.py made at import, then with one made
    by the test: made at import, before any test runs, the first shows nothing of what
    _make_converter does when it is wrong (mutation testing cannot see it either)."""
    if request.param == "afresh":
        monkeypatch.setattr(cassette, "_converter", cassette._make_converter(detailed=False))
        monkeypatch.setattr(cassette, "_explaining", cassette._make_converter(detailed=True))
    return str(request.param)


def _cassette(*interactions: Interaction) -> Cassette:
    return Cassette(complete=True, format_version=1, interactions=interactions,
                    recorded_with={"transport": "InMemoryTransport"}, sdk_version="0.1.0")


def _get(path: str = "/x") -> RecordedRequest:
    return RecordedRequest(method="GET", path=path, query=(("k", "v"),), headers={"accept": "application/json"})


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- the layout -----------------------------------------------------------------------

LAYOUT = """\
{
  "complete": true,
  "format_version": 1,
  "interactions": [
    {
      "occurrence": 0,
      "request": {
        "body": null,
        "headers": {
          "accept": "application/json"
        },
        "method": "GET",
        "path": "/x",
        "query": [
          [
            "k",
            "v"
          ]
        ]
      },
      "response": {
        "body": {
          "a": 1,
          "b": "☃"
        },
        "headers": {
          "x-request-id": "r1"
        },
        "status": 200
      }
    },
    {
      "error": {
        "message": "reset",
        "type": "APIConnectionError"
      },
      "occurrence": 1,
      "request": {
        "body": null,
        "headers": {
          "accept": "application/json"
        },
        "method": "GET",
        "path": "/x",
        "query": [
          [
            "k",
            "v"
          ]
        ]
      }
    },
    {
      "occurrence": 0,
      "request": {
        "headers": {},
        "method": "POST",
        "path": "/s",
        "query": [],
        "text": "plain"
      },
      "response": {
        "headers": {},
        "status": 200,
        "stream": {
          "end": "cut",
          "error": null,
          "events": [
            {
              "data": {
                "raw": "x"
              },
              "offset_ms": 5
            }
          ],
          "partial": "data: {"
        }
      }
    }
  ],
  "recorded_with": {
    "transport": "InMemoryTransport"
  },
  "sdk_version": "0.1.0"
}
"""


def test_the_file_layout_is_canonical(converter: str) -> None:
    stream = RecordedStream(events=(StreamEvent(data={"raw": "x"}, offset_ms=5),), end="cut", partial="data: {")
    text = cassette.dumps(_cassette(
        Interaction(occurrence=0, request=_get(),
                    response=RecordedResponse(status=200, headers={"x-request-id": "r1"}, body={"b": "☃", "a": 1})),
        Interaction(occurrence=1, request=_get(), error=RecordedError(type="APIConnectionError", message="reset")),
        Interaction(occurrence=0, request=RecordedRequest(method="POST", path="/s", query=(), headers={},
                                                          text="plain"),
                    response=RecordedResponse(status=200, headers={}, stream=stream)),
    ))
    # Sorted keys at every level (recorded JSON bodies included), two-space indents, real
    # characters, a final newline; optional keys left out rather than written as null.
    assert text == LAYOUT


def test_a_written_cassette_loads_back_to_the_same_model(tmp_path: Path, converter: str) -> None:
    stream = RecordedStream(events=(StreamEvent(data=[1, "two"], offset_ms=0),), end="clean")
    model = _cassette(
        Interaction(occurrence=0, request=_get(), response=RecordedResponse(status=204, headers={})),
        Interaction(occurrence=0, request=_get("/s"), response=RecordedResponse(status=200, headers={},
                                                                                  stream=stream)),
        Interaction(occurrence=0, request=_get("/b"), response=RecordedResponse(status=200, headers={},
                                                                                  base64="/wAB")),
    )
    path = tmp_path / "c.json"
    cassette.write_atomically(path, cassette.dumps(model))
    assert cassette.load(path, "rerecord") == model


def test_canonical_json_sorts_keys_and_drops_whitespace_keeping_real_characters() -> None:
    assert cassette.canonical_json({"b": [1, "☃"], "a": None}) == '{"a":null,"b":[1,"☃"]}'


# -- bodies ---------------------------------------------------------------------------

BODIES = {
    "json": ('{"a": [1, 2], "t": "☃"}'.encode(), {"body": {"a": [1, 2], "t": "☃"}}),
    "text": ("plain text ☃, not JSON".encode(), {"text": "plain text ☃, not JSON"}),
    "bytes": (b"\xff\x00\x01\xfe", {"base64": "/wAB/g=="}),
    "empty": (b"", {"body": None}),
}


@pytest.mark.parametrize("kind", BODIES)
async def test_reply_bodies_round_trip_through_a_cassette(kind: str, tmp_path: Path, anyio_backend: str) -> None:
    raw, written = BODIES[kind]

    def server(request: Request) -> Response:
        return Response(200, {"content-type": "application/octet-stream"}, raw)

    path = tmp_path / f"{kind}.json"
    async with RecordingTransport(InMemoryTransport(server), path, "all") as recorder:
        assert (await recorder.handle_async_request(Request("GET", "/x"))).body == raw
    response = json.loads(path.read_text(encoding="utf-8"))["interactions"][0]["response"]
    assert {key: response[key] for key in ("body", "text", "base64") if key in response} == written
    async with RecordingTransport(None, path, "none") as replayer:
        replayed = await replayer.handle_async_request(Request("GET", "/x"))
    assert (replayed.status, replayed.body) == (200, raw if kind != "json" else '{"a":[1,2],"t":"☃"}'.encode())


@pytest.mark.parametrize("kind", BODIES)
async def test_request_bodies_are_recorded_and_matched_by_their_content(
        kind: str, tmp_path: Path, anyio_backend: str) -> None:
    raw, written = BODIES[kind]

    def server(request: Request) -> Response:
        return Response(200, {}, b"ok " + (request.body or b"-"))

    path = tmp_path / f"{kind}.json"
    other = b"\x00other" if kind != "bytes" else b"\xfe\xff other"  # a body of the same kind
    async with RecordingTransport(InMemoryTransport(server), path, "all") as recorder:
        for body in (raw, other):
            await recorder.handle_async_request(Request("POST", "/x", body=body or None))
    requests = [i["request"] for i in json.loads(path.read_text(encoding="utf-8"))["interactions"]]
    assert written in [{k: r[k] for k in ("body", "text", "base64") if k in r} for r in requests]
    async with RecordingTransport(None, path, "none") as replayer:  # each body gets its own reply
        for body in (other, raw):
            reply = await replayer.handle_async_request(Request("POST", "/x", body=body or None))
            assert reply.body == b"ok " + (body or b"-")


# -- the checks on each interaction ---------------------------------------------------

def _document() -> dict[str, Any]:
    request = {"method": "GET", "path": "/x", "query": [], "headers": {}, "body": None}
    return {"complete": True, "format_version": 1,
            "interactions": [{"occurrence": 0, "request": request, "response": {"status": 200, "headers": {}}}],
            "recorded_with": {"transport": "InMemoryTransport"}, "sdk_version": "0.1.0"}


BROKEN: dict[str, tuple[Any, str]] = {
    # what is done to interactions[0] -> the message
    "both a response and an error": (lambda i: i.update(error={"type": "APIConnectionError", "message": "m"}),
                                     r"interactions\[0\]: needs a 'response' or an 'error' \(one of them\)"),
    "a stream and a body": (lambda i: i["response"].update(body={"a": 1}, stream={"events": [], "end": "clean"}),
                            r"interactions\[0\]\.response: has both a stream and a body"),
    "a stream and a text body": (lambda i: i["response"].update(text="t", stream={"events": [], "end": "clean"}),
                                 r"interactions\[0\]\.response: has both a stream and a body"),
    "a request body as text and base64": (lambda i: i["request"].update(body=None, text="t", base64="AA=="),
                                          r"interactions\[0\]\.request: has a body under more than one"),
    "a request body as JSON and text": (lambda i: i["request"].update(body=[1], text="t"),
                                        r"interactions\[0\]\.request: has a body under more than one"),
    "occurrence as true": (lambda i: i.update(occurrence=True),
                           r"interactions\[0\]\.occurrence: invalid value for type, expected int"),
    "method as a number": (lambda i: i["request"].update(method=1), r"interactions\[0\]\.request\.method: "
                                                                    r"invalid value for type, expected str"),
    "a query pair with a number": (lambda i: i["request"].update(query=[["a", 1]]),
                                   r"interactions\[0\]\.request\.query\[0\]: must be a \[name, value\] pair"),
    "a query pair as an object": (lambda i: i["request"].update(query=[{"a": "b"}]),
                                  r"interactions\[0\]\.request\.query\[0\]: must be a \[name, value\] pair"),
    "events as an object": (lambda i: i.update(response={"status": 200, "headers": {},
                                                          "stream": {"events": {}, "end": "clean"}}),
                            r"interactions\[0\]\.response\.stream\.events: must be a list"),
    "headers with a number": (lambda i: i["response"].update(headers={"a": 1}),
                              r"interactions\[0\]\.response\.headers\[.a.\]: invalid value for type, expected str"),
    "base64 that is a number": (lambda i: i["response"].update(base64=5), r"response\.base64: not valid base64"),
}


@pytest.mark.parametrize("broken", BROKEN)
def test_each_rule_of_an_interaction_is_checked(tmp_path: Path, broken: str, converter: str) -> None:
    change, message = BROKEN[broken]
    document = _document()
    change(document["interactions"][0])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CassetteError, match=message):
        cassette.load(path, "rerecord it")


def test_many_problems_are_summed_up_after_the_first_five(tmp_path: Path) -> None:
    document = _document()
    document["interactions"] = [{"occurrence": str(n)} for n in range(4)]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CassetteError) as caught:
        cassette.load(path, "rerecord it")
    wrong, missing = "occurrence: invalid value for type, expected int", "request: required field missing"
    assert str(caught.value) == (
        f"cassette {path} does not fit format_version 1: interactions[0].{wrong}; interactions[0].{missing}; "
        f"interactions[1].{wrong}; interactions[1].{missing}; interactions[2].{wrong} (and 3 more). "
        "Re-record it: rerecord it")


@pytest.mark.parametrize(("problems", "suffix"), [(5, ""), (6, " (and 1 more)")])
def test_five_problems_are_named_and_the_rest_counted(tmp_path: Path, problems: int, suffix: str) -> None:
    document = _document()
    document["interactions"] = [{**document["interactions"][0], "occurrence": str(n)} for n in range(problems)]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CassetteError) as caught:
        cassette.load(path, "rerecord it")
    named = "; ".join(f"interactions[{n}].occurrence: invalid value for type, expected int" for n in range(5))
    assert str(caught.value).endswith(f"format_version 1: {named}{suffix}. Re-record it: rerecord it")


def test_a_field_name_with_an_at_sign_is_named_whole(tmp_path: Path) -> None:
    document = _document()
    document["interactions"][0]["request"]["x @ y"] = 1
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"interactions\[0\]\.request: extra fields found \(x @ y\)\. Re-record"):
        cassette.load(path, "rerecord it")


def test_a_problem_at_the_top_level_is_named_so(tmp_path: Path, converter: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({**_document(), "extra": 1}), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"\(top level\): extra fields found \(extra\)"):
        cassette.load(path, "rerecord it")


@pytest.mark.parametrize(("version", "message"), [
    ("1", "has no format_version"), (True, "has no format_version"), (2, "format_version 2, newer than"),
])
def test_the_format_version_must_be_a_known_number(tmp_path: Path, version: Any, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**_document(), "format_version": version, "sdk_version": "9.9"}), encoding="utf-8")
    with pytest.raises(CassetteError, match=message):
        cassette.load(path, "rerecord it")


def test_a_newer_format_names_the_sdk_that_wrote_it(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**_document(), "format_version": 2, "sdk_version": "9.9"}), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"\(1; recorded with SDK 9\.9\): upgrade julep-async"):
        cassette.load(path, "rerecord it")


def test_a_newer_format_without_an_sdk_version_says_so(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    document = {key: value for key, value in _document().items() if key != "sdk_version"}
    path.write_text(json.dumps({**document, "format_version": 2}), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"\(1; recorded with SDK \?\): upgrade julep-async"):
        cassette.load(path, "rerecord it")


@pytest.mark.parametrize("complete", [False, None, 1, "true"])
def test_only_a_cassette_marked_complete_is_replayed(tmp_path: Path, complete: Any) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**_document(), "complete": complete}), encoding="utf-8")
    with pytest.raises(CassetteError, match=r"incomplete: .* Re-record it: rerecord it"):
        cassette.load(path, "rerecord it")


@pytest.mark.parametrize(("content", "kind"), [("[]", "list"), ("null", "NoneType"), ('"text"', "str")])
def test_a_cassette_that_is_not_an_object_names_what_it_is(tmp_path: Path, content: str, kind: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CassetteError, match=f"^cassette {re.escape(str(path))} must hold a JSON object, not {kind}$"):
        cassette.load(path, "rerecord it")


UNDER_AN_ASCII_LOCALE = """
import sys
from pathlib import Path
from julep_async.transports import cassette
from julep_async.transports.cassette import Cassette, Interaction, RecordedRequest, RecordedResponse

request = RecordedRequest(method="GET", path="/x", query=(), headers={})
model = Cassette(complete=True, format_version=1, sdk_version="0", recorded_with={"transport": "X"},
                 interactions=(Interaction(occurrence=0, request=request,
                                           response=RecordedResponse(status=200, headers={}, text="\\u2603")),))
path = Path(sys.argv[1])
cassette.write_atomically(path, cassette.dumps(model))
assert cassette.load(path, "rerecord it") == model
"""


def test_cassettes_are_utf8_whatever_the_locale(tmp_path: Path) -> None:
    ascii_locale = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = subprocess.run([sys.executable, "-c", UNDER_AN_ASCII_LOCALE, str(tmp_path / "c.json")], env=ascii_locale,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"text": "☃"' in (tmp_path / "c.json").read_bytes().decode("utf-8")


def test_a_cassette_that_is_not_utf8_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"complete": true, "x": "\xff"}')
    with pytest.raises(CassetteError, match="cannot read cassette"):
        cassette.load(path, "rerecord it")


def test_a_folder_in_place_of_a_cassette_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "c.json").mkdir()
    with pytest.raises(CassetteError, match="cannot read cassette"):
        cassette.load(tmp_path / "c.json", "rerecord it")


def test_a_cassette_in_a_missing_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"no cassette at .*; record it: rerecord it"):
        cassette.load(tmp_path / "absent" / "c.json", "rerecord it")


# -- writing --------------------------------------------------------------------------

def test_a_write_makes_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c.json"
    cassette.write_atomically(path, "{}\n")
    assert path.read_text(encoding="utf-8") == "{}\n"
    assert _files(path.parent) == ["c.json"]


def test_a_write_replaces_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("old, and longer than the new text", encoding="utf-8")
    cassette.write_atomically(path, "new ☃")
    assert path.read_text(encoding="utf-8") == "new ☃"
    assert _files(tmp_path) == ["c.json"]


def test_a_failed_write_raises_and_removes_its_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.mkdir()  # a folder in the way: the final rename fails
    with pytest.raises(IsADirectoryError):
        cassette.write_atomically(path, "{}")
    assert _files(tmp_path) == ["c.json"]


def test_a_write_removes_only_its_own_cassette_s_stale_temporary_files(tmp_path: Path) -> None:
    for name in (".c.json.0123456789ab.tmp", ".d.json.0123456789ab.tmp", "c.json.tmp", ".c.json.tmp.keep"):
        (tmp_path / name).write_text("stale", encoding="utf-8")
    cassette.write_atomically(tmp_path / "c.json", "{}")
    assert _files(tmp_path) == [".c.json.tmp.keep", ".d.json.0123456789ab.tmp", "c.json", "c.json.tmp"]


def test_a_cassette_name_with_glob_characters_is_taken_literally(tmp_path: Path) -> None:
    (tmp_path / ".c[1].json.0123456789ab.tmp").write_text("stale", encoding="utf-8")
    (tmp_path / ".c1.json.0123456789ab.tmp").write_text("another cassette's", encoding="utf-8")
    cassette.write_atomically(tmp_path / "c[1].json", "{}")
    assert _files(tmp_path) == [".c1.json.0123456789ab.tmp", "c[1].json"]


async def test_a_recording_that_cannot_be_saved_fails_the_close(tmp_path: Path, anyio_backend: str) -> None:
    path = tmp_path / "c.json"
    path.mkdir()
    recorder = RecordingTransport(InMemoryTransport(lambda request: Response(200, {}, b"{}")), path, "all")
    await recorder.handle_async_request(Request("GET", "/x"))
    with pytest.raises(IsADirectoryError):
        await recorder.aclose()
    assert _files(tmp_path) == ["c.json"]
