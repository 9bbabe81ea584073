"""The official ``julep`` SDK (2.21.0), call by call, against this project's server.

Every method the SDK has on ``client.agents``, ``client.agents.docs``, ``client.users``,
``client.users.docs``, ``client.sessions`` and ``client.docs`` is listed in ``SDK_CALLS``
with the request it sends; ``test_the_table_lists_every_sdk_method`` fails when the
installed SDK has a method the table does not list, and
``test_every_listed_call_has_a_test`` when a listed call has no test here. The
``client.agents.tools`` calls are a separate group, ``TOOL_CALLS``.

Each test makes its call over real HTTP (``julep-async serve`` on 127.0.0.1, one server
for the module, one API key and so one fresh tenant per test) and asserts on the SDK's
own parsed models. The client validates every reply strictly against those models
(``_strict_response_validation=True``), so a reply whose shape the SDK cannot parse
fails as ``APIResponseValidationError`` instead of passing as a half-built object. Each
request and reply is printed, so a failing test shows its exchanges.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from julep_async.backend import Backend
from julep_async.server import running

julep = pytest.importorskip("julep", reason="the official SDK is in the test extra")

from julep.resources.agents.agents import AsyncAgentsResource  # noqa: E402
from julep.resources.agents.docs import AsyncDocsResource as AsyncAgentDocsResource  # noqa: E402
from julep.resources.agents.tools import AsyncToolsResource  # noqa: E402
from julep.resources.docs import AsyncDocsResource  # noqa: E402
from julep.resources.sessions import AsyncSessionsResource  # noqa: E402
from julep.resources.users.docs import AsyncDocsResource as AsyncUserDocsResource  # noqa: E402
from julep.resources.users.users import AsyncUsersResource  # noqa: E402
from julep.types import Agent, ChatResponse, Doc, History, Session, SessionRenderResponse, User  # noqa: E402
from julep.types import agents as agent_types  # noqa: E402
from julep.types import users as user_types  # noqa: E402
from julep.types.session_chat_response import ChunkChatResponse  # noqa: E402

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]

# -- the surface -------------------------------------------------------------------------

# Every method the official SDK 2.21.0 has on these resources -> the request it sends.
SDK_CALLS: dict[str, str] = {
    "agents.create": "POST /agents",
    "agents.get": "GET /agents/{agent_id}",
    "agents.list": "GET /agents",
    "agents.update": "PATCH /agents/{agent_id}",
    "agents.reset": "PUT /agents/{agent_id}",
    "agents.create_or_update": "POST /agents/{agent_id}",
    "agents.delete": "DELETE /agents/{agent_id}",
    "agents.list_models": "GET /agents/models",
    "agents.docs.create": "POST /agents/{agent_id}/docs",
    "agents.docs.list": "GET /agents/{agent_id}/docs",
    "agents.docs.search": "POST /agents/{agent_id}/search",
    "agents.docs.delete": "DELETE /agents/{agent_id}/docs/{doc_id}",
    "agents.docs.bulk_delete": "DELETE /agents/{agent_id}/docs",
    "users.create": "POST /users",
    "users.get": "GET /users/{user_id}",
    "users.list": "GET /users",
    "users.update": "PATCH /users/{user_id}",
    "users.reset": "PUT /users/{user_id}",
    "users.create_or_update": "POST /users/{user_id}",
    "users.delete": "DELETE /users/{user_id}",
    "users.docs.create": "POST /users/{user_id}/docs",
    "users.docs.list": "GET /users/{user_id}/docs",
    "users.docs.search": "POST /users/{user_id}/search",
    "users.docs.delete": "DELETE /users/{user_id}/docs/{doc_id}",
    "users.docs.bulk_delete": "DELETE /users/{user_id}/docs",
    "sessions.create": "POST /sessions",
    "sessions.get": "GET /sessions/{session_id}",
    "sessions.list": "GET /sessions",
    "sessions.update": "PATCH /sessions/{session_id}",
    "sessions.reset": "PUT /sessions/{session_id}",
    "sessions.create_or_update": "POST /sessions/{session_id}",
    "sessions.delete": "DELETE /sessions/{session_id}",
    "sessions.chat": "POST /sessions/{session_id}/chat",
    "sessions.render": "POST /sessions/{session_id}/render",
    "sessions.history": "GET /sessions/{session_id}/history",
    "docs.get": "GET /docs/{doc_id}",
    "docs.embed": "POST /embed",
}

# Agent tools, kept apart: they are beyond the agents/users/sessions/docs count of the wire-schema issue.
TOOL_CALLS: dict[str, str] = {
    "agents.tools.create": "POST /agents/{agent_id}/tools",
    "agents.tools.list": "GET /agents/{agent_id}/tools",
    "agents.tools.update": "PATCH /agents/{agent_id}/tools/{tool_id}",
    "agents.tools.reset": "PUT /agents/{agent_id}/tools/{tool_id}",
    "agents.tools.delete": "DELETE /agents/{agent_id}/tools/{tool_id}",
}

RESOURCES: dict[str, type] = {
    "agents": AsyncAgentsResource,
    "agents.docs": AsyncAgentDocsResource,
    "users": AsyncUsersResource,
    "users.docs": AsyncUserDocsResource,
    "sessions": AsyncSessionsResource,
    "docs": AsyncDocsResource,
}
TOOL_RESOURCES: dict[str, type] = {"agents.tools": AsyncToolsResource}

# call name -> the tests that make it
COVERED: dict[str, list[str]] = {}

def covers(*calls: str) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Record that the decorated test makes each of ``calls``."""
    def mark(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        for call in calls:
            assert call in SDK_CALLS or call in TOOL_CALLS, call
            COVERED.setdefault(call, []).append(test.__name__)
        return test
    return mark


def sdk_methods(resources: dict[str, type]) -> set[str]:
    """The public methods the installed SDK defines on ``resources`` (sub-resources and
    ``with_raw_response`` are properties, not methods)."""
    return {f"{prefix}.{name}" for prefix, cls in resources.items()
            for name, value in vars(cls).items() if not name.startswith("_") and inspect.isfunction(value)}


def test_the_table_lists_every_sdk_method() -> None:
    assert julep.__version__ == "2.21.0"
    assert sdk_methods(RESOURCES) == set(SDK_CALLS)
    assert len(SDK_CALLS) == 37
    assert sdk_methods(TOOL_RESOURCES) == set(TOOL_CALLS)


def test_the_table_says_what_each_call_sends() -> None:
    """Each row's method and path are the ones in the SDK method's own source."""
    for call, wire in {**SDK_CALLS, **TOOL_CALLS}.items():
        prefix, name = call.rsplit(".", 1)
        source = inspect.getsource(getattr({**RESOURCES, **TOOL_RESOURCES}[prefix], name))
        verb, path = wire.split(" ")
        sends = [f"self._{verb.lower()}("] + (["self._get_api_list("] if verb == "GET" else [])
        assert any(s in source for s in sends), (call, verb)
        assert f'"{path}"' in source, (call, path)


def test_every_listed_call_has_a_test() -> None:
    assert set(COVERED) == set(SDK_CALLS) | set(TOOL_CALLS)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[str]:
    """One server for the module; any API key is accepted and each key is its own tenant."""
    async with running(Backend()) as url:
        yield url


async def _show_request(request: httpx.Request) -> None:
    body = request.content.decode() if request.content else ""
    print(f"--> {request.method} {request.url.raw_path.decode()} {body}")


async def _show_response(response: httpx.Response) -> None:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        print(f"<-- {response.status_code} (event stream)")
        return
    await response.aread()
    print(f"<-- {response.status_code} {response.text}")


@pytest.fixture(scope="module")
async def sdk(server: str) -> AsyncIterator[Any]:
    """The official client for the module: strict, no retries, every exchange printed."""
    http = julep.DefaultAsyncHttpxClient(event_hooks={"request": [_show_request], "response": [_show_response]})
    async with julep.AsyncJulep(api_key="module-key", base_url=server, max_retries=0, http_client=http,
                                _strict_response_validation=True) as official:
        yield official


@pytest.fixture
def client(sdk: Any) -> Any:
    """The module's client with a key of its own (one connection pool), so every test starts empty."""
    return sdk.copy(api_key=f"key-{uuid.uuid4()}")


AGENT = {"name": "Research Assistant", "about": "Finds and summarises papers", "model": "gpt-4o-mini",
         "instructions": ["Cite your sources.", "Answer briefly."], "metadata": {"team": "research"}}
USER = {"name": "Ada Lovelace", "about": "Mathematician", "metadata": {"team": "research"}}
FIELDS = {"agents": AGENT, "users": USER}


@pytest.fixture
async def agent(client: Any) -> Agent:
    return await client.agents.create(**AGENT)


@pytest.fixture
async def user(client: Any) -> User:
    return await client.users.create(**USER)


@pytest.fixture
async def session(client: Any, agent: Agent, user: User) -> Session:
    return await client.sessions.create(agent=agent.id, user=user.id, situation="A physics tutorial",
                                        metadata={"channel": "web"})


@pytest.fixture(params=["agents", "users"])
def kind(request: pytest.FixtureRequest) -> str:
    """agents or users: the two owner kinds, whose calls mirror each other."""
    return str(request.param)


@pytest.fixture
async def owner(client: Any, kind: str) -> str:
    """The id of a fresh agent or user, for the ``{kind}.docs`` calls."""
    created = await getattr(client, kind).create(**FIELDS[kind])
    return str(created.id)


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def aware(value: datetime) -> bool:
    return value.tzinfo is not None


async def ids_of(page: Any) -> list[str]:
    return [item.id for item in (await page).items]


async def walk(page: Any) -> list[str]:
    """Every id, fetching pages through the SDK's own auto-pagination."""
    return [item.id async for item in page]


# -- agents and users --------------------------------------------------------------------


@covers("agents.create", "users.create")
async def test_create(client: Any, kind: str) -> None:
    fields = FIELDS[kind]
    created = await getattr(client, kind).create(**fields)
    assert isinstance(created, Agent if kind == "agents" else User)
    assert is_uuid(created.id) and aware(created.created_at) and aware(created.updated_at)
    for field, value in fields.items():
        assert getattr(created, field) == value, field
    minimal = await getattr(client, kind).create(name="Minimal")  # the SDK requires only the name
    assert minimal.name == "Minimal" and minimal.id != created.id


@covers("agents.get", "users.get")
async def test_get(client: Any, kind: str) -> None:
    created = await getattr(client, kind).create(**FIELDS[kind])
    got = await getattr(client, kind).get(created.id)
    assert got == created
    with pytest.raises(julep.NotFoundError):
        await getattr(client, kind).get(str(uuid.uuid4()))


@covers("agents.list", "users.list")
async def test_list(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    made = [await resource.create(**{**FIELDS[kind], "metadata": {"team": team}}) for team in ("a", "b", "a")]
    ids = [m.id for m in made]

    oldest_first = await ids_of(resource.list(sort_by="created_at", direction="asc"))
    assert oldest_first == ids
    assert await ids_of(resource.list(sort_by="created_at", direction="desc")) == ids[::-1]
    assert await ids_of(resource.list(limit=2, sort_by="created_at", direction="asc")) == ids[:2]
    assert await ids_of(resource.list(limit=2, offset=2, sort_by="created_at", direction="asc")) == ids[2:]
    assert sorted(await ids_of(resource.list(metadata_filter={"team": "a"}))) == sorted([ids[0], ids[2]])
    assert await walk(resource.list(limit=1, sort_by="created_at", direction="asc")) == ids


@covers("agents.update", "users.update")
async def test_update_patches(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    created = await resource.create(**FIELDS[kind])
    updated = await resource.update(created.id, about="Now retired", metadata={"year": 1843})
    assert updated.id == created.id
    assert updated.about == "Now retired"
    assert updated.name == created.name  # untouched fields stay
    assert updated.metadata == {"team": "research", "year": 1843}  # metadata merges
    assert updated.updated_at >= created.updated_at
    assert await resource.get(created.id) == updated


@covers("agents.reset", "users.reset")
async def test_reset_replaces_every_field(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    created = await resource.create(**FIELDS[kind])
    reset = await resource.reset(created.id, name="Replacement", metadata={"year": 1843})
    assert reset.id == created.id and reset.name == "Replacement"
    assert reset.metadata == {"year": 1843}  # replaced, not merged
    assert not reset.about  # a field the PUT left out is back to its default
    if kind == "agents":
        assert not reset.instructions
    assert await resource.get(created.id) == reset


@covers("agents.create_or_update", "users.create_or_update")
async def test_create_or_update_creates_a_new_id(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    new_id = str(uuid.uuid4())
    created = await resource.create_or_update(new_id, **FIELDS[kind])
    assert created.id == new_id and created.name == FIELDS[kind]["name"]
    assert await resource.get(new_id) == created


@covers("agents.create_or_update", "users.create_or_update")
async def test_create_or_update_updates_an_existing_id(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    created = await resource.create(**FIELDS[kind])
    again = await resource.create_or_update(created.id, name="Renamed", about="Updated in place")
    assert again.id == created.id and again.name == "Renamed" and again.about == "Updated in place"
    assert await ids_of(resource.list()) == [created.id]  # updated, not duplicated


@covers("agents.delete", "users.delete")
async def test_delete(client: Any, kind: str) -> None:
    resource = getattr(client, kind)
    created = await resource.create(**FIELDS[kind])
    deleted = await resource.delete(created.id)
    assert deleted.id == created.id and aware(deleted.deleted_at)
    with pytest.raises(julep.NotFoundError):
        await resource.get(created.id)
    assert await ids_of(resource.list()) == []


@covers("agents.list_models")
async def test_agents_list_models(client: Any) -> None:
    listed = await client.agents.list_models()
    assert listed.models, "no models listed"
    assert all(isinstance(model.id, str) and model.id for model in listed.models)


# -- agent and user docs -----------------------------------------------------------------


def docs_of(client: Any, kind: str) -> Any:
    return getattr(client, kind).docs


@covers("agents.docs.create", "users.docs.create")
async def test_docs_create(client: Any, kind: str, owner: str) -> None:
    doc = await docs_of(client, kind).create(owner, title="Qubits", content="A qubit is a quantum bit.",
                                             metadata={"kind": "note"})
    assert isinstance(doc, Doc)
    assert is_uuid(doc.id) and aware(doc.created_at)
    assert (doc.title, doc.content, doc.metadata) == ("Qubits", "A qubit is a quantum bit.", {"kind": "note"})
    parts = await docs_of(client, kind).create(owner, title="Gates", content=["Hadamard", "CNOT"])
    assert parts.content == ["Hadamard", "CNOT"]


@covers("agents.docs.list", "users.docs.list")
async def test_docs_list(client: Any, kind: str, owner: str) -> None:
    docs = docs_of(client, kind)
    made = [await docs.create(owner, title=f"Doc {n}", content=f"Text {n}", metadata={"kind": k})
            for n, k in enumerate(["note", "faq", "note"])]
    ids = [d.id for d in made]
    assert await ids_of(docs.list(owner, sort_by="created_at", direction="asc")) == ids
    assert await ids_of(docs.list(owner, limit=2, sort_by="created_at", direction="asc")) == ids[:2]
    assert await ids_of(docs.list(owner, limit=2, offset=2, sort_by="created_at", direction="asc")) == ids[2:]
    assert sorted(await ids_of(docs.list(owner, metadata_filter={"kind": "note"}))) == sorted([ids[0], ids[2]])
    assert await walk(docs.list(owner, limit=1, sort_by="created_at", direction="asc")) == ids
    first = (await docs.list(owner, limit=1, sort_by="created_at", direction="asc")).items[0]
    assert (first.title, first.content, first.metadata) == ("Doc 0", "Text 0", {"kind": "note"})


@covers("agents.docs.search", "users.docs.search")
async def test_docs_search(client: Any, kind: str, owner: str) -> None:
    docs = docs_of(client, kind)
    qubit = await docs.create(owner, title="Qubits", content="A qubit is a quantum bit.", metadata={"kind": "note"})
    await docs.create(owner, title="Qubits, again", content="Qubits decohere.", metadata={"kind": "draft"})
    await docs.create(owner, title="Bread", content="Flour, water, salt.", metadata={"kind": "note"})
    found = await docs.search(owner, text="qubit", metadata_filter={"kind": "note"}, limit=5)
    assert isinstance(found, (agent_types if kind == "agents" else user_types).DocSearchResponse)
    assert found.time >= 0
    assert [ref.id for ref in found.docs] == [qubit.id]
    ref = found.docs[0]
    assert ref.title == "Qubits" and "qubit" in ref.snippet.content
    assert ref.owner.id == owner and ref.owner.role == kind[:-1]


@covers("agents.docs.delete", "users.docs.delete")
async def test_docs_delete(client: Any, kind: str, owner: str) -> None:
    docs = docs_of(client, kind)
    kept = await docs.create(owner, title="Keep", content="kept")
    gone = await docs.create(owner, title="Drop", content="dropped")
    deleted = await docs.delete(gone.id, **{f"{kind[:-1]}_id": owner})
    assert deleted.id == gone.id and aware(deleted.deleted_at)
    assert await ids_of(docs.list(owner)) == [kept.id]


@covers("agents.docs.bulk_delete", "users.docs.bulk_delete")
async def test_docs_bulk_delete_by_metadata_filter(client: Any, kind: str, owner: str) -> None:
    docs = docs_of(client, kind)
    drafts = [await docs.create(owner, title=f"Draft {n}", content="wip", metadata={"kind": "draft"})
              for n in range(2)]
    final = await docs.create(owner, title="Final", content="done", metadata={"kind": "final"})
    deleted = await docs.bulk_delete(owner, metadata_filter={"kind": "draft"})
    assert sorted(item.id for item in deleted) == sorted(d.id for d in drafts)
    assert all(aware(item.deleted_at) for item in deleted)
    assert await ids_of(docs.list(owner)) == [final.id]


@covers("agents.docs.bulk_delete", "users.docs.bulk_delete")
async def test_docs_bulk_delete_all(client: Any, kind: str, owner: str) -> None:
    docs = docs_of(client, kind)
    made = [await docs.create(owner, title=f"Doc {n}", content="text", metadata={"n": n}) for n in range(3)]
    deleted = await docs.bulk_delete(owner, delete_all=True)
    assert sorted(item.id for item in deleted) == sorted(d.id for d in made)
    assert await ids_of(docs.list(owner)) == []


# -- top-level docs ----------------------------------------------------------------------


@covers("docs.get")
async def test_docs_get(client: Any, agent: Agent) -> None:
    created = await client.agents.docs.create(agent.id, title="Qubits", content="A qubit is a quantum bit.",
                                              metadata={"kind": "note"})
    got = await client.docs.get(created.id)
    assert isinstance(got, Doc)
    assert (got.id, got.title, got.content, got.metadata) == (created.id, "Qubits", created.content, {"kind": "note"})
    await client.agents.docs.delete(created.id, agent_id=agent.id)
    with pytest.raises(julep.NotFoundError):
        await client.docs.get(created.id)


@covers("docs.embed")
async def test_docs_embed(client: Any) -> None:
    one = await client.docs.embed(text="A qubit is a quantum bit.")
    assert len(one.vectors) == 1 and one.vectors[0] and all(isinstance(x, float) for x in one.vectors[0])
    two = await client.docs.embed(text=["qubit", "bread"], embed_instruction="Represent the word")
    assert len(two.vectors) == 2 and len(two.vectors[0]) == len(two.vectors[1]) == len(one.vectors[0])


# -- sessions ----------------------------------------------------------------------------


@covers("sessions.create")
async def test_sessions_create(client: Any, agent: Agent, user: User) -> None:
    created = await client.sessions.create(
        agent=agent.id, user=user.id, situation="A physics tutorial", system_template="You are {{agent.name}}.",
        token_budget=4000, context_overflow="adaptive", render_templates=True, metadata={"channel": "web"})
    assert isinstance(created, Session)
    assert is_uuid(created.id) and aware(created.created_at)
    assert created.situation == "A physics tutorial"
    assert created.system_template == "You are {{agent.name}}."
    assert (created.token_budget, created.context_overflow) == (4000, "adaptive")
    assert created.metadata == {"channel": "web"}


@covers("sessions.get")
async def test_sessions_get(client: Any, session: Session) -> None:
    assert await client.sessions.get(session.id) == session
    with pytest.raises(julep.NotFoundError):
        await client.sessions.get(str(uuid.uuid4()))


@covers("sessions.list")
async def test_sessions_list(client: Any, agent: Agent) -> None:
    made = [await client.sessions.create(agent=agent.id, metadata={"channel": channel})
            for channel in ("web", "sms", "web")]
    ids = [s.id for s in made]
    assert await ids_of(client.sessions.list(sort_by="created_at", direction="asc")) == ids
    assert await ids_of(client.sessions.list(sort_by="created_at", direction="desc")) == ids[::-1]
    assert await ids_of(client.sessions.list(limit=2, sort_by="created_at", direction="asc")) == ids[:2]
    assert await ids_of(client.sessions.list(limit=2, offset=2, sort_by="created_at", direction="asc")) == ids[2:]
    assert sorted(await ids_of(client.sessions.list(metadata_filter={"channel": "web"}))) == sorted([ids[0], ids[2]])
    assert await walk(client.sessions.list(limit=1, sort_by="created_at", direction="asc")) == ids


@covers("sessions.update")
async def test_sessions_update_patches(client: Any, session: Session) -> None:
    updated = await client.sessions.update(session.id, metadata={"topic": "qubits"}, token_budget=2000)
    assert updated.id == session.id
    assert updated.metadata == {"channel": "web", "topic": "qubits"}  # merged
    assert updated.token_budget == 2000
    assert updated.situation == "A physics tutorial"  # untouched
    assert await client.sessions.get(session.id) == updated


@covers("sessions.reset")
async def test_sessions_reset_replaces_every_field(client: Any, session: Session) -> None:
    reset = await client.sessions.reset(session.id, situation="A chemistry tutorial", metadata={"topic": "acids"})
    assert reset.id == session.id
    assert reset.situation == "A chemistry tutorial"
    assert reset.metadata == {"topic": "acids"}  # replaced, not merged
    assert await client.sessions.get(session.id) == reset


@covers("sessions.create_or_update")
async def test_sessions_create_or_update_creates_a_new_id(client: Any, agent: Agent) -> None:
    new_id = str(uuid.uuid4())
    created = await client.sessions.create_or_update(new_id, agent=agent.id, situation="Fresh",
                                                     metadata={"channel": "web"})
    assert created.id == new_id and created.situation == "Fresh"
    assert await client.sessions.get(new_id) == created


@covers("sessions.create_or_update")
async def test_sessions_create_or_update_updates_an_existing_id(client: Any, agent: Agent, session: Session) -> None:
    again = await client.sessions.create_or_update(session.id, agent=agent.id, situation="Revised")
    assert again.id == session.id and again.situation == "Revised"
    assert await ids_of(client.sessions.list()) == [session.id]


@covers("sessions.delete")
async def test_sessions_delete(client: Any, session: Session) -> None:
    deleted = await client.sessions.delete(session.id)
    assert deleted.id == session.id and aware(deleted.deleted_at)
    with pytest.raises(julep.NotFoundError):
        await client.sessions.get(session.id)
    with pytest.raises(julep.NotFoundError):
        await client.sessions.chat(session.id, messages=[{"role": "user", "content": "Still there?"}])


@covers("sessions.chat")
async def test_sessions_chat(client: Any, session: Session) -> None:
    reply = await client.sessions.chat(session.id, messages=[{"role": "user", "content": "What is a qubit?"}],
                                       temperature=0.2, max_tokens=200)
    assert isinstance(reply, ChatResponse)
    assert reply.id and aware(reply.created_at)
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"  # type: ignore[union-attr]
    assert "What is a qubit?" in choice.message.content  # type: ignore[union-attr,operator]
    history = await client.sessions.history(session.id)
    assert [(e.role, e.content) for e in history.entries][:1] == [("user", "What is a qubit?")]


@covers("sessions.chat")
async def test_sessions_chat_streams(client: Any, session: Session) -> None:
    stream = await client.sessions.chat(session.id, messages=[{"role": "user", "content": "What is a qubit?"}],
                                        stream=True)
    chunks = [chunk async for chunk in stream]
    assert chunks and all(isinstance(chunk, ChunkChatResponse) for chunk in chunks)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)  # type: ignore[misc]
    assert "What is a qubit?" in text
    roles = [e.role for e in (await client.sessions.history(session.id)).entries]
    assert sorted(roles) == ["assistant", "user"]


@covers("sessions.render")
async def test_sessions_render(client: Any, session: Session) -> None:
    rendered = await client.sessions.render(session.id, messages=[{"role": "user", "content": "What is a qubit?"}])
    assert isinstance(rendered, SessionRenderResponse)
    assert rendered.messages[-1].role == "user" and rendered.messages[-1].content == "What is a qubit?"
    assert rendered.messages[0].role == "system"
    assert (await client.sessions.history(session.id)).entries == []  # render saves nothing


@covers("sessions.history")
async def test_sessions_history(client: Any, session: Session) -> None:
    for question in ("What is a qubit?", "And a qutrit?"):
        await client.sessions.chat(session.id, messages=[{"role": "user", "content": question}])
    history = await client.sessions.history(session.id)
    assert isinstance(history, History)
    assert history.session_id == session.id and aware(history.created_at)
    entries = sorted(history.entries, key=lambda e: e.created_at)
    assert [e.role for e in entries] == ["user", "assistant", "user", "assistant"]
    assert [e.content for e in entries if e.role == "user"] == ["What is a qubit?", "And a qutrit?"]
    assert history.relations == []


# -- agent tools --------------------------------------------------------------

WEATHER = {
    "name": "get_weather",
    "type": "function",
    "description": "The current weather in a city",
    "function": {"name": "get_weather", "description": "The current weather in a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
}


@covers("agents.tools.create")
async def test_tools_create(client: Any, agent: Agent) -> None:
    tool = await client.agents.tools.create(agent.id, **WEATHER)
    assert is_uuid(tool.id) and tool.name == "get_weather" and tool.type == "function"
    assert tool.function.parameters == WEATHER["function"]["parameters"]  # type: ignore[index]


@covers("agents.tools.list")
async def test_tools_list(client: Any, agent: Agent) -> None:
    made = [await client.agents.tools.create(agent.id, **{**WEATHER, "name": name}) for name in ("a", "b", "c")]
    ids = [t.id for t in made]
    assert await ids_of(client.agents.tools.list(agent.id, sort_by="created_at", direction="asc")) == ids
    assert await ids_of(client.agents.tools.list(agent.id, limit=2, offset=1, sort_by="created_at",
                                                 direction="asc")) == ids[1:]
    assert await walk(client.agents.tools.list(agent.id, limit=1, sort_by="created_at", direction="asc")) == ids


@covers("agents.tools.update")
async def test_tools_update_patches(client: Any, agent: Agent) -> None:
    tool = await client.agents.tools.create(agent.id, **WEATHER)
    updated = await client.agents.tools.update(tool.id, agent_id=agent.id, description="Weather, in Celsius")
    assert updated.id == tool.id and updated.description == "Weather, in Celsius"
    assert updated.name == "get_weather" and updated.function == tool.function


@covers("agents.tools.reset")
async def test_tools_reset_replaces_every_field(client: Any, agent: Agent) -> None:
    tool = await client.agents.tools.create(agent.id, **WEATHER)
    reset = await client.agents.tools.reset(tool.id, agent_id=agent.id, name="get_time", type="function",
                                            function={"name": "get_time"})
    assert reset.id == tool.id and reset.name == "get_time" and not reset.description


@covers("agents.tools.delete")
async def test_tools_delete(client: Any, agent: Agent) -> None:
    tool = await client.agents.tools.create(agent.id, **WEATHER)
    deleted = await client.agents.tools.delete(tool.id, agent_id=agent.id)
    assert deleted.id == tool.id
    assert await ids_of(client.agents.tools.list(agent.id)) == []


async def test_tool_call_round_trip(client: Any, session: Session) -> None:
    tools = [WEATHER]
    ask = await client.sessions.chat(
        session.id, messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=tools, tool_choice={"function": {"name": "get_weather"}})
    choice = ask.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[union-attr,index]
    assert call.function.name == "get_weather" and call.id
    assert "city" in json.loads(call.function.arguments)
    answer = await client.sessions.chat(
        session.id, tools=tools,
        messages=[{"role": "tool", "tool_call_id": call.id, "content": json.dumps({"celsius": 18})}])
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.role == "assistant" and answer.choices[0].message.content


# -- auth --------------------------------------------------------------------------------


async def test_official_sdk_is_refused_without_a_listed_key() -> None:
    async with (
        running(Backend(api_keys=["right-key"])) as url,
        julep.AsyncJulep(api_key="wrong-key", base_url=url, max_retries=0) as sdk,
    ):
        with pytest.raises(julep.PermissionDeniedError):
            await sdk.agents.list()
