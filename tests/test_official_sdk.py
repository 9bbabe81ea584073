"""The official ``julep`` SDK (2.21.0) talks to this project's server and parses every reply."""

from __future__ import annotations

import pytest

from julep_async.backend import Backend
from julep_async.server import running

julep = pytest.importorskip("julep", reason="the official SDK is in the test extra")

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]


async def test_official_sdk_round_trip() -> None:
    async with running(Backend(api_keys=["official-key"])) as url:
        client = julep.AsyncJulep(api_key="official-key", base_url=url, max_retries=0)
        async with client:
            agent = await client.agents.create(name="Research Assistant", model="gpt-4o-mini", about="helps")
            user = await client.users.create(name="Ada", about="researcher")
            session = await client.sessions.create(agent=agent.id, user=user.id, situation="a lab",
                                                   metadata={"channel": "web"})
            assert session.id and session.situation == "a lab"

            reply = await client.sessions.chat(session.id, messages=[{"role": "user", "content": "What is a qubit?"}])
            assert "What is a qubit?" in reply.choices[0].message.content  # type: ignore[union-attr]

            history = await client.sessions.history(session.id)
            assert [entry.role for entry in history.entries] == ["user", "assistant"]
            assert str(history.session_id) == session.id

            updated = await client.sessions.update(session.id, metadata={"topic": "qubits"})
            assert updated.metadata == {"channel": "web", "topic": "qubits"}

            doc = await client.agents.docs.create(agent.id, title="Qubits", content="A qubit is a quantum bit.",
                                                  metadata={"kind": "note"})
            found = await client.agents.docs.search(agent.id, text="qubit", metadata_filter={"kind": "note"})
            assert [str(ref.id) for ref in found.docs] == [doc.id]

            listed = await client.sessions.list(limit=10)
            assert [s.id for s in listed.items] == [session.id]

            deleted = await client.sessions.delete(session.id)
            assert str(deleted.id) == session.id
            with pytest.raises(julep.NotFoundError):
                await client.sessions.get(session.id)
            await client.agents.docs.delete(doc.id, agent_id=agent.id)
            await client.agents.delete(agent.id)


async def test_official_sdk_is_refused_without_a_listed_key() -> None:
    async with (
        running(Backend(api_keys=["right-key"])) as url,
        julep.AsyncJulep(api_key="wrong-key", base_url=url, max_retries=0) as client,
    ):
        with pytest.raises(julep.PermissionDeniedError):
            await client.agents.list()
