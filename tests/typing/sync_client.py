"""What a type checker sees on ``Client``: ``async_client.py`` without the ``await``, so
the same code type-checks the same way on both clients: the same result types (pagers and
streams as ``SyncPager`` and ``SyncStream``), the same typos flagged. Checked by mypy
--strict and pyright (strict) in ``.ci/run``, never run.
"""

from __future__ import annotations

from typing import assert_type

from julep_async import ChatOutcome, Client, Page, RawResponse, SyncPager, SyncStream
from julep_async.config import Timeout
from julep_async.hooks import CallStarted, Event, Hook
from julep_async.otel import Tracing
from julep_async.retry import RetryPolicy
from julep_async.transports import InMemoryTransport, Transport
from julep_async.types import (
    Agent,
    ChatChunk,
    ChatResponse,
    Doc,
    DocSearchResponse,
    EmbedQueryResponse,
    History,
    ListModelsResponse,
    RenderResponse,
    ResourceDeleted,
    Session,
    Tool,
    User,
)

HELLO = [{"role": "user", "content": "hello"}]


def client_itself() -> None:
    with Client(transport=InMemoryTransport(), timeout=Timeout(attempt=5)) as client:
        assert_type(client, Client)
        assert_type(client.with_options(retry=RetryPolicy(attempts=1)), Client)
        assert_type(client.base_url, str)
        assert_type(client.api_key, str | None)
        assert_type(client.timeout, Timeout)
        assert_type(client.retry, RetryPolicy)
        assert_type(client.max_in_flight, int | None)
        assert_type(client.transport, Transport)
        client.close()



def log(event: Event) -> None: ...


async def log_async(event: Event) -> None: ...


def started_only(event: CallStarted) -> None: ...


def hooks() -> None:
    with Client(transport=InMemoryTransport(), hooks=[log, log_async, Tracing()]) as client:
        assert_type(client.hooks, tuple[Hook, ...])
        assert_type(client.with_options(hooks=[*client.hooks, log]), Client)
        Client(hooks=[started_only])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
        client.with_options(hooks=log)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

def agents(client: Client, agent_id: str) -> None:
    assert_type(client.agents.create("A", about="x", extra_headers={"x-a": "1"}), Agent)
    assert_type(client.agents.create_or_update(agent_id, name="A"), Agent)
    assert_type(client.agents.get(agent_id, timeout=5), Agent)
    assert_type(client.agents.list(), SyncPager[Agent])
    assert_type(client.agents.list(limit=5).first, Page[Agent])
    assert_type(client.agents.list(limit=5).items, list[Agent])
    for agent in client.agents.list():
        assert_type(agent, Agent)
    assert_type(client.agents.update(agent_id, name="B"), Agent)
    assert_type(client.agents.reset(agent_id, name="C"), Agent)
    assert_type(client.agents.delete(agent_id), ResourceDeleted)
    assert_type(client.agents.list_models(), ListModelsResponse)


def agent_docs_and_tools(client: Client, agent_id: str, doc_id: str, tool_id: str) -> None:
    assert_type(client.agents.docs.create(agent_id, "T", "text"), Doc)
    assert_type(client.agents.docs.list(agent_id), SyncPager[Doc])
    assert_type(client.agents.docs.search(agent_id, "text"), DocSearchResponse)
    assert_type(client.agents.docs.delete(agent_id, doc_id), ResourceDeleted)
    assert_type(client.agents.docs.bulk_delete(agent_id, delete_all=True), list[ResourceDeleted])
    assert_type(client.agents.tools.create(agent_id, name="t", type="function"), Tool)
    assert_type(client.agents.tools.list(agent_id), SyncPager[Tool])
    assert_type(client.agents.tools.update(agent_id, tool_id, name="u"), Tool)
    assert_type(client.agents.tools.reset(agent_id, tool_id, name="v", type="function"), Tool)
    assert_type(client.agents.tools.delete(agent_id, tool_id), ResourceDeleted)


