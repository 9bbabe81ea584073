"""``/agents/{id}/tools``: an agent's tools."""

from __future__ import annotations

import attrs

from ...types import CreateToolRequest, PatchToolRequest
from .. import merge, records
from ..parse import Call
from .common import Reply, find, page

FIELDS = tuple(a.name for a in attrs.fields(PatchToolRequest))


def _tools(call: Call) -> dict[str, records.Record]:
    find(call.tenant.agents, call.ids[0], "Agent")
    return call.tenant.tools.setdefault(call.ids[0], {})


async def create(call: Call) -> Reply:
    given = call.wire(CreateToolRequest)
    tools = _tools(call)
    record = records.tool(given, id=call.new_id(), now=call.now())
    tools[record["id"]] = record
    return 201, record


async def list_tools(call: Call) -> Reply:
    return page(list(_tools(call).values()), call.list_query())


async def replace(call: Call) -> Reply:
    given = call.wire(CreateToolRequest)
    record = find(_tools(call), call.ids[1], "Tool")
    merge.replace(record, given, fields=FIELDS, defaults={})
    record["updated_at"] = call.now()
    return 200, record


async def patch(call: Call) -> Reply:
    given = call.wire(PatchToolRequest)
    record = find(_tools(call), call.ids[1], "Tool")
    merge.patch(record, given, merged=())
    record["updated_at"] = call.now()
    return 200, record


async def delete(call: Call) -> Reply:
    tools = _tools(call)
    find(tools, call.ids[1], "Tool")
    del tools[call.ids[1]]
    return 202, records.deleted(call.ids[1], call.now())
