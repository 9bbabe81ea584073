"""The base of every model julep_async sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._fields import validator
from ._model import Model

__all__ = ["Input"]

_VALIDATORS: dict[type, Callable[[Any], None]] = {}


class Input(Model):
    """A request body, or a part of one, and the rules its fields are checked by. The SDK
    (:func:`julep_async.converter.build`) and the backend (``Call.wire``) check a body by
    those rules without building the model; :func:`~julep_async.converter.structure_input`
    builds it (for an event hook, or a test). ``UNSET`` fields are never sent."""

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        """Check every field against the spec (raises a ``FieldError`` naming it)."""
        validate = _VALIDATORS.get(type(self))
        if validate is None:
            validate = _VALIDATORS[type(self)] = validator(type(self))
        validate(self)
