"""The HTTP floor: raw aiohttp doing by hand what a call needs and nothing more.

It builds the request, sends it, reads the body, decodes the JSON with orjson (the
library the SDK uses) and picks the fields out, raising on an error status as the SDK
does. No retries, no models, no idempotency keys. It does not import julep_async.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

MAX_CONNECTIONS = 100  # the SDK's default pool (julep_async.config.DEFAULT_MAX_CONNECTIONS)


class RawAiohttp:
    name = "raw aiohttp (floor)"

    async def open(self, url: str, key: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )

    async def _call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        data = None if body is None else orjson.dumps(body)
        async with self.http.request(method, self.url + path, data=data, params=params) as reply:
            raw = await reply.read()
            if reply.status >= 400:
                raise RuntimeError(f"{reply.status}: {raw[:200]!r}")
            return orjson.loads(raw)

    async def agent(self) -> str:
        return str((await self._call("POST", "/agents", {"name": "Bench"}))["id"])

    async def session(self, agent_id: str) -> str:
        return str((await self._call("POST", "/sessions", {"agent": agent_id}))["id"])

    async def chat(self, session_id: str, text: str) -> str:
        reply = await self._call("POST", f"/sessions/{session_id}/chat",
                                 {"messages": [{"role": "user", "content": text}]})
        return str(reply["choices"][0]["message"]["content"])

    async def history(self, session_id: str, limit: int) -> list[tuple[str, str, str, str]]:
        reply = await self._call("GET", f"/sessions/{session_id}/history", params={"limit": str(limit)})
        return [(e["id"], e["created_at"], e["role"], e["content"]) for e in reply["entries"]]

    async def close(self) -> None:
        await self.http.close()
