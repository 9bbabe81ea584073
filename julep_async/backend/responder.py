"""The fake model: who writes the assistant's reply.

A responder is called with the prompt (a list of ``{"role", "content", ...}`` dicts,
exactly what ``render`` returns) and returns the reply text. It may be:

* a plain function or an ``async`` function returning a ``str``;
* a function returning an (async) iterable of ``str`` pieces, streamed as they come
  (an exception while iterating cuts the stream, as a real server does);
* a list of strings, replied in order (:class:`Scripted`).

The default, :func:`echo_responder`, is deterministic.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeAlias

from .context import text_of

Reply: TypeAlias = "str | Iterable[str] | AsyncIterable[str]"
Responder: TypeAlias = "Callable[[list[dict[str, Any]]], Reply | Awaitable[Reply]]"


class ScriptExhausted(Exception):
    """A :class:`Scripted` responder ran out of replies."""


def echo_responder(prompt: list[dict[str, Any]]) -> str:
    """Quote the newest user message and say how much context was seen."""
    last = next((m for m in reversed(prompt) if m.get("role") == "user"), prompt[-1])
    said = " ".join(text_of(last.get("content")).split())
    if len(said) > 200:
        said = said[:199] + "…"
    return f'I read {len(prompt)} messages. You said: "{said}"'


class Scripted:
    """Replies from a list, in order; one more call raises :class:`ScriptExhausted`."""

    def __init__(self, replies: Sequence[str]) -> None:
        self._replies = list(replies)
        self._next = 0

    def __call__(self, prompt: list[dict[str, Any]]) -> str:
        if self._next >= len(self._replies):
            raise ScriptExhausted(f"the scripted responder has no reply left (it had {len(self._replies)})")
        self._next += 1
        return self._replies[self._next - 1]


def as_responder(value: Responder | Sequence[str] | None) -> Responder:
    if value is None:
        return echo_responder
    if isinstance(value, str):
        raise TypeError("responder must be a callable or a list of replies, not a str")
    if callable(value):
        return value
    return Scripted(value)


async def ask(responder: Responder, prompt: list[dict[str, Any]]) -> Reply:
    """Call ``responder``, awaiting it if it is async."""
    reply = responder(prompt)
    if inspect.isawaitable(reply):
        reply = await reply
    return reply


async def pieces(reply: Reply) -> AsyncGenerator[str, None]:
    """A reply piece by piece (one piece for a plain str)."""
    if isinstance(reply, str):
        yield reply
    elif isinstance(reply, AsyncIterable):
        try:
            async for piece in reply:
                yield piece
        finally:
            close = getattr(reply, "aclose", None)
            if close is not None:
                await close()
    else:
        for piece in reply:
            yield piece
