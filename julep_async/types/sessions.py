"""Sessions and their history: the reply models and the request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeAlias, TypedDict

import attrs

from .._types import ContextOverflow, Unset
from ._fields import array_of, boolean, enum, field, instance_of, integer, json_object, number, string, tag, uuid
from ._input import Input
from ._model import Model

CONTEXT_OVERFLOW: tuple[ContextOverflow, ...] = ("truncate", "adaptive", "summarize")
"""The spec's ``truncate`` and ``adaptive``, and this project's ``summarize``."""


@attrs.frozen(kw_only=True)
class _DocSearchOptions(Input):
    """``Sessions.BaseDocSearch``: how a chat recalls the session's documents."""

    limit: int | Unset = field(integer(minimum=1, maximum=50))
    lang: str | Unset = field(string())
    metadata_filter: dict[str, Any] | Unset = field(json_object())
    num_search_messages: int | Unset = field(integer(minimum=1, maximum=50))
    max_query_length: int | Unset = field(integer(minimum=100, maximum=10_000))
    include_embeddings: bool | Unset = field(boolean())


@attrs.frozen(kw_only=True)
class TextOnlyDocSearch(_DocSearchOptions):
    """Recall by full-text search over the recent messages."""

    mode: Literal["text"] = tag("text")
    trigram_similarity_threshold: float | Unset | None = field(number(minimum=0, maximum=1), nullable=True)


@attrs.frozen(kw_only=True)
class VectorDocSearch(_DocSearchOptions):
    """Recall by embedding similarity."""

    mode: Literal["vector"] = tag("vector")
    confidence: float | Unset = field(number(minimum=-1, maximum=1))
    mmr_strength: float | Unset = field(number(minimum=0, maximum=1, exclusive_maximum=True))


@attrs.frozen(kw_only=True)
class HybridDocSearch(_DocSearchOptions):
    """Recall by text and embeddings, mixed by ``alpha`` (0: text only, 1: vectors only)."""

    mode: Literal["hybrid"] = tag("hybrid")
    confidence: float | Unset = field(number(minimum=-1, maximum=1))
    alpha: float | Unset = field(number(minimum=0, maximum=1))
    mmr_strength: float | Unset = field(number(minimum=0, maximum=1, exclusive_maximum=True))
    trigram_similarity_threshold: float | Unset | None = field(number(minimum=0, maximum=1), nullable=True)
    k_multiplier: int | Unset = field(integer(minimum=0, format="int8"))


RecallOptions: TypeAlias = TextOnlyDocSearch | VectorDocSearch | HybridDocSearch
"""``recall_options``: told apart by ``mode`` (``"text"`` when it is left out)."""
RECALL_OPTIONS = (TextOnlyDocSearch, VectorDocSearch, HybridDocSearch)


@attrs.frozen(kw_only=True)
class RecallOptionsPatch(_DocSearchOptions):
    """``recall_options`` in a ``PATCH``: the keys given merge into the stored options, and a
    ``mode`` left out keeps the stored one. Every mode's fields are accepted (the merged
    result is checked against its mode's model)."""

    mode: Literal["text", "vector", "hybrid"] | Unset = field(enum(("text", "vector", "hybrid")))
    confidence: float | Unset = field(number(minimum=-1, maximum=1))
    alpha: float | Unset = field(number(minimum=0, maximum=1))
    mmr_strength: float | Unset = field(number(minimum=0, maximum=1, exclusive_maximum=True))
    trigram_similarity_threshold: float | Unset | None = field(number(minimum=0, maximum=1), nullable=True)
    k_multiplier: int | Unset = field(integer(minimum=0, format="int8"))


@attrs.frozen
class Session(Model):
    """A session; ``agent``/``agents`` and ``user``/``users`` follow its ``kind`` (one of each
    is set: the single form for one participant, the list for several)."""

    id: str
    created_at: datetime
    updated_at: datetime
    situation: str | None = None
    system_template: str | None = None
    summary: str | None = None
    render_templates: bool = True
    token_budget: int | None = None
    context_overflow: ContextOverflow | None = None
    auto_run_tools: bool = False
    forward_tool_calls: bool = False
    recall_options: dict[str, Any] | None = None
    metadata: dict[str, Any] = attrs.Factory(dict)
    kind: str | None = None
    agent: str | None = None
    agents: list[str] | None = None
    user: str | None = None
    users: list[str] | None = None

    @property
    def agent_ids(self) -> list[str]:
        """The session's agents, however many."""
        return [self.agent] if self.agent else list(self.agents or [])

    @property
    def user_ids(self) -> list[str]:
        """The session's users, however many (none: ``[]``)."""
        return [self.user] if self.user else list(self.users or [])


@attrs.frozen(kw_only=True)
class _SessionSettings(Input):
    situation: str | Unset | None = field(string(), nullable=True)
    system_template: str | Unset = field(string())
    render_templates: bool | Unset = field(boolean())
    token_budget: int | Unset | None = field(integer(format="uint16"), nullable=True)
    context_overflow: ContextOverflow | Unset | None = field(enum(CONTEXT_OVERFLOW), nullable=True)
    auto_run_tools: bool | Unset = field(boolean())
    forward_tool_calls: bool | Unset = field(boolean())
    metadata: dict[str, Any] | Unset = field(json_object())


@attrs.frozen(kw_only=True)
class PatchSessionRequest(_SessionSettings):
    """``PATCH /sessions/{id}``: the fields given replace the stored ones (``null`` leaves a
    field as it is, as on the v1 server); ``metadata`` and ``recall_options`` merge key by key."""

    recall_options: RecallOptionsPatch | Unset | None = field(instance_of(RecallOptionsPatch), nullable=True)


@attrs.frozen(kw_only=True)
class UpdateSessionRequest(_SessionSettings):
    """``PUT /sessions/{id}``: replaces every setting (one left out takes its default)."""

    recall_options: RecallOptions | Unset | None = field(instance_of(*RECALL_OPTIONS), nullable=True)


@attrs.frozen(kw_only=True)
class CreateSessionRequest(UpdateSessionRequest):
    """``POST /sessions`` and ``POST /sessions/{id}`` (create or update): the settings and
    the participants, one agent (``agent``) or several (``agents``), and any users."""

    agent: str | Unset = field(uuid())
    agents: list[str] | Unset = field(array_of(uuid()))
    user: str | Unset = field(uuid())
    users: list[str] | Unset = field(array_of(uuid()))


@attrs.frozen
class Entry(Model):
    """One stored message of a session's history."""

    id: str
    created_at: datetime
    role: str
    content: Any
    source: str
    timestamp: datetime | None = None
    name: str | None = None
    tokenizer: str | None = None
    token_count: int | None = None
    model: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


@attrs.frozen
class Relation(Model):
    head: str
    relation: str
    tail: str


@attrs.frozen
class History(Model):
    """A session's history, entries oldest first."""

    session_id: str
    created_at: datetime
    entries: list[Entry]
    relations: list[Relation] = attrs.Factory(list)


class SessionFields(TypedDict, total=False):
    """A session's settings, as keyword arguments (each optional; ``recall_options`` may be
    a dict, its ``mode`` telling the kind)."""

    situation: str | None
    system_template: str
    render_templates: bool
    token_budget: int | None
    context_overflow: ContextOverflow | None
    auto_run_tools: bool
    forward_tool_calls: bool
    recall_options: RecallOptions | RecallOptionsPatch | dict[str, Any] | None
    metadata: dict[str, Any]
