"""Agent tools and tool calls end to end, on every transport leg."""

from __future__ import annotations

import json
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import BadRequestError, NotFoundError, ValidationError
from julep_async.types import ChatResponse, join_chunks

pytestmark = pytest.mark.anyio

WEATHER = {
    "name": "get_weather", "type": "function",
    "function": {"description": "The weather in a city", "parameters": {
        "type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo"]},
                                         "days": {"type": "integer", "minimum": 1}},
        "required": ["city"]}},
}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


async def test_agent_tools_of_every_type_are_stored(client: AsyncClient, agent: Any) -> None:
    made = [
        await client.agents.tools.create(agent.id, name="get_weather", type="function",
                                         function=WEATHER["function"], description="weather"),
        await client.agents.tools.create(agent.id, name="search", type="integration",
                                         integration={"provider": "brave", "setup": {"brave_api_key": "b"}}),
        await client.agents.tools.create(agent.id, name="docs_of", type="system",
                                         system={"resource": "agent", "operation": "list"}),
        await client.agents.tools.create(agent.id, name="ping", type="api_call",
                                         api_call={"method": "GET", "url": "https://example.com"}),
        await client.agents.tools.create(agent.id, name="computer", type="computer_20241022",
                                         computer_20241022={"display_width_px": 1024, "display_height_px": 768}),
    ]
    listed = await client.agents.tools.list(agent.id, direction="asc")
    assert [t.name for t in listed.items] == ["get_weather", "search", "docs_of", "ping", "computer"]
    assert listed.items[0].function == WEATHER["function"] and listed.items[0].description == "weather"
    renamed = await client.agents.tools.update(agent.id, made[0].id, description="the forecast")
    assert (renamed.name, renamed.description) == ("get_weather", "the forecast")
    replaced = await client.agents.tools.reset(agent.id, made[3].id, name="pong", type="function")
    assert (replaced.name, replaced.api_call, replaced.function) == ("pong", None, None)
    await client.agents.tools.delete(agent.id, made[1].id)
    assert len((await client.agents.tools.list(agent.id)).items) == 4
    with pytest.raises(NotFoundError):
        await client.agents.tools.delete(agent.id, made[1].id)


async def test_a_tool_call_round_trip(client: AsyncClient, session: Any) -> None:
    asked = await client.sessions.chat(session.id, ASK, tools=[WEATHER],
                                       tool_choice={"function": {"name": "get_weather"}})
    choice = asked.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = asked.tool_calls
    assert call.type == "function" and call.function is not None and call.id
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris", "days": 1})
    result = {"role": "tool", "tool_call_id": call.id, "content": '{"sky": "sunny", "celsius": 21}'}
    answered = await client.sessions.chat(session.id, [result], tools=[WEATHER])
    assert answered.choices[0].finish_reason == "stop" and "sunny" in answered.content
    history = (await client.sessions.history(session.id)).entries
    assert [(e.role, e.source) for e in history] == [
        ("user", "api_request"), ("assistant", "api_response"), ("tool", "api_request"), ("assistant", "api_response")
    ]
    assert history[1].tool_calls is not None and history[1].tool_calls[0]["function"]["name"] == "get_weather"
    assert history[2].tool_call_id == call.id


async def test_the_reply_can_be_sent_back_as_a_message(client: AsyncClient, session: Any) -> None:
    asked = await client.sessions.chat(session.id, ASK, tools=[WEATHER], save=False,
                                       tool_choice={"function": {"name": "get_weather"}})
    call = asked.tool_calls[0]
    follow_up = [*ASK, asked.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": "rain"}]
    answered = await client.sessions.chat(session.id, follow_up, save=False)
    assert "rain" in answered.content


async def test_streamed_tool_calls_join_to_the_plain_reply(client: AsyncClient, session: Any) -> None:
    options: dict[str, Any] = {"tools": [WEATHER], "tool_choice": {"function": {"name": "get_weather"}}, "save": False}
    plain = await client.sessions.chat(session.id, ASK, **options)
    stream = await client.sessions.chat(session.id, ASK, stream=True, **options)
    async with stream:
        chunks = [chunk async for chunk in stream]
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.tool_calls) >= 2  # arguments in pieces
    joined = join_chunks(chunks)
    assert _gist(joined) == _gist(plain)


async def test_streamed_text_joins_to_the_plain_reply(client: AsyncClient, session: Any) -> None:
    plain = await client.sessions.chat(session.id, ASK, save=False)
    stream = await client.sessions.chat(session.id, ASK, stream=True, save=False)
    async with stream:
        joined = join_chunks([chunk async for chunk in stream])
    assert _gist(joined) == _gist(plain) and joined.usage == plain.usage


async def test_an_agents_tools_are_offered_in_its_sessions(client: AsyncClient, agent: Any, session: Any) -> None:
    await client.agents.tools.create(agent.id, name="get_weather", type="function", function=WEATHER["function"])
    rendered = await client.sessions.render(session.id, ASK, tools=[{"name": "extra", "type": "function"}])
    assert [t["name"] for t in rendered.tools or []] == ["get_weather", "extra"]
    asked = await client.sessions.chat(session.id, ASK, tool_choice={"function": {"name": "get_weather"}})
    assert asked.tool_calls[0].function is not None and asked.tool_calls[0].function.name == "get_weather"
    with pytest.raises(BadRequestError, match="not among the tools"):
        await client.sessions.chat(session.id, ASK, tool_choice={"function": {"name": "missing"}})
    plain = await client.sessions.chat(session.id, ASK, tool_choice="none")
    assert plain.tool_calls == [] and plain.choices[0].finish_reason == "stop"


def _gist(reply: ChatResponse) -> list[Any]:
    """What must agree between a streamed and a plain reply (ids are the server's own)."""
    return [(c.index, c.finish_reason, c.message.role, c.message.content,
             [(t.type, t.function) for t in c.message.tool_calls or []]) for c in reply.choices]


BROWSERBASE = {"provider": "browserbase", "method": "get_session",
               "setup": {"api_key": "k", "project_id": "p", "api_url": "https://api.browserbase.com"},
               "arguments": {"id": "s-1"}}


async def test_an_integration_is_checked_by_its_providers_own_schemas(client: AsyncClient, agent: Any,
                                                                      session: Any) -> None:
    rendered = await client.sessions.render(session.id, ASK, tools=[
        {"name": "browse", "type": "integration", "integration": BROWSERBASE}])
    assert rendered.tools == [{"name": "browse", "type": "integration", "integration": BROWSERBASE}]
    made = await client.agents.tools.create(agent.id, name="browse", type="integration", integration=BROWSERBASE)
    assert made.integration == BROWSERBASE
    bad = {**BROWSERBASE, "setup": {**BROWSERBASE["setup"], "api_url": {"host": "x"}}}  # schemathesis, seed 9
    with pytest.raises(ValidationError, match=r"integration\.setup\.api_url: must be a string"):
        await client.agents.tools.create(agent.id, name="browse2", type="integration", integration=bad)
    with pytest.raises(ValidationError, match=r"tools\[0\]\.integration\.setup\.api_url"):
        await client.sessions.render(session.id, ASK, tools=[{"name": "b", "type": "system", "integration": bad}])
    with pytest.raises(ValidationError, match=r"integration\.arguments\.id: is required"):
        await client.agents.tools.update(agent.id, made.id, integration={**BROWSERBASE, "arguments": {}})
    assert [t.integration for t in (await client.agents.tools.list(agent.id)).items] == [BROWSERBASE]
