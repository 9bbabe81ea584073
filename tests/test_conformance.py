"""``check_transport`` passes for every built-in transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from julep_async.backend import Backend
from julep_async.server import running
from julep_async.testing import check_transport
from julep_async.transports import HttpTransport, InMemoryTransport, RecordingTransport

pytestmark = pytest.mark.anyio


async def test_in_memory() -> None:
    await check_transport(InMemoryTransport)


async def test_recording_then_replaying(tmp_path: Path) -> None:
    path = tmp_path / "conformance.json"
    await check_transport(lambda: RecordingTransport(InMemoryTransport(seed=0), path, "once"))
    await check_transport(lambda: RecordingTransport(None, path, "none"))


@pytest.mark.asyncio_only
async def test_http() -> None:
    async with running(Backend()) as url:
        await check_transport(lambda: HttpTransport(url))


async def test_a_broken_transport_is_caught() -> None:
    class Forgetful(InMemoryTransport):
        """Loses the body of every PATCH, so updates change nothing."""

        async def handle_async_request(self, request):  # type: ignore[no-untyped-def]
            if request.method == "PATCH":
                request = type(request)(request.method, request.path, request.query, request.headers, b"{}")
            return await super().handle_async_request(request)

    with pytest.raises(AssertionError, match="PATCH merges metadata"):
        await check_transport(Forgetful)
