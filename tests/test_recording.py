"""RecordingTransport: pairing under concurrency, canonical files, secrets, streams,
failures, crash safety and strict accounting. Runs under asyncio and trio."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from julep_async import AsyncClient, RetryPolicy
from julep_async.backend import Backend
from julep_async.exceptions import (
    APIConnectionError,
    APITimeoutError,
    CassetteError,
    CassetteMissError,
    RateLimitError,
    ValidationError,
)
from julep_async.testing import no_backoff
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response

pytestmark = pytest.mark.anyio
KEY = "sk-test-0123456789abcdef"


class Jittery:
    """Wraps a transport and delays each reply at random, so completions come out of order."""

    def __init__(self, inner: Any, seed: int) -> None:
        self.inner, self.random = inner, random.Random(seed)

    async def handle_async_request(self, request: Request) -> Response:
        delay = self.random.random() / 200
        response = await self.inner.handle_async_request(request)
        await anyio.sleep(delay)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _concurrent_chats(client: AsyncClient, count: int) -> list[tuple[str, str]]:
    agent = await client.agents.create("Concurrent")
    sessions = [await client.sessions.create(agent_id=agent.id, metadata={"i": i}) for i in range(count)]
    replies: list[tuple[str, str]] = [("", "")] * count

    async def chat(i: int) -> None:
        reply = await client.sessions.chat(sessions[i].id, [{"role": "user", "content": f"question {i}"}])
        replies[i] = (f"question {i}", reply.content)

    async with anyio.create_task_group() as tg:
        for i in range(count):
            tg.start_soon(chat, i)
    return replies


async def test_200_concurrent_chats_replay_in_any_completion_order(tmp_path: Path) -> None:
    path = tmp_path / "concurrent.json"
    recorder = RecordingTransport(Jittery(InMemoryTransport(seed=0), seed=1), path, "once")
    async with AsyncClient(api_key=KEY, transport=recorder) as client:
        recorded = await _concurrent_chats(client, 200)
    assert all(f'"{question}"' in reply for question, reply in recorded)
    for seed in (2, 3):  # replay twice, with other completion orders
        replayer = Jittery(RecordingTransport(None, path, "none"), seed=seed)
        async with AsyncClient(api_key=KEY, transport=replayer) as client:
            replayed = await _concurrent_chats(client, 200)
        assert replayed == recorded


@pytest.mark.asyncio_only  # trio shuffles ready tasks on purpose, so concurrent calls reach the
# backend in a different order each run (and get other ids); asyncio's schedule is repeatable.
async def test_rerecording_gives_a_byte_identical_file(tmp_path: Path) -> None:
    texts = []
    for run in range(2):
        path = tmp_path / f"run{run}.json"
        async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
            async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
                await _concurrent_chats(client, 20)
                session = (await client.sessions.list(limit=1)).items[0]
                stream = await client.sessions.chat(session.id, [{"role": "user", "content": "stream ☃"}], stream=True)
                async with stream:
                    async for _ in stream:
                        pass
        texts.append(path.read_bytes())
    assert texts[0] == texts[1]
    document = json.loads(texts[0])
    assert document["format_version"] == 1 and document["complete"] is True and document["sdk_version"]
    assert "☃" in texts[0].decode()  # real characters, not escapes
    keys = [json.dumps(i["request"], sort_keys=True) + str(i["occurrence"]) for i in document["interactions"]]
    assert len(keys) == len(set(keys))


async def test_credentials_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False,
                               headers={"X-Custom-Api-Key": "sk-provider-abcdefgh"}) as client:
            await client.agents.create("A")
    text = path.read_text()
    assert KEY not in text and "sk-provider-abcdefgh" not in text
    assert "authorization" not in text.lower() and "idempotency" not in text.lower()


async def _record_simple(path: Path, fail: bool = False, name: str = "A") -> None:
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            await client.agents.create(name)
            if fail:
                raise RuntimeError("the test died mid-recording")


async def test_an_interrupted_first_recording_is_marked_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    with pytest.raises(RuntimeError):
        await _record_simple(path, fail=True)
    assert json.loads(path.read_text())["complete"] is False
    with pytest.raises(CassetteError, match=r"incomplete.*Re-record"):
        RecordingTransport(None, path, "none", rerecord="pytest tests/x.py::t --julep-record-mode=all")


KILLED_DURING_SAVE = """
import os, signal, sys, anyio
from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport, RecordingTransport

