"""Tools: what an agent (or one chat) can call, and the calls a model chooses.

Function tools are typed models; the other tool types (integrations, system calls, API
calls and Anthropic's computer, text-editor and bash tools) are JSON objects checked
against the spec's shapes, since the fake backend never runs them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeAlias, TypedDict

import attrs

from .._types import Unset
from ._fields import (
    Check,
    any_of,
    array_of,
    boolean,
    enum,
    field,
    instance_of,
    integer,
    json_object,
    json_value,
    map_of,
    object_of,
    string,
    uuid,
)
from ._input import Input
from ._model import Model

ToolType: TypeAlias = Literal[
    "function", "integration", "system", "api_call", "computer_20241022", "text_editor_20241022", "bash_20241022"
]
TOOL_TYPES: tuple[ToolType, ...] = (
    "function", "integration", "system", "api_call", "computer_20241022", "text_editor_20241022", "bash_20241022"
)
INTEGRATION_PROVIDERS = (
    "dummy", "weather", "wikipedia", "spider", "brave", "browserbase", "email", "mailgun", "remote_browser",
    "llama_parse", "ffmpeg", "cloudinary", "arxiv", "unstructured", "algolia", "mcp", "google_sheets",
)
TOOL_NAME = string(max_length=40, pattern=r"^[^\W0-9]\w*$")
"""``Common.validPythonIdentifier``."""


def _property_definition(name: str, value: Any) -> None:
    """``Tools.PropertyDefinition``, whose ``items`` is one in turn."""
    object_of({"type": string(), "enum": array_of(string()), "items": _property_definition},
              required=("type",))(name, value)


INTEGRATION: Check = object_of(
    {"provider": enum(INTEGRATION_PROVIDERS), "method": string()}, required=("provider",)
)
"""``Tools.*IntegrationDef``: the provider and method are checked; ``setup`` and ``arguments``
are taken as given (per-provider shapes are not checked)."""
SYSTEM: Check = object_of({
    "resource": enum(("agent", "user", "task", "execution", "doc", "session", "job")),
    "operation": enum(("create", "update", "patch", "create_or_update", "embed", "change_status", "search",
                       "chat", "history", "delete", "get", "list")),
    "resource_id": uuid(),
    "subresource": enum(("tool", "doc", "execution", "transition")),
    "arguments": json_object(),
}, required=("resource", "operation"))
API_CALL: Check = object_of({
    "method": enum(("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE")),
    "url": string(),
    "schema": json_object(),
    "headers": map_of(string()),
    "secrets": map_of(object_of({"name": string()}, required=("name",))),
    "content": string(),
    "data": json_object(),
    "files": json_object(),
    "json": json_object(),
    "cookies": map_of(string()),
    "params": any_of(string(), json_object()),
    "params_schema": object_of({"type": string(), "properties": map_of(_property_definition),
                                "required": array_of(string()), "additionalProperties": boolean()},
                               required=("properties",)),
    "follow_redirects": boolean(),
    "timeout": integer(format="uint8"),
    "include_response_content": boolean(),
}, required=("method", "url"))
COMPUTER: Check = object_of({
    "type": enum(("computer_20241022",)),
    "name": string(),
    "display_width_px": integer(minimum=600, format="uint16"),
    "display_height_px": integer(minimum=400, format="uint16"),
    "display_number": integer(minimum=1, maximum=10),
})
TEXT_EDITOR: Check = object_of({"type": enum(("text_editor_20241022",)), "name": string()})
BASH: Check = object_of({"type": enum(("bash_20241022",)), "name": string()})

FUNCTION_CALL: Check = object_of({"name": string(), "arguments": string()}, required=("name",))
CHOSEN_TOOL_CALL: Check = any_of(
    object_of({"type": enum(("function",)), "function": FUNCTION_CALL, "id": string()}, required=("type", "function")),
    object_of({"action": enum(("key", "type", "cursor_position", "mouse_move", "left_click", "right_click",
                               "middle_click", "double_click", "screenshot")),
               "text": string(), "coordinate": array_of(integer(format="uint16"))}, required=("action",)),
    object_of({"command": enum(("str_replace", "insert", "view", "undo_edit")), "path": string(),
               "file_text": string(), "insert_line": integer(format="uint16"), "new_str": string(), "old_str": string(),
               "view_range": array_of(integer(format="uint16"))}, required=("command", "path")),
    object_of({"command": string(), "restart": boolean()}),
)
"""One item of a message's ``tool_calls``: a ``Tools.Chosen*`` shape."""


