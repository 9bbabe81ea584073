"""Models as data: ``to_dict()`` and ``to_json()`` on replies and on request models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.converter import converter
from julep_async.types import Agent, ChatResponse, Message, TextOnlyDocSearch

pytestmark = pytest.mark.anyio


async def test_a_reply_round_trips_through_to_dict_and_to_json(client: AsyncClient, agent: Any,
                                                               session: Any) -> None:
    assert converter.structure(agent.to_dict(), Agent) == agent
    assert json.loads(agent.to_json()) == agent.to_dict()
    assert agent.to_dict()["created_at"].endswith("Z")  # ISO 8601 text
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])
    assert converter.structure(json.loads(reply.to_json(indent=2)), ChatResponse) == reply


def test_a_request_model_leaves_out_what_was_not_given() -> None:
    assert Message(role="user", content="hi").to_dict() == {"role": "user", "content": "hi"}
    assert TextOnlyDocSearch(limit=5).to_dict() == {"mode": "text", "limit": 5}
