"""The fake model: who writes the assistant's reply.

A responder is called with the prompt: a list of ``{"role", "content", ...}`` dicts,
exactly what ``render`` returns. The dicts are the session's own history: read them, do
not change them. One that has a
``tools`` parameter is also given the turn's function tools (``tools=``, as the spec's
tool objects) and ``tool_choice=``. It returns:

* a ``str``, or an (async) iterable of ``str`` pieces, streamed as they come (an
  exception while iterating cuts the stream, as a real server does);
* a :class:`ModelReply`, to call tools: ``ModelReply(tool_calls=[ToolUse("get_weather",
  {"city": "Paris"})])``; the caller then sends ``role="tool"`` messages with the results.

It may be a plain or ``async`` function, or a list of such replies (:class:`Scripted`).
The default, :class:`EchoModel`, is deterministic: it quotes the newest message, calls the
function that ``tool_choice`` names (with arguments made from the tool's JSON Schema),
and, with ``call_tools=True``, calls every function tool it is given.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from .context import text_of

__all__ = [
    "EchoModel",
    "ModelReply",
    "Reply",
    "Responder",
    "ScriptExhausted",
    "Scripted",
    "ToolUse",
    "as_responder",
    "example_arguments",
    "takes_tools",
]


@attrs.frozen
class ToolUse:
    """A function call the fake model makes: the tool's name and its arguments."""

    name: str
    arguments: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ModelReply:
    """A reply with tool calls (and, optionally, text alongside them)."""

    content: str = ""
    tool_calls: Sequence[ToolUse] = ()


Reply: TypeAlias = "str | ModelReply | Iterable[str] | AsyncIterable[str]"
Responder: TypeAlias = "Callable[..., Reply | Awaitable[Reply]]"


class ScriptExhausted(Exception):
    """A :class:`Scripted` responder ran out of replies."""


def example_arguments(schema: Any) -> Any:
    """A value that fits the JSON Schema ``schema``, always the same for the same schema:
    the first ``enum`` value, the ``default``, else the type's plain example (``"example"``,
    the minimum or 0, ``False``, one item, every property)."""
    if not isinstance(schema, Mapping):
        return {}
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: example_arguments(sub) for name, sub in properties.items() if isinstance(name, str)}
    if kind == "array":
        return [example_arguments(schema.get("items") or {"type": "string"})]
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "example"


def _functions(tools: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The function tools by name: the only kind the fake model calls."""
    return {str(tool.get("name")): tool.get("function") or {} for tool in tools if tool.get("type") == "function"}


class EchoModel:
    """The default fake model: deterministic, and tool-aware.

    Args:
        call_tools: call every function tool it is given (with ``tool_choice`` ``"auto"``
            or left out), not only one that ``tool_choice`` names.
    """

    def __init__(self, *, call_tools: bool = False) -> None:
        self.call_tools = call_tools

    def __repr__(self) -> str:
        return f"EchoModel(call_tools={self.call_tools})"

    def __call__(self, prompt: Sequence[dict[str, Any]], *, tools: Sequence[Mapping[str, Any]] = (),
                 tool_choice: Any = None) -> str | ModelReply:
        functions = _functions(tools)
        newest = prompt[-1] if prompt else {"role": "user", "content": ""}
        if functions and tool_choice != "none" and newest.get("role") != "tool":
            named = tool_choice.get("function", {}).get("name") if isinstance(tool_choice, Mapping) else None
            chosen = [named] if named in functions else list(functions) if self.call_tools else []
            if chosen:
                return ModelReply(tool_calls=[
                    ToolUse(name, example_arguments(functions[name].get("parameters"))) for name in chosen
                ])
        if newest.get("role") == "tool":
            return f'I read {len(prompt)} messages. The tool said: "{_quoted(newest)}"'
        last = next((m for m in reversed(prompt) if m.get("role") == "user"), newest)
        return f'I read {len(prompt)} messages. You said: "{_quoted(last)}"'


def _quoted(message: Mapping[str, Any]) -> str:
    said = " ".join(text_of(message.get("content")).split())
    return said[:199] + "…" if len(said) > 200 else said


def echo_responder(prompt: Sequence[dict[str, Any]]) -> str:
    """Quote the newest user message and say how much context was seen (:class:`EchoModel`
    without tools)."""
    reply = EchoModel()(prompt)
    assert isinstance(reply, str)
    return reply


class Scripted:
    """Replies from a list (texts or :class:`ModelReply`), in order; one more call raises
    :class:`ScriptExhausted`."""

    def __init__(self, replies: Sequence[str | ModelReply]) -> None:
        self._replies = list(replies)
        self._next = 0

    def __call__(self, prompt: Sequence[dict[str, Any]]) -> str | ModelReply:
        if self._next >= len(self._replies):
            raise ScriptExhausted(f"the scripted responder has no reply left (it had {len(self._replies)})")
        self._next += 1
        return self._replies[self._next - 1]


def as_responder(value: Responder | Sequence[str | ModelReply] | None, *, call_tools: bool = False) -> Responder:
    if value is None:
        return EchoModel(call_tools=call_tools)
    if isinstance(value, str):
        raise TypeError("responder must be a callable or a list of replies, not a str")
    if callable(value):
        return value
    return Scripted(value)


def takes_tools(responder: Responder) -> bool:
    """Whether ``responder`` wants the turn's tools (it has a ``tools`` or ``**`` parameter)."""
    try:
        parameters = inspect.signature(responder).parameters
    except (TypeError, ValueError):
        return False
    return "tools" in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


async def ask(responder: Responder, prompt: Sequence[dict[str, Any]], *, with_tools: bool,
              tools: Sequence[Mapping[str, Any]] = (), tool_choice: Any = None) -> Reply:
    """Call ``responder`` (``with_tools``: with the tools as well), awaiting it if it is async.

    A responder of one's own gets the prompt as a list; the built-in ones read the
    prompt's view in place (copying a long history would cost every turn its length)."""
    if not isinstance(responder, EchoModel | Scripted):
        prompt = list(prompt)
    reply = responder(prompt, tools=tools, tool_choice=tool_choice) if with_tools else responder(prompt)
    if not isinstance(reply, str | ModelReply) and inspect.isawaitable(reply):
        reply = await reply
    return reply


async def pieces(reply: str | Iterable[str] | AsyncIterable[str]) -> AsyncGenerator[str, None]:
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
