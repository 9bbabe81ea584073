"""Test helpers shipped with the package: a pytest plugin for cassettes, a conformance
check that any :class:`~julep_async.transports.Transport` can run, and
:func:`no_backoff`, the switch that skips retry waits."""

from ..retry import no_backoff
from .conformance import check_transport

__all__ = ["check_transport", "no_backoff"]
