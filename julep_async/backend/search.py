"""Ranking documents: BM25 over title and content, deterministic embeddings for vector
search, hybrid mixes of the two, and exact metadata filters."""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

_WORD = re.compile(r"\w+", re.UNICODE)
K1 = 1.2
B = 0.75
EMBEDDING_DIMENSIONS = 32
EMBEDDING_MODEL = "julep-fake-hashed-words"


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _WORD.findall(text.casefold())


@attrs.frozen
class Indexed:
    """A document's terms, computed once when it is stored."""

    terms: Counter[str]
    length: int

    @classmethod
    def of(cls, title: str, content: str) -> Indexed:
        words = tokenize(f"{title} {content}")
        return cls(Counter(words), len(words))


def matches(metadata: Mapping[str, Any] | None, metadata_filter: Mapping[str, Any]) -> bool:
    """Exact equality on every top-level key of the filter."""
    metadata = metadata or {}
    return all(key in metadata and metadata[key] == value for key, value in metadata_filter.items())


def rank(query: str, docs: Iterable[tuple[str, Indexed]]) -> list[tuple[str, float]]:
    """``(doc_id, score)`` for every document matching a query term, best first.

    Ties keep the order the documents were given in.
    """
    corpus = list(docs)
    terms = set(tokenize(query))
    if not corpus or not terms:
        return []
    average = sum(indexed.length for _, indexed in corpus) / len(corpus) or 1.0
    frequency = {term: sum(1 for _, ix in corpus if term in ix.terms) for term in terms}
    scored = []
    for doc_id, indexed in corpus:
        score = 0.0
        for term in terms:
            tf = indexed.terms.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (len(corpus) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            norm = K1 * (1 - B + B * indexed.length / average)
            score += idf * tf * (K1 + 1) / (tf + norm)
        if score > 0:
            scored.append((doc_id, score))
    scored.sort(key=lambda pair: -pair[1])
    return scored


def snippet(content: str, query: str, width: int = 300) -> str:
    """A window of ``content`` around the first query term found (the start if none)."""
    lowered = content.casefold()
    positions = [lowered.find(term) for term in tokenize(query)]
    first = min((p for p in positions if p >= 0), default=0)
    start = max(0, first - width // 3)
    return content[start : start + width]


def embed(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A deterministic stand-in for an embedding: the text's words hashed into signed
    buckets, L2-normalized (texts that share words point the same way)."""
    vector = [0.0] * dimensions
    for word in tokenize(text):
        code = zlib.crc32(word.encode())
        vector[code % dimensions] += 1.0 if (code >> 16) & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [round(x / norm, 6) for x in vector]


def cosine(query: list[float], vector: list[float]) -> float:
    """Cosine similarity; a query of another length is compared on the dimensions both have."""
    dot = sum(a * b for a, b in zip(query, vector, strict=False))
    norms = math.sqrt(sum(a * a for a in query[: len(vector)])) * math.sqrt(sum(b * b for b in vector))
    return dot / norms if norms else 0.0
