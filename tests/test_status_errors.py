"""``error_for_status``: which class a reply's status and body make, and what the error says.
Pure functions over the status table; the client's use of them is in test_errors.py."""

from __future__ import annotations

from typing import Any

import pytest

from julep_async.exceptions import (
    AgentNotFoundError,
    APIResponseValidationError,
    APIStatusError,
    DocNotFoundError,
    InternalServerError,
    JulepError,
    NotFoundError,
    SessionNotFoundError,
    UserNotFoundError,
    ValidationError,
    error_for_status,
)

SID = "00000000-0000-4000-8000-000000000000"
TID = "11111111-1111-4111-8111-111111111111"


def test_a_404_whose_error_type_is_unknown_is_named_by_its_path() -> None:
    body = {"error": {"message": "gone", "type": "WidgetNotFoundError"}}
    assert type(error_for_status(404, body, path=f"/sessions/{SID}")) is SessionNotFoundError


def test_a_404_whose_error_type_is_not_a_string_is_named_by_its_path() -> None:
    body = {"error": {"message": "gone", "type": 7}}
    assert type(error_for_status(404, body, path=f"/users/{SID}")) is UserNotFoundError


@pytest.mark.parametrize(("error_type", "cls"), [
    ("SessionNotFoundError", SessionNotFoundError), ("AgentNotFoundError", AgentNotFoundError),
    ("UserNotFoundError", UserNotFoundError), ("DocNotFoundError", DocNotFoundError),
])
def test_a_404_s_error_type_names_the_resource_over_the_path(error_type: str, cls: type[NotFoundError]) -> None:
    body = {"error": {"message": "gone", "type": error_type}}
    assert type(error_for_status(404, body, path=f"/sessions/{SID}/chat")) is cls


@pytest.mark.parametrize(("path", "cls"), [
    (f"/agents/{SID}", AgentNotFoundError),
    (f"/users/{SID}/docs", UserNotFoundError),
    (f"/docs/{SID}", DocNotFoundError),
    (f"/agents/{SID}/search", AgentNotFoundError),
    (f"/agents/{SID}/tools/{TID}", NotFoundError),  # a tool has no class of its own
    (f"/sessions/{SID}/", SessionNotFoundError),
    ("/users/X", UserNotFoundError),  # an id is any text, a lone letter included
    ("/sessions/", NotFoundError),  # a collection, not one of its members
    ("/sessions", NotFoundError),
    ("/", NotFoundError),
    ("/healthz/x", NotFoundError),
])
def test_a_404_without_an_error_type_is_named_by_the_last_collection_and_id_in_its_path(
        path: str, cls: type[NotFoundError]) -> None:
    assert type(error_for_status(404, {}, path=path)) is cls


def test_the_message_is_status_path_and_the_server_s_message() -> None:
    error = error_for_status(409, {"error": {"message": "busy", "code": "conflict"}}, path="/agents")
    assert str(error) == error.message == "409 from /agents: busy"


def test_a_plain_text_body_is_the_message_trimmed_and_cut_at_500_characters() -> None:
    body = "  " + "x" * 600 + "\n"
    error = error_for_status(500, body, path="/agents")
    assert error.message == "500 from /agents: " + "x" * 500
    assert error.body == body  # the body itself is kept whole


@pytest.mark.parametrize("body", [None, "", "   ", {}, {"error": "flat"}, {"error": {"message": 5}}, [1]])
def test_a_reply_with_no_usable_message_says_so(body: Any) -> None:
    assert error_for_status(502, body, path="/x").message == "502 from /x: no error message in the reply"


def test_status_errors_carry_status_body_and_request_id() -> None:
    body = {"error": {"message": "slow down", "code": "rate_limited"}}
    error = error_for_status(429, body, path="/x", request_id="req-1")
    assert (error.status_code, error.body, error.request_id, error.code) == (429, body, "req-1", "rate_limited")


@pytest.mark.parametrize("body", ["text", {"error": "flat"}, {"error": {"code": 5}}, {"error": {"message": "m"}}])
def test_code_is_none_without_a_string_error_code(body: Any) -> None:
    assert error_for_status(400, body, path="/x").code is None


def test_every_5xx_is_an_internal_server_error_and_other_statuses_the_base_class() -> None:
    assert type(error_for_status(599, {}, path="/x")) is InternalServerError
    assert type(error_for_status(499, {}, path="/x")) is APIStatusError
    assert type(error_for_status(300, {}, path="/x")) is APIStatusError


def test_error_attributes() -> None:
    assert JulepError("m").message == "m"
    invalid = ValidationError("bad input", problems=(("messages[0].content", "not JSON"),))
    assert (str(invalid), invalid.problems) == ("bad input", (("messages[0].content", "not JSON"),))
    assert ValidationError("bad").problems == ()
    reply = APIResponseValidationError("does not fit", status_code=200, body={"id": 5})
    assert (str(reply), reply.status_code, reply.body) == ("does not fit", 200, {"id": 5})
