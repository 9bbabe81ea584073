"""Tools: what an agent (or one chat) can call, and the calls a model chooses.

Function tools are typed models; the other tool types (integrations, system calls, API
calls and Anthropic's computer, text-editor and bash tools) are JSON objects checked
against the spec's shapes, since the fake backend never runs them.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any, Literal, TypeAlias, TypedDict

import attrs

from .._types import Unset
from ._fields import (
    Check,
    FieldError,
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
    shown,
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


_URI = re.compile(r"""
    [A-Za-z][A-Za-z0-9+.-]*:                                         # scheme
    (?: //                                                           # authority
        (?: (?: [\w\-.~!$&'()*+,;=:] | %[0-9A-Fa-f]{2} )* @ )?       #   userinfo
        (?: \[ (?P<literal> [^\]]* ) \]                               #   host: IP literal...
          | (?: [\w\-.~!$&'()*+,;=] | %[0-9A-Fa-f]{2} )* )            #   ...or a name (IPv4 too)
        (?: : [0-9]* )?                                              #   port
        (?: / (?: [\w\-.~!$&'()*+,;=:@] | %[0-9A-Fa-f]{2} )* )*       # path-abempty
      | /? (?: (?: [\w\-.~!$&'()*+,;=:@] | %[0-9A-Fa-f]{2} )+         # path-absolute, -rootless
               (?: / (?: [\w\-.~!$&'()*+,;=:@] | %[0-9A-Fa-f]{2} )* )* )?
    )
    (?: \? (?: [\w\-.~!$&'()*+,;=:@/?] | %[0-9A-Fa-f]{2} )* )?        # query
    (?: \# (?: [\w\-.~!$&'()*+,;=:@/?] | %[0-9A-Fa-f]{2} )* )?        # fragment
""", re.VERBOSE | re.ASCII)
_IP_FUTURE = re.compile(r"[vV][0-9A-Fa-f]+\.[\w\-.~!$&'()*+,;=:]+", re.ASCII)


def uri() -> Check:
    """``format: uri``: an absolute URI by RFC 3986's grammar (a scheme, then ``:``), as
    JSON Schema validators check the format."""
    base = string()

    def check(name: str, value: Any) -> None:
        base(name, value)
        match = _URI.fullmatch(value)
        literal = match and match.group("literal")
        if match and literal is not None and not _IP_FUTURE.fullmatch(literal):
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                match = None
            else:
                match = match if "%" not in literal else None  # no zone ids in RFC 3986
        if not match:
            raise FieldError(name, f"must be an absolute URI (RFC 3986), got {shown(value)}")

    return check


ANY: Check = json_value()
"""A property the spec leaves untyped (``{}``): any JSON value."""
TEXT, TEXTS, JSON_OBJECT = string(), array_of(string()), json_object()
FILE = any_of(string(), array_of(string()))
"""``string | string[]``."""
ROWS = array_of(array_of(ANY))
INT32 = integer(minimum=-(2**31), maximum=2**31 - 1)


def _define(provider: str, *, method: Check = TEXT, setup: Check = ANY, arguments: Check = ANY,
            required: tuple[str, ...] = ()) -> Check:
    """One ``Tools.*IntegrationDef``: ``Tools.BaseIntegrationDef`` (a ``provider``, required,
    and a string ``method``) narrowed to ``provider`` and its shapes."""
    return object_of({"provider": enum((provider,)), "method": method, "setup": setup, "arguments": arguments},
                     required=("provider", *required))


def _integrations() -> dict[str, tuple[Check, ...] | dict[str, Check]]:
    """``Tools.*IntegrationDef``, by provider: the definitions a tool's ``integration`` may
    take (the spec's ``anyOf`` holds them all), each with its own ``method``, ``setup`` and
    ``arguments``. Required fields that have a default are optional (the server fills it)."""
    sheets_read = {"spreadsheet_id": TEXT, "major_dimension": enum(("ROWS", "COLUMNS")),
                   "value_render_option": enum(("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")),
                   "date_time_render_option": enum(("SERIAL_NUMBER", "FORMATTED_STRING"))}
    sheets_write = {"spreadsheet_id": TEXT, "range": TEXT, "values": ROWS, "value_input_option": enum((
        "RAW", "USER_ENTERED")), "insert_data_option": enum(("OVERWRITE", "INSERT_ROWS")),
        "include_values_in_response": boolean()}
    sheets_arguments = any_of(  # Tools.GoogleSheets{Read,Write,Append,Clear,BatchRead,BatchWrite}Arguments
        object_of({**sheets_read, "range": TEXT}, required=("spreadsheet_id", "range")),
        object_of(sheets_write, required=("spreadsheet_id", "range", "values")),  # write and append alike
        object_of({"spreadsheet_id": TEXT, "range": TEXT}, required=("spreadsheet_id", "range")),
        object_of({**sheets_read, "ranges": TEXTS}, required=("spreadsheet_id", "ranges")),
        object_of({"spreadsheet_id": TEXT, "value_input_option": enum(("RAW", "USER_ENTERED")),
                   "include_values_in_response": boolean(),
                   "data": array_of(object_of({"range": TEXT, "values": ROWS, "major_dimension": enum((
                       "ROWS", "COLUMNS"))}, required=("range", "values")))},
                  required=("spreadsheet_id", "data")),
    )
    browserbase_setup = object_of({"api_key": TEXT, "project_id": TEXT, "api_url": TEXT, "connect_url": TEXT},
                                  required=("api_key", "project_id"))
    browserbase = {  # Tools.Browserbase*IntegrationDef: one method each, with its arguments
        "create_context": object_of({"projectId": TEXT}, required=("projectId",)),
        "install_extension_from_github": object_of({"repositoryName": TEXT, "ref": TEXT},
                                                   required=("repositoryName",)),
        "list_sessions": object_of({"status": enum(("RUNNING", "ERROR", "TIMED_OUT", "COMPLETED"))}),
        "create_session": object_of({
            "projectId": TEXT, "extensionId": TEXT, "browserSettings": JSON_OBJECT,
            "timeout": integer(format="uint16"), "keepAlive": boolean(),
            "proxies": any_of(boolean(), array_of(JSON_OBJECT))}),
        "get_session": object_of({"id": TEXT}, required=("id",)),
        "complete_session": object_of({"id": TEXT, "status": enum(("REQUEST_RELEASE",))}, required=("id",)),
        "get_live_urls": object_of({"id": TEXT}, required=("id",)),
    }
    cloudinary_setup = object_of({"cloudinary_api_key": TEXT, "cloudinary_api_secret": TEXT,
                                  "cloudinary_cloud_name": TEXT, "params": JSON_OBJECT},
                                 required=("cloudinary_api_key", "cloudinary_api_secret", "cloudinary_cloud_name"))
    cloudinary = {
        "media_upload": object_of({"file": TEXT, "return_base64": boolean(), "public_id": TEXT,
                                   "upload_params": JSON_OBJECT}, required=("file",)),
        "media_edit": object_of({"public_id": TEXT, "transformation": array_of(JSON_OBJECT),
                                 "return_base64": boolean()}, required=("public_id", "transformation")),
    }
    email = {"to": TEXT, "from": TEXT, "subject": TEXT, "body": TEXT}
    return {
        "dummy": (_define("dummy"),),
        "brave": (_define("brave", setup=object_of({"brave_api_key": TEXT}, required=("brave_api_key",)),
                          arguments=object_of({"query": TEXT}, required=("query",))),),
        "email": (_define("email", setup=object_of({"host": TEXT, "port": INT32, "user": TEXT, "password": TEXT},
                                                   required=("host", "port", "user", "password")),
                          arguments=object_of(email, required=tuple(email))),),
        "spider": (_define("spider", method=enum(("crawl", "links", "screenshot", "search")),
                           setup=object_of({"spider_api_key": TEXT}, required=("spider_api_key",)),
                           arguments=object_of({"url": uri(), "params": JSON_OBJECT, "content_type": enum((
                               "application/json", "text/csv", "application/xml", "application/jsonl"))},
                               required=("url",))),),
        "wikipedia": (_define("wikipedia", arguments=object_of({
            "query": TEXT, "load_max_docs": integer(minimum=1, maximum=10)}, required=("query",))),),
        "weather": (_define("weather", setup=object_of({"openweathermap_api_key": TEXT},
                                                       required=("openweathermap_api_key",)),
                            arguments=object_of({"location": TEXT}, required=("location",))),),
        "mailgun": (_define("mailgun", method=enum(("send_email",)),
                            setup=object_of({"api_key": TEXT}, required=("api_key",)),
                            arguments=object_of({**email, "cc": TEXT, "bcc": TEXT}, required=tuple(email))),),
        "browserbase": {method: _define("browserbase", method=enum((method,)), setup=browserbase_setup,
                                        arguments=arguments) for method, arguments in browserbase.items()},
        "remote_browser": (_define(
            "remote_browser", method=enum(("perform_action",)), required=("setup",),
            setup=object_of({"connect_url": TEXT, "width": integer(format="uint16"),
                             "height": integer(format="uint16")}),
            arguments=object_of({"connect_url": TEXT, "text": TEXT, "coordinate": array_of(ANY), "action": enum((
                "key", "type", "mouse_move", "left_click", "left_click_drag", "right_click", "middle_click",
                "double_click", "screenshot", "cursor_position", "navigate", "refresh"))}, required=("action",))),),
        "llama_parse": (_define(
            "llama_parse",
            setup=object_of({"llamaparse_api_key": TEXT, "params": JSON_OBJECT}, required=("llamaparse_api_key",)),
            arguments=object_of({"filename": TEXT, "file": FILE, "params": JSON_OBJECT, "base64": boolean()},
                                required=("file",))),),
        "ffmpeg": (_define("ffmpeg", arguments=object_of({"cmd": TEXT, "file": FILE}, required=("cmd",))),),
        "cloudinary": {method: _define("cloudinary", method=enum((method,)), setup=cloudinary_setup,
                                       arguments=arguments) for method, arguments in cloudinary.items()},
        "arxiv": (_define("arxiv", arguments=object_of({
            "query": TEXT, "id_list": TEXTS, "max_results": integer(minimum=1, maximum=300000),
            "download_pdf": boolean(), "sort_by": enum(("relevance", "lastUpdatedDate", "submittedDate")),
            "sort_order": enum(("ascending", "descending"))}, required=("query",))),),
        "unstructured": (_define(
            "unstructured",
            setup=object_of({"unstructured_api_key": TEXT, "server_url": TEXT, "server": TEXT,
                             "url_params": JSON_OBJECT, "retry_config": JSON_OBJECT,
                             "timeout_ms": integer(format="int16")}, required=("unstructured_api_key",)),
            arguments=object_of({"filename": TEXT, "file": TEXT, "partition_params": JSON_OBJECT},
                                required=("file",))),),
        "algolia": (_define(
            "algolia",
            setup=object_of({"algolia_application_id": TEXT, "algolia_api_key": TEXT},
                            required=("algolia_application_id", "algolia_api_key")),
            arguments=object_of({"index_name": TEXT, "query": TEXT, "attributes_to_retrieve": TEXTS,
                                 "hits_per_page": integer(minimum=1, maximum=1000)},
                                required=("index_name", "query"))),),
        "mcp": (_define(
            "mcp",
            setup=object_of({"transport": enum(("sse", "http")), "command": TEXT, "args": TEXTS, "cwd": TEXT,
                             "env": map_of(TEXT), "http_url": uri(), "http_headers": map_of(TEXT)},
                            required=("transport",)),
            arguments=any_of(object_of({"tool_name": TEXT, "arguments": JSON_OBJECT,  # Tools.McpCallToolArguments
                                        "timeout_seconds": integer(format="uint16")}, required=("tool_name",)),
                             object_of({"dummy": TEXT}))),),  # Tools.McpListToolsArguments
        "google_sheets": (_define(
            "google_sheets",
            method=enum(("read_values", "write_values", "append_values", "clear_values", "batch_read",
                         "batch_write")),
            setup=object_of({"use_julep_service": boolean(), "service_account_json": TEXT,
                             "default_retry_count": integer(minimum=1, maximum=10)}, required=("use_julep_service",)),
            arguments=sheets_arguments),),
    }


def _by_method(definitions: dict[str, Check]) -> Check:
    """A provider with one definition per ``method``: a value that names its method is
    judged by that definition alone (so a misspelt method is named as such, among all the
    provider's methods); one that names none, by whichever fits."""
    method_of = object_of({"method": enum(definitions)})
    either = any_of(*definitions.values())

    def check(name: str, value: Any) -> None:
        method_of(name, value)
        method = value.get("method")
        (either if method is None else definitions[method])(name, value)

    return check


def _integration() -> Check:
    """The spec's ``anyOf``, a value tried against its own provider's definitions only (the
    others cannot match it: each fixes ``provider``), so that a refusal names what is wrong."""
    by_provider = {provider: _by_method(definitions) if isinstance(definitions, dict) else any_of(*definitions)
                   for provider, definitions in _integrations().items()}
    provider_of = object_of({"provider": enum(INTEGRATION_PROVIDERS)}, required=("provider",))

    def check(name: str, value: Any) -> None:
        provider_of(name, value)
        by_provider[value["provider"]](name, value)

    return check


INTEGRATION: Check = _integration()
"""``Tools.CreateToolRequest.integration``: one of the ``Tools.*IntegrationDef``, its
``setup`` and ``arguments`` checked by its provider's (and method's) own schemas. A
``PATCH`` replaces a tool's ``integration`` whole, so it takes a whole definition too
(the spec's ``*Update`` variants, nothing required, would store a tool its own schema
refuses), as it does ``system`` and ``api_call``."""
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
    "url": uri(),
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
