"""Chat: the input (messages, options, tools), and every reply shape the spec allows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, TypeAlias, TypedDict

import attrs

from .._types import Role, Unset
from ._fields import (
    any_of,
    array_of,
    boolean,
    enum,
    field,
    identifier,
    instance_of,
    integer,
    json_object,
    map_of,
    number,
    object_of,
    string,
    tag,
    uuid,
)
from ._input import Input
from ._model import Model
from .docs import DocReference
from .tools import CHOSEN_TOOL_CALL, CreateToolRequest, NamedToolChoice, ToolCall

ROLES: tuple[Role, ...] = ("user", "assistant", "system", "tool")

_TEXT_PART = object_of({"text": string(), "type": enum(("text",))}, required=("text",))
_IMAGE_PART = object_of({
    "image_url": object_of({"url": string(), "detail": enum(("low", "high", "auto"))}, required=("url",)),
    "type": enum(("image_url",)),
}, required=("image_url",))
_IMAGE_SOURCE = object_of({
    "type": enum(("image",)),
    "source": object_of({"type": enum(("base64",)), "media_type": string(), "data": string()},
                        required=("media_type", "data")),
}, required=("source",))
_TOOL_RESULT_PART = object_of({
    "tool_use_id": string(),
    "type": enum(("tool_result",)),
    "content": any_of(array_of(_TEXT_PART), array_of(_IMAGE_SOURCE)),
}, required=("tool_use_id", "content"))
CONTENT = any_of(string(), array_of(string()), array_of(any_of(_TEXT_PART, _IMAGE_PART, _TOOL_RESULT_PART)))
"""A message's ``content``: a text, a list of texts, or a list of content parts."""


@attrs.frozen(kw_only=True)
class Message(Input):
    """A message sent to a session: ``content`` is a text, or a list of texts or parts.

    A ``role="tool"`` message carries a tool's result for ``tool_call_id``; an assistant
    message that called tools carries them in ``tool_calls``.
    """

    role: Role = field(enum(ROLES), required=True)
    content: str | list[Any] | None = field(CONTENT, required=True, nullable=True)
    name: str | Unset = field(string())
    tool_call_id: str | Unset = field(string())
    tool_calls: list[dict[str, Any]] | Unset | None = field(array_of(CHOSEN_TOOL_CALL), nullable=True)


@attrs.frozen(kw_only=True)
class SimpleResponseFormat(Input):
    """``response_format`` asking for plain text or a JSON object."""

    type: Literal["text", "json_object"] | Unset = field(enum(("text", "json_object")))


@attrs.frozen(kw_only=True)
class SchemaResponseFormat(Input):
    """``response_format`` asking for JSON that follows ``json_schema``."""

    json_schema: dict[str, Any] = field(json_object(), required=True)
    type: Literal["json_schema"] = tag("json_schema")


ResponseFormat: TypeAlias = SimpleResponseFormat | SchemaResponseFormat
ToolChoice: TypeAlias = Literal["auto", "none"] | NamedToolChoice


@attrs.frozen(kw_only=True)
class ChatInput(Input):
    """``POST /sessions/{id}/chat`` and ``/render``: the new messages and every option."""

    messages: list[Message] = field(array_of(instance_of(Message), min_items=1), required=True)
    tools: list[CreateToolRequest] | Unset | None = field(array_of(instance_of(CreateToolRequest)), nullable=True)
    tool_choice: ToolChoice | Unset = field(any_of(enum(("auto", "none")), instance_of(NamedToolChoice)))
    recall: bool | Unset = field(boolean())
    recall_tools: bool | Unset = field(boolean())
    save: bool | Unset = field(boolean())
    remember: bool | Unset = field(boolean())
    stream: bool | Unset = field(boolean())
    auto_run_tools: bool | Unset = field(boolean())
    agent: str | Unset = field(uuid())
    model: str | Unset = field(identifier())
    stop: list[str] | Unset = field(array_of(string(), max_items=4))
    seed: int | Unset = field(integer(minimum=-1, maximum=1000))
    max_tokens: int | Unset = field(integer(minimum=1, format="uint32"))
    temperature: float | Unset = field(number(minimum=0, maximum=5))
    top_p: float | Unset = field(number(minimum=0, maximum=1))
    min_p: float | Unset = field(number(minimum=0, maximum=1))
    frequency_penalty: float | Unset = field(number(minimum=-2, maximum=2))
    presence_penalty: float | Unset = field(number(minimum=-2, maximum=2))
    repetition_penalty: float | Unset = field(number(minimum=0, maximum=2))
    length_penalty: float | Unset = field(number(minimum=0, maximum=2))
    logit_bias: dict[str, float] | Unset = field(map_of(number(minimum=-100, maximum=100)))
    response_format: ResponseFormat | Unset = field(instance_of(SimpleResponseFormat, SchemaResponseFormat))
    metadata: dict[str, Any] | Unset = field(json_object())


class ChatOptions(TypedDict, total=False):
    """Every option of a chat (:class:`ChatInput`) besides the messages, ``stream``, ``save``
    and ``recall``, as keyword arguments; models may be given as dicts."""

    tools: list[CreateToolRequest | dict[str, Any]] | None
    tool_choice: Literal["auto", "none"] | NamedToolChoice | dict[str, Any]
    recall_tools: bool
    remember: bool
    auto_run_tools: bool
    agent: str
    model: str
    stop: list[str]
    seed: int
    max_tokens: int
    temperature: float
    top_p: float
    min_p: float
    frequency_penalty: float
    presence_penalty: float
    repetition_penalty: float
    length_penalty: float
    logit_bias: dict[str, float]
    response_format: ResponseFormat | dict[str, Any]
    metadata: dict[str, Any]


