"""The models: frozen attrs classes, one module per resource. Conversion lives in
:mod:`julep_async.converter`, not here."""

from .agents import Agent
from .chat import (
    ChatChunk,
    ChatResponse,
    Choice,
    ChunkChoice,
    ContextReport,
    Delta,
    Message,
    RenderResponse,
    Usage,
)
from .common import ResourceDeleted
from .docs import Doc, DocOwner, DocReference, DocSearchResponse, Snippet
from .sessions import Entry, History, Relation, Session
from .users import User

__all__ = [
    "Agent",
    "ChatChunk",
    "ChatResponse",
    "Choice",
    "ChunkChoice",
    "ContextReport",
    "Delta",
    "Doc",
    "DocOwner",
    "DocReference",
    "DocSearchResponse",
    "Entry",
    "History",
    "Message",
    "Relation",
    "RenderResponse",
    "ResourceDeleted",
    "Session",
    "Snippet",
    "Usage",
    "User",
]
