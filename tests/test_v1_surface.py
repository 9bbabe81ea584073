"""The rest of the v1 surface, under the official SDK's names, on every transport leg:
create_or_update, reset (PUT), list_models, bulk doc deletes, docs by id, embeddings."""

from __future__ import annotations

from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import AgentNotFoundError, DocNotFoundError, ValidationError

pytestmark = pytest.mark.anyio
NEW_ID = "0190c3a4-7f1e-7bd2-9c4e-2f0a6a1b9c3d"


async def test_create_or_update_creates_under_the_given_id_then_replaces(client: AsyncClient) -> None:
    made = await client.agents.create_or_update(NEW_ID, name="Fresh", about="new", metadata={"a": 1})
    assert (made.id, made.name, made.about) == (NEW_ID, "Fresh", "new")
    replaced = await client.agents.create_or_update(NEW_ID, name="Renamed")
    assert (replaced.id, replaced.name, replaced.about, replaced.metadata) == (NEW_ID, "Renamed", "", {})
    assert replaced.canonical_name == made.canonical_name  # an identifier: kept unless given
    assert [a.id for a in (await client.agents.list()).items] == [NEW_ID]


async def test_ids_are_read_in_any_case(client: AsyncClient) -> None:
    agent = await client.agents.create_or_update(NEW_ID.upper(), name="Upper")
    assert agent.id == NEW_ID
    assert (await client.agents.get(NEW_ID.upper().replace("-", ""))).id == NEW_ID


async def test_reset_replaces_every_field_and_update_merges(client: AsyncClient, agent: Any) -> None:
    merged = await client.agents.update(agent.id, metadata={"b": 2}, instructions="be brief")
    assert merged.about == agent.about and merged.instructions == ["be brief"]  # the server's list form
    reset = await client.agents.reset(agent.id, name="Plain")
    assert (reset.name, reset.about, reset.model, reset.instructions, reset.metadata) == ("Plain", "", "", [], {})
    assert reset.default_system_template  # back to the spec's default template


async def test_users_and_sessions_reset_and_create_or_update(client: AsyncClient, agent: Any, user: Any) -> None:
    person = await client.users.reset(user.id, about="only this")
    assert (person.name, person.about) == ("", "only this")
    session = await client.sessions.create_or_update(NEW_ID, agent_id=agent.id, situation="first")
    assert (session.id, session.agent, session.user, session.situation) == (NEW_ID, agent.id, None, "first")
    second = await client.sessions.create_or_update(NEW_ID, agent_id=agent.id, user_id=user.id, token_budget=99)
    assert (second.situation, second.token_budget, second.user) == (None, 99, user.id)  # settings replaced
    assert second.kind == "single_agent_single_user"  # a participant added, none removed


async def test_agent_canonical_name_is_made_from_its_name(client: AsyncClient) -> None:
    agent = await client.agents.create("Research Assistant!")
    assert agent.canonical_name is not None and agent.canonical_name.startswith("research_assistant_")
    named = await client.agents.create("X", canonical_name="my_agent")
    assert named.canonical_name == "my_agent"


async def test_list_models(client: AsyncClient) -> None:
    models = await client.agents.list_models()
    assert models.models and all(model.id for model in models.models)


async def test_bulk_delete_by_filter_and_all(client: AsyncClient, agent: Any) -> None:
    for title, kind in [("a", "draft"), ("b", "draft"), ("c", "final")]:
        await client.agents.docs.create(agent.id, title, f"text {title}", metadata={"kind": kind})
    drafts = await client.agents.docs.bulk_delete(agent.id, metadata_filter={"kind": "draft"})
    assert len(drafts) == 2
    assert [d.title for d in (await client.agents.docs.list(agent.id)).items] == ["c"]
    assert await client.agents.docs.bulk_delete(agent.id) == []  # no filter, no delete_all: nothing goes
    rest = await client.agents.docs.bulk_delete(agent.id, delete_all=True)
    assert len(rest) == 1 and (await client.agents.docs.list(agent.id)).items == []


async def test_a_doc_by_id_whoever_owns_it(client: AsyncClient, user: Any) -> None:
    doc = await client.users.docs.create(user.id, "Notes", ["part one", "part two"])
    fetched = await client.docs.get(doc.id)
    assert (fetched.id, fetched.content) == (doc.id, ["part one", "part two"])
    assert isinstance(fetched.embeddings, list) and len(fetched.embeddings) == 2
    assert (await client.docs.get(doc.id, include_embeddings=False)).embeddings is None
    await client.users.docs.delete(user.id, doc.id)
    with pytest.raises(DocNotFoundError):
        await client.docs.get(doc.id)


async def test_vector_and_hybrid_search(client: AsyncClient, agent: Any) -> None:
    await client.agents.docs.create(agent.id, "Qubits", "quantum bits and superposition")
    await client.agents.docs.create(agent.id, "Bread", "flour water salt yeast")
    vector = (await client.docs.embed("quantum superposition")).vectors[0]
    by_vector = await client.agents.docs.search(agent.id, vector=vector, confidence=0.0)
    assert by_vector.docs[0].title == "Qubits"
    hybrid = await client.agents.docs.search(agent.id, "quantum", vector=vector, alpha=0.5, confidence=0.0)
    assert hybrid.docs[0].title == "Qubits" and hybrid.time > 0
    with pytest.raises(ValidationError, match="text=, vector="):
        await client.agents.docs.search(agent.id)


async def test_deleting_an_agent_removes_its_docs_and_tools(client: AsyncClient, agent: Any) -> None:
    doc = await client.agents.docs.create(agent.id, "Manual", "how to")
    await client.agents.delete(agent.id)
    with pytest.raises(DocNotFoundError):
        await client.docs.get(doc.id)
    with pytest.raises(AgentNotFoundError):
        await client.agents.docs.list(agent.id)


async def test_a_session_names_its_participants_in_its_kinds_shape(client: AsyncClient, agent: Any,
                                                                   user: Any) -> None:
    other = await client.agents.create("Second")
    crowd = await client.sessions.create(agent_id=[agent.id, other.id], user_id=[user.id])
    assert (crowd.kind, crowd.agents, crowd.agent, crowd.user) == (
        "multi_agent_single_user", [agent.id, other.id], None, user.id
    )
    assert crowd.agent_ids == [agent.id, other.id] and crowd.user_ids == [user.id]


async def test_recall_options_are_stored_whole_and_patched_key_by_key(client: AsyncClient, agent: Any) -> None:
    session = await client.sessions.create(agent_id=agent.id, recall_options={"mode": "vector", "limit": 5})
    assert session.recall_options == {
        "mode": "vector", "limit": 5, "lang": "en-US", "metadata_filter": {}, "num_search_messages": 4,
        "max_query_length": 1000, "include_embeddings": True, "confidence": 0.5, "mmr_strength": 0.5,
    }
    patched = await client.sessions.update(session.id, recall_options={"confidence": 0.2})
    assert patched.recall_options is not None
    assert (patched.recall_options["mode"], patched.recall_options["limit"]) == ("vector", 5)
    assert patched.recall_options["confidence"] == 0.2
    with pytest.raises(ValidationError, match=r"recall_options\.limit"):
        await client.sessions.update(session.id, recall_options={"k_multiplier": 3, "mode": "text", "limit": 99})
