"""The julep_async pytest plugin (registered through the ``pytest11`` entry point).

* ``--julep-record-mode {none,once,new_episodes,all}``: default ``none`` (replay only);
  with ``CI`` set in the environment it is always ``none``.
* ``@pytest.mark.julep_cassette(path=None, allow_unused=False)``: per-test settings.
* fixtures: ``julep_client`` (an ``AsyncClient`` over the cassette), ``julep_transport``
  (the :class:`~julep_async.transports.RecordingTransport`), ``julep_cassette`` (its
  path: ``tests/cassettes/<module>/<test>.json`` beside the test module), and
  ``julep_record_inner`` (what recording goes through: by default a seeded
  ``InMemoryTransport``; override it to record against a live server).

The cassette name leaves out the ``anyio_backend`` parameter, so one recording replays
under asyncio and trio alike.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Generator, Iterable
from pathlib import Path
from typing import Any

import pytest

from ..client import AsyncClient
from ..transports.base import Transport
from ..transports.memory import InMemoryTransport
from ..transports.recording import MODES, RecordingTransport, RecordMode

MARKER = "julep_cassette"
FAILED = pytest.StashKey[bool]()
"""Set on a test item when any of its phases failed."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("julep_async", "julep_async cassettes")
    group.addoption("--julep-record-mode", choices=MODES, default=None,
                    help="record mode for julep_async cassettes (default: none = replay only; "
                         "always none when CI is set)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(path=None, allow_unused=False): julep_async cassette settings")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report



def record_mode(config: pytest.Config) -> RecordMode:
    """The mode in force: ``none`` in CI, else the option's, else ``none``."""
    if os.environ.get("CI"):
        return "none"
    mode: RecordMode | None = config.getoption("--julep-record-mode", default=None)
    return mode or "none"


def cassette_path(item: pytest.Item, *, ignore: Iterable[str] = ("anyio_backend",)) -> Path:
    """``<test dir>/cassettes/<module>/<test>[<params>].json``, without the ignored params."""
    function = item if isinstance(item, pytest.Function) else None
    name = function.originalname if function is not None else item.name
    callspec = getattr(function, "callspec", None)
    if callspec is not None:
        params = [str(value) for key, value in callspec.params.items() if key not in set(ignore)]
        if params:
            name += "[" + "-".join(params) + "]"
    name = re.sub(r"[^\w.\[\]-]+", "_", name)
    if len(name) > 120:
        name = name[:100] + "-" + hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(item.path).parent / "cassettes" / Path(item.path).stem / f"{name}.json"


def records(mode: RecordMode, path: Path) -> bool:
    """Whether ``mode`` will send anything to the inner transport for the cassette at ``path``."""
    return mode in ("all", "new_episodes") or (mode == "once" and not path.exists())


def rerecord_command(item: pytest.Item) -> str:
    return f"pytest '{item.nodeid}' --julep-record-mode=all"


@pytest.fixture
def julep_record_mode(request: pytest.FixtureRequest) -> RecordMode:
    return record_mode(request.config)


@pytest.fixture
def julep_cassette(request: pytest.FixtureRequest) -> Path:
    marker = request.node.get_closest_marker(MARKER)
    path = marker.kwargs.get("path") if marker else None
    return Path(path) if path else cassette_path(request.node)


@pytest.fixture
def julep_record_inner() -> Transport:
    """What a recording goes through; override to record against a live server."""
    return InMemoryTransport(seed=0)


@pytest.fixture
async def julep_transport(
    request: pytest.FixtureRequest, julep_cassette: Path, julep_record_mode: RecordMode
) -> AsyncIterator[RecordingTransport]:
    marker = request.node.get_closest_marker(MARKER)
    inner = request.getfixturevalue("julep_record_inner") if records(julep_record_mode, julep_cassette) else None
    transport = RecordingTransport(
        inner, julep_cassette, julep_record_mode,
        allow_unused=bool(marker and marker.kwargs.get("allow_unused")),
        rerecord=rerecord_command(request.node),
    )
    yield transport
    await transport.aclose(complete=not request.node.stash.get(FAILED, False))


@pytest.fixture
async def julep_client(julep_transport: RecordingTransport) -> AsyncIterator[AsyncClient]:
    """A strict ``AsyncClient`` over the test's cassette."""
    # The julep_transport fixture closes the transport, knowing how the test ended.
    client = AsyncClient(api_key=os.environ.get("JULEP_API_KEY", "julep-async-test-key"),
                         transport=julep_transport, strict=True, close_transport=False)
    async with client:
        yield client
