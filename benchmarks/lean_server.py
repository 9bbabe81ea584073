"""A lean Julep server for the HTTP benchmark: the four routes the benchmark calls, replies
of the shape ``julep-async serve`` sends (the same fields, an ``x-request-id``), dict
stores and nothing more, so that a run measures the client and not the server.

    python -m benchmarks.lean_server [--port 0] [--history 40]

prints ``http://127.0.0.1:<port>`` once it listens. Every new session starts with
``--history`` stored entries, so every chat and every ``history`` call of a run sees a
session of the same length. Runs on uvloop when it is installed; JSON is orjson.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

Record = dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _reply(status: int, payload: Any) -> web.Response:
    headers = {"content-type": "application/json", "x-request-id": f"req_{os.urandom(8).hex()}"}
    return web.Response(status=status, body=orjson.dumps(payload), headers=headers)


def _missing(what: str) -> web.Response:
    return _reply(404, {"error": {"message": f"{what} not found", "code": "not_found"}})


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
    """Agents and sessions, each session with its entries."""

    def __init__(self, history: int) -> None:
        self.earlier = _earlier(history)  # every session's first entries: shared, never changed
        self.agents: dict[str, Record] = {}
        self.sessions: dict[str, tuple[Record, list[Record]]] = {}

    async def create_agent(self, request: web.Request) -> web.Response:
        given = orjson.loads(await request.read())
        now = _now()
        agent = {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "about": given.get("about", ""),
                 "model": given.get("model", ""), "instructions": given.get("instructions", []),
                 "default_settings": {}, "default_system_template": "You are {{agent.name}}.",
                 "metadata": given.get("metadata", {}), "name": given["name"],
                 "canonical_name": given["name"].lower()}
        self.agents[agent["id"]] = agent
        return _reply(201, agent)

    async def create_session(self, request: web.Request) -> web.Response:
        given = orjson.loads(await request.read())
        if given.get("agent") not in self.agents:
            return _missing("agent")
        now = _now()
        session = {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "summary": None,
                   "situation": given.get("situation"), "render_templates": True, "token_budget": None,
                   "context_overflow": None, "auto_run_tools": False, "forward_tool_calls": False,
                   "recall_options": None, "metadata": given.get("metadata", {}), "kind": "single_agent_no_user",
                   "agent": given["agent"]}
        self.sessions[session["id"]] = (session, list(self.earlier))
        return _reply(201, session)

    async def chat(self, request: web.Request) -> web.Response:
        found = self.sessions.get(request.match_info["id"])
        if found is None:
            return _missing("session")
        messages = orjson.loads(await request.read())["messages"]
        entries = found[1]
        said = messages[-1]["content"]
        content = f'I read {len(entries) + len(messages) + 1} messages. You said: "{said}"'
        entries.extend(_entry(m["role"], m["content"], "api_request") for m in messages)
        entries.append(_entry("assistant", content, "api_response"))
        prompt_tokens = 4 * len(entries)
        completion_tokens = (len(content) + 3) // 4
        return _reply(201, {
            "id": str(uuid.uuid4()), "created_at": _now(),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "jobs": [], "docs": [],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })

    async def history(self, request: web.Request) -> web.Response:
        found = self.sessions.get(request.match_info["id"])
        if found is None:
            return _missing("session")
        session, entries = found
        limit = int(request.query.get("limit", 0))
        return _reply(200, {"session_id": session["id"], "created_at": session["created_at"],
                            "entries": entries[-limit:] if limit > 0 else entries, "relations": []})


async def serve(port: int, history: int) -> None:
    store = Store(history)
    app = web.Application()
    app.router.add_post("/agents", store.create_agent)
    app.router.add_post("/sessions", store.create_session)
    app.router.add_post("/sessions/{id}/chat", store.chat)
    app.router.add_get("/sessions/{id}/history", store.history)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"http://127.0.0.1:{bound} {type(asyncio.get_running_loop()).__module__}", flush=True)
    await asyncio.Event().wait()


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
