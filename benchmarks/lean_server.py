"""A lean Julep server for the HTTP benchmark: the four routes the benchmark calls, replies
of the shape ``julep-async serve`` sends (the same fields, an ``x-request-id``), dict
stores and nothing more, so that a run measures the client and not the server.

    python -m benchmarks.lean_server [--port 0] [--history 40]

prints ``http://127.0.0.1:<port>`` once it listens. Every new session starts with
``--history`` stored entries, so every chat and every ``history`` call of a run sees a
session of the same length. Runs on uvloop when it is installed; JSON is orjson.

HTTP/1.1 is spoken by hand on an :class:`asyncio.Protocol` (keep-alive, bodies by
``Content-Length``, nothing else): a web framework's routing, middleware and request
objects cost several times what the routes themselves do, and a server at the limit of
its core squeezes every client's ratio towards 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qsl

import orjson

Record = dict[str, Any]
Reply = tuple[int, Any]
MAX_HEAD = 64 * 1024
REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 413: "Payload Too Large"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _missing(what: str) -> Reply:
    return 404, {"error": {"message": f"{what} not found", "code": "not_found"}}


def _entry(role: str, content: str, source: str) -> Record:
    now = _now()
    return {"id": str(uuid.uuid4()), "created_at": now, "timestamp": now, "role": role, "name": None,
            "content": content, "source": source, "tokenizer": "chars/4", "model": "julep-fake-echo",
            "token_count": 4 + (len(content) + 3) // 4, "tool_calls": None, "tool_call_id": None}


def _earlier(count: int) -> list[Record]:
    """A new session's history: ``count`` entries, questions and answers in turn."""
    entries = []
    for n in range(count):
        if n % 2 == 0:
            entries.append(_entry("user", f"earlier question {n // 2}: how does it go on?", "api_request"))
        else:
            entries.append(_entry("assistant", f"earlier answer {n // 2}: it goes on like this.", "api_response"))
    return entries


class Store:
    """Agents and sessions, each session with its entries. A route takes the path's id
    (or ``""``), the query and the JSON body, and gives ``(status, payload)``."""

    def __init__(self, history: int) -> None:
        self.earlier = _earlier(history)  # every session's first entries: shared, never changed
        self.agents: dict[str, Record] = {}
        self.sessions: dict[str, tuple[Record, list[Record]]] = {}

    def create_agent(self, _: str, query: dict[str, str], given: Any) -> Reply:
        now = _now()
        agent = {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "about": given.get("about", ""),
                 "model": given.get("model", ""), "instructions": given.get("instructions", []),
                 "default_settings": {}, "default_system_template": "You are {{agent.name}}.",
                 "metadata": given.get("metadata", {}), "name": given["name"],
                 "canonical_name": given["name"].lower()}
        self.agents[agent["id"]] = agent
        return 201, agent

    def create_session(self, _: str, query: dict[str, str], given: Any) -> Reply:
        if given.get("agent") not in self.agents:
            return _missing("agent")
        now = _now()
        session = {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "summary": None,
                   "situation": given.get("situation"), "render_templates": True, "token_budget": None,
                   "context_overflow": None, "auto_run_tools": False, "forward_tool_calls": False,
                   "recall_options": None, "metadata": given.get("metadata", {}), "kind": "single_agent_no_user",
                   "agent": given["agent"]}
        self.sessions[session["id"]] = (session, list(self.earlier))
        return 201, session

    def chat(self, session_id: str, query: dict[str, str], given: Any) -> Reply:
        found = self.sessions.get(session_id)
        if found is None:
            return _missing("session")
        messages = given["messages"]
        entries = found[1]
        said = messages[-1]["content"]
        content = f'I read {len(entries) + len(messages) + 1} messages. You said: "{said}"'
        entries.extend(_entry(m["role"], m["content"], "api_request") for m in messages)
        entries.append(_entry("assistant", content, "api_response"))
        prompt_tokens = 4 * len(entries)
        completion_tokens = (len(content) + 3) // 4
        return 201, {
            "id": str(uuid.uuid4()), "created_at": _now(),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "jobs": [], "docs": [],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }

    def history(self, session_id: str, query: dict[str, str], given: Any) -> Reply:
        found = self.sessions.get(session_id)
        if found is None:
            return _missing("session")
        session, entries = found
        limit = int(query.get("limit", 0))
        return 200, {"session_id": session["id"], "created_at": session["created_at"],
                     "entries": entries[-limit:] if limit > 0 else entries, "relations": []}

    def route(self, method: str, path: str) -> tuple[Callable[[str, dict[str, str], Any], Reply], str] | None:
        """The route for ``method`` and ``path`` (no query), with the session id in it."""
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["agents"]:
            return self.create_agent, ""
        if method == "POST" and parts == ["sessions"]:
            return self.create_session, ""
        if len(parts) == 3 and parts[0] == "sessions":
            if method == "POST" and parts[2] == "chat":
                return self.chat, parts[1]
            if method == "GET" and parts[2] == "history":
                return self.history, parts[1]
        return None


class Connection(asyncio.Protocol):
    """One client connection: requests parsed as their bytes arrive, answered in order."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self._answer(413, {"error": {"message": "headers too large"}}, close=True)
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            size = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + size:
                return  # the rest of the body is still on its way
            body = self.buffer[end + 4:end + 4 + size]
            self.buffer = self.buffer[end + 4 + size:]
            self._handle(method, target, body, close=headers.get("connection", "").lower() == "close")

    def _handle(self, method: str, target: str, body: bytes, *, close: bool) -> None:
        path, _, query = target.partition("?")
        found = self.store.route(method, path)
        if found is None:
            self._answer(404, {"error": {"message": f"no route for {method} {path}"}}, close=close)
            return
        handler, session_id = found
        try:
            given = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            self._answer(400, {"error": {"message": "the body is not JSON"}}, close=close)
            return
        status, payload = handler(session_id, dict(parse_qsl(query)) if query else {}, given)
        self._answer(status, payload, close=close)

    def _answer(self, status: int, payload: Any, *, close: bool) -> None:
        assert self.transport is not None
        body = orjson.dumps(payload)
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nx-request-id: req_{os.urandom(8).hex()}\r\n"
                f"{'connection: close' if close else 'keep-alive: timeout=75'}\r\n\r\n")
        self.transport.write(head.encode() + body)
        if close:
            self.transport.close()
            self.transport = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(port: int, history: int) -> None:
    store = Store(history)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(store), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{bound} {type(loop).__module__}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lean_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--history", type=int, default=40, help="entries every new session starts with")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(args.port, args.history))
    else:
        uvloop.run(serve(args.port, args.history))


if __name__ == "__main__":
    main()
