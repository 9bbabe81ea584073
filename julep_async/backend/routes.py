"""The fake backend's endpoints: Julep v1 paths, bodies and statuses, plus the
project's extensions (session documents, ``summarize``, clearing history)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from ..transports.base import Response
from . import context, search
from .answer import Answer, TurnStream
from .clock import format_time
from .store import DocState, Record, SessionState, Tenant

if TYPE_CHECKING:
    from .app import Backend

JSON_HEADERS = {"content-type": "application/json"}
SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}
OVERFLOW = (None, "truncate", "adaptive", "summarize")
ROLES = ("user", "assistant", "system", "tool")
DEFAULT_SYSTEM_TEMPLATE = "You are {{agent.name}}. {{agent.about}}"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Fault(Exception):
    """An error reply: ``{"error": {"message", "code", "type"}}`` with ``status``."""

    def __init__(self, status: int, message: str, *, code: str | None = None, type: str = "http_error"):
        super().__init__(message)
        self.status, self.message = status, message
        self.code, self.type = code or f"http_{status}", type

    def payload(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "code": self.code, "type": self.type}}


def invalid(message: str) -> Fault:
    return Fault(422, message, code="validation_error", type="validation_error")


@attrs.frozen
class Call:
    """One request, parsed: the tenant, the ids in the path, the query and the body."""

    tenant: Tenant
    ids: tuple[str, ...]
    query: dict[str, str]
    body: Any

    def metadata_filter(self) -> dict[str, Any]:
        """``metadata_filter.<key>=<value>`` pairs, values coerced to int, float, else str."""
        return {
            key.removeprefix("metadata_filter."): _coerce(value)
            for key, value in self.query.items()
            if key.startswith("metadata_filter.")
        }

    def field(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        """Body field ``name``, checked to be of ``kind`` (or null)."""
        value = self.body.get(name, default)
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise invalid(f"'{name}' has the wrong type ({type(value).__name__})")
        return value


def _coerce(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


Handler = Callable[["Api", Call], Awaitable["Reply"]]
Reply = tuple[int, Any] | Response
ROUTES: dict[tuple[str, tuple[str, ...]], Handler] = {}
WORDS = frozenset({"agents", "users", "sessions", "docs", "search", "chat", "render", "history"})


def route(method: str, path: str) -> Callable[[Handler], Handler]:
    shape = tuple("*" if part.startswith("{") else part for part in path.strip("/").split("/"))

    def register(handler: Handler) -> Handler:
        ROUTES[method, shape] = handler
        return handler

    return register


def resolve(method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
    """The handler for ``method path`` and the ids in the path.

    An id that names nothing, well-formed or not, is a 404 naming its kind.
    """
    parts = path.strip("/").split("/")
    shape = tuple(part if part in WORDS else "*" for part in parts)
    handler = ROUTES.get((method, shape))
    if handler is None:
        if any(shape == s for (_, s) in ROUTES):
            raise Fault(405, f"{method} is not allowed on {path}")
        raise Fault(404, f"no route for {method} {path}")
    ids = []
    for index, part in enumerate(parts):
        if shape[index] == "*":
            if not _UUID.match(part):
                kind = parts[index - 1].removesuffix("s").title()
                raise Fault(404, f"{kind} {part!r} not found", type=f"{kind}NotFoundError")
            ids.append(part)
    return handler, tuple(ids)


class Api:
    """Route handlers over the backend's state and settings."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.clock = backend.clock

    # -- helpers ------------------------------------------------------------------

    def now(self) -> str:
        return format_time(self.clock.now())

    def deleted(self, id: str) -> tuple[int, Record]:
        return 202, {"id": id, "deleted_at": self.now(), "jobs": []}

    @staticmethod
    def find(table: dict[str, Any], id: str, kind: str) -> Any:
        found = table.get(id)
        if found is None:
            raise Fault(404, f"{kind} {id!r} not found", code="http_404", type=f"{kind}NotFoundError")
        return found

    def session(self, call: Call) -> SessionState:
        state: SessionState = self.find(call.tenant.sessions, call.ids[0], "Session")
        return state

    def owner(self, call: Call, collection: str) -> tuple[str, str]:
        kind = {"agents": "Agent", "users": "User", "sessions": "Session"}[collection]
        self.find(getattr(call.tenant, collection), call.ids[0], kind)
        return collection, call.ids[0]

    def page(self, records: list[Record], call: Call, *, key: str = "created_at") -> tuple[int, Record]:
        limit, offset = _int_param(call.query, "limit", 100), _int_param(call.query, "offset", 0)
        if limit < 1 or offset < 0:
            raise Fault(400, "limit must be at least 1 and offset at least 0")
        sort_by = call.query.get("sort_by", key)
        direction = call.query.get("direction", "desc")
        if sort_by not in ("created_at", "updated_at") or direction not in ("asc", "desc"):
            raise Fault(400, "sort_by must be created_at|updated_at and direction asc|desc")
        wanted = call.metadata_filter()
        chosen = [r for r in records if search.matches(r.get("metadata"), wanted)]
        chosen.sort(key=lambda r: r.get(sort_by) or r["created_at"], reverse=direction == "desc")
        return 200, {"items": chosen[offset : offset + limit]}

    # -- agents and users ---------------------------------------------------------

    @route("POST", "/agents")
    async def create_agent(self, call: Call) -> Reply:
        name = call.field("name", str)
        if not name:
            raise invalid("'name' is required")
        now = self.now()
        agent = {
            "id": self.clock.new_id(), "created_at": now, "updated_at": now, "name": name,
            "about": call.field("about", str, ""), "model": call.field("model", str, ""),
            "instructions": call.field("instructions", (str, list), []),
            "metadata": call.field("metadata", dict, {}),
            "default_settings": call.field("default_settings", dict, {}),
            "default_system_template": call.field("default_system_template", str, DEFAULT_SYSTEM_TEMPLATE),
            "project": call.field("project", str), "canonical_name": call.field("canonical_name", str),
        }
        call.tenant.agents[agent["id"]] = agent
        return 201, agent

    @route("POST", "/users")
    async def create_user(self, call: Call) -> Reply:
        now = self.now()
        user = {
            "id": self.clock.new_id(), "created_at": now, "updated_at": now,
            "name": call.field("name", str, ""), "about": call.field("about", str, ""),
            "metadata": call.field("metadata", dict, {}), "project": call.field("project", str),
        }
        call.tenant.users[user["id"]] = user
        return 201, user

    @route("GET", "/agents/{id}")
    async def get_agent(self, call: Call) -> Reply:
        return 200, self.find(call.tenant.agents, call.ids[0], "Agent")

    @route("GET", "/users/{id}")
    async def get_user(self, call: Call) -> Reply:
        return 200, self.find(call.tenant.users, call.ids[0], "User")

    @route("GET", "/agents")
    async def list_agents(self, call: Call) -> Reply:
        return self.page(list(call.tenant.agents.values()), call)

    @route("GET", "/users")
    async def list_users(self, call: Call) -> Reply:
        return self.page(list(call.tenant.users.values()), call)

    @route("PATCH", "/agents/{id}")
    async def update_agent(self, call: Call) -> Reply:
        agent = self.find(call.tenant.agents, call.ids[0], "Agent")
        return 200, self.merge(agent, call, ("name", "about", "model", "instructions", "default_settings",
                                             "default_system_template", "project", "canonical_name"))

    @route("PATCH", "/users/{id}")
    async def update_user(self, call: Call) -> Reply:
        user = self.find(call.tenant.users, call.ids[0], "User")
        return 200, self.merge(user, call, ("name", "about", "project"))

    @route("DELETE", "/agents/{id}")
    async def delete_agent(self, call: Call) -> Reply:
        return self.remove(call, "agents", "Agent")

    @route("DELETE", "/users/{id}")
    async def delete_user(self, call: Call) -> Reply:
        return self.remove(call, "users", "User")

    def remove(self, call: Call, collection: str, kind: str) -> Reply:
        """DELETE: the record and the documents it owns (its sessions stay, as in Julep v1)."""
        table = getattr(call.tenant, collection)
        self.find(table, call.ids[0], kind)
        del table[call.ids[0]]
        call.tenant.docs.pop((collection, call.ids[0]), None)
        return self.deleted(call.ids[0])

    def merge(self, record: Record, call: Call, fields: tuple[str, ...]) -> Record:
        """PATCH: given fields replace, ``metadata`` merges key by key, null clears."""
        for name in fields:
            if name in call.body:
                record[name] = call.body[name]
        if "metadata" in call.body:
            metadata = call.field("metadata", dict)
            record["metadata"] = {**(record.get("metadata") or {}), **metadata} if metadata else {}
        record["updated_at"] = self.now()
        return record

    # -- sessions -----------------------------------------------------------------

    @route("POST", "/sessions")
    async def create_session(self, call: Call) -> Reply:
        agents = self.participants(call, "agent", "agents", call.tenant.agents, "Agent")
        users = self.participants(call, "user", "users", call.tenant.users, "User")
        if not agents:
            raise Fault(400, "a session needs at least one agent ('agent' or 'agents')")
        settings = self.session_settings(call)
        now = self.now()
        kind = ("single_agent" if len(agents) == 1 else "multi_agent") + (
            "_no_user" if not users else "_single_user" if len(users) == 1 else "_multi_user"
        )
        record = {
            "id": self.clock.new_id(), "created_at": now, "updated_at": now,
            "situation": None, "system_template": None, "summary": None, "render_templates": True,
            "token_budget": None, "context_overflow": None, "auto_run_tools": False,
            "forward_tool_calls": False, "recall_options": None, "metadata": {},
            **settings, "kind": kind, "agents": agents, "users": users,
        }
        call.tenant.sessions[record["id"]] = SessionState(record)
        return 201, record

    def participants(self, call: Call, one: str, many: str, table: dict[str, Record], kind: str) -> list[str]:
        if one in call.body and many in call.body:
            raise Fault(400, f"give '{one}' or '{many}', not both")
        ids = call.body.get(many) if many in call.body else [call.body[one]] if call.body.get(one) else []
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise invalid(f"'{many}' must be a list of ids")
        for id in ids:
            self.find(table, id, kind)
        return list(ids)

    def session_settings(self, call: Call) -> Record:
        checks = {
            "situation": str, "system_template": str, "render_templates": bool, "token_budget": int,
            "context_overflow": str, "auto_run_tools": bool, "forward_tool_calls": bool,
            "recall_options": dict, "metadata": dict,
        }
        settings = {name: call.field(name, kind) for name, kind in checks.items() if name in call.body}
        if settings.get("context_overflow") not in OVERFLOW:
            raise invalid("context_overflow must be one of truncate, adaptive, summarize or null")
        budget = settings.get("token_budget")
        if budget is not None and budget < 1:
            raise invalid("token_budget must be a positive integer or null")
        if "metadata" in settings and settings["metadata"] is None:
            settings["metadata"] = {}
        return settings

    @route("GET", "/sessions/{id}")
    async def get_session(self, call: Call) -> Reply:
        return 200, self.session(call).record

    @route("GET", "/sessions")
    async def list_sessions(self, call: Call) -> Reply:
        agent, user = call.query.get("agent_id"), call.query.get("user_id")
        records = [
            state.record
            for state in call.tenant.sessions.values()
            if (agent is None or agent in state.record["agents"])
            and (user is None or user in state.record["users"])
        ]
        return self.page(records, call)

    @route("PATCH", "/sessions/{id}")
    async def update_session(self, call: Call) -> Reply:
        record = self.session(call).record
        settings = self.session_settings(call)
        metadata = settings.pop("metadata", None)
        record.update(settings)
        if "metadata" in call.body:
            record["metadata"] = {**record["metadata"], **metadata} if metadata else {}
        record["updated_at"] = self.now()
        return 200, record

    @route("DELETE", "/sessions/{id}")
    async def delete_session(self, call: Call) -> Reply:
        return self.remove(call, "sessions", "Session")

    # -- history ------------------------------------------------------------------

    @route("GET", "/sessions/{id}/history")
    async def history(self, call: Call) -> Reply:
        state = self.session(call)
        entries = state.entries
        if before := call.query.get("before"):
            entries = [e for e in entries if e["created_at"] < before]
        limit = _int_param(call.query, "limit", 0)
        if limit > 0:
            entries = entries[-limit:]
        payload = {"session_id": call.ids[0], "created_at": state.record["created_at"],
                   "entries": entries, "relations": []}
        return 200, payload

    @route("DELETE", "/sessions/{id}/history")
    async def clear_history(self, call: Call) -> Reply:
        state = self.session(call)
        async with state.turns():
            state.entries, state.said = [], []
            state.summary = context.Stored()
            state.record["summary"] = None
        return self.deleted(call.ids[0])

    # -- chat and render ----------------------------------------------------------

    @route("POST", "/sessions/{id}/render")
    async def render(self, call: Call) -> Reply:
        state = self.session(call)
        messages = self.chat_messages(call)
        async with state.turns():
            prompt, docs = self.prompt(call, state, messages)
        report = prompt.report(state.record["context_overflow"], state.record["token_budget"],
                               self.backend.context_window)
        return 200, {"messages": prompt.messages, "tools": [], "docs": docs, "context": report}

    @route("POST", "/sessions/{id}/chat")
    async def chat(self, call: Call) -> Reply:
        state = self.session(call)
        messages = self.chat_messages(call)
        stream = call.field("stream", bool, False)
        turn = state.turns()
        try:
            turn.acquire_nowait()
        except anyio.WouldBlock:
            await turn.acquire()
        try:
            prompt, docs = self.prompt(call, state, messages)
        except BaseException:
            turn.release()
            raise
        answer = Answer(self, call, state, messages, prompt, docs)
        if stream:
            return Response(200, SSE_HEADERS, stream=TurnStream(answer.events(), turn.release))
        try:
            return 201, await answer.complete()
        finally:
            turn.release()

    def chat_messages(self, call: Call) -> list[Record]:
        messages = call.body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise invalid("'messages' must be a non-empty list")
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise invalid(f"messages[{index}].role must be one of {', '.join(ROLES)}")
        return messages

    def prompt(self, call: Call, state: SessionState, messages: list[Record]) -> tuple[context.Prompt, list[Record]]:
        record = state.record
        agent = call.tenant.agents.get(record["agents"][0]) if record["agents"] else None
        system = self.system_message(record, agent)
        docs: list[Record] = []
        if call.field("recall", bool, True) and record.get("recall_options") is not None:
            docs = self.recall(call, state, messages)
            if docs:
                listing = "\n".join(f"- {d['title']}: {d['snippet']['content']}" for d in docs)
                system.append({"role": "system", "content": f"Relevant documents:\n{listing}"})
        counter = self.backend.counter
        sizes = [e["token_count"] for e in state.entries] + [context.message_tokens(m, counter) for m in messages[:-1]]
        try:
            prompt = context.build_prompt(
                system, state.said + messages[:-1], messages[-1],
                strategy=record["context_overflow"], token_budget=record["token_budget"],
                window=self.backend.context_window, counter=counter,
                summarizer=self.backend.summarizer, stored=state.summary,
                sizes=sizes,
            )
        except context.PromptTooBig as exc:
            raise Fault(400, str(exc), code="prompt_too_big", type="PromptTooBigError") from None
        return prompt, docs

    @staticmethod
    def system_message(record: Record, agent: Record | None) -> list[Record]:
        parts = []
        if agent is not None:
            parts.append(f"You are {agent['name']}." + (f" {agent['about']}" if agent["about"] else ""))
            instructions = agent["instructions"]
            if instructions:
                lines = [instructions] if isinstance(instructions, str) else instructions
                parts.append("Instructions:\n" + "\n".join(f"- {line}" for line in lines))
        if record.get("system_template") and record["system_template"] != DEFAULT_SYSTEM_TEMPLATE:
            parts.append(record["system_template"])
        if record.get("situation"):
            parts.append(f"Situation: {record['situation']}")
        return [{"role": "system", "content": "\n\n".join(parts)}] if parts else []

    def recall(self, call: Call, state: SessionState, messages: list[Record]) -> list[Record]:
        options = state.record["recall_options"]
        query = " ".join(context.text_of(m.get("content")) for m in messages[-options.get("num_search_messages", 4):])
        owners = [("sessions", call.ids[0]), *(("users", u) for u in state.record["users"]),
                  *(("agents", a) for a in state.record["agents"][:1])]
        return self.search_docs(call.tenant, owners, query, options.get("metadata_filter") or {},
                                options.get("limit", 10))

    # -- docs ---------------------------------------------------------------------

    async def create_doc(self, call: Call, collection: str) -> Reply:
        owner = self.owner(call, collection)
        title, content = call.field("title", str), call.field("content", (str, list))
        if not title or content is None:
            raise invalid("'title' and 'content' are required")
        text = content if isinstance(content, str) else " ".join(map(str, content))
        doc = {
            "id": self.clock.new_id(), "created_at": self.now(), "title": title, "content": content,
            "metadata": call.field("metadata", dict, {}) or {}, "embeddings": None,
        }
        call.tenant.docs_of(owner)[doc["id"]] = DocState(doc, owner, search.Indexed.of(title, text))
        return 201, doc

    async def list_docs(self, call: Call, collection: str) -> Reply:
        owner = self.owner(call, collection)
        return self.page([d.record for d in call.tenant.docs_of(owner).values()], call)

    async def delete_doc(self, call: Call, collection: str) -> Reply:
        docs = call.tenant.docs_of(self.owner(call, collection))
        self.find(docs, call.ids[1], "Doc")
        del docs[call.ids[1]]
        return self.deleted(call.ids[1])

    async def search(self, call: Call, collection: str) -> Reply:
        owner = self.owner(call, collection)
        if isinstance(wrapped := call.body.get("body"), dict):  # the spec's {"body": ...} wrapper
            call = attrs.evolve(call, body=wrapped)
        text = call.field("text", str)
        if not text:
            raise invalid("'text' is required (vector search is not supported by this backend)")
        limit = call.field("limit", int, 10)
        if not 1 <= limit <= 50:
            raise invalid("'limit' must be between 1 and 50")
        started = self.backend.timer()
        found = self.search_docs(call.tenant, [owner], text, call.field("metadata_filter", dict, {}) or {}, limit)
        return 200, {"docs": found, "time": round(self.backend.timer() - started, 6)}

    @staticmethod
    def search_docs(tenant: Tenant, owners: list[tuple[str, str]], text: str,
                    metadata_filter: dict[str, Any], limit: int) -> list[Record]:
        candidates: dict[str, DocState] = {}
        for owner in owners:
            candidates.update(tenant.docs.get(owner, {}))
        ranked = search.rank(text, (
            (doc_id, doc.index) for doc_id, doc in candidates.items()
            if search.matches(doc.record["metadata"], metadata_filter)
        ))
        references = []
        for doc_id, score in ranked[:limit]:
            doc = candidates[doc_id]
            content = doc.record["content"]
            content = content if isinstance(content, str) else " ".join(map(str, content))
            references.append({
                "id": doc_id, "owner": {"id": doc.owner[1], "role": doc.owner[0].removesuffix("s")},
                "title": doc.record["title"], "metadata": doc.record["metadata"],
                "snippet": {"index": 0, "content": search.snippet(content, text)},
                "distance": round(1 / (1 + score), 6),
            })
        return references


for _collection in ("agents", "users", "sessions"):
    _docs = "/docs/search" if _collection == "sessions" else "/search"

    def _bind(method: Callable[..., Awaitable[Reply]], collection: str = _collection) -> Handler:
        async def handler(api: Api, call: Call) -> Reply:
            return await method(api, call, collection)

        return handler

    route("POST", f"/{_collection}/{{id}}/docs")(_bind(Api.create_doc))
    route("GET", f"/{_collection}/{{id}}/docs")(_bind(Api.list_docs))
    route("DELETE", f"/{_collection}/{{id}}/docs/{{doc_id}}")(_bind(Api.delete_doc))
    route("POST", f"/{_collection}/{{id}}{_docs}")(_bind(Api.search))


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        raise Fault(400, f"query parameter {name!r} must be an integer") from None

