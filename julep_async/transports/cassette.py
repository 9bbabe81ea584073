"""The cassette file: a versioned, canonical JSON document of recorded interactions.

Layout (``format_version`` 1)::

    {
      "complete": true,                     # false: the record run failed or was cut short
      "format_version": 1,
      "interactions": [                     # sorted by (request key, occurrence)
        {"occurrence": 0,                   # n-th request with this key, in issue order
         "request": {"body": {...} | null, "headers": {...}, "method": "POST",
                     "path": "/sessions/…/chat", "query": [["k", "v"], ...]},
         "response": {"status": 201, "headers": {...}, "body": {...}}          # or "text"/"base64"
                   | {"status": 200, "headers": {...}, "stream": {"events": [{"data": ..., "offset_ms": 0}, ...],
                                                                "end": "clean" | "cancelled" | "cut",
                                                                "error": {"type", "message"} | null}}
         | "error": {"type": "APITimeoutError", "message": "…"}}            # no reply at all
      ],
      "recorded_with": {"transport": "InMemoryTransport"},
      "sdk_version": "0.1.0"
    }

Files are written with sorted keys, real UTF-8 characters, two-space indents and a final
newline, atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..exceptions import CassetteError

FORMAT_VERSION = 1
REQUEST_HEADERS = frozenset({"accept", "content-type"})
"""Request headers written to a cassette (an allow-list: credentials never are)."""
VOLATILE_RESPONSE_HEADERS = frozenset({
    "date", "server", "content-length", "transfer-encoding", "connection", "keep-alive",
    "x-request-id", "cf-ray", "set-cookie", "content-encoding",
})


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, real characters: the same value gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode_body(raw: bytes | None) -> dict[str, Any]:
    """A body as structured JSON when it is JSON, else text, else base64."""
    if not raw:
        return {"body": None}
    try:
        return {"body": json.loads(raw)}
    except ValueError:
        pass
    try:
        return {"text": raw.decode()}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}


def decode_body(stored: dict[str, Any]) -> bytes:
    if "text" in stored:
        return str(stored["text"]).encode()
    if "base64" in stored:
        return base64.b64decode(stored["base64"])
    body = stored.get("body")
    return b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(path: Path, rerecord: str) -> dict[str, Any]:
    """Read and check a cassette; every problem is a :class:`CassetteError` saying what and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CassetteError(f"no cassette at {path}; record it: {rerecord}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CassetteError(f"cassette {path} is not valid JSON ({exc}); it may have been cut off. "
                            f"Re-record it: {rerecord}") from None
    if not isinstance(document, dict):
        raise CassetteError(f"cassette {path} must hold a JSON object, not {type(document).__name__}")
    version = document.get("format_version")
    if not isinstance(version, int):
        raise CassetteError(f"cassette {path} has no format_version; it is not a julep_async cassette")
    if version > FORMAT_VERSION:
        raise CassetteError(
            f"cassette {path} has format_version {version}, newer than this julep_async understands "
            f"({FORMAT_VERSION}; recorded with SDK {document.get('sdk_version', '?')}): upgrade julep-async"
        )
    if document.get("complete") is not True:
        raise CassetteError(f"cassette {path} is incomplete: its record run failed or was interrupted. "
                            f"Re-record it: {rerecord}")
    interactions = document.get("interactions")
    if not isinstance(interactions, list):
        raise CassetteError(f"cassette {path}: 'interactions' must be a list")
    for index, interaction in enumerate(interactions):
        _check_interaction(path, index, interaction)
    return document


def _is_base64(value: Any) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (TypeError, ValueError):
        return False
    return True


def _check_interaction(path: Path, index: int, interaction: Any) -> None:
    where = f"cassette {path}: interactions[{index}]"
    if not isinstance(interaction, dict):
        raise CassetteError(f"{where} must be an object")
    request = interaction.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("method"), str) \
            or not isinstance(request.get("path"), str):
        raise CassetteError(f"{where}.request needs a 'method' and a 'path'")
    if not isinstance(interaction.get("occurrence"), int):
        raise CassetteError(f"{where} needs an integer 'occurrence'")
    response, error = interaction.get("response"), interaction.get("error")
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("type"), str):
            raise CassetteError(f"{where}.error needs a 'type'")
    elif not isinstance(response, dict) or not isinstance(response.get("status"), int):
        raise CassetteError(f"{where}.response needs an integer 'status'")
    elif not isinstance(response.get("headers", {}), dict):
        raise CassetteError(f"{where}.response.headers must be an object")
    elif "text" in response and not isinstance(response["text"], str):
        raise CassetteError(f"{where}.response.text must be a string")
    elif "base64" in response and not _is_base64(response["base64"]):
        raise CassetteError(f"{where}.response.base64 is not valid base64")
    elif "stream" in response:
        stream = response["stream"]
        if not isinstance(stream, dict) or not isinstance(stream.get("events"), list) \
                or stream.get("end") not in ("clean", "cancelled", "cut"):
            raise CassetteError(f"{where}.response.stream needs 'events' and an 'end' of clean|cancelled|cut")
        for number, event in enumerate(stream["events"]):
            if not isinstance(event, dict) or "data" not in event or not isinstance(event.get("offset_ms"), int):
                raise CassetteError(f"{where}.response.stream.events[{number}] needs 'data' and an integer 'offset_ms'")
