"""``/users``: create, read, list, merge (PATCH), replace (PUT), create-or-update, delete."""

from __future__ import annotations

import attrs

from ...types import CreateUserRequest, PatchUserRequest
from .. import merge, records
from ..parse import Call
from .common import Reply, find, page

FIELDS = tuple(a.name for a in attrs.fields(PatchUserRequest))


async def create(call: Call) -> Reply:
    record = records.user(call.wire(CreateUserRequest), id=call.new_id(), now=call.now())
    call.tenant.users[record["id"]] = record
    return 201, record


async def create_or_update(call: Call) -> Reply:
    """``POST /users/{id}``: 201 either way, as the v1 server answers."""
    given = call.wire(CreateUserRequest)
    record = call.tenant.users.get(call.ids[0])
    if record is None:
        record = call.tenant.users[call.ids[0]] = records.user(given, id=call.ids[0], now=call.now())
        return 201, record
    merge.replace(record, given, fields=FIELDS, defaults=records.USER_DEFAULTS)
    record["updated_at"] = call.now()
    return 201, record


async def replace(call: Call) -> Reply:
    given = call.wire(CreateUserRequest)
    record = find(call.tenant.users, call.ids[0], "User")
    merge.replace(record, given, fields=FIELDS, defaults=records.USER_DEFAULTS)
    record["updated_at"] = call.now()
    return 200, record


async def patch(call: Call) -> Reply:
    given = call.wire(PatchUserRequest)
    record = find(call.tenant.users, call.ids[0], "User")
    merge.patch(record, given)
    record["updated_at"] = call.now()
    return 200, record


async def get(call: Call) -> Reply:
    return 200, find(call.tenant.users, call.ids[0], "User")


async def list_users(call: Call) -> Reply:
    return page(list(call.tenant.users.values()), call.list_query())


async def delete(call: Call) -> Reply:
    """The user and its documents go; its sessions stay, as in v1."""
    find(call.tenant.users, call.ids[0], "User")
    del call.tenant.users[call.ids[0]]
    call.tenant.drop_owner(("users", call.ids[0]))
    return 202, records.deleted(call.ids[0], call.now())
