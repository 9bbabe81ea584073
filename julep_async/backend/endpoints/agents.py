"""``/agents``: create, read, list, merge (PATCH), replace (PUT), create-or-update, delete."""

from __future__ import annotations

import attrs

from ...types import CreateAgentRequest, PatchAgentRequest
from .. import merge, records
from ..parse import Call
from .common import Reply, find, page

FIELDS = tuple(a.name for a in attrs.fields(PatchAgentRequest))
MODELS = ("julep-fake-echo", "gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022")
"""What ``GET /agents/models`` lists; the fake model answers under any name."""


def _new(call: Call, id: str, given: records.Record) -> records.Record:
    name = given.get("canonical_name") or records.canonical_name(given["name"], call.backend.clock.random)
    record = records.agent(given, id=id, now=call.now(), name=name)
    call.tenant.agents[id] = record
    return record


async def create(call: Call) -> Reply:
    return 201, _new(call, call.new_id(), call.wire(CreateAgentRequest))


async def create_or_update(call: Call) -> Reply:
    """``POST /agents/{id}``: 201 either way, as the v1 server answers."""
    given = call.wire(CreateAgentRequest)
    record = call.tenant.agents.get(call.ids[0])
    if record is None:
        return 201, _new(call, call.ids[0], given)
    merge.replace(record, given, fields=FIELDS, defaults=records.AGENT_DEFAULTS, keep=("canonical_name",))
    record["updated_at"] = call.now()
    return 201, records.normalize_agent(record)


async def replace(call: Call) -> Reply:
    given = call.wire(CreateAgentRequest)
    record = find(call.tenant.agents, call.ids[0], "Agent")
    merge.replace(record, given, fields=FIELDS, defaults=records.AGENT_DEFAULTS, keep=("canonical_name",))
    record["updated_at"] = call.now()
    return 200, records.normalize_agent(record)


async def patch(call: Call) -> Reply:
    given = call.wire(PatchAgentRequest)
    record = find(call.tenant.agents, call.ids[0], "Agent")
    merge.patch(record, given)
    record["updated_at"] = call.now()
    return 200, records.normalize_agent(record)


async def get(call: Call) -> Reply:
    return 200, find(call.tenant.agents, call.ids[0], "Agent")


async def list_agents(call: Call) -> Reply:
    return page(list(call.tenant.agents.values()), call.list_query())


async def delete(call: Call) -> Reply:
    """The agent, its documents and its tools go; its sessions stay, as in v1."""
    find(call.tenant.agents, call.ids[0], "Agent")
    del call.tenant.agents[call.ids[0]]
    call.tenant.drop_owner(("agents", call.ids[0]))
    return 202, records.deleted(call.ids[0], call.now())


async def list_models(call: Call) -> Reply:
    return 200, {"models": [{"id": model} for model in MODELS]}
