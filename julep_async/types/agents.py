"""Agents: the reply model and the request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

import attrs

from .._types import Unset
from ._fields import any_of, array_of, field, json_object, string
from ._input import Input
from ._model import Model

CANONICAL_NAME = string(min_length=1, max_length=255, pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")
DISPLAY_NAME = string(min_length=1, max_length=255)


@attrs.frozen
class Agent(Model):
    id: str
    created_at: datetime
    updated_at: datetime
    name: str
    about: str = ""
    model: str = ""
    instructions: str | list[str] = attrs.Factory(list)
    default_system_template: str = ""
    metadata: dict[str, Any] = attrs.Factory(dict)
    default_settings: dict[str, Any] | None = None
    project: str | None = None
    canonical_name: str | None = None


@attrs.frozen
class ModelInfo(Model):
    id: str


@attrs.frozen
class ListModelsResponse(Model):
    """``GET /agents/models``: the models an agent can use."""

    models: list[ModelInfo]


@attrs.frozen(kw_only=True)
class PatchAgentRequest(Input):
    """``PATCH /agents/{id}``: the fields given replace the stored ones; ``metadata`` merges."""

    name: str | Unset = field(DISPLAY_NAME)
    about: str | Unset = field(string())
    model: str | Unset = field(string())
    instructions: str | list[str] | Unset = field(any_of(string(), array_of(string())))
    default_settings: dict[str, Any] | Unset = field(json_object())
    default_system_template: str | Unset = field(string())
    metadata: dict[str, Any] | Unset = field(json_object())
    project: str | Unset = field(CANONICAL_NAME)
    canonical_name: str | Unset = field(CANONICAL_NAME)


@attrs.frozen(kw_only=True)
class CreateAgentRequest(PatchAgentRequest):
    """``POST /agents``, ``POST /agents/{id}`` (create or update) and ``PUT /agents/{id}``
    (replace: a field left out takes its default)."""

    name: str = field(DISPLAY_NAME, required=True)


class AgentFields(TypedDict, total=False):
    """An agent's settable fields, as keyword arguments (each optional)."""

    about: str
    model: str
    instructions: str | list[str]
    default_settings: dict[str, Any]
    default_system_template: str
    metadata: dict[str, Any]
    project: str
    canonical_name: str
