"""julep_async: an async-first SDK for Julep-style agents: sessions, chat, history and
session documents, over HTTP, an in-memory backend, or recorded cassettes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("julep-async")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from ._response import RawResponse
from ._types import UNSET
from .client import AsyncClient
from .config import Limits, Timeout
from .pagination import AsyncPager, Page
from .resources.sessions import ChatJob, ChatOutcome
from .retry import RetryPolicy
from .streaming import AsyncStream
from .sync import Client, SyncPager, SyncStream

__all__ = [
    "UNSET",
    "AsyncClient",
    "AsyncPager",
    "AsyncStream",
    "ChatJob",
    "ChatOutcome",
    "Client",
    "Limits",
    "Page",
    "RawResponse",
    "RetryPolicy",
    "SyncPager",
    "SyncStream",
    "Timeout",
    "__version__",
]
