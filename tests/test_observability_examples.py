"""The README's observability examples run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def example(marker: str) -> str:
    """The README's one Python block that contains ``marker``."""
    [block] = [block for block in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if marker in block]
    return block


def run(code: str) -> None:
    exec(compile(code, str(README), "exec"), {"__name__": "__main__"})


def test_the_latency_breakdown_of_200_sessions_names_every_phase(capsys: pytest.CaptureFixture[str]) -> None:
    run(example("def breakdown("))
    printed = capsys.readouterr().out
    assert printed.startswith("400 chats, ")
    phases = {line[:34].strip() for line in printed.splitlines()[1:]}
    assert phases == {"queued behind max_in_flight", "waiting for the session's turn", "server (attempts)",
                      "retry waits", "the client itself"}


def test_the_console_exporter_shows_client_and_server_in_one_trace() -> None:
    # In a process of its own: the console exporter writes to the sys.stdout it saw at import.
    result = subprocess.run([sys.executable, "-c", example("ConsoleSpanExporter")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    printed, decoder, spans, at = result.stdout, json.JSONDecoder(), [], 0
    while printed[at:].strip():
        span, at = decoder.raw_decode(printed, len(printed) - len(printed[at:].lstrip()))
        spans.append(span)
    by_id: dict[str, Any] = {span["context"]["span_id"]: span for span in spans}
    served = [span for span in spans if span["kind"] == "SpanKind.SERVER"]
    assert [span["name"] for span in served] == ["POST /agents", "POST /sessions", "POST /sessions/{id}/chat"]
    for span in served:
        attempt = by_id[span["parent_id"]]
        call = by_id[attempt["parent_id"]]
        assert attempt["kind"] == "SpanKind.CLIENT" and call["parent_id"] is None
        assert span["context"]["trace_id"] == attempt["context"]["trace_id"] == call["context"]["trace_id"]
    assert {span["name"] for span in spans if span["parent_id"] is None} == {
        "agents.create", "sessions.create", "sessions.chat"}
