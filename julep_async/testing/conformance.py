"""``check_transport``: the contract every transport must keep, as one reusable check."""

from __future__ import annotations

from collections.abc import Callable

from ..client import AsyncClient
from ..exceptions import SessionNotFoundError, ValidationError
from ..transports.base import Transport

MISSING = "00000000-0000-4000-8000-000000000000"


async def check_transport(make: Callable[[], Transport], *, api_key: str = "conformance-key") -> None:
    """Drive a transport (backed by a Julep-compatible backend) through the calls the
    SDK relies on; raise ``AssertionError`` naming the first broken promise.

    Checks: JSON round trips (create, get, list, merge-update, delete), error statuses
    surfacing as typed errors, chat and history, and an SSE stream that arrives as
    typed chunks, joins to the saved reply and can be closed early.
    """
    async with AsyncClient(api_key=api_key, transport=make()) as client:
        agent = await client.agents.create("Conformance")
        assert (await client.agents.get(agent.id)).id == agent.id, "get returns what create made"
        session = await client.sessions.create(agent_id=agent.id, metadata={"a": 1})
        merged = await client.sessions.update(session.id, metadata={"b": 2})
        assert merged.metadata == {"a": 1, "b": 2}, "PATCH merges metadata"
        assert session.id in [s.id for s in (await client.sessions.list()).items], "list shows the session"
        reply = await client.sessions.chat(session.id, [{"role": "user", "content": "conformance"}])
        assert reply.content, "chat returns a reply"
        stream = await client.sessions.chat(session.id, [{"role": "user", "content": "stream"}], stream=True)
        async with stream:
            text = "".join([chunk.content async for chunk in stream])
        history = await client.sessions.history(session.id)
        assert [e.content for e in history.entries][-2:] == ["stream", text], "a stream is saved like a reply"
        early = await client.sessions.chat(session.id, [{"role": "user", "content": "early"}], stream=True)
        async with early:
            async for _ in early:
                break
        try:
            await client.sessions.get(MISSING)
        except SessionNotFoundError:
            pass
        else:
            raise AssertionError("a missing session must raise SessionNotFoundError")
        try:
            await client.sessions.chat(session.id, [])
        except ValidationError:
            pass
        else:
            raise AssertionError("empty messages must be refused before sending")
        await client.sessions.delete(session.id)
        await client.agents.delete(agent.id)
