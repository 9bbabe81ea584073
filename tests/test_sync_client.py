"""The blocking ``Client``: its generated surface matches the async one, it has no
``__getattr__`` fallback, and it behaves as before (portal thread, close, pagers that fetch
lazily). Streams, ``chat_many``, ``with_options`` and every guide snippet on ``Client`` are
tested beside their async twins (test_overflow_and_streaming, test_concurrency,
test_exports, test_guide); the types are checked by mypy and pyright over tests/typing."""

from __future__ import annotations

import functools
import inspect
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from julep_async import AsyncClient, Client
from julep_async._blocking import Blocking
from julep_async.exceptions import JulepError
from julep_async.transports import InMemoryTransport
from julep_async.transports.base import Request, Response

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "unasync.py"


def twins(client: Client) -> Iterator[tuple[str, Blocking[Any]]]:
    """Every blocking namespace reachable from ``client``, by its path (``"agents.docs"``)."""
    pending: list[tuple[str, Any]] = [("", client)]
    while pending:
        path, namespace = pending.pop()
        for name in dir(type(namespace)):
            attribute = inspect.getattr_static(type(namespace), name)
            if name.startswith("_") or not isinstance(attribute, (property, functools.cached_property)):
                continue
            value = getattr(namespace, name)
            if isinstance(value, Blocking) and not isinstance(value, Client):
                yield f"{path}{name}", value
                pending.append((f"{path}{name}.", value))


def public(obj: object) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(transport=InMemoryTransport()) as client:
        yield client


@pytest.mark.skipif(not SCRIPT.exists(), reason="scripts/ is not beside this checkout")
def test_the_generated_surface_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_getattr_fallback_for_public_names(client: Client) -> None:
    classes = {type(client), *(type(namespace) for _, namespace in twins(client))}
    assert len(classes) == 17  # the client, its 8 resources and their with_raw_response namespaces
    for cls in classes:
        assert all("__getattr__" not in vars(base) for base in cls.__mro__), cls
    with pytest.raises(AttributeError, match="chta"):
        client.sessions.chta  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(TypeError, match="api_kye"):
        Client(api_kye="k")  # type: ignore[call-arg]


def test_every_async_method_has_a_twin_with_the_same_parameters(client: Client) -> None:
    async_client = AsyncClient(transport=InMemoryTransport())
    pairs: list[tuple[str, Any, Any]] = [("", async_client, client)]
    pairs += [(path, _resolve(async_client, path), namespace) for path, namespace in twins(client)]
    resources = {"agents", "agents.docs", "agents.tools", "users", "users.docs", "sessions", "sessions.docs", "docs"}
    assert {path for path, _, _ in pairs} == {"", *resources, *(f"{r}.with_raw_response" for r in resources)}
    for path, async_side, sync_side in pairs:
        expected = public(async_side) - ({"aclose"} if path == "" else set())
        assert expected <= public(sync_side), path
        for name in expected:
            async_member, sync_member = getattr(async_side, name), getattr(sync_side, name)
            if inspect.iscoroutinefunction(async_member) or inspect.ismethod(async_member):
                assert inspect.signature(sync_member).parameters == inspect.signature(async_member).parameters
                assert sync_member.__doc__ == async_member.__doc__, f"{path}.{name}"
    assert inspect.signature(Client).parameters == inspect.signature(AsyncClient).parameters


def test_every_resource_method_is_in_the_typing_tests(client: Client) -> None:
    written = (ROOT / "tests" / "typing" / "sync_client.py").read_text()
    for path, namespace in twins(client):
        for name in public(namespace):
            if inspect.ismethod(getattr(namespace, name)):
                assert re.search(rf"client\.{re.escape(path)}\.{name}\(", written), f"client.{path}.{name}"


def _resolve(root: object, path: str) -> Any:
    for part in path.split("."):
        root = getattr(root, part)
    return root


class Counting:
    """A transport that counts the requests it passes on."""

    def __init__(self) -> None:
        self.inner = InMemoryTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.paths.append(request.method + " " + request.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_pagers_fetch_the_first_page_at_once_and_the_others_lazily() -> None:
    transport = Counting()
    with Client(transport=transport) as client:
        for name in "abcde":
            client.agents.create(name)
        transport.paths.clear()
        pager = client.agents.list(limit=2)
        assert len(pager.items) == 2 and transport.paths == ["GET /agents"]
        walk = iter(pager)
        assert [next(walk).name, next(walk).name] == ["e", "d"] and len(transport.paths) == 1
        assert [agent.name for agent in walk] == ["c", "b", "a"] and len(transport.paths) == 3


def portal_threads() -> int:
    return sum(thread.name == "julep-async-portal" for thread in threading.enumerate())


def test_close_stops_the_portal_and_later_calls_fail() -> None:
    before = portal_threads()
    client = Client(transport=InMemoryTransport())
    assert portal_threads() == before + 1
    shared = client.with_options(max_in_flight=2)
    shared.close()  # a client that shares the portal leaves it running
    assert client.agents.create("A").name == "A"
    client.close()
    client.close()  # twice is fine
    assert portal_threads() == before
    with pytest.raises(RuntimeError, match="portal is not running"):
        client.agents.list_models()


def test_a_failing_constructor_leaves_no_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JULEP_API_KEY", raising=False)
    before = portal_threads()
    with pytest.raises(JulepError, match="no API key"):
        Client()
    assert portal_threads() == before
