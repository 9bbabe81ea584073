"""``julep-async`` as a user runs it: a real process, its stdout, stderr and exit status."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import julep_async
from julep_async import Client

COMMAND = [sys.executable, "-m", "julep_async"]
WEATHER = {"name": "get_weather", "type": "function", "function": {"parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60, check=False)


def assert_one_clean_line(result: subprocess.CompletedProcess[str]) -> None:
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert "Traceback" not in result.stderr


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """``julep-async serve --port 0 ARGS`` while the block runs; its base URL."""
    with subprocess.Popen([*COMMAND, "serve", "--port", "0", *args], stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        try:
            yield process.stdout.readline().split()[2]
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


def test_version_prints_the_version_and_exits_0() -> None:
    result = run("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"julep-async {julep_async.__version__}\n", "")


def test_the_installed_julep_async_script_prints_the_version() -> None:
    script = Path(sys.executable).with_name("julep-async")
    if not script.exists():
        pytest.skip("julep-async is not installed beside this Python")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout) == (0, f"julep-async {julep_async.__version__}\n")


def test_a_busy_port_is_one_line_on_stderr_and_exit_status_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = run("serve", "--port", str(busy))
    assert result.returncode == 1
    assert_one_clean_line(result)
    assert result.stderr == f"julep-async serve: cannot listen on 127.0.0.1:{busy}: Address already in use\n"


def test_an_address_that_does_not_resolve_is_one_line_on_stderr() -> None:
    result = run("serve", "--host", "no-such-host.invalid", "--port", "0")
    assert result.returncode == 1
    assert_one_clean_line(result)
    assert result.stderr.startswith("julep-async serve: cannot listen on no-such-host.invalid:0: ")


@pytest.mark.parametrize("port", ["http", "65536"])
def test_an_invalid_port_is_one_line_on_stderr_and_exit_status_2(port: str) -> None:
    result = run("serve", "--port", port)
    assert result.returncode == 2
    assert_one_clean_line(result)
    assert result.stderr == (f"julep-async serve: error: argument --port: invalid port {port!r}: "
                             "must be a number from 0 to 65535 (see julep-async serve --help)\n")


def test_a_missing_command_is_one_line_on_stderr_and_exit_status_2() -> None:
    result = run()
    assert result.returncode == 2
    assert_one_clean_line(result)
    assert "the following arguments are required" in result.stderr


@pytest.mark.parametrize("command", [[], ["demo"], ["serve"]], ids=["top", "demo", "serve"])
def test_the_help_is_plain_text(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: julep-async")
    assert "`" not in result.stdout and ":class:" not in result.stdout


def test_serve_with_call_tools_makes_the_model_call_every_function_tool() -> None:
    with serving("--call-tools") as url, Client(api_key="k", base_url=url) as client:
        agent = client.agents.create("Caller")
        session = client.sessions.create(agent_id=agent.id)
        reply = client.sessions.chat(session.id, [{"role": "user", "content": "weather?"}], tools=[WEATHER])
    assert [call.function.name for call in reply.tool_calls if call.function] == ["get_weather"]


def test_serve_without_call_tools_answers_in_text() -> None:
    with serving() as url, Client(api_key="k", base_url=url) as client:
        agent = client.agents.create("Answerer")
        session = client.sessions.create(agent_id=agent.id)
        reply = client.sessions.chat(session.id, [{"role": "user", "content": "weather?"}], tools=[WEATHER])
    assert not reply.tool_calls and "weather?" in (reply.content or "")
