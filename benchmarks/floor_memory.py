"""The in-memory floor: JSON plus a plain dict handler doing the stores and the prompt the
fake backend does, and nothing else (no models, no validation, no overflow strategy).

A chat stores each new message and the reply as history entries with the fields the fake
backend stores, builds the prompt (the agent's system message, every earlier message,
the new ones), answers with the echo model's reply and returns a Julep chat reply. The
client side encodes the request, decodes the reply and picks the fields out. Both sides
use the :class:`Codec` given: :data:`STDLIB` (compact stdlib :mod:`json`) for the floor of
issue 13, or :data:`ORJSON`. It does not import julep_async.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

Record = dict[str, Any]


class Codec(NamedTuple):
    name: str
    dumps: Callable[[Any], bytes]
    loads: Callable[[bytes], Any]


STDLIB = Codec("json", lambda value: json.dumps(value, separators=(",", ":")).encode(), json.loads)
ORJSON = Codec("orjson", orjson.dumps, orjson.loads)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _tokens(text: str) -> int:
    return 4 + (len(text) + 3) // 4


class Handler:
    """The server side: agents and sessions in dicts, bytes in, ``(status, bytes)`` out."""

    def __init__(self, codec: Codec = STDLIB) -> None:
        self.codec = codec
        self.agents: dict[str, Record] = {}
        self.sessions: dict[str, Record] = {}

    def _out(self, status: int, payload: Any) -> tuple[int, bytes]:
        return status, self.codec.dumps(payload)

    async def handle(self, method: str, path: str, query: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
        parts = path.strip("/").split("/")
        given = self.codec.loads(body) if body else {}
        if parts == ["agents"]:
            agent = {"id": str(uuid.uuid4()), "created_at": _now(), "name": given["name"]}
            self.agents[agent["id"]] = agent
            return self._out(201, agent)
        if parts == ["sessions"]:
            session = {"id": str(uuid.uuid4()), "created_at": _now(), "agent": given["agent"],
                       "entries": [], "said": [], "tokens": 0}
            self.sessions[session["id"]] = session
            return self._out(201, {k: session[k] for k in ("id", "created_at", "agent")})
        found = self.sessions.get(parts[1])
        if found is None:
            return self._out(404, {"error": {"message": "session not found"}})
        if parts[2] == "chat":
            return self._out(201, self._chat(found, given["messages"]))
        limit = int(query.get("limit", 0))
        entries = found["entries"][-limit:] if limit else found["entries"]
        return self._out(200, {"session_id": found["id"], "created_at": found["created_at"],
                               "entries": entries, "relations": []})

    def _chat(self, session: Record, messages: list[Record]) -> Record:
        system = {"role": "system", "content": f"You are {self.agents[session['agent']]['name']}."}
        prompt = [system, *session["said"], *messages]
        content = f'I read {len(prompt)} messages. You said: "{messages[-1]["content"]}"'
        reply = {"role": "assistant", "content": content}
        prompt_tokens = session["tokens"] + sum(_tokens(m["content"]) for m in (system, *messages))
        for message, source in [*((m, "api_request") for m in messages), (reply, "api_response")]:
            now = _now()
            session["entries"].append({
                "id": str(uuid.uuid4()), "created_at": now, "timestamp": now, "role": message["role"],
                "name": message.get("name"), "content": message["content"], "source": source,
                "tokenizer": "chars/4", "model": "julep-fake-echo", "token_count": _tokens(message["content"]),
                "tool_calls": None, "tool_call_id": None,
            })
            session["said"].append({"role": message["role"], "content": message["content"]})
            session["tokens"] += _tokens(message["content"])
        completion = _tokens(content) - 4
        return {"id": str(uuid.uuid4()), "created_at": _now(),
                "choices": [{"index": 0, "finish_reason": "stop", "message": reply}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
                          "total_tokens": prompt_tokens + completion},
                "jobs": [], "docs": []}


class Client:
    """The client side: encode, call the handler, decode, check the status, pick the fields."""

    def __init__(self, codec: Codec = STDLIB) -> None:
        self.codec = codec
        self.handler = Handler(codec)

    async def _call(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
        raw = None if body is None else self.codec.dumps(body)
        status, reply = await self.handler.handle(method, path, query or {}, raw)
        if status >= 400:
            raise RuntimeError(f"{status}: {reply[:200]!r}")
        return self.codec.loads(reply)

    async def agent(self) -> str:
        return str((await self._call("POST", "/agents", {"name": "Bench"}))["id"])

    async def session(self, agent_id: str) -> str:
        return str((await self._call("POST", "/sessions", {"agent": agent_id}))["id"])

    async def chat(self, session_id: str, text: str) -> str:
        reply = await self._call("POST", f"/sessions/{session_id}/chat",
                                 {"messages": [{"role": "user", "content": text}]})
        return str(reply["choices"][0]["message"]["content"])

    async def history(self, session_id: str, limit: int) -> list[tuple[str, str, str, str]]:
        reply = await self._call("GET", f"/sessions/{session_id}/history", query={"limit": str(limit)})
        return [(e["id"], e["created_at"], e["role"], e["content"]) for e in reply["entries"]]
