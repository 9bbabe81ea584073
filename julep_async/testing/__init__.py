"""Test helpers shipped with the package: a pytest plugin for cassettes, and a
conformance check that any :class:`~julep_async.transports.Transport` can run."""

from .conformance import check_transport

__all__ = ["check_transport"]
