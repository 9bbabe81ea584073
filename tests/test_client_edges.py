"""The client's edges, one behaviour each: a closed or never-closed client, what
``with_options`` keeps, the messages of refused arguments, replies that are not UTF-8 or do
not fit their model, and the session's turn handed on by a call cancelled as it got it."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any

import anyio
import pytest

import julep_async.client
from julep_async import AsyncClient
from julep_async.exceptions import APIResponseValidationError, APIStatusError, JulepError, ValidationError
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio
SESSION = "5e3f1f4c-1a2b-4c3d-8e4f-000000000001"
JSON = {"content-type": "application/json"}


def answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> InMemoryTransport:
    return InMemoryTransport(lambda request: Response(status, headers or JSON, body))


async def test_a_closed_client_cannot_be_entered_again(anyio_backend: str) -> None:
    client = AsyncClient(api_key="k", transport=InMemoryTransport())
    async with client:
        pass
    with pytest.raises(JulepError, match=r"^this client is closed; create a new one$"):
        await client.__aenter__()


async def test_a_client_entered_and_never_closed_warns_when_collected(anyio_backend: str) -> None:
    client = AsyncClient(api_key="k", transport=InMemoryTransport())
    await client.__aenter__()
    with pytest.warns(ResourceWarning, match="was never closed; use 'async with' or aclose()") as told:
        del client
        gc.collect()
    assert told[0].filename == julep_async.client.__file__


def test_with_options_keeps_the_base_url() -> None:
    client = AsyncClient(api_key="k", base_url="http://127.0.0.1:9/api", transport=InMemoryTransport())
    assert client.with_options(timeout=3).base_url == "http://127.0.0.1:9/api"


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: c.agents.get(SESSION, extra_body={"x": float("nan")}),
     "extra_body.x: must be a finite number (NaN and Infinity are not JSON), got nan"),
    (lambda c: c.agents.get(SESSION, timeout="soon"), "timeout must be seconds, a Timeout or None, got str 'soon'"),
])
async def test_a_refused_option_says_what_is_wrong(anyio_backend: str, call: Callable[[AsyncClient], Any],
                                                   message: str) -> None:
    async with AsyncClient(api_key="k", transport=InMemoryTransport()) as client:
        with pytest.raises(ValidationError) as caught:
            await call(client)
    assert str(caught.value) == message


def test_an_api_key_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AsyncClient(api_key="sk-1\r\nx-evil: 1", transport=InMemoryTransport())
    assert str(caught.value) == "api_key must be a string without CR, LF or NUL characters"


async def test_an_error_reply_that_is_not_utf8_keeps_its_text(anyio_backend: str) -> None:
    async with AsyncClient(api_key="k", transport=answering(500, b"\xff broke", {})) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.with_options(max_retries=0).agents.get(SESSION)
    assert caught.value.body == "\ufffd broke"


async def test_a_reply_that_is_not_json_nor_utf8_is_shown_as_text(anyio_backend: str) -> None:
    async with AsyncClient(api_key="k", transport=answering(200, b"\xff{")) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.agents.get(SESSION)
    assert str(caught.value) == f"the body of GET /agents/{SESSION}'s 200 reply is not JSON: '\ufffd{{'"
    assert caught.value.status_code == 200


async def test_a_reply_that_does_not_fit_its_model_is_explained_and_kept(anyio_backend: str) -> None:
    reply = b'{"id": "x", "name": "a", "created_at": "yesterday", "updated_at": "2025-01-01T00:00:00Z"}'
    async with AsyncClient(api_key="k", transport=answering(200, reply)) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.agents.get(SESSION)
    assert "Invalid isoformat string: 'yesterday'" in str(caught.value)
    assert caught.value.body == {"id": "x", "name": "a", "created_at": "yesterday",
                                 "updated_at": "2025-01-01T00:00:00Z"}


async def test_a_listed_item_that_does_not_fit_names_the_status(anyio_backend: str) -> None:
    async with AsyncClient(api_key="k", transport=answering(200, b'{"items": [{"id": 5}]}')) as client:
        with pytest.raises(APIResponseValidationError) as caught:
            await client.agents.list()
    assert caught.value.status_code == 200


async def test_a_call_that_expects_no_reply_ignores_the_body(anyio_backend: str) -> None:
    async with AsyncClient(api_key="k", transport=answering(202, b"accepted", {})) as client:
        assert await client.sessions.clear(SESSION) is None


@pytest.mark.mock_clock
async def test_a_raw_responses_elapsed_time_is_the_calls_own(anyio_backend: str) -> None:
    async def slow(request: Request) -> Response:
        await anyio.sleep(2)
        return Response(200, JSON, b'{"id": "5e3f1f4c-1a2b-4c3d-8e4f-000000000002", "name": "a", '
                                   b'"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}')

    await anyio.sleep(5)  # the clock no longer reads 0
    async with AsyncClient(api_key="k", transport=InMemoryTransport(slow)) as client:
        raw = await client.agents.with_raw_response.get(SESSION)
    assert raw.elapsed.total_seconds() == 2


@pytest.mark.asyncio_only
async def test_a_call_cancelled_just_as_it_is_handed_the_turn_hands_it_on(anyio_backend: str) -> None:
    """The turn is handed over and the waiting call cancelled in one step, with no
    checkpoint between, as ``asyncio.timeout`` or ``task.cancel()`` can do: the turn must
    go on to the next call."""
    async with AsyncClient(api_key="k", transport=InMemoryTransport()) as client:
        release = await client._take_turn(SESSION)
        waiting = asyncio.create_task(client._take_turn(SESSION))
        await asyncio.sleep(0.01)  # the second call waits for the turn
        release()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        async with asyncio.timeout(1):
            (await client._take_turn(SESSION))()
