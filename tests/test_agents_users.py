"""Agents and users, on every transport leg."""

from __future__ import annotations

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import AgentNotFoundError, UserNotFoundError

pytestmark = pytest.mark.anyio


async def test_agent_crud(client: AsyncClient) -> None:
    agent = await client.agents.create("Helper", about="helps", model="gpt-4o", instructions=["be brief"],
                                       metadata={"team": "a"})
    assert (agent.name, agent.about, agent.model, agent.instructions) == ("Helper", "helps", "gpt-4o", ["be brief"])
    assert await client.agents.get(agent_id=agent.id) == agent
    updated = await client.agents.update(agent.id, about="helps more", metadata={"tier": 2})
    assert updated.about == "helps more" and updated.metadata == {"team": "a", "tier": 2}
    assert updated.name == "Helper"
    assert [a.id for a in (await client.agents.list()).items] == [agent.id]
    assert (await client.agents.delete(agent.id)).id == agent.id
    with pytest.raises(AgentNotFoundError):
        await client.agents.get(agent.id)


async def test_user_crud(client: AsyncClient) -> None:
    user = await client.users.create(name="Ada", about="researcher", metadata={"lang": "en"})
    assert await client.users.get(user.id) == user
    updated = await client.users.update(user.id, name="Ada L.")
    assert updated.name == "Ada L." and updated.metadata == {"lang": "en"}
    listed = [u async for u in client.users.list(metadata_filter={"lang": "en"})]
    assert [u.id for u in listed] == [user.id]
    await client.users.delete(user.id)
    with pytest.raises(UserNotFoundError):
        await client.users.get(user.id)
