"""The base of every model julep_async sends."""

from __future__ import annotations

from ._model import Model

__all__ = ["Input"]


class Input(Model):
    """A request body, or a part of one: built by :func:`julep_async.converter.build` from
    keyword arguments or dicts (or by the backend from a request body), checked by its
    fields' validators, and sent without its ``UNSET`` fields."""

    __slots__ = ()