def users(client: Client, user_id: str, doc_id: str) -> None:
    assert_type(client.users.create(name="Ada"), User)
    assert_type(client.users.create_or_update(user_id, name="Ada"), User)
    assert_type(client.users.get(user_id), User)
    assert_type(client.users.list(), SyncPager[User])
    assert_type(client.users.update(user_id, about="x"), User)
    assert_type(client.users.reset(user_id, name="Bea"), User)
    assert_type(client.users.delete(user_id), ResourceDeleted)
    assert_type(client.users.docs.create(user_id, "T", ["a", "b"]), Doc)
    assert_type(client.users.docs.list(user_id), SyncPager[Doc])
    assert_type(client.users.docs.search(user_id, vector=[0.1]), DocSearchResponse)
    assert_type(client.users.docs.delete(user_id, doc_id), ResourceDeleted)
    assert_type(client.users.docs.bulk_delete(user_id), list[ResourceDeleted])


def sessions(client: Client, agent_id: str, session_id: str, doc_id: str, flag: bool) -> None:
    assert_type(client.sessions.create(agent_id, context_overflow="adaptive"), Session)
    assert_type(client.sessions.create_or_update(session_id, agent_id=agent_id), Session)
    assert_type(client.sessions.get(session_id), Session)
    assert_type(client.sessions.list(agent_id=agent_id), SyncPager[Session])
    assert_type(client.sessions.update(session_id, metadata={"k": "v"}), Session)
    assert_type(client.sessions.reset(session_id), Session)
    assert_type(client.sessions.delete(session_id), ResourceDeleted)
    assert_type(client.sessions.chat(session_id, HELLO), ChatResponse)
    assert_type(client.sessions.chat(session_id, HELLO, stream=False, temperature=0.5), ChatResponse)
    assert_type(client.sessions.chat(session_id, HELLO, stream=True), SyncStream[ChatChunk])
    assert_type(client.sessions.chat(session_id, HELLO, stream=flag), ChatResponse | SyncStream[ChatChunk])
    with client.sessions.chat(session_id, HELLO, stream=True) as stream:
        for chunk in stream:
            assert_type(chunk, ChatChunk)
    assert_type(client.sessions.chat_many([(session_id, HELLO)], concurrency=2), list[ChatOutcome])
    assert_type(client.sessions.render(session_id, HELLO), RenderResponse)
    assert_type(client.sessions.history(session_id, limit=10), History)
    assert_type(client.sessions.clear(session_id), None)
    assert_type(client.sessions.docs.create(session_id, "T", "text", metadata={"k": "v"}), Doc)
    assert_type(client.sessions.docs.list(session_id), SyncPager[Doc])
    assert_type(client.sessions.docs.search(session_id, "text", metadata_filter={"k": "v"}), DocSearchResponse)
    assert_type(client.sessions.docs.delete(session_id, doc_id), ResourceDeleted)


def docs(client: Client, doc_id: str) -> None:
    assert_type(client.docs.get(doc_id, include_embeddings=True), Doc)
    assert_type(client.docs.embed("text"), EmbedQueryResponse)


