"""The fake Julep backend: one implementation of Julep semantics, used in-process by
:class:`~julep_async.transports.InMemoryTransport` and over HTTP by ``julep-async serve``."""

from .app import Backend
from .context import count_tokens
from .responder import EchoModel, ModelReply, Scripted, ToolUse, echo_responder

__all__ = ["Backend", "EchoModel", "ModelReply", "Scripted", "ToolUse", "count_tokens", "echo_responder"]
