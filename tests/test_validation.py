"""Bad arguments raise ValidationError before anything is sent."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import JulepError, ValidationError
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio

SID = "00000000-0000-4000-8000-000000000000"
CIRCULAR: dict[str, Any] = {}
CIRCULAR["self"] = CIRCULAR
DEEP: Any = "bottom"
for _ in range(5000):
    DEEP = {"d": DEEP}


class Recorder:
    """A transport that counts what reaches it."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.requests.append(request)
        return Response(500, body=b"should not be reached")

    async def aclose(self) -> None:
        pass


BRAVE_WITH_A_NUMBER_FOR_ITS_KEY = {"name": "b", "type": "integration",
                                   "integration": {"provider": "brave", "setup": {"brave_api_key": 5}}}
CASES: dict[str, Any] = {
    "empty messages": lambda c: c.sessions.chat(SID, []),
    "messages not a list": lambda c: c.sessions.chat(SID, "hello"),
    "unknown role": lambda c: c.sessions.chat(SID, [{"role": "robot", "content": "x"}]),
    "missing content": lambda c: c.sessions.chat(SID, [{"role": "user"}]),
    "content of wrong type": lambda c: c.sessions.chat(SID, [{"role": "user", "content": 5}]),
    "message of wrong type": lambda c: c.sessions.chat(SID, ["hi"]),
    "unknown chat option": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], temprature=1),
    "temperature of wrong type": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], temperature="hot"),
    "save not a bool": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], save="yes"),
    "bad context_overflow": lambda c: c.sessions.create(agent_id=SID, context_overflow="compress"),
    "token_budget bool": lambda c: c.sessions.create(agent_id=SID, token_budget=True),
    "metadata not a dict": lambda c: c.sessions.create(agent_id=SID, metadata=["a"]),
    "agent_id not a string": lambda c: c.sessions.create(agent_id=42),
    "empty session id": lambda c: c.sessions.get(""),
    "session id of wrong type": lambda c: c.sessions.get(None),
    "negative history limit": lambda c: c.sessions.history(SID, limit=-1),
    "before not a datetime": lambda c: c.sessions.history(SID, before="yesterday"),
    "update with bad overflow": lambda c: c.sessions.update(SID, context_overflow=1),
    "doc content of wrong type": lambda c: c.sessions.docs.create(SID, "t", 3),
    "search text of wrong type": lambda c: c.sessions.docs.search(SID, None),
    "search limit zero": lambda c: c.sessions.docs.search(SID, "x", limit=0),
    "list metadata_filter value nested": lambda c: c.sessions.list(metadata_filter={"a": {"b": 1}}),
    "agent name of wrong type": lambda c: c.agents.create(name=3),
    # Values that are not JSON, anywhere a JSON value goes: each is named by its path.
    "metadata holding an object()": lambda c: c.agents.create("A", metadata={"x": object()}),
    "metadata holding bytes": lambda c: c.agents.create("A", metadata={"x": b"raw"}),
    "metadata holding a set": lambda c: c.users.create(metadata={"x": {1, 2}}),
    "metadata holding a datetime": lambda c: c.sessions.create(SID, metadata={"at": datetime.now()}),
    "metadata that holds itself": lambda c: c.sessions.create(SID, metadata=CIRCULAR),
    "metadata nested 5,000 deep": lambda c: c.sessions.create(SID, metadata=DEEP),
    "metadata holding NaN": lambda c: c.agents.create("A", metadata={"x": math.nan}),
    "metadata holding Infinity": lambda c: c.agents.create("A", default_settings={"x": math.inf}),
    "message content holding a set": lambda c: c.sessions.chat(SID, [{"role": "user", "content": [{"text": {1}}]}]),
    "message content nested 5,000 deep": lambda c: c.sessions.chat(SID, [{"role": "user", "content": [DEEP]}]),
    "temperature NaN": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], temperature=math.nan),
    "stream not a bool": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], stream="no"),
    "max_tokens zero": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], max_tokens=0),
    "max_tokens negative": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}], max_tokens=-5),
    "recall_options limit not a number": lambda c: c.sessions.create(SID, recall_options={"limit": "x"}),
    "extra_body not JSON": lambda c: c.agents.get(SID, extra_body={"x": object()}),
    "timeout of wrong type": lambda c: c.agents.get(SID, timeout="soon"),
    "message with a lone surrogate": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "\ud800"}]),
    "metadata key with a lone surrogate": lambda c: c.agents.create(name="a", metadata={"\udc80": 1}),
    "chat tool integration setup of wrong type": lambda c: c.sessions.chat(SID, [{"role": "user", "content": "x"}],
                                                                           tools=[BRAVE_WITH_A_NUMBER_FOR_ITS_KEY]),
    "render tool integration without a provider": lambda c: c.sessions.render(
        SID, [{"role": "user", "content": "x"}], tools=[{"name": "b", "type": "integration", "integration": {}}]),
    "agent tool api_call url not a URI": lambda c: c.agents.tools.create(
        SID, name="p", type="api_call", api_call={"method": "GET", "url": "/relative"}),
}

SYNC_CASES: dict[str, Any] = {
    "negative list limit": lambda c: c.sessions.list(limit=-1),
    "negative offset": lambda c: c.sessions.list(offset=-5),
    "bad direction": lambda c: c.sessions.list(direction="up"),
    "bad sort_by": lambda c: c.agents.list(sort_by="name"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_rejected_before_sending(case: str) -> None:
    transport = Recorder()
    async with AsyncClient(transport=transport) as client:
        with pytest.raises(ValidationError) as caught:
            await CASES[case](client)
    assert transport.requests == []
    assert str(caught.value)


@pytest.mark.parametrize("case", list(SYNC_CASES))
def test_list_arguments_rejected_at_the_call(case: str) -> None:
    client = AsyncClient(transport=Recorder())
    with pytest.raises(ValidationError):
        SYNC_CASES[case](client)


def test_validation_error_is_a_julep_error_and_value_error() -> None:
    assert issubclass(ValidationError, JulepError) and issubclass(ValidationError, ValueError)


def test_missing_api_key_for_http_is_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JULEP_API_KEY", raising=False)
    with pytest.raises(JulepError, match="JULEP_API_KEY"):
        AsyncClient()


async def test_api_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JULEP_API_KEY", "env-key-123")
    monkeypatch.setenv("JULEP_BASE_URL", "http://127.0.0.1:9/api/")
    client = AsyncClient(transport=InMemoryTransport())
    assert client.api_key == "env-key-123"
    assert client.base_url == "http://127.0.0.1:9/api"
    assert "env-key-123" not in repr(client)
    await client.aclose()


@pytest.mark.parametrize(("call", "where"), [
    (lambda c: c.sessions.chat(SID, [{"role": "user", "content": "ok"}, {"role": "user", "content": "a\ud800"}]),
     "messages[1].content"),
    (lambda c: c.agents.create(name="a", metadata={"k": ["x", {"\udc80": 1}]}), "metadata.k[1] (a key)"),
])
async def test_text_that_is_not_valid_unicode_is_named(call: Any, where: str) -> None:
    async with AsyncClient(transport=Recorder()) as client:
        with pytest.raises(ValidationError) as caught:
            await call(client)
    assert str(caught.value) == f"{where}: is text that is not valid Unicode (a lone surrogate)"
    assert caught.value.problems == ((where, "is not valid Unicode"),)
