"""The fake backend's state: one :class:`Tenant` per API key, records kept in wire shape."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import anyio
import attrs

from .context import History, Stored
from .search import Indexed

Record = dict[str, Any]
IDEMPOTENCY_CACHE = 4096  # replies remembered per tenant for Idempotency-Key replays


@attrs.define
class SessionState:
    record: Record
    agents: list[str]
    users: list[str] = attrs.Factory(list)
    entries: list[Record] = attrs.Factory(list)
    history: History = attrs.Factory(History)  # each entry as a prompt message
    summary: Stored = attrs.Factory(Stored)
    turn: anyio.Semaphore | None = None  # serializes chats; a semaphore, not a lock:
    # a stream may be finished by another task than the one that started it.

    def turns(self) -> anyio.Semaphore:
        if self.turn is None:
            self.turn = anyio.Semaphore(1)
        return self.turn


@attrs.define
class DocState:
    record: Record
    owner: tuple[str, str]  # ("agents" | "users" | "sessions", owner id)
    index: Indexed


Saved = tuple[tuple[str, str, bytes], int, tuple[tuple[str, str], ...], bytes]
"""A reply kept for an ``Idempotency-Key``: ``(fingerprint, status, headers, body)``.

A plain tuple of strings, bytes and ints, on purpose: the garbage collector stops
tracking such tuples, and thousands of them churn through the cache at full speed."""


@attrs.define
class Tenant:
    """Everything one API key can see."""

    agents: dict[str, Record] = attrs.Factory(dict)
    users: dict[str, Record] = attrs.Factory(dict)
    sessions: dict[str, SessionState] = attrs.Factory(dict)
    docs: dict[tuple[str, str], dict[str, DocState]] = attrs.Factory(dict)
    doc_index: dict[str, DocState] = attrs.Factory(dict)  # every doc by its id, whoever owns it
    tools: dict[str, dict[str, Record]] = attrs.Factory(dict)  # agent id -> tool id -> tool
    replies: OrderedDict[str, Saved] = attrs.Factory(OrderedDict)
    pending: dict[str, anyio.Event | None] = attrs.Factory(dict)  # keys in flight (Event: someone waits)

    def docs_of(self, owner: tuple[str, str]) -> dict[str, DocState]:
        return self.docs.setdefault(owner, {})

    def add_doc(self, doc: DocState) -> None:
        self.docs_of(doc.owner)[doc.record["id"]] = doc
        self.doc_index[doc.record["id"]] = doc

    def drop_doc(self, doc: DocState) -> None:
        self.docs_of(doc.owner).pop(doc.record["id"], None)
        self.doc_index.pop(doc.record["id"], None)

    def drop_owner(self, owner: tuple[str, str]) -> None:
        """Forget an owner's documents (and, for an agent, its tools)."""
        for doc in self.docs.pop(owner, {}).values():
            self.doc_index.pop(doc.record["id"], None)
        if owner[0] == "agents":
            self.tools.pop(owner[1], None)

    def remember(self, key: str, saved: Saved) -> None:
        self.replies[key] = saved
        if len(self.replies) > IDEMPOTENCY_CACHE:
            self.replies.popitem(last=False)