@attrs.frozen(kw_only=True)
class FunctionDef(Input):
    """A function the model may call: ``parameters`` is a JSON Schema of its arguments."""

    name: Any = field(json_value(), nullable=True)
    description: str | Unset | None = field(string(), nullable=True)  # not in the v1 spec; the server takes it
    parameters: dict[str, Any] | Unset = field(json_object())


@attrs.frozen(kw_only=True)
class PatchToolRequest(Input):
    """``PATCH /agents/{id}/tools/{tool_id}``: the fields given replace the stored ones."""

    name: str | Unset = field(TOOL_NAME)
    type: ToolType | Unset = field(enum(TOOL_TYPES))
    description: str | Unset | None = field(string(), nullable=True)  # not in the v1 spec; the server takes it
    function: FunctionDef | Unset = field(instance_of(FunctionDef))
    integration: dict[str, Any] | Unset = field(INTEGRATION)
    system: dict[str, Any] | Unset = field(SYSTEM)
    api_call: dict[str, Any] | Unset = field(API_CALL)
    computer_20241022: dict[str, Any] | Unset = field(COMPUTER)
    text_editor_20241022: dict[str, Any] | Unset = field(TEXT_EDITOR)
    bash_20241022: dict[str, Any] | Unset = field(BASH)


@attrs.frozen(kw_only=True)
class CreateToolRequest(PatchToolRequest):
    """A tool: for an agent (``POST /agents/{id}/tools``, ``PUT`` to replace one), or for one
    chat (``tools=[...]``)."""

    name: str = field(TOOL_NAME, required=True)
    type: ToolType = field(enum(TOOL_TYPES), required=True)


@attrs.frozen(kw_only=True)
class FunctionCallOption(Input):
    name: str = field(string(), required=True)
    arguments: str | Unset = field(string())


@attrs.frozen(kw_only=True)
class NamedToolChoice(Input):
    """``tool_choice`` naming the function the model must call."""

    function: FunctionCallOption | Unset = field(instance_of(FunctionCallOption))


@attrs.frozen
class Tool(Model):
    """A stored tool of an agent."""

    id: str
    created_at: datetime
    updated_at: datetime
    name: str
    type: str
    description: str | None = None
    function: dict[str, Any] | None = None
    integration: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    api_call: dict[str, Any] | None = None
    computer_20241022: dict[str, Any] | None = None
    text_editor_20241022: dict[str, Any] | None = None
    bash_20241022: dict[str, Any] | None = None


@attrs.frozen
class FunctionCall(Model):
    """The function a model chose, with its arguments as a JSON string."""

    name: str
    arguments: str = "{}"


@attrs.frozen
class ToolCall(Model):
    """A tool call in a reply (``choices[].message.tool_calls``)."""

    type: str
    function: FunctionCall | None = None
    id: str | None = None
    integration: Any = None
    system: Any = None
    api_call: Any = None
    computer_20241022: dict[str, Any] | None = None
    text_editor_20241022: dict[str, Any] | None = None
    bash_20241022: dict[str, Any] | None = None


class ToolFields(TypedDict, total=False):
    """A tool's optional fields, as keyword arguments: its description, and the definition
    that matches its ``type`` (dicts are accepted for the models)."""

    description: str | None
    function: FunctionDef | dict[str, Any]
    integration: dict[str, Any]
    system: dict[str, Any]
    api_call: dict[str, Any]
    computer_20241022: dict[str, Any]
    text_editor_20241022: dict[str, Any]
    bash_20241022: dict[str, Any]
