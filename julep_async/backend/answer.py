"""One chat turn in the fake backend: the model's reply, complete or as Julep SSE events,
and its saving to history."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING

from .._sse import encode_json as sse
from . import context
from . import responder as responders
from .store import Record, SessionState

if TYPE_CHECKING:
    from .routes import Api, Call

DEFAULT_MODEL = "julep-fake-echo"


class Answer:
    """The model's reply to one chat turn, complete or as SSE events, and its saving."""

    def __init__(self, api: Api, call: Call, state: SessionState, messages: list[Record],
                 prompt: context.Prompt, docs: list[Record]) -> None:
        self.api, self.call, self.state, self.messages = api, call, state, messages
        self.prompt, self.docs = prompt, docs
        self.id, self.created_at = api.clock.new_id(), api.now()
        agent = call.tenant.agents.get(state.record["agents"][0]) if state.record["agents"] else None
        self.model = call.field("model", str) or (agent or {}).get("model") or DEFAULT_MODEL
        self.max_tokens = call.field("max_tokens", int)

    def envelope(self, choices: list[Record], usage: Record | None) -> Record:
        return {"id": self.id, "created_at": self.created_at, "choices": choices,
                "usage": usage, "jobs": [], "docs": self.docs}

    def usage(self, reply: str) -> Record:
        completion = self.api.backend.counter(reply)
        return {"prompt_tokens": self.prompt.prompt_tokens, "completion_tokens": completion,
                "total_tokens": self.prompt.prompt_tokens + completion}

    async def text(self) -> str:
        """The whole reply, cut at ``max_tokens`` if the request set it."""
        reply = await responders.ask(self.api.backend.responder, self.prompt.messages)
        if not isinstance(reply, str):
            async with aclosing(responders.pieces(reply)) as pieces:
                reply = "".join([piece async for piece in pieces])
        if self.max_tokens is not None:
            reply = context.head_within(reply, self.max_tokens, self.api.backend.counter)
        return reply

    async def pieces(self) -> AsyncGenerator[str, None]:
        """The reply piece by piece, as the responder gives it, cut at ``max_tokens``."""
        reply = await responders.ask(self.api.backend.responder, self.prompt.messages)
        used, counter = 0, self.api.backend.counter
        async with aclosing(responders.pieces(reply)) as pieces:
            async for piece in pieces:
                if self.max_tokens is not None:
                    piece = context.head_within(piece, self.max_tokens - used, counter)
                used += counter(piece)
                yield piece
                if self.max_tokens is not None and used >= self.max_tokens:
                    return

    async def complete(self) -> Record:
        reply = await self.text()
        self.save(reply)
        cut = self.max_tokens is not None and self.api.backend.counter(reply) >= self.max_tokens
        choice = {"index": 0, "finish_reason": "length" if cut else "stop",
                  "message": {"role": "assistant", "content": reply}}
        return self.envelope([choice], self.usage(reply))

    async def events(self) -> AsyncGenerator[bytes, None]:
        parts = []
        async with aclosing(self.pieces()) as pieces:
            async for piece in pieces:
                for word in re.findall(r"\s*\S+\s*|\s+", piece) or [piece]:
                    parts.append(word)
                    delta = {"index": 0, "finish_reason": "stop", "delta": {"role": "assistant", "content": word}}
                    yield sse(self.envelope([delta], None))
        reply = "".join(parts)
        self.save(reply)
        yield sse(self.envelope([], self.usage(reply)))

    def save(self, reply: str) -> None:
        if not self.call.field("save", bool, True):
            return
        state, counter, model = self.state, self.api.backend.counter, self.model
        if self.prompt.summary_upto:
            state.summary = context.Stored(self.prompt.summary, self.prompt.summary_upto)
            state.record["summary"] = self.prompt.summary
        for message, source in [*((m, "api_request") for m in self.messages),
                                ({"role": "assistant", "content": reply}, "api_response")]:
            now, tokens, name = self.api.now(), context.message_tokens(message, counter), message.get("name")
            state.entries.append({
                "id": self.api.clock.new_id(), "created_at": now, "timestamp": now,
                "role": message["role"], "name": name, "content": message.get("content"),
                "source": source, "tokenizer": "chars/4", "model": model, "token_count": tokens,
                "tool_calls": message.get("tool_calls"), "tool_call_id": message.get("tool_call_id"),
            })
            said = {"role": message["role"], "content": message.get("content")}
            state.said.append({**said, "name": name} if name else said)


class TurnStream:
    """A reply stream that holds the session's turn until it ends or is closed."""

    def __init__(self, events: AsyncGenerator[bytes, None], release: Callable[[], None]) -> None:
        self._events = events
        self._release: Callable[[], None] | None = release

    def __aiter__(self) -> TurnStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self._events.__anext__()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
            await self._events.aclose()
