"""The HTTP clients under test, each doing the same five operations its own way:
julep_async, the raw aiohttp floor (:mod:`.raw_client`) and, when installed, the
official ``julep`` SDK (httpx, and its aiohttp extra)."""

from __future__ import annotations

import importlib.util
from typing import Any, Protocol

from julep_async import AsyncClient

from .raw_client import RawAiohttp


class Kind(Protocol):
    name: str

    async def open(self, url: str, key: str) -> None: ...
    async def agent(self) -> str: ...
    async def session(self, agent_id: str) -> str: ...
    async def chat(self, session_id: str, text: str) -> str: ...
    async def history(self, session_id: str, limit: int) -> Any: ...
    async def close(self) -> None: ...


class JulepAsync:
    name = "julep_async (HttpTransport)"

    def __init__(self, client: AsyncClient | None = None) -> None:
        if client is not None:  # one already made (the in-memory benchmark's)
            self.client = client

    async def open(self, url: str, key: str) -> None:
        self.client = AsyncClient(api_key=key, base_url=url)

    async def agent(self) -> str:
        return (await self.client.agents.create("Bench")).id

    async def session(self, agent_id: str) -> str:
        return (await self.client.sessions.create(agent_id=agent_id)).id

    async def chat(self, session_id: str, text: str) -> str:
        return (await self.client.sessions.chat(session_id, [{"role": "user", "content": text}])).content

    async def history(self, session_id: str, limit: int) -> Any:
        return (await self.client.sessions.history(session_id, limit=limit)).entries

    async def close(self) -> None:
        await self.client.aclose()


class Official:
    name = "julep 2.21 (httpx)"
    aiohttp = False

    async def open(self, url: str, key: str) -> None:
        import julep

        options: dict[str, Any] = {"http_client": julep.DefaultAioHttpClient()} if self.aiohttp else {}
        self.client = julep.AsyncJulep(api_key=key, base_url=url, **options)

    async def agent(self) -> str:
        return str((await self.client.agents.create(name="Bench")).id)

    async def session(self, agent_id: str) -> str:
        return str((await self.client.sessions.create(agent=agent_id)).id)

    async def chat(self, session_id: str, text: str) -> str:
        reply = await self.client.sessions.chat(session_id, messages=[{"role": "user", "content": text}])
        return str(reply.choices[0].message.content)  # type: ignore[union-attr]

    async def history(self, session_id: str, limit: int) -> Any:
        # Its history() takes no limit: sent as a query parameter, as the others send it.
        return (await self.client.sessions.history(session_id, extra_query={"limit": limit})).entries

    async def close(self) -> None:
        await self.client.close()


class OfficialAiohttp(Official):
    name = "julep 2.21 (aiohttp extra)"
    aiohttp = True


def official_kinds() -> list[Kind]:
    """The official SDK's clients that are installed (the ``bench`` extra brings both)."""
    found: list[Kind] = []
    if importlib.util.find_spec("julep") is not None:
        found.append(Official())
        if importlib.util.find_spec("httpx_aiohttp") is not None:
            found.append(OfficialAiohttp())
    return found


FLOOR, SDK = RawAiohttp.name, JulepAsync.name
