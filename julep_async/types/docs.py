"""Documents and search: the reply models and the request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias, TypedDict

import attrs

from .._types import Unset
from ._fields import any_of, array_of, boolean, field, integer, json_object, number, string
from ._input import Input
from ._model import Model

CONTENT = any_of(string(max_length=30_000), array_of(string(max_length=30_000)))
"""``Common.content``: one text, or a list of texts, each at most 30,000 characters."""


@attrs.frozen
class Doc(Model):
    id: str
    created_at: datetime
    title: str
    content: str | list[str]
    metadata: dict[str, Any] = attrs.Factory(dict)
    embeddings: list[float] | list[list[float]] | None = None
    modality: str | None = None
    language: str | None = None
    embedding_model: str | None = None
    embedding_dimensions: int | None = None


@attrs.frozen
class DocOwner(Model):
    id: str
    role: str  # "agent", "user", or "session" (this project's extension)


@attrs.frozen
class Snippet(Model):
    index: int
    content: str
    embedding: list[float] | None = None


@attrs.frozen
class DocReference(Model):
    """One search hit; lower ``distance`` is closer."""

    id: str
    owner: DocOwner
    snippet: Snippet
    distance: float | None = None
    title: str | None = None
    metadata: dict[str, Any] | None = None


@attrs.frozen
class DocSearchResponse(Model):
    docs: list[DocReference]
    time: float


@attrs.frozen(kw_only=True)
class CreateDocRequest(Input):
    """``POST /{agents|users|sessions}/{id}/docs``."""

    title: str = field(string(max_length=800), required=True)
    content: str | list[str] = field(CONTENT, required=True)
    embed_instruction: str | Unset | None = field(string(), nullable=True)
    metadata: dict[str, Any] | Unset = field(json_object())


@attrs.frozen(kw_only=True)
class _SearchOptions(Input):
    limit: int | Unset = field(integer(minimum=1, maximum=50))
    metadata_filter: dict[str, Any] | Unset = field(json_object())
    include_embeddings: bool | Unset = field(boolean())


@attrs.frozen(kw_only=True)
class TextOnlyDocSearchRequest(_SearchOptions):
    """Full-text search (BM25)."""

    text: str = field(string(), required=True)
    lang: str | Unset = field(string())
    trigram_similarity_threshold: float | Unset | None = field(number(minimum=0, maximum=1), nullable=True)


@attrs.frozen(kw_only=True)
class VectorDocSearchRequest(_SearchOptions):
    """Search by embedding similarity to ``vector``."""

    vector: list[float] = field(array_of(number()), required=True)
    confidence: float | Unset = field(number(minimum=-1, maximum=1))
    mmr_strength: float | Unset = field(number(minimum=0, maximum=1, exclusive_maximum=True))


@attrs.frozen(kw_only=True)
class HybridDocSearchRequest(_SearchOptions):
    """Text and vector search mixed by ``alpha`` (0: text only, 1: vectors only)."""

    text: str = field(string(), required=True)
    vector: list[float] = field(array_of(number()), required=True)
    lang: str | Unset = field(string())
    trigram_similarity_threshold: float | Unset | None = field(number(minimum=0, maximum=1), nullable=True)
    confidence: float | Unset = field(number(minimum=-1, maximum=1))
    mmr_strength: float | Unset = field(number(minimum=0, maximum=1, exclusive_maximum=True))
    alpha: float | Unset = field(number(minimum=0, maximum=1))
    k_multiplier: int | Unset = field(integer(minimum=1, maximum=10))


DocSearchRequest: TypeAlias = HybridDocSearchRequest | TextOnlyDocSearchRequest | VectorDocSearchRequest
"""A search body: hybrid when it has both ``text`` and ``vector``, else the one it has."""


@attrs.frozen(kw_only=True)
class EmbedQueryRequest(Input):
    """``POST /embed``: one text, or up to 100."""

    text: str | list[str] = field(any_of(string(), array_of(string(), min_items=1, max_items=100)), required=True)
    embed_instruction: str | Unset = field(string())


@attrs.frozen
class EmbedQueryResponse(Model):
    vectors: list[list[float]]


@attrs.frozen(kw_only=True)
class BulkDeleteDocsRequest(Input):
    """``DELETE /{agents|users}/{id}/docs``: every doc matching ``metadata_filter``, or all of
    them with ``delete_all``."""

    metadata_filter: dict[str, Any] | Unset = field(json_object())
    delete_all: bool | Unset = field(boolean())


class DocSearchOptions(TypedDict, total=False):
    """The search options besides ``text`` and ``vector``, as keyword arguments. Which apply
    depends on the search: text (``lang``, ``trigram_similarity_threshold``), vector
    (``confidence``, ``mmr_strength``) or hybrid (all of them, and ``alpha``, ``k_multiplier``)."""

    limit: int
    metadata_filter: dict[str, Any]
    include_embeddings: bool
    lang: str
    trigram_similarity_threshold: float | None
    confidence: float
    mmr_strength: float
    alpha: float
    k_multiplier: int
