"""One suite over every transport.

Tests that take the ``client`` (or ``connect``) fixture run once per transport leg;
legs that can run under trio run under both asyncio and trio.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import trio.testing

from julep_async import AsyncClient
from julep_async.backend import Backend
from julep_async.retry import RetryPolicy
from julep_async.server import running
from julep_async.testing.pytest_plugin import FAILED, cassette_path, record_mode, records, rerecord_command
from julep_async.transports import InMemoryTransport, RecordingTransport

# transport leg -> the anyio backends it runs under (aiohttp needs asyncio)
LEGS = {"memory": ("asyncio", "trio"), "http": ("asyncio",), "replay": ("asyncio", "trio")}

pytest_plugins = ["pytester"]

FAST_RETRY = RetryPolicy(attempts=3, initial=0.0, max_backoff=0.0, deadline=30.0)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cancellations", type=int, default=300,
                     help="chats cancelled at random points in the server stream-lifecycle test (default 300; "
                          "the release check runs it with 1000)")


@pytest.fixture
def cancellations(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--cancellations"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "leg" in metafunc.fixturenames:
        live_only = metafunc.definition.get_closest_marker("live_backend") is not None
        pairs = [(backend, leg) for leg, backends in LEGS.items() for backend in backends
                 if not (live_only and leg == "replay")]
        metafunc.parametrize(("anyio_backend", "leg"), pairs, ids=[f"{leg}-{b}" for b, leg in pairs])
    elif "anyio_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("mock_clock"):
        clock = trio.testing.MockClock(autojump_threshold=0)  # sleeps jump the clock at once
        metafunc.parametrize("anyio_backend", [("trio", {"clock": clock})], ids=["trio-mock-clock"])
    elif "anyio_backend" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("asyncio_only"):
        metafunc.parametrize("anyio_backend", ["asyncio", "trio"])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def backend() -> Backend:
    """The seeded fake backend behind every client of one test."""
    return Backend(seed=0)


@pytest.fixture
async def connect(
    request: pytest.FixtureRequest, leg: str, anyio_backend: str, backend: Backend
) -> AsyncIterator[Callable[..., AsyncClient]]:
    """``connect(api_key="test-key", **options)``: a strict client on this leg, every
    client of one test sharing one seeded backend: in-process, behind a real aiohttp
    server on 127.0.0.1 (ephemeral port), or replayed from the test's cassette under
    ``tests/cassettes/`` (recorded through the in-process backend with
    ``--julep-record-mode=once``)."""
    memory = InMemoryTransport(backend.handle)
    clients: list[AsyncClient] = []
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(running(backend)) if leg == "http" else None
        recorder = None
        if leg == "replay":
            path = cassette_path(request.node, ignore=("anyio_backend", "leg"))
            mode = record_mode(request.config)
            recorder = RecordingTransport(memory if records(mode, path) else None, path, mode,
                                          rerecord=rerecord_command(request.node, path))

        def make(api_key: str = "test-key", **options: Any) -> AsyncClient:
            options.setdefault("retry", FAST_RETRY)
            if url is None:
                options.setdefault("transport", recorder or memory)
            client = AsyncClient(api_key=api_key, base_url=url, strict=True, close_transport=False, **options)
            clients.append(client)
            return client

        yield make
        for client in clients:
            await client.aclose()
        if recorder is not None:
            await recorder.aclose(complete=not request.node.stash.get(FAILED, False))


@pytest.fixture
async def client(connect: Callable[..., AsyncClient]) -> AsyncClient:
    return connect(api_key="test-key")


@pytest.fixture
async def agent(client: AsyncClient) -> Any:
    return await client.agents.create(name="Research Assistant", about="Helps with research.", model="gpt-4o-mini")


@pytest.fixture
async def user(client: AsyncClient) -> Any:
    return await client.users.create(name="Ada", about="A researcher")


@pytest.fixture
async def session(client: AsyncClient, agent: Any, user: Any) -> Any:
    return await client.sessions.create(agent_id=agent.id, user_id=user.id, metadata={"channel": "web"})
