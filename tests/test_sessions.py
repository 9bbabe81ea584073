"""Sessions, chat and history, on every transport leg."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import AgentNotFoundError, SessionNotFoundError
from julep_async.types import ChatResponse, Message

pytestmark = pytest.mark.anyio


async def test_create_and_get_round_trip_ids(client: AsyncClient, agent: Any, user: Any) -> None:
    created = await client.sessions.create(
        agent_id=agent.id, user_id=user.id, situation="a lab", token_budget=500,
        context_overflow="truncate", metadata={"channel": "web", "n": 3},
    )
    fetched = await client.sessions.get(created.id)
    assert fetched == created
    assert (fetched.agent, fetched.user) == (agent.id, user.id)  # single participants, as the kind says
    assert fetched.agent_ids == [agent.id] and fetched.user_ids == [user.id]
    assert fetched.kind == "single_agent_single_user"
    assert (fetched.situation, fetched.token_budget, fetched.context_overflow) == ("a lab", 500, "truncate")
    assert fetched.created_at.tzinfo is not None


async def test_unknown_agent_is_agent_not_found(client: AsyncClient) -> None:
    with pytest.raises(AgentNotFoundError):
        await client.sessions.create(agent_id="00000000-0000-4000-8000-000000000000")


async def test_update_merges_metadata_and_keeps_unset_fields(client: AsyncClient, session: Any) -> None:
    updated = await client.sessions.update(session.id, metadata={"topic": "qc"}, situation="exam prep")
    assert updated.metadata == {"channel": "web", "topic": "qc"}
    assert updated.situation == "exam prep"
    assert updated.context_overflow is None
    again = await client.sessions.update(session.id, token_budget=100)
    assert again.metadata == {"channel": "web", "topic": "qc"} and again.situation == "exam prep"
    assert again.updated_at >= updated.updated_at


async def test_update_with_none_leaves_the_field_and_reset_clears_it(client: AsyncClient, session: Any) -> None:
    await client.sessions.update(session.id, situation="x", token_budget=300)
    kept = await client.sessions.update(session.id, situation=None)
    assert kept.situation == "x"  # PATCH null means "leave it", as the v1 server's COALESCE does
    cleared = await client.sessions.reset(session.id, token_budget=100)
    assert (cleared.situation, cleared.token_budget, cleared.metadata) == (None, 100, {})


async def test_delete_then_every_call_is_session_not_found(client: AsyncClient, session: Any) -> None:
    deleted = await client.sessions.delete(session.id)
    assert deleted.id == session.id
    for call in (client.sessions.get(session.id), client.sessions.history(session.id),
                 client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])):
        with pytest.raises(SessionNotFoundError) as caught:
            await call
        assert caught.value.status_code == 404


async def test_malformed_id_is_not_found_not_validation(client: AsyncClient) -> None:
    with pytest.raises(SessionNotFoundError):
        await client.sessions.get("nonexistent_id")


async def test_chat_reply_and_history_oldest_first(client: AsyncClient, session: Any) -> None:
    first = await client.sessions.chat(session.id, [{"role": "user", "content": "one"}])
    assert isinstance(first, ChatResponse)
    assert first.content == first.choices[0].message.content
    assert '"one"' in first.content and first.usage is not None and first.usage.total_tokens
    await client.sessions.chat(session.id, [Message(role="user", content="two")])
    history = await client.sessions.history(session.id)
    assert [(e.role, e.source) for e in history.entries] == [
        ("user", "api_request"), ("assistant", "api_response"), ("user", "api_request"), ("assistant", "api_response")
    ]
    assert [e.content for e in history.entries][::2] == ["one", "two"]
    assert [e.created_at for e in history.entries] == sorted(e.created_at for e in history.entries)
    assert history.session_id == session.id


async def test_multi_message_chat_stores_every_message(client: AsyncClient, session: Any) -> None:
    await client.sessions.chat(session.id, [
        {"role": "user", "content": "I need help"},
        {"role": "assistant", "content": "With what?"},
        {"role": "user", "content": "Quantum computing"},
    ])
    history = await client.sessions.history(session.id)
    assert [e.content for e in history.entries][:3] == ["I need help", "With what?", "Quantum computing"]


async def test_chat_without_save_leaves_history_alone(client: AsyncClient, session: Any) -> None:
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "off the record"}], save=False)
    assert "off the record" in reply.content
    assert (await client.sessions.history(session.id)).entries == []


async def test_history_limit_and_before(client: AsyncClient, session: Any) -> None:
    for word in ("a", "b", "c"):
        await client.sessions.chat(session.id, [{"role": "user", "content": word}])
    everything = (await client.sessions.history(session.id)).entries
    assert len(everything) == 6
    newest = await client.sessions.history(session.id, limit=2)
    assert newest.entries == everything[-2:]
    cutoff = everything[3].created_at
    before = await client.sessions.history(session.id, before=cutoff)
    assert before.entries == everything[:3]
    both = await client.sessions.history(session.id, limit=2, before=cutoff)
    assert both.entries == everything[1:3]
    naive_future = datetime(2100, 1, 1)  # naive: local time (fixed, so the replay leg matches it)
    assert (await client.sessions.history(session.id, before=naive_future)).entries == everything
    assert (await client.sessions.history(session.id, before=datetime(2000, 1, 1, tzinfo=UTC))).entries == []


async def test_clear_empties_history_and_keeps_session(client: AsyncClient, session: Any) -> None:
    await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])
    assert await client.sessions.clear(session.id) is None
    assert (await client.sessions.history(session.id)).entries == []
    assert (await client.sessions.get(session.id)).id == session.id


async def test_list_filters_by_participant_and_metadata(client: AsyncClient, agent: Any, user: Any) -> None:
    other_agent = await client.agents.create(name="Other")
    with_user = await client.sessions.create(agent_id=agent.id, user_id=user.id, metadata={"tier": 1})
    without_user = await client.sessions.create(agent_id=agent.id, metadata={"tier": 2})
    elsewhere = await client.sessions.create(agent_id=other_agent.id, metadata={"tier": 1})
    ids = lambda page: [s.id for s in page.items]  # noqa: E731
    assert ids(await client.sessions.list(agent_id=agent.id)) == [without_user.id, with_user.id]
    assert ids(await client.sessions.list(agent_id=agent.id, user_id=user.id)) == [with_user.id]
    assert ids(await client.sessions.list(metadata_filter={"tier": 1})) == [elsewhere.id, with_user.id]
    assert ids(await client.sessions.list(direction="asc")) == [with_user.id, without_user.id, elsewhere.id]


async def test_pager_awaits_one_page_and_iterates_all(client: AsyncClient, agent: Any) -> None:
    made = [await client.sessions.create(agent_id=agent.id, metadata={"i": i}) for i in range(5)]
    page = await client.sessions.list(limit=2)
    assert len(page.items) == 2 and page.has_more
    assert [s.id for s in page] == [made[4].id, made[3].id]
    second = await client.sessions.list(limit=2, offset=2)
    assert [s.id for s in second.items] == [made[2].id, made[1].id]
    walked = [s.id async for s in client.sessions.list(limit=2)]
    assert walked == [s.id for s in reversed(made)]
