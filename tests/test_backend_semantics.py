"""Fake-backend guarantees: per-key isolation and idempotent replays, on every leg."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from julep_async import AsyncClient
from julep_async.exceptions import SessionNotFoundError, UnprocessableEntityError
from julep_async.transports import Request

pytestmark = pytest.mark.anyio


async def test_one_key_never_sees_another_keys_data(connect: Callable[..., AsyncClient]) -> None:
    alice, bob = connect(api_key="key-alice"), connect(api_key="key-bob")
    agent = await alice.agents.create("A")
    session = await alice.sessions.create(agent_id=agent.id)
    await alice.sessions.docs.create(session.id, "secret", "alice's secret")
    assert (await bob.sessions.list()).items == []
    assert (await bob.agents.list()).items == []
    with pytest.raises(SessionNotFoundError):
        await bob.sessions.get(session.id)
    with pytest.raises(SessionNotFoundError):
        await bob.sessions.docs.search(session.id, "secret")
    assert [s.id for s in (await alice.sessions.list()).items] == [session.id]


def _chat_request(client: AsyncClient, session_id: str, key: str, text: str) -> Request:
    body = json.dumps({"messages": [{"role": "user", "content": text}]}).encode()
    headers = {"authorization": f"Bearer {client.api_key}", "content-type": "application/json",
               "idempotency-key": key}
    return Request("POST", f"/sessions/{session_id}/chat", headers=headers, body=body)


async def test_repeated_idempotency_key_replays_instead_of_writing_twice(client: AsyncClient, session: Any) -> None:
    request = _chat_request(client, session.id, "key-1", "once only")
    first = await client.transport.handle_async_request(request)
    second = await client.transport.handle_async_request(request)
    assert first.status == second.status == 201
    assert await first.aread() == await second.aread()
    history = await client.sessions.history(session.id)
    reply = json.loads(first.body)["choices"][0]["message"]["content"]
    assert [e.content for e in history.entries] == ["once only", reply]


async def test_concurrent_duplicates_write_once(client: AsyncClient, session: Any) -> None:
    request = _chat_request(client, session.id, "key-2", "racing")
    bodies: list[bytes] = []

    async def send() -> None:
        response = await client.transport.handle_async_request(request)
        bodies.append(await response.aread())

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(send)
    assert len(set(bodies)) == 1
    assert len((await client.sessions.history(session.id)).entries) == 2


async def test_reused_key_with_another_body_is_refused(client: AsyncClient, session: Any) -> None:
    await client.transport.handle_async_request(_chat_request(client, session.id, "key-3", "first"))
    response = await client.transport.handle_async_request(_chat_request(client, session.id, "key-3", "second"))
    assert response.status == 422
    assert json.loads(await response.aread())["error"]["code"] == "idempotency_key_reused"


async def test_every_non_get_call_carries_a_fresh_idempotency_key(connect: Callable[..., AsyncClient]) -> None:
    seen: list[Request] = []
    client = connect(api_key="k")
    inner = client.transport

    class Spy:
        async def handle_async_request(self, request: Request) -> Any:
            seen.append(request)
            return await inner.handle_async_request(request)

        async def aclose(self) -> None:
            pass

    spied = AsyncClient(api_key="k", transport=Spy())
    agent = await spied.agents.create("A")
    await spied.agents.get(agent.id)
    await spied.agents.update(agent.id, about="x")
    keys = [r.headers.get("idempotency-key") for r in seen]
    assert keys[1] is None and keys[0] and keys[2] and keys[0] != keys[2]
    await spied.aclose()


async def test_status_error_carries_status_body_and_code(client: AsyncClient, session: Any) -> None:
    request = _chat_request(client, session.id, "k4", "x")
    request = Request(request.method, request.path, headers=request.headers, body=b'{"messages": []}')
    response = await client.transport.handle_async_request(request)
    assert response.status == 422
    with pytest.raises(UnprocessableEntityError) as caught:
        await client._raise_for_status(request, response)
    assert caught.value.status_code == 422 and caught.value.code == "validation_error"
