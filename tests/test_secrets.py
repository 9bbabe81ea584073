"""The API key is found nowhere — not in an error, a log line or a cassette — in any of
the forms a server or a file can give it."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from julep_async import AsyncClient, RetryPolicy
from julep_async.exceptions import APIConnectionError, AuthenticationError, CassetteError
from julep_async.testing import no_backoff
from julep_async.transports import InMemoryTransport, RecordingTransport, Request, Response

pytestmark = pytest.mark.anyio
KEY = 'sk-Test"Key\\0123456789'  # a quote and a backslash: JSON must escape both
SID = "00000000-0000-4000-8000-000000000000"

FORMS: dict[str, Callable[[str], str]] = {
    "raw": lambda key: key,
    "upper-case": str.upper,
    "lower-case": str.lower,
    "json-escaped": lambda key: json.dumps(key)[1:-1],
    "hex": lambda key: key.encode().hex(),
    "HEX": lambda key: key.encode().hex().upper(),
    "base64": lambda key: base64.b64encode(key.encode()).decode(),
    "bearer-base64": lambda key: base64.b64encode(f"Bearer {key}".encode()).decode(),
    "basic-auth": lambda key: "Basic " + base64.b64encode(f"ada:{key}".encode()).decode(),
    "url-encoded": lambda key: urllib.parse.quote(key, safe=""),
}


def _leaks(text: str) -> list[str]:
    """The forms of the key found in ``text``."""
    found = [name for name, form in FORMS.items() if form(KEY).lower() in text.lower()]
    return found + (["basic-core"] if base64.b64encode(f"ada:{KEY}".encode()).decode()[4:-4] in text else [])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("kind", ["json", "text"])
async def test_a_key_echoed_in_an_error_body_is_kept_out_of_the_error(
        form: str, kind: str, anyio_backend: str) -> None:
    echo = f"invalid key {FORMS[form](KEY)} for this tenant"
    body = json.dumps({"error": {"message": echo, "detail": [echo]}}) if kind == "json" else echo

    def reply(request: Request) -> Response:
        return Response(401, {"content-type": "application/json" if kind == "json" else "text/plain"}, body.encode())

    async with AsyncClient(api_key=KEY, transport=InMemoryTransport(reply)) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.sessions.get(SID)
    error = caught.value
    assert not _leaks(str(error) + repr(error) + json.dumps(error.body))
    assert "<redacted>" in str(error)


@pytest.mark.parametrize("form", FORMS)
async def test_a_key_in_a_connection_error_is_kept_out_of_the_error_and_the_log(
        form: str, anyio_backend: str, caplog: pytest.LogCaptureFixture) -> None:
    def reset(request: Request) -> Response:
        raise APIConnectionError(f"reset while sending {FORMS[form](KEY)}")

    caplog.set_level(logging.DEBUG, logger="julep_async")
    async with AsyncClient(api_key=KEY, transport=InMemoryTransport(reset), retry=RetryPolicy(attempts=2)) as client:
        with no_backoff(), pytest.raises(APIConnectionError) as caught:
            await client.sessions.get(SID)
    assert "retrying GET" in caplog.text
    assert not _leaks(caplog.text + str(caught.value) + repr(caught.value))


@pytest.mark.parametrize("form", FORMS)
async def test_a_key_echoed_in_a_reply_refuses_the_cassette(form: str, tmp_path: Path, anyio_backend: str) -> None:
    def echo(prompt: list[dict[str, Any]]) -> str:
        return f"you sent {FORMS[form](KEY)}"

    path = tmp_path / "leak.json"
    recorder = RecordingTransport(InMemoryTransport(seed=0, responder=echo), path, "all")
    async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent_id=agent.id)
        await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])
    with pytest.raises(CassetteError, match="refusing to save") as caught:
        await recorder.aclose()
    assert not _leaks(str(caught.value))
    assert not path.exists()


async def test_the_password_of_a_basic_authorization_header_is_a_secret_too(
        tmp_path: Path, anyio_backend: str) -> None:
    def echo(prompt: list[dict[str, Any]]) -> str:
        return f"hello {KEY}"

    path = tmp_path / "basic.json"
    basic = "Basic " + base64.b64encode(f"ada:{KEY}".encode()).decode()
    recorder = RecordingTransport(InMemoryTransport(seed=0, responder=echo), path, "all")
    async with AsyncClient(transport=recorder, headers={"Authorization": basic}, close_transport=False) as client:
        agent = await client.agents.create("A")
        session = await client.sessions.create(agent_id=agent.id)
        await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}])
    with pytest.raises(CassetteError, match="refusing to save"):
        await recorder.aclose()


SECRET_CHARS = st.characters(min_codepoint=33, max_codepoint=126) | st.sampled_from("éÉßçÇøÅåΣσς")
CASE_TWINS = {"i": ["I", "\u0130", "\u0131"], "k": ["K", "\u212a"], "s": ["S", "\u017f"]}


@st.composite
def _text_around(draw: st.DrawFn, secret: str) -> str:
    """Text that may hold a form of ``secret``, its letters in any case (``re``'s too: the
    Kelvin sign, the long s, the dotted and the dotless i), or a near miss, among other text."""
    from julep_async._redact import forms

    form = draw(st.sampled_from(sorted(forms(secret))))
    form = form[:-1] if draw(st.booleans()) and len(form) > 1 else form  # a near miss
    chars = [draw(st.sampled_from([c, c.swapcase(), *CASE_TWINS.get(c.lower(), [])])) for c in form]
    around = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
    return draw(around) + "".join(chars) + draw(around)


@given(data=st.data(), secret=st.text(SECRET_CHARS, min_size=8, max_size=16))
@settings(max_examples=300, deadline=None)
def test_the_cassette_scan_finds_what_the_redacting_pattern_finds(data: st.DataObject, secret: str) -> None:
    """``found_in`` folds the text once and searches it for each form (fast enough for a
    168 MB cassette); it must find everything the case-insensitive pattern finds."""
    from julep_async._redact import Redactor

    redactor = Redactor({secret})
    text = data.draw(_text_around(secret))
    assert redactor._pattern is not None
    by_pattern = redactor._pattern.search(text) is not None
    if by_pattern or text.isascii():  # beyond ASCII it may find more (a ligature folds to letters)
        assert redactor.found_in(text) == by_pattern
