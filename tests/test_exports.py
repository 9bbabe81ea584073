"""The public surface: curated, sorted, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import julep_async
import julep_async.exceptions
import julep_async.hooks
import julep_async.transports
import julep_async.types


def test_all_is_sorted_and_importable() -> None:
    for module in (julep_async, julep_async.exceptions, julep_async.hooks, julep_async.transports,
                   julep_async.types):
        names = [n for n in module.__all__ if n != "UNSET"]
        assert names == sorted(names), module.__name__
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_the_design_names_exist() -> None:
    from julep_async import AsyncClient, Client  # noqa: F401
    from julep_async.exceptions import JulepError, SessionNotFoundError  # noqa: F401
    from julep_async.transports import HttpTransport, InMemoryTransport, RecordingTransport  # noqa: F401


def test_the_error_tree() -> None:
    e = julep_async.exceptions
    assert issubclass(e.SessionNotFoundError, e.NotFoundError) and issubclass(e.NotFoundError, e.APIStatusError)
    assert issubclass(e.APITimeoutError, e.APIConnectionError) and issubclass(e.APITimeoutError, TimeoutError)
    assert issubclass(e.CassetteMissError, e.CassetteError) and issubclass(e.CassetteError, e.JulepError)
    assert issubclass(e.APIStatusError, e.APIError) and issubclass(e.ValidationError, e.JulepError)


def test_importing_the_sdk_does_not_import_aiohttp() -> None:
    code = "import sys, julep_async, julep_async.transports; print('aiohttp' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_sync_client_mirrors_the_async_resources() -> None:
    from julep_async import AsyncClient, Client
    from julep_async.transports import InMemoryTransport

    with Client(transport=InMemoryTransport()) as client:
        async_client = AsyncClient(transport=InMemoryTransport())
        for resource in ("agents", "users", "sessions"):
            public = {n for n in dir(getattr(async_client, resource)) if not n.startswith("_")}
            assert public <= set(dir(getattr(client, resource)))
        assert client.sessions.chat.__doc__ == async_client.sessions.chat.__doc__


def test_sync_with_options_gives_a_sync_client_on_the_same_portal() -> None:
    from julep_async import Client, RetryPolicy
    from julep_async.transports import InMemoryTransport

    with Client(transport=InMemoryTransport()) as client:
        patient = client.with_options(retry=RetryPolicy(attempts=5))
        assert isinstance(patient, Client)
        agent = patient.agents.create("Shared")
        patient.close()
        assert client.agents.get(agent.id).name == "Shared"  # the original still works
