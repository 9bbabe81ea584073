"""Messages, chat replies, stream chunks and rendered prompts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._types import Role
from .docs import DocReference


@attrs.frozen
class Message:
    """A chat message; ``content`` is text, or a list of content parts."""

    role: Role
    content: str | list[Any] | None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


@attrs.frozen
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


@attrs.frozen
class Choice:
    index: int
    message: Message
    finish_reason: str | None = None
    logprobs: Any = None
    tool_calls: list[dict[str, Any]] | None = None


@attrs.frozen
class ChatResponse:
    """A complete reply. ``content`` is ``choices[0].message.content``."""

    id: str
    created_at: datetime
    choices: list[Choice]
    usage: Usage | None = None
    jobs: list[str] = attrs.Factory(list)
    docs: list[DocReference] = attrs.Factory(list)

    @property
    def content(self) -> str:
        """The reply's text (content parts joined)."""
        if not self.choices:
            return ""
        return _text(self.choices[0].message.content)


@attrs.frozen
class Delta:
    role: Role | None = None
    content: str | list[Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None


@attrs.frozen
class ChunkChoice:
    index: int
    delta: Delta
    finish_reason: str | None = None
    logprobs: Any = None


@attrs.frozen
class ChatChunk:
    """One event of a streamed reply; the last may carry only ``usage``."""

    id: str
    created_at: datetime
    choices: list[ChunkChoice]
    usage: Usage | None = None
    jobs: list[str] = attrs.Factory(list)
    docs: list[DocReference] = attrs.Factory(list)

    @property
    def content(self) -> str:
        """This chunk's text ("" for a usage-only chunk)."""
        return "".join(_text(choice.delta.content) for choice in self.choices)


@attrs.frozen
class ContextReport:
    """How the backend made the prompt fit (an extension of this project's backend)."""

    strategy: str | None
    token_budget: int | None
    context_window: int
    prompt_tokens: int
    dropped: int = 0
    summarized: int = 0
    summary: str | None = None


@attrs.frozen
class RenderResponse:
    """Exactly the messages the model would receive."""

    messages: list[Message]
    docs: list[DocReference] = attrs.Factory(list)
    tools: list[dict[str, Any]] = attrs.Factory(list)
    tool_choice: Any = None
    context: ContextReport | None = None


def _text(content: str | list[Any] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
