"""render() and streaming chat, on every transport leg."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from julep_async import AsyncClient, AsyncStream
from julep_async.backend import Backend, Scripted
from julep_async.exceptions import APIConnectionError, BadRequestError, UnprocessableEntityError
from julep_async.types import ChatChunk

pytestmark = pytest.mark.anyio
LONG = "word " * 60  # 76 tokens as one message


async def _session(client: AsyncClient, agent: Any, strategy: str | None, budget: int | None) -> Any:
    session = await client.sessions.create(agent_id=agent.id, context_overflow=strategy, token_budget=budget)
    for turn in range(4):
        await client.sessions.chat(session.id, [{"role": "user", "content": f"turn {turn} {LONG}"}])
    return session


@pytest.mark.live_backend
@pytest.mark.parametrize("strategy", ["truncate", "summarize", "adaptive"])
async def test_render_is_exactly_what_the_model_receives(client: AsyncClient, agent: Any, backend: Backend,
                                                         strategy: str) -> None:
    session = await _session(client, agent, strategy, budget=300)
    before = await client.sessions.history(session.id)
    rendered = await client.sessions.render(session.id, [{"role": "user", "content": "and now?"}])
    seen: list[list[dict[str, Any]]] = []

    def spy(prompt: list[dict[str, Any]]) -> str:
        seen.append(prompt)
        return "ok"

    backend.responder = spy
    await client.sessions.chat(session.id, [{"role": "user", "content": "and now?"}])
    assert [m.content for m in rendered.messages] == [m["content"] for m in seen[0]]
    assert type(seen[0]) is list  # a responder of one's own gets a list, as documented
    assert rendered.context is not None and rendered.context.strategy == strategy
    assert rendered.context.prompt_tokens <= 300
    if strategy == "truncate":
        assert rendered.context.dropped > 0 and rendered.context.summary is None
    else:
        assert rendered.context.summarized > 0 and rendered.messages[1].name == "summary"
        assert rendered.context.summary and rendered.context.summary in rendered.messages[1].content  # type: ignore[operator]
    after = await client.sessions.history(session.id)
    assert after.entries[: len(before.entries)] == before.entries  # stored history never rewritten
    assert [e.content for e in after.entries[len(before.entries) :]] == ["and now?", "ok"]


async def test_summary_is_stored_on_the_session(client: AsyncClient, agent: Any) -> None:
    session = await _session(client, agent, "summarize", budget=300)
    stored = await client.sessions.get(session.id)
    assert stored.summary and "user: turn 1 word" in stored.summary and "assistant: I read" in stored.summary
    rendered = await client.sessions.render(session.id, [{"role": "user", "content": "q"}])
    summary = rendered.context.summary if rendered.context else None
    assert summary and "user: turn 2 word" in summary  # one more turn folded in...
    assert stored.summary[-60:] in summary  # ...by extending the stored summary


async def test_render_gives_the_same_prompt_on_every_leg(client: AsyncClient, agent: Any) -> None:
    session = await _session(client, agent, "adaptive", budget=250)
    rendered = await client.sessions.render(session.id, [{"role": "user", "content": "q"}])
    assert [(m.role, (m.content or "")[:12]) for m in rendered.messages] == [
        ("system", "You are Rese"), ("system", "Summary of t"), ("user", "turn 3 word "),
        ("assistant", "I read 4 mes"), ("user", "q"),
    ]
    assert rendered.context is not None
    assert (rendered.context.prompt_tokens, rendered.context.summarized, rendered.context.dropped) == (220, 6, 0)


async def test_no_strategy_over_the_window_is_prompt_too_big(client: AsyncClient, agent: Any) -> None:
    session = await client.sessions.create(agent_id=agent.id)
    with pytest.raises(BadRequestError, match="window") as caught:
        await client.sessions.chat(session.id, [{"role": "user", "content": "x" * 40000}])
    assert caught.value.code == "prompt_too_big"


async def test_newest_message_alone_over_the_budget(client: AsyncClient, agent: Any) -> None:
    session = await client.sessions.create(agent_id=agent.id, context_overflow="truncate", token_budget=50)
    with pytest.raises(BadRequestError, match="token_budget") as caught:
        await client.sessions.render(session.id, [{"role": "user", "content": LONG}])
    assert caught.value.code == "prompt_too_big"


async def test_streamed_chunks_join_to_the_plain_reply(client: AsyncClient, session: Any) -> None:
    message = [{"role": "user", "content": "tell me about qubits"}]
    plain = await client.sessions.chat(session.id, message, save=False)
    stream = await client.sessions.chat(session.id, message, save=False, stream=True)
    assert isinstance(stream, AsyncStream)
    chunks = [chunk async for chunk in stream]
    assert all(isinstance(chunk, ChatChunk) for chunk in chunks) and len(chunks) > 3
    assert "".join(chunk.content for chunk in chunks) == plain.content
    assert chunks[-1].choices == [] and chunks[-1].usage is not None  # the usage-only last chunk
    assert len({chunk.id for chunk in chunks}) == 1


async def test_a_stream_is_saved_to_history_like_a_reply(client: AsyncClient, session: Any) -> None:
    stream = await client.sessions.chat(session.id, [{"role": "user", "content": "stream it"}], stream=True)
    async with stream:
        text = "".join([chunk.content async for chunk in stream])
    history = await client.sessions.history(session.id)
    assert [e.content for e in history.entries] == ["stream it", text]


async def test_leaving_a_stream_early_frees_the_session_and_connection(client: AsyncClient, session: Any) -> None:
    with anyio.fail_after(10):  # a stream that kept its session's turn would hang the next chat
        for _ in range(3):
            stream = await client.sessions.chat(session.id, [{"role": "user", "content": "a b c d e"}], stream=True)
            async with stream:
                async for _chunk in stream:
                    break
        closed_by_break = await client.sessions.chat(session.id, [{"role": "user", "content": "x y z"}], stream=True)
        async for _chunk in closed_by_break:
            break
        await closed_by_break.aclose()
        reply = await client.sessions.chat(session.id, [{"role": "user", "content": "still there?"}])
    assert "still there?" in reply.content
    contents = [e.content for e in (await client.sessions.history(session.id)).entries]
    assert contents[-2:] == ["still there?", reply.content]
    # An abandoned reply is saved only if the server had finished it (over HTTP it may
    # have); a half turn never is.
    assert len(contents) % 2 == 0 and all(c.startswith("I read") for c in contents[1::2])


async def test_a_stream_cut_by_the_server_raises(connect: Callable[..., AsyncClient], backend: Backend) -> None:
    def cut(prompt: list[dict[str, Any]]) -> Any:
        yield "partial answer "
        raise RuntimeError("the model went away")

    client = connect()
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent_id=agent.id)
    backend.responder = cut
    stream = await client.sessions.chat(session.id, [{"role": "user", "content": "x"}], stream=True)
    received = []
    with pytest.raises(APIConnectionError, match="cut"):
        async for chunk in stream:
            received.append(chunk.content)
    assert "".join(received) == "partial answer "
    backend.responder = lambda prompt: "recovered"
    assert (await client.sessions.chat(session.id, [{"role": "user", "content": "y"}])).content == "recovered"


async def test_scripted_and_async_responders(connect: Callable[..., AsyncClient], backend: Backend) -> None:
    client = connect()
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent_id=agent.id)

    async def thoughtful(prompt: list[dict[str, Any]]) -> str:
        await anyio.lowlevel.checkpoint()
        return f"{len(prompt)} messages considered"

    backend.responder = thoughtful
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "a"}])
    assert reply.content == "2 messages considered"

    backend.responder = Scripted(["first", "second"])
    replies = [(await client.sessions.chat(session.id, [{"role": "user", "content": t}])).content for t in "ab"]
    assert replies == ["first", "second"]


def test_sync_client_streams_as_a_plain_iterator() -> None:
    from julep_async import Client
    from julep_async.transports import InMemoryTransport

    with Client(transport=InMemoryTransport(seed=0)) as client:
        agent = client.agents.create("A")
        session = client.sessions.create(agent_id=agent.id)
        with client.sessions.chat(session.id, [{"role": "user", "content": "one two"}], stream=True) as stream:
            text = "".join(chunk.content for chunk in stream)
        assert text == client.sessions.history(session.id).entries[-1].content
        early = client.sessions.chat(session.id, [{"role": "user", "content": "three four"}], stream=True)
        for _chunk in early:
            break
        early.close()
        assert client.sessions.chat(session.id, [{"role": "user", "content": "five"}]).content


@pytest.mark.asyncio_only
async def test_summarize_against_a_v1_server_is_a_clear_422() -> None:
    from faults import fault_server, status

    v1_reply = (b'{"error": {"message": "context_overflow: Input should be \'truncate\' or \'adaptive\'", '
                b'"code": "validation_error", "details": [{"loc": "body.context_overflow"}]}}')
    async with fault_server() as server, AsyncClient(api_key="k", base_url=server.url) as client:
        agent = await client.agents.create("A")
        server.script = [status(422, v1_reply)]
        with pytest.raises(UnprocessableEntityError, match="truncate' or 'adaptive") as caught:
            await client.sessions.create(agent_id=agent.id, context_overflow="summarize")
        assert caught.value.code == "validation_error" and caught.value.status_code == 422
