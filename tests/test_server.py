"""``julep-async serve`` as a user runs it: a real process on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys

import pytest
from faults import fault_server, status

from julep_async import AsyncClient, Client
from julep_async.backend import Backend
from julep_async.exceptions import AuthenticationError, PermissionDeniedError
from julep_async.server import running
from julep_async.transports import HttpTransport, Request

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]


def test_serve_process_answers_and_stops_cleanly_on_sigterm() -> None:
    command = [sys.executable, "-m", "julep_async", "serve", "--port", "0", "--api-key", "k1", "--api-key", "k2"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        with Client(api_key="k2", base_url=url) as client:
            agent = client.agents.create("Served")
            assert client.agents.get(agent.id).name == "Served"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()


async def test_keys_are_checked_and_tenants_isolated() -> None:
    async with running(Backend(api_keys=["a", "b"])) as url:
        async with AsyncClient(api_key="a", base_url=url) as alice, AsyncClient(api_key="b", base_url=url) as bob:
            await alice.agents.create("Alice's")
            assert (await bob.agents.list()).items == []
        async with AsyncClient(api_key="intruder", base_url=url) as intruder:
            with pytest.raises(PermissionDeniedError):
                await intruder.agents.list()
        transport = HttpTransport(url)
        try:
            reply = await transport.handle_async_request(Request("GET", "/agents"))
            assert reply.status == 401
            async with AsyncClient(transport=transport) as anonymous:
                with pytest.raises(AuthenticationError):
                    await anonymous.agents.list()
        finally:
            await transport.aclose()


async def test_api_prefix_is_accepted() -> None:
    async with running() as url, AsyncClient(api_key="k", base_url=url + "/api") as client:
        assert (await client.agents.create("Prefixed")).name == "Prefixed"


async def test_gzip_replies_are_decompressed() -> None:
    user = {"id": "00000000-0000-4000-8000-000000000000", "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z", "name": "Zipped", "about": ""}
    async with fault_server() as server, AsyncClient(api_key="k", base_url=server.url) as client:
        server.script = [status(200, gzip.compress(json.dumps(user).encode()),
                                **{"content-encoding": "gzip", "content-type": "application/json"})]
        assert (await client.users.get(user["id"])).name == "Zipped"
        assert "gzip" in server.seen[0].headers.get("accept-encoding", "")
