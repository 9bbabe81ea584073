"""Documents and search results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs


@attrs.frozen
class Doc:
    id: str
    created_at: datetime
    title: str
    content: str | list[str]
    metadata: dict[str, Any] | None = None
    embeddings: Any = None
    modality: str | None = None
    language: str | None = None
    embedding_model: str | None = None
    embedding_dimensions: int | None = None


@attrs.frozen
class DocOwner:
    id: str
    role: str  # "agent", "user", or "session" (an extension)


@attrs.frozen
class Snippet:
    index: int
    content: str
    embedding: list[float] | None = None


@attrs.frozen
class DocReference:
    """One search hit; lower ``distance`` is closer."""

    id: str
    owner: DocOwner
    snippet: Snippet
    distance: float | None = None
    title: str | None = None
    metadata: dict[str, Any] | None = None


@attrs.frozen
class DocSearchResponse:
    docs: list[DocReference]
    time: float
