"""Users: the reply model and the request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

import attrs

from .._types import Unset
from ._fields import field, identifier, json_object, string
from ._input import Input
from ._model import Model
from .agents import CANONICAL_NAME

USER_NAME = identifier(empty=True)
"""``Common.identifierSafeUnicode``, and ``""``: the field's own default, which its pattern
would refuse."""


@attrs.frozen
class User(Model):
    id: str
    created_at: datetime
    updated_at: datetime
    name: str = ""
    about: str = ""
    metadata: dict[str, Any] = attrs.Factory(dict)
    project: str | None = None


@attrs.frozen(kw_only=True)
class PatchUserRequest(Input):
    """``PATCH /users/{id}``: the fields given replace the stored ones; ``metadata`` merges."""

    name: str | Unset = field(USER_NAME)
    about: str | Unset = field(string())
    metadata: dict[str, Any] | Unset = field(json_object())
    project: str | Unset = field(CANONICAL_NAME)


@attrs.frozen(kw_only=True)
class CreateUserRequest(PatchUserRequest):
    """``POST /users``, ``POST /users/{id}`` (create or update) and ``PUT /users/{id}``
    (replace: a field left out takes its default)."""


class UserFields(TypedDict, total=False):
    """A user's settable fields, as keyword arguments (each optional)."""

    name: str
    about: str
    metadata: dict[str, Any]
    project: str
