"""The julep_async pytest plugin (registered through the ``pytest11`` entry point).

* ``--julep-record-mode {none,once,new_episodes,all}``: default ``none`` (replay only);
  with ``CI`` set in the environment it is always ``none`` (a record mode given there is
  named in a one-line notice at the start of the run).
* ``--julep-lenient``: clients parse replies leniently (``strict=False``): reply fields
  the models do not know are ignored instead of failing the test.
* ``@pytest.mark.julep_cassette(path=None, allow_unused=False, lenient=None)``: per-test
  settings (``lenient`` here wins over ``--julep-lenient``).
* fixtures: ``julep_client`` (an ``AsyncClient`` over the cassette), ``julep_sync_client``
  (a blocking ``Client`` over it, for plain ``def`` tests), ``julep_transport`` (the
  :class:`~julep_async.transports.RecordingTransport`), ``julep_cassette`` (its path:
  ``tests/cassettes/<module>/<test>.json`` beside the test module), and
  ``julep_record_inner`` (what recording goes through: by default a seeded
  ``InMemoryTransport``; override it to record against a live server).

The async fixtures run under whichever runner runs the test: anyio (a test marked
``anyio``), or pytest-asyncio in strict mode (a test marked ``asyncio``) or auto mode.

The cassette name leaves out the ``anyio_backend`` parameter, so one recording replays
under asyncio and trio alike.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import types
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..client import AsyncClient
from ..sync import Client
from ..transports.base import Transport
from ..transports.memory import InMemoryTransport
from ..transports.recording import MODES, RecordingTransport, RecordMode

MARKER = "julep_cassette"
FAILED = pytest.StashKey[bool]()
"""Set on a test item when any of its phases failed."""
TEST_API_KEY = "julep-async-test-key"
"""The key the fixtures' clients send when ``JULEP_API_KEY`` is not set."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("julep_async", "julep_async cassettes")
    group.addoption("--julep-record-mode", choices=MODES, default=None,
                    help="record mode for julep_async cassettes (default: none = replay only; "
                         "always none when CI is set)")
    group.addoption("--julep-lenient", action="store_true", default=False,
                    help="julep_async fixtures parse replies leniently: unknown reply fields are "
                         "ignored instead of failing the test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(path=None, allow_unused=False, lenient=None): julep_async cassette settings")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    notice = ci_notice(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if notice and reporter is not None:  # written, not a header line: ``-q`` hides the header
        reporter.write_line(notice)


def ci_notice(config: pytest.Config) -> str | None:
    """One line saying that ``CI`` overrides a record mode given on the command line, or ``None``."""
    given = config.getoption("--julep-record-mode", default=None)
    if os.environ.get("CI") and given not in (None, "none"):
        return f"julep_async: CI is set, so cassettes are only replayed (--julep-record-mode={given} is ignored)"
    return None


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


def rerecord_command(item: pytest.Item, path: Path | None = None) -> str:
    """The command that records the cassette of ``item``: ``once`` while there is none at
    ``path`` (nothing else is touched), else ``all`` (it is recorded afresh)."""
    mode = "once" if path is not None and not path.exists() else "all"
    return f"pytest '{item.nodeid}' --julep-record-mode={mode}"


def _setting(request: pytest.FixtureRequest, name: str) -> Any:
    marker = request.node.get_closest_marker(MARKER)
    return marker.kwargs.get(name) if marker else None


def lenient(request: pytest.FixtureRequest) -> bool:
    """Whether the test's clients parse leniently: the marker's ``lenient``, else ``--julep-lenient``."""
    chosen = _setting(request, "lenient")
    return bool(request.config.getoption("--julep-lenient") if chosen is None else chosen)


def _recording_transport(request: pytest.FixtureRequest, path: Path, mode: RecordMode) -> RecordingTransport:
    inner = request.getfixturevalue("julep_record_inner") if records(mode, path) else None
    return RecordingTransport(inner, path, mode, allow_unused=bool(_setting(request, "allow_unused")),
                              rerecord=rerecord_command(request.node, path))


@pytest.fixture
def julep_record_mode(request: pytest.FixtureRequest) -> RecordMode:
    return record_mode(request.config)


@pytest.fixture
def julep_cassette(request: pytest.FixtureRequest) -> Path:
    path = _setting(request, "path")
    return Path(path) if path else cassette_path(request.node)


@pytest.fixture
def julep_record_inner() -> Transport:
    """What a recording goes through; override to record against a live server."""
    return InMemoryTransport(seed=0)


@pytest.fixture
async def julep_transport(
    request: pytest.FixtureRequest, julep_cassette: Path, julep_record_mode: RecordMode
) -> AsyncIterator[RecordingTransport]:
    transport = _recording_transport(request, julep_cassette, julep_record_mode)
    yield transport
    await transport.aclose(complete=not request.node.stash.get(FAILED, False))


@pytest.fixture
async def julep_client(request: pytest.FixtureRequest,
                       julep_transport: RecordingTransport) -> AsyncIterator[AsyncClient]:
    """An ``AsyncClient`` over the test's cassette: strict, unless ``lenient``."""
    # The julep_transport fixture closes the transport, knowing how the test ended.
    client = AsyncClient(api_key=os.environ.get("JULEP_API_KEY", TEST_API_KEY), transport=julep_transport,
                         strict=not lenient(request), close_transport=False)
    async with client:
        yield client


class FailedTest(Exception):
    """What the ``julep_sync_client`` fixture closes its client with after a failed test."""


@pytest.fixture
def julep_sync_client(request: pytest.FixtureRequest, julep_cassette: Path,
                      julep_record_mode: RecordMode) -> Iterator[Client]:
    """A blocking :class:`~julep_async.Client` over the test's cassette (strict, unless
    ``lenient``), for plain ``def`` tests."""
    transport = _recording_transport(request, julep_cassette, julep_record_mode)
    client = Client(api_key=os.environ.get("JULEP_API_KEY", TEST_API_KEY), transport=transport,
                    strict=not lenient(request))
    yield client
    # Closed as a ``with`` block would be: a failed test never saves a complete cassette.
    failed = FailedTest(f"{request.node.nodeid} failed") if request.node.stash.get(FAILED, False) else None
    client.__exit__(type(failed) if failed else None, failed, None)


# -- pytest-asyncio -------------------------------------------------------------------

ASYNC_FIXTURES = frozenset({"julep_transport", "julep_client"})


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any],
                         request: pytest.FixtureRequest) -> Generator[None, Any, Any]:
    """Hand this plugin's async fixtures to pytest-asyncio for a test it runs.

    pytest-asyncio in strict mode runs only the async fixtures marked as its own, and anyio
    only those of a test that uses ``anyio_backend``. Marking the fixtures for good would
    take them from anyio, so for each test pytest-asyncio runs (marked ``asyncio``, or any
    in auto mode) the fixture is set up from a copy of its function, marked for that test's
    event loop, and the copy stays in place until the fixture is torn down.
    """
    marked = _for_pytest_asyncio(fixturedef.func, request) if fixturedef.argname in ASYNC_FIXTURES else None
    if marked is None:
        return (yield)
    # Swapped as pytest-asyncio itself swaps ``func``, until the fixture is torn down: it
    # checks the fixtures of a test again when it calls it.
    patch = pytest.MonkeyPatch()
    patch.setattr(fixturedef, "func", marked)
    fixturedef.addfinalizer(patch.undo)
    try:
        return (yield)
    except BaseException:
        patch.undo()
        raise


