"""The shipped pytest plugin, as a user's project runs it: record once, replay in CI."""

from __future__ import annotations

import json

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


def test_record_once_then_replay_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_user=USER_TEST)
    replay_only = pytester.runpytest("-p", "no:cacheprovider")
    replay_only.assert_outcomes(errors=2)  # default mode "none": no cassette yet
    replay_only.stdout.fnmatch_lines(["*no cassette at*--julep-record-mode*"])

    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    cassette = pytester.path / "cassettes" / "test_user" / "test_chat.json"
    document = json.loads(cassette.read_text())
    assert document["complete"] and len(document["interactions"]) == 3

    monkeypatch.setenv("CI", "true")  # CI replays only, whatever the option says
    replayed = pytester.runpytest("--julep-record-mode=all")
    replayed.assert_outcomes(passed=2)
    assert json.loads(cassette.read_text()) == document


def test_a_changed_request_fails_with_the_fix_in_the_message(pytester: pytest.Pytester,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_user=USER_TEST)
    pytester.runpytest("--julep-record-mode=once").assert_outcomes(passed=2)
    pytester.makepyfile(test_user=USER_TEST.replace('"hello"', '"goodbye"'))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)  # unused recordings are not reported on a failed test
    result.stdout.fnmatch_lines(["*CassetteMissError*", "*Re-record: pytest 'test_user.py::test_chat'*"])
