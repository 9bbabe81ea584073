"""``/sessions``: create, read, list, merge (PATCH), replace (PUT), create-or-update, delete."""

from __future__ import annotations

from typing import Any, cast

import attrs

from ..._ids import canonical_id
from ...converter import to_wire
from ...types import CreateSessionRequest, PatchSessionRequest, RecallOptions, UpdateSessionRequest
from .. import merge, records
from ..faults import Fault
from ..parse import Call
from ..store import SessionState
from .common import Reply, find, page, session

SETTINGS = tuple(a.name for a in attrs.fields(UpdateSessionRequest))


def _ids(call: Call, given: records.Record, one: str, kind: str) -> list[str]:
    """The participants of one kind a body names (``agent`` or ``agents``), each checked to exist."""
    many = f"{one}s"
    if one in given and many in given:
        raise Fault(400, f"give {one!r} or {many!r}, not both")
    named = [given[one]] if one in given else list(given.get(many, []))
    table = call.tenant.agents if one == "agent" else call.tenant.users
    found = []
    for id in named:
        canonical = canonical_id(id) or id
        find(table, canonical, kind)
        if canonical not in found:
            found.append(canonical)
    return found


def _agents(call: Call, given: records.Record) -> list[str]:
    agents = _ids(call, given, "agent", "Agent")
    if not agents:
        raise Fault(400, "a session needs at least one agent ('agent' or 'agents')")
    return agents


def _settings(record: records.Record, given: records.Record) -> None:
    """PUT semantics for a session's settings."""
    merge.replace(record, given, fields=SETTINGS, defaults=records.SESSION_DEFAULTS)
    record["recall_options"] = records.recall_options(record["recall_options"])
    record["auto_run_tools"] = False  # not persisted by the v1 server: it always reads false


def _create(call: Call, id: str, given: records.Record) -> records.Record:
    agents, users = _agents(call, given), _ids(call, given, "user", "User")
    record = records.session(given, id=id, now=call.now(), agents=agents, users=users)
    call.tenant.sessions[id] = SessionState(record, agents, users)
    return record


async def create(call: Call) -> Reply:
    return 201, _create(call, call.new_id(), call.wire(CreateSessionRequest))


async def create_or_update(call: Call) -> Reply:
    """``POST /sessions/{id}``: replaces the settings and adds new participants (never
    removes one), or creates the session; 201 either way, as the v1 server answers."""
    given = call.wire(CreateSessionRequest)
    state = call.tenant.sessions.get(call.ids[0])
    if state is None:
        return 201, _create(call, call.ids[0], given)
    agents, users = _agents(call, given), _ids(call, given, "user", "User")
    state.agents += [a for a in agents if a not in state.agents]
    state.users += [u for u in users if u not in state.users]
    _settings(state.record, given)
    records.participants(state.record, state.agents, state.users)
    state.record["updated_at"] = call.now()
    return 201, state.record


async def replace(call: Call) -> Reply:
    given = call.wire(UpdateSessionRequest)
    state = session(call)
    _settings(state.record, given)
    state.record["updated_at"] = call.now()
    return 200, state.record


async def patch(call: Call) -> Reply:
    """Given settings replace, ``null`` leaves one as it is; ``metadata`` and
    ``recall_options`` merge key by key (a ``mode`` left out keeps the stored one)."""
    given = call.wire(PatchSessionRequest)
    state = session(call)
    record = state.record
    options = given.pop("recall_options", None)
    merge.patch(record, given)
    if options is not None:
        merged: dict[str, Any] = {**(record["recall_options"] or {}), **options}
        checked: Any = call.structure(merged, cast(Any, RecallOptions), "recall_options")
        record["recall_options"] = records.recall_options(to_wire(checked))
    record["auto_run_tools"] = False
    record["updated_at"] = call.now()
    return 200, record


async def get(call: Call) -> Reply:
    return 200, session(call).record


async def list_sessions(call: Call) -> Reply:
    """Sessions, optionally of one agent (``agent_id``) and/or user (``user_id``): query
    parameters this backend honours and a v1 server ignores."""
    query = call.list_query()
    agent, user = (canonical_id(call.query[name]) or call.query[name] if name in call.query else None
                   for name in ("agent_id", "user_id"))
    chosen = [state.record for state in call.tenant.sessions.values()
              if (agent is None or agent in state.agents) and (user is None or user in state.users)]
    return page(chosen, query)


async def delete(call: Call) -> Reply:
    """The session, its history and its documents go."""
    session(call)
    del call.tenant.sessions[call.ids[0]]
    call.tenant.drop_owner(("sessions", call.ids[0]))
    return 202, records.deleted(call.ids[0], call.now())