def _for_pytest_asyncio(func: Any, request: pytest.FixtureRequest) -> Any:
    """A copy of ``func`` (one of this module's async fixtures) marked as a pytest-asyncio
    fixture on the test's loop, if pytest-asyncio runs the test; else ``None``."""
    if getattr(func, "__module__", None) != __name__ or not inspect.isasyncgenfunction(func):
        return None  # overridden by the user's own fixture
    asyncio_marker = request.node.get_closest_marker("asyncio")
    if asyncio_marker is None or "anyio_backend" in request.fixturenames:
        return None
    try:
        import pytest_asyncio
    except ImportError:
        return None
    loop_scope = asyncio_marker.kwargs.get("loop_scope") or _ini(request.config, "asyncio_default_test_loop_scope")
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
    copy.__kwdefaults__, copy.__qualname__, copy.__module__ = func.__kwdefaults__, func.__qualname__, func.__module__
    options = {"loop_scope": loop_scope} if loop_scope else {}  # (pytest-asyncio < 0.24 has no loop scopes)
    pytest_asyncio.fixture(copy, **options)  # marks ``copy``; the fixture it returns is unused
    return copy


def _ini(config: pytest.Config, name: str) -> Any:
    try:
        return config.getini(name)
    except ValueError:  # an older pytest-asyncio without it
        return None