# -- replies ------------------------------------------------------------------------


@attrs.frozen
class ChatMessage(Model):
    """A message in a reply (a choice's output, or a rendered prompt)."""

    role: str
    content: str | list[Any] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None
    id: str | None = None
    created_at: datetime | None = None

    @property
    def text(self) -> str:
        """``content`` as plain text (parts joined)."""
        return text_of(self.content)


@attrs.frozen
class TopLogProb(Model):
    token: str
    logprob: float
    bytes: list[int] | None = None


@attrs.frozen
class TokenLogProb(Model):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogProb] = attrs.Factory(list)


@attrs.frozen
class LogProbs(Model):
    content: list[TokenLogProb] | None = None


@attrs.frozen
class Usage(Model):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


@attrs.frozen
class Choice(Model):
    """One output of a reply. ``message`` is always set: the single output, the first of
    several (``messages``), or the ``delta`` of a chunk-shaped reply."""

    index: int
    message: ChatMessage
    finish_reason: str | None = None
    messages: list[ChatMessage] | None = None
    logprobs: LogProbs | None = None
    tool_calls: list[ToolCall] | None = None


@attrs.frozen
class ChatResponse(Model):
    """A complete reply. ``content`` is the text of ``choices[0].message``."""

    id: str
    created_at: datetime
    choices: list[Choice]
    usage: Usage | None = None
    jobs: list[str] = attrs.Factory(list)
    docs: list[DocReference] = attrs.Factory(list)

    @property
    def content(self) -> str:
        """The reply's text (content parts joined); ``""`` when there is no choice."""
        return self.choices[0].message.text if self.choices else ""

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The tool calls the model asked for in the first choice."""
        return list(self.choices[0].message.tool_calls or []) if self.choices else []


@attrs.frozen
class ChunkChoice(Model):
    """One output's increment in a streamed reply."""

    index: int
    delta: ChatMessage
    finish_reason: str | None = None
    logprobs: LogProbs | None = None


@attrs.frozen
class ChatChunk(Model):
    """One event of a streamed reply; the last may carry only ``usage``."""

    id: str
    created_at: datetime
    choices: list[ChunkChoice]
    usage: Usage | None = None
    jobs: list[str] = attrs.Factory(list)
    docs: list[DocReference] = attrs.Factory(list)

    @property
    def content(self) -> str:
        """This chunk's text (``""`` for a usage-only chunk)."""
        return "".join(choice.delta.text for choice in self.choices)


@attrs.frozen
class ContextReport(Model):
    """How the backend made the prompt fit (an extension of this project's backend)."""

    strategy: str | None
    token_budget: int | None
    context_window: int
    prompt_tokens: int
    dropped: int = 0
    summarized: int = 0
    summary: str | None = None


@attrs.frozen
class RenderResponse(Model):
    """Exactly what the model would receive: messages, tools and recalled docs."""

    messages: list[ChatMessage]
    docs: list[DocReference] = attrs.Factory(list)
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    context: ContextReport | None = None


def join_chunks(chunks: Iterable[ChatChunk]) -> ChatResponse:
    """The reply a stream's chunks add up to, as the non-streamed call would return it: each
    choice's text joined, its tool calls put together (argument pieces joined by call id),
    its last ``finish_reason``, and the last ``usage`` reported."""
    first: ChatChunk | None = None
    usage: Usage | None = None
    texts: dict[int, list[str]] = {}  # the text deltas (a tool-call delta has none)
    calls: dict[int, dict[str, ToolCall]] = {}
    finish: dict[int, str | None] = {}
    roles: dict[int, str] = {}
    for chunk in chunks:
        first = first or chunk
        usage = chunk.usage or usage
        for choice in chunk.choices:
            texts.setdefault(choice.index, [])
            if choice.delta.content is not None:
                texts[choice.index].append(choice.delta.text)
            roles.setdefault(choice.index, choice.delta.role)
            finish[choice.index] = choice.finish_reason or finish.get(choice.index)
            joined = calls.setdefault(choice.index, {})
            for call in choice.delta.tool_calls or []:
                key = call.id or str(len(joined))
                before = joined.get(key)
                if before is not None and before.function is not None and call.function is not None:
                    call = attrs.evolve(call, function=attrs.evolve(
                        before.function, arguments=before.function.arguments + call.function.arguments))
                joined[key] = call
    if first is None:
        raise ValueError("join_chunks() needs at least one chunk")
    choices = [
        Choice(index, ChatMessage(roles[index], "".join(texts[index]) if texts[index] else None,
                                  tool_calls=list(calls[index].values()) or None),
               finish_reason=finish[index])
        for index in sorted(texts)
    ]
    return ChatResponse(first.id, first.created_at, choices, usage, list(first.jobs), list(first.docs))


def text_of(content: str | list[Any] | None) -> str:
    """The text of a message ``content``: the string, or its text parts joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(
        part if isinstance(part, str) else part.get("text", "") if isinstance(part, dict) else "" for part in content
    )