def raw_responses(client: Client, agent_id: str, user_id: str, session_id: str, doc_id: str,
                        tool_id: str) -> None:
    raw = client.sessions.with_raw_response.chat(session_id, HELLO, temperature=0.5)
    assert_type(raw, RawResponse[ChatResponse])
    assert_type(raw.parse(), ChatResponse)
    assert_type(raw.request_id, str | None)
    assert_type(raw.retries_taken, int)
    assert_type(client.agents.with_raw_response.create("A"), RawResponse[Agent])
    assert_type(client.agents.with_raw_response.create_or_update(agent_id, name="A"), RawResponse[Agent])
    assert_type(client.agents.with_raw_response.get(agent_id), RawResponse[Agent])
    assert_type(client.agents.with_raw_response.update(agent_id, name="B"), RawResponse[Agent])
    assert_type(client.agents.with_raw_response.reset(agent_id, name="C"), RawResponse[Agent])
    assert_type(client.agents.with_raw_response.delete(agent_id), RawResponse[ResourceDeleted])
    assert_type(client.agents.with_raw_response.list_models(), RawResponse[ListModelsResponse])
    assert_type(client.agents.docs.with_raw_response.create(agent_id, "T", "x"), RawResponse[Doc])
    assert_type(client.agents.docs.with_raw_response.search(agent_id, "x"), RawResponse[DocSearchResponse])
    assert_type(client.agents.docs.with_raw_response.delete(agent_id, doc_id), RawResponse[ResourceDeleted])
    assert_type(client.agents.docs.with_raw_response.bulk_delete(agent_id),
                RawResponse[list[ResourceDeleted]])
    assert_type(client.agents.tools.with_raw_response.create(agent_id, name="t", type="function"),
                RawResponse[Tool])
    assert_type(client.agents.tools.with_raw_response.update(agent_id, tool_id, name="u"), RawResponse[Tool])
    assert_type(client.agents.tools.with_raw_response.reset(agent_id, tool_id, name="v", type="function"),
                RawResponse[Tool])
    assert_type(client.agents.tools.with_raw_response.delete(agent_id, tool_id), RawResponse[ResourceDeleted])
    assert_type(client.users.with_raw_response.create(name="Ada"), RawResponse[User])
    assert_type(client.users.with_raw_response.create_or_update(user_id, name="Ada"), RawResponse[User])
    assert_type(client.users.with_raw_response.get(user_id), RawResponse[User])
    assert_type(client.users.with_raw_response.update(user_id, about="x"), RawResponse[User])
    assert_type(client.users.with_raw_response.reset(user_id), RawResponse[User])
    assert_type(client.users.with_raw_response.delete(user_id), RawResponse[ResourceDeleted])
    assert_type(client.users.docs.with_raw_response.create(user_id, "T", "x"), RawResponse[Doc])
    assert_type(client.users.docs.with_raw_response.search(user_id, "x"), RawResponse[DocSearchResponse])
    assert_type(client.users.docs.with_raw_response.delete(user_id, doc_id), RawResponse[ResourceDeleted])
    assert_type(client.users.docs.with_raw_response.bulk_delete(user_id), RawResponse[list[ResourceDeleted]])
    assert_type(client.sessions.with_raw_response.create(agent_id), RawResponse[Session])
    assert_type(client.sessions.with_raw_response.create_or_update(session_id, agent_id=agent_id),
                RawResponse[Session])
    assert_type(client.sessions.with_raw_response.get(session_id), RawResponse[Session])
    assert_type(client.sessions.with_raw_response.update(session_id), RawResponse[Session])
    assert_type(client.sessions.with_raw_response.reset(session_id), RawResponse[Session])
    assert_type(client.sessions.with_raw_response.delete(session_id), RawResponse[ResourceDeleted])
    assert_type(client.sessions.with_raw_response.render(session_id, HELLO), RawResponse[RenderResponse])
    assert_type(client.sessions.with_raw_response.history(session_id), RawResponse[History])
    assert_type(client.sessions.with_raw_response.clear(session_id), RawResponse[None])
    assert_type(client.sessions.docs.with_raw_response.create(session_id, "T", "x"), RawResponse[Doc])
    assert_type(client.sessions.docs.with_raw_response.search(session_id, "x"), RawResponse[DocSearchResponse])
    assert_type(client.sessions.docs.with_raw_response.delete(session_id, doc_id),
                RawResponse[ResourceDeleted])
    assert_type(client.docs.with_raw_response.get(doc_id), RawResponse[Doc])
    assert_type(client.docs.with_raw_response.embed("x"), RawResponse[EmbedQueryResponse])


def typos(client: Client, session_id: str) -> None:
    Client(api_kye="k")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    client.sessions.chta  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # noqa: B018
    client.agents.create(nmae="A")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    client.sessions.chat(session_id, HELLO, temprature=0.5)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    client.sessions.get(session_id, timeuot=5)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
