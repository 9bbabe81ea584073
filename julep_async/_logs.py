"""``JULEP_LOG=info|debug``: switch on the ``julep_async`` logger from the environment."""

from __future__ import annotations

import logging
import os

__all__ = ["configure_from_environment"]

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_from_environment() -> None:
    """Set the ``julep_async`` logger's level from ``JULEP_LOG``, and give it a handler on
    standard error if nothing else would show its lines (it has none, and the root logger
    has none). An unknown level is ignored. Each request is one INFO line (method, path,
    status, elapsed time, attempts, request id); retries and their waits are DEBUG lines."""
    level = LEVELS.get(os.environ.get("JULEP_LOG", "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger("julep_async")
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        logger.addHandler(handler)