def killed(source, target):  # the temporary file is complete: the power fails before the rename
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = killed

async def main():
    async with RecordingTransport(InMemoryTransport(seed=0), sys.argv[1], "all") as recorder:
        async with AsyncClient(api_key="k", transport=recorder, close_transport=False) as client:
            await client.agents.create("B")

anyio.run(main)
"""


def _temporaries(path: Path) -> list[str]:
    return [p.name for p in path.parent.iterdir() if p.name != path.name]


def test_an_interrupted_rerecording_leaves_the_old_cassette(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    anyio.run(_record_simple, path)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-c", KILLED_DURING_SAVE, str(path)], capture_output=True, timeout=60)
    assert result.returncode == -9, result.stderr  # killed in the middle of the save
    assert _temporaries(path)  # it did die with its new file written but not yet in place
    assert path.read_bytes() == before


@pytest.mark.parametrize("next_use", ["replay", "record"])
def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next_use(tmp_path: Path, next_use: str) -> None:
    path = tmp_path / "old.json"
    anyio.run(_record_simple, path)
    subprocess.run([sys.executable, "-c", KILLED_DURING_SAVE, str(path)], capture_output=True, timeout=60)
    if next_use == "replay":
        RecordingTransport(None, path, "none", allow_unused=True)
    else:
        anyio.run(_record_simple, path)
    assert _temporaries(path) == []


async def test_cassettes_are_written_0644(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        await _record_simple(tmp_path / "mode.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "mode.json").stat().st_mode) == 0o644


async def test_a_client_block_that_raises_never_saves_a_complete_cassette(tmp_path: Path) -> None:
    path = tmp_path / "failed.json"
    with pytest.raises(RuntimeError):
        async with AsyncClient(api_key=KEY, transport=RecordingTransport(InMemoryTransport(seed=0), path, "all")) as c:
            await c.agents.create("A")
            raise RuntimeError("the test died mid-recording")
    assert json.loads(path.read_text())["complete"] is False


def test_a_blocking_client_block_that_raises_never_saves_a_complete_cassette(tmp_path: Path) -> None:
    from julep_async import Client

    path = tmp_path / "failed.json"
    with pytest.raises(RuntimeError), Client(transport=RecordingTransport(InMemoryTransport(seed=0), path, "all")) as c:
        c.agents.create("A")
        raise RuntimeError("the test died mid-recording")
    assert json.loads(path.read_text())["complete"] is False


async def test_a_client_block_that_raises_leaves_an_existing_cassette_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    await _record_simple(path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        async with AsyncClient(api_key=KEY, transport=RecordingTransport(InMemoryTransport(seed=0), path, "all")) as c:
            await c.agents.create("B")
            raise RuntimeError("the test died mid-recording")
    assert path.read_bytes() == before


async def test_a_replay_miss_in_a_client_block_is_not_masked_at_close(tmp_path: Path) -> None:
    path = tmp_path / "masked.json"
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            await client.agents.create("A")
            await client.agents.create("B")
    with pytest.raises(CassetteMissError, match="no recorded interaction matches"):
        async with AsyncClient(api_key=KEY, transport=RecordingTransport(None, path, "none")) as client:
            await client.agents.create("Changed")  # the two recorded calls are left unused


@pytest.mark.parametrize(("content", "message"), [
    ('{"format_version": 1, "complete": true, "interactions": [{"occurrence": 0, "request": {"method": "GET",',
     "not valid JSON"),
    ('{"format_version": 99, "complete": true, "interactions": []}', "format_version 99, newer"),
    ('{"complete": true, "interactions": []}', "no format_version"),
    ("[]", "must hold a JSON object"),
])
async def test_broken_cassettes_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(CassetteError, match=message):
        RecordingTransport(None, path, "none")


def _valid_cassette() -> dict[str, Any]:
    request = {"method": "GET", "path": "/x", "query": [["k", "v"]], "headers": {}, "body": None}
    response = {"status": 200, "headers": {}, "body": {"ok": True}}
    return {"complete": True, "format_version": 1, "interactions": [
        {"occurrence": 0, "request": request, "response": response}],
        "recorded_with": {"transport": "InMemoryTransport"}, "sdk_version": "0.1.0"}


def _stream(**fields: Any) -> dict[str, Any]:
    return {"status": 200, "headers": {}, "stream": {"events": [{"data": {}, "offset_ms": 0}], "end": "clean",
                                                     "error": None, **fields}}


BROKEN_FIELDS: dict[str, tuple[Any, str]] = {
    # what is done to interactions[0] -> the message
    "request without query": (lambda i: i["request"].pop("query"), r"interactions\[0\]\.request\.query: required"),
    "status as text": (lambda i: i["response"].update(status="200"), r"interactions\[0\]\.response\.status: "),
    "a query pair of three": (lambda i: i["request"].update(query=[["a", "b", "c"]]),
                              r"interactions\[0\]\.request\.query\[0\]: "),
    "headers as a list": (lambda i: i["response"].update(headers=[["a", "b"]]),
                          r"interactions\[0\]\.response\.headers: "),
    "an unknown field": (lambda i: i["request"].update(colour="red"),
                         r"interactions\[0\]\.request: extra fields found \(colour\)"),
    "neither response nor error": (lambda i: i.pop("response"), r"interactions\[0\]: needs a 'response' or an 'error'"),
    "two bodies": (lambda i: i["response"].update(text="hi"),
                   r"interactions\[0\]\.response: has a body under more than one of body, text, base64"),
    "bad base64": (lambda i: i["response"].update(base64="%%%", body=None),
                   r"interactions\[0\]\.response\.base64: not valid base64"),
    "event without offset": (lambda i: i.update(response=_stream(events=[{"data": {}}])),
                             r"interactions\[0\]\.response\.stream\.events\[0\]\.offset_ms: required"),
    "unknown stream end": (lambda i: i.update(response=_stream(end="maybe")),
                           r"interactions\[0\]\.response\.stream\.end: "),
}


@pytest.mark.parametrize("broken", BROKEN_FIELDS)
def test_a_cassette_field_missing_or_of_the_wrong_type_is_named(tmp_path: Path, broken: str) -> None:
    change, message = BROKEN_FIELDS[broken]
    document = _valid_cassette()
    change(document["interactions"][0])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CassetteError, match=message):
        RecordingTransport(None, path, "none")


def test_interactions_must_be_a_list(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({**_valid_cassette(), "interactions": {}}))
    with pytest.raises(CassetteError, match="interactions: must be a list"):
        RecordingTransport(None, path, "none")


def test_the_valid_cassette_of_these_tests_loads(tmp_path: Path) -> None:
    path = tmp_path / "valid.json"
    path.write_text(json.dumps(_valid_cassette()))
    RecordingTransport(None, path, "none", allow_unused=True)


async def test_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"no cassette at .* record it"):
        RecordingTransport(None, tmp_path / "absent.json", "none")


async def test_a_replay_miss_names_the_closest_request_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "miss.json"
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            await client.agents.create("Original", about="first")
    replayer = RecordingTransport(None, path, "none", rerecord="pytest t.py::test --julep-record-mode=all")
    async with AsyncClient(api_key=KEY, transport=replayer, close_transport=False) as client:
        with pytest.raises(CassetteMissError) as caught:
            await client.agents.create("Changed", about="first")
    message = str(caught.value)
    assert "POST /agents: no recorded interaction matches" in message
    assert "1. POST /agents" in message
    assert '-    "name": "Original"' in message and '+    "name": "Changed"' in message
    assert "Re-record: pytest t.py::test --julep-record-mode=all" in message


async def test_replaying_more_often_than_recorded_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    await _record_simple(path)
    async with AsyncClient(api_key=KEY, transport=RecordingTransport(None, path, "none"), close_transport=False) as c:
        await c.agents.create("A")
        with pytest.raises(CassetteMissError, match="all were used"):
            await c.agents.create("A")


async def test_unused_interactions_fail_at_close_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "unused.json"
    await _record_simple(path)
    with pytest.raises(CassetteError, match=r"never replayed[\s\S]*POST /agents \(1 of 1 unused\)"):
        await RecordingTransport(None, path, "none").aclose()
    await RecordingTransport(None, path, "none", allow_unused=True).aclose()


async def test_a_recorded_429_then_success_replays_without_waiting(tmp_path: Path) -> None:
    calls = 0
    backend = Backend(seed=0)

    async def limited(request: Request) -> Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            return Response(429, {"content-type": "application/json", "retry-after": "3600"},
                            b'{"error": {"message": "slow down", "code": "rate_limited"}}')
        return await backend.handle(request)

    path = tmp_path / "ratelimit.json"
    policy = RetryPolicy(attempts=3, deadline=None)
    with no_backoff():  # recording talks to a "server": skip its hour-long wait here only
        async with RecordingTransport(InMemoryTransport(limited), path, "all") as recorder:
            async with AsyncClient(api_key=KEY, transport=recorder, retry=policy, close_transport=False) as client:
                agent = await client.agents.create("A")
                assert (await client.agents.get(agent.id)).id == agent.id
    document = json.loads(path.read_text())
    statuses = sorted((i["request"]["method"], i["occurrence"], i["response"]["status"])
                      for i in document["interactions"])
    assert statuses == [("GET", 0, 429), ("GET", 1, 200), ("POST", 0, 201)]
    with anyio.fail_after(5):  # a real wait would be an hour
        replayer = RecordingTransport(None, path, "none", allow_unused=True)  # the POST is not replayed here
        async with AsyncClient(api_key=KEY, transport=replayer, retry=policy) as client:
            assert (await client.agents.get(agent.id)).id == agent.id
    with anyio.fail_after(5):
        no_retry = RetryPolicy(attempts=1)
        async with AsyncClient(api_key=KEY, transport=RecordingTransport(None, path, "none", allow_unused=True),
                               retry=no_retry) as client:
            with pytest.raises(RateLimitError, match="slow down"):
                await client.agents.get(agent.id)


async def test_timeouts_and_connection_errors_replay_as_the_same_errors(tmp_path: Path) -> None:
    failures = iter([APITimeoutError("GET /agents: timed out"), APIConnectionError("GET /agents: reset")])

    async def flaky(request: Request) -> Response:
        raise next(failures)

    path = tmp_path / "errors.json"
    no_retry = RetryPolicy(attempts=1)
    async with RecordingTransport(InMemoryTransport(flaky), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, retry=no_retry, close_transport=False) as client:
            for expected in (APITimeoutError, APIConnectionError):
                with pytest.raises(expected):
                    await client.agents.list()
    async with AsyncClient(api_key=KEY, transport=RecordingTransport(None, path, "none"), retry=no_retry) as client:
        with pytest.raises(APITimeoutError, match="timed out"):
            await client.agents.list()
        with pytest.raises(APIConnectionError, match="reset") as caught:
            await client.agents.list()
        assert not isinstance(caught.value, APITimeoutError)


async def test_a_stream_cut_mid_way_replays_as_the_same_error(tmp_path: Path) -> None:
    def cut(prompt: list[dict[str, Any]]) -> Any:
        yield "half of "
        yield "the answer "
        raise RuntimeError("model crashed")

    async def run(transport: Any) -> tuple[list[str], BaseException]:
        async with AsyncClient(api_key=KEY, transport=transport, close_transport=False) as client:
            agent = await client.agents.create("A")
            session = await client.sessions.create(agent_id=agent.id)
            stream = await client.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
            received: list[str] = []
            with pytest.raises(APIConnectionError) as caught:
                async for chunk in stream:
                    received.append(chunk.content)
            return received, caught.value

    path = tmp_path / "cut.json"
    recorder = RecordingTransport(InMemoryTransport(seed=0, responder=cut), path, "all")
    recorded = await run(recorder)
    await recorder.aclose()
    stream = next(i for i in json.loads(path.read_text())["interactions"] if "chat" in i["request"]["path"])
    assert stream["response"]["stream"]["end"] == "cut" and len(stream["response"]["stream"]["events"]) == 4
    replayed = await run(RecordingTransport(None, path, "none"))
    assert replayed[0] == recorded[0] == ["half ", "of ", "the ", "answer "]
    assert str(replayed[1]) == str(recorded[1])


async def test_recording_passes_each_event_on_at_once(tmp_path: Path) -> None:
    gate = anyio.Event()

    async def slow(prompt: list[dict[str, Any]]) -> Any:
        yield "first "
        await gate.wait()  # the second piece waits until the consumer has the first
        yield "second"

    path = tmp_path / "live.json"
    async with RecordingTransport(InMemoryTransport(seed=0, responder=slow), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            agent = await client.agents.create("A")
            session = await client.sessions.create(agent_id=agent.id)
            with anyio.fail_after(5):
                stream = await client.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
                first = await stream.__anext__()
                assert first.content == "first "
                gate.set()
                rest = [chunk.content async for chunk in stream]
    assert rest[0] == "second"


async def test_modes_once_new_episodes_and_all(tmp_path: Path) -> None:
    path = tmp_path / "modes.json"
    backend_calls: list[str] = []
    backend = Backend(seed=0)

    async def counting(request: Request) -> Response:
        backend_calls.append(f"{request.method} {request.path}")
        return await backend.handle(request)

    async def use(mode: str, *names: str) -> None:
        inner = InMemoryTransport(counting)
        async with RecordingTransport(inner, path, mode, allow_unused=True) as recorder:  # type: ignore[arg-type]
            async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
                for name in names:
                    await client.users.create(name=name)

    await use("once", "ada")                 # no cassette: records
    await use("once", "ada")                 # cassette: replays, the backend is not called
    assert backend_calls == ["POST /users"]
    await use("new_episodes", "ada", "bob")  # replays ada, records bob
    assert backend_calls == ["POST /users", "POST /users"]
    assert len(json.loads(path.read_text())["interactions"]) == 2
    await use("all", "cy")                   # records afresh, drops the rest
    assert [i["request"]["body"]["name"] for i in json.loads(path.read_text())["interactions"]] == ["cy"]
    with pytest.raises(CassetteMissError):
        await use("none", "dee")
    with pytest.raises(ValidationError, match="record mode must be one of"):
        RecordingTransport(None, path, "sometimes")  # type: ignore[arg-type]


def test_replay_does_not_import_aiohttp(tmp_path: Path) -> None:
    path = tmp_path / "noaiohttp.json"
    anyio.run(_record_simple, path)
    script = f"""
import sys, anyio
from julep_async import AsyncClient
from julep_async.transports import RecordingTransport
async def main():
    async with AsyncClient(api_key="{KEY}", transport=RecordingTransport(None, {str(path)!r}, "none")) as client:
        await client.agents.create("A")
anyio.run(main)
assert "aiohttp" not in sys.modules, "aiohttp was imported"
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
