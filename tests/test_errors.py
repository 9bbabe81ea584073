"""Replies become typed errors the same way whatever the transport; secrets stay out."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DocNotFoundError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SessionNotFoundError,
    UnprocessableEntityError,
    error_for_status,
)
from julep_async.retry import RetryPolicy
from julep_async.transports import Request, Response

pytestmark = pytest.mark.anyio
SID = "00000000-0000-4000-8000-000000000000"
SECRET = "sk-very-secret-key-123"


class Canned:
    """A transport that answers every request with one fixed reply."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.reply = Response(status, headers or {"content-type": "application/json"}, body)
        self.requests: list[Request] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.requests.append(request)
        return self.reply

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize(("status", "cls"), [
    (400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError),
    (409, ConflictError), (422, UnprocessableEntityError), (429, RateLimitError), (500, InternalServerError),
    (503, InternalServerError), (418, APIStatusError),
])
def test_status_table(status: int, cls: type[APIStatusError]) -> None:
    error = error_for_status(status, {"error": {"message": "nope", "code": "x"}}, path="/agents")
    assert type(error) is cls and error.status_code == status and "nope" in str(error)


@pytest.mark.parametrize(("path", "body", "cls"), [
    (f"/sessions/{SID}", {}, SessionNotFoundError),
    (f"/sessions/{SID}/history", {}, SessionNotFoundError),
    (f"/sessions/{SID}/docs/search", {}, SessionNotFoundError),
    (f"/sessions/{SID}/docs/{SID}", {}, DocNotFoundError),
    ("/sessions", {"error": {"message": "m", "type": "AgentNotFoundError"}}, NotFoundError),
])
def test_not_found_names_the_resource(path: str, body: Any, cls: type[NotFoundError]) -> None:
    error = error_for_status(404, body, path=path)
    assert isinstance(error, cls)


async def test_plain_text_500_is_an_internal_server_error(anyio_backend: str) -> None:
    transport = Canned(500, b"Internal Server Error", {"content-type": "text/plain"})
    async with AsyncClient(transport=transport, retry=RetryPolicy(attempts=2, initial=0)) as client:
        with pytest.raises(InternalServerError) as caught:
            await client.sessions.get(SID)
    assert caught.value.body == "Internal Server Error"
    assert "Internal Server Error" in str(caught.value)
    assert len(transport.requests) == 2  # 5xx is retried


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b'{"id": 5}'])
async def test_malformed_success_reply_is_a_typed_error(body: bytes, anyio_backend: str) -> None:
    async with AsyncClient(transport=Canned(200, body)) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.sessions.get(SID)
    assert caught.value.status_code == 200
    assert "not JSON" in str(caught.value) or "does not fit Session" in str(caught.value)


async def test_unknown_reply_keys_tolerated_unless_strict(anyio_backend: str) -> None:
    user = {"id": SID, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
            "name": "A", "about": "", "new_server_field": 1}
    async with AsyncClient(transport=Canned(200, json.dumps(user).encode())) as lenient:
        assert (await lenient.users.get(SID)).name == "A"
    async with AsyncClient(transport=Canned(200, json.dumps(user).encode()), strict=True) as strict:
        with pytest.raises(APIResponseValidationError, match="new_server_field"):
            await strict.users.get(SID)


async def test_api_key_never_in_repr_message_or_log(anyio_backend: str, caplog: pytest.LogCaptureFixture) -> None:
    transport = Canned(401, json.dumps({"error": {"message": "bad key"}}).encode())
    caplog.set_level(logging.DEBUG, logger="julep_async")
    async with AsyncClient(api_key=SECRET, transport=transport, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.sessions.get(SID)
        texts = [repr(client), str(caught.value), repr(caught.value), repr(transport.requests[0]), caplog.text]
    assert transport.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert not [text for text in texts if SECRET in text]


async def test_closed_client_refuses_calls(anyio_backend: str) -> None:
    client = AsyncClient(transport=Canned(200, b"{}"))
    await client.aclose()
    from julep_async.exceptions import JulepError

    with pytest.raises(JulepError, match="closed"):
        await client.sessions.get(SID)
