"""The shipped pytest plugin, as a user's project runs it: record once, replay in CI;
under anyio, under pytest-asyncio (strict and auto mode), and in plain ``def`` tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

USER_TEST = '''
import pytest

pytestmark = pytest.mark.anyio

@pytest.fixture
def anyio_backend():
    return "asyncio"

async def test_chat(julep_client):
    agent = await julep_client.agents.create("Recorded")
    session = await julep_client.sessions.create(agent_id=agent.id)
    reply = await julep_client.sessions.chat(session.id, [{"role": "user", "content": "hello"}])
    assert "hello" in reply.content

@pytest.mark.julep_cassette(allow_unused=True)
async def test_partial(julep_client):
    await julep_client.agents.list()
'''

ASYNCIO_STRICT_TEST = '''
import asyncio
import pytest

@pytest.mark.asyncio
async def test_chat(julep_client):
    asyncio.get_running_loop()  # pytest-asyncio's loop
    agent = await julep_client.agents.create("Recorded")
    assert (await julep_client.agents.get(agent.id)).name == "Recorded"

@pytest.mark.asyncio
async def test_transport(julep_transport):
    assert julep_transport.path.name == "test_transport.json"
'''

ASYNCIO_AUTO_TEST = '''
async def test_chat(julep_client):
    agent = await julep_client.agents.create("Recorded")
    assert (await julep_client.agents.get(agent.id)).name == "Recorded"
'''

ANYIO_BESIDE_PYTEST_ASYNCIO_TEST = '''
import pytest
import sniffio

pytestmark = pytest.mark.anyio

@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param

async def test_chat(julep_client, anyio_backend):
    assert sniffio.current_async_library() == anyio_backend
    agent = await julep_client.agents.create("Recorded")
    assert (await julep_client.agents.get(agent.id)).name == "Recorded"
'''

SYNC_TEST = '''
def test_chat(julep_sync_client):
    agent = julep_sync_client.agents.create("Recorded")
    session = julep_sync_client.sessions.create(agent_id=agent.id)
    reply = julep_sync_client.sessions.chat(session.id, [{"role": "user", "content": "hello"}])
    assert "hello" in reply.content
'''

LENIENT_TEST = '''
import pytest

@pytest.mark.asyncio
async def test_strict(julep_client):
    await julep_client.agents.create("Recorded")

@pytest.mark.asyncio
@pytest.mark.julep_cassette(lenient=True)
async def test_lenient(julep_client):
    await julep_client.agents.create("Recorded")
'''


def project(pytester: pytest.Pytester, mode: str | None = "strict", **files: str) -> None:
    """A user's project: these test files, pytest-asyncio configured in ``mode`` (``None``:
    a project without pytest-asyncio)."""
    asyncio = f"asyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function" if mode else ""
    pytester.makeini(f"[pytest]\nfilterwarnings = error\n{asyncio}\n")
    pytester.makepyfile(**files)


def cassette(pytester: pytest.Pytester, module: str, test: str) -> Path:
    return pytester.path / "cassettes" / module / f"{test}.json"


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's project runs on a laptop unless a test says otherwise (CI sets ``CI``)."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("JULEP_API_KEY", raising=False)


def test_record_once_then_replay_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    project(pytester, test_user=USER_TEST)
    replay_only = pytester.runpytest()
    replay_only.assert_outcomes(errors=2)  # default mode "none": no cassette yet
    replay_only.stdout.fnmatch_lines(["*no cassette at*--julep-record-mode*"])

    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    document = json.loads(cassette(pytester, "test_user", "test_chat").read_text())
    assert document["complete"] and len(document["interactions"]) == 3

    monkeypatch.setenv("CI", "true")  # CI replays only, whatever the option says
    replayed = pytester.runpytest("--julep-record-mode=all")
    replayed.assert_outcomes(passed=2)
    assert json.loads(cassette(pytester, "test_user", "test_chat").read_text()) == document


def test_a_missing_cassette_suggests_recording_it_with_mode_once(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=USER_TEST)
    result = pytester.runpytest("-k", "test_chat")
    result.assert_outcomes(errors=1, deselected=1)
    result.stdout.fnmatch_lines(["*no cassette at*record it: pytest 'test_user.py::test_chat' "
                                 "--julep-record-mode=once"])


def test_a_changed_request_fails_with_the_re_record_command_in_the_message(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=USER_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    pytester.makepyfile(test_user=USER_TEST.replace('"hello"', '"goodbye"'))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)  # unused recordings are not reported on a failed test
    result.stdout.fnmatch_lines(["*CassetteMissError*",
                                 "*Re-record: pytest 'test_user.py::test_chat' --julep-record-mode=all*"])


def test_anyio_tests_run_without_pytest_asyncio(pytester: pytest.Pytester) -> None:
    project(pytester, None, test_user=USER_TEST)
    pytester.runpytest("-p", "no:asyncio", "--julep-record-mode=once").assert_outcomes(passed=2)
    pytester.runpytest("-p", "no:asyncio").assert_outcomes(passed=2)


def test_pytest_asyncio_strict_mode_runs_the_fixtures_for_a_test_marked_asyncio(pytester: pytest.Pytester) -> None:
    project(pytester, "strict", test_user=ASYNCIO_STRICT_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    assert cassette(pytester, "test_user", "test_chat").exists()
    pytester.runpytest().assert_outcomes(passed=2)


def test_pytest_asyncio_auto_mode_runs_the_fixtures_for_an_unmarked_test(pytester: pytest.Pytester) -> None:
    project(pytester, "auto", test_user=ASYNCIO_AUTO_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)


def test_anyio_tests_keep_their_backend_beside_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    project(pytester, "strict", test_user=ANYIO_BESIDE_PYTEST_ASYNCIO_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)  # both record one cassette
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_sync_client_fixture_records_and_replays_a_plain_test(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=SYNC_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=1)
    assert json.loads(cassette(pytester, "test_user", "test_chat").read_text())["complete"]
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_sync_client_fixture_does_not_save_a_failed_recording_as_complete(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=SYNC_TEST.replace('"hello" in', '"goodbye" in'))
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(failed=1)
    assert not json.loads(cassette(pytester, "test_user", "test_chat").read_text())["complete"]


def _add_a_reply_field(path: Path) -> None:
    """What a newer server does: a field the models do not know, in every JSON reply."""
    document = json.loads(path.read_text())
    for interaction in document["interactions"]:
        interaction["response"]["body"]["added_by_a_newer_server"] = True
    path.write_text(json.dumps(document))


def test_a_reply_field_the_models_do_not_know_fails_a_strict_test(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=LENIENT_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    _add_a_reply_field(cassette(pytester, "test_user", "test_strict"))
    result = pytester.runpytest("-k", "test_strict")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(["*added_by_a_newer_server*"])


def test_the_lenient_marker_ignores_reply_fields_the_models_do_not_know(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=LENIENT_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    _add_a_reply_field(cassette(pytester, "test_user", "test_lenient"))
    pytester.runpytest("-k", "test_lenient").assert_outcomes(passed=1, deselected=1)


def test_the_lenient_option_ignores_reply_fields_the_models_do_not_know(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=LENIENT_TEST, test_sync=SYNC_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=3)
    _add_a_reply_field(cassette(pytester, "test_user", "test_strict"))
    _add_a_reply_field(cassette(pytester, "test_sync", "test_chat"))
    pytester.runpytest("--julep-lenient").assert_outcomes(passed=3)


@pytest.mark.parametrize("quiet", [[], ["-q"]], ids=["default", "quiet"])
def test_with_ci_set_a_record_mode_is_named_in_a_one_line_notice(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 quiet: list[str]) -> None:
    project(pytester, test_user=USER_TEST)
    monkeypatch.setenv("CI", "1")
    result = pytester.runpytest("--julep-record-mode=all", *quiet)
    notice = "julep_async: CI is set, so cassettes are only replayed (--julep-record-mode=all is ignored)"
    assert result.stdout.lines.count(notice) == 1


def test_without_ci_there_is_no_notice(pytester: pytest.Pytester) -> None:
    project(pytester, test_user=USER_TEST)
    result = pytester.runpytest("--julep-record-mode=once")
    assert not [line for line in result.stdout.lines if "CI is set" in line]
