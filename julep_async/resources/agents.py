"""``client.agents``."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .._types import UNSET, Unset, drop_unset
from ..pagination import AsyncPager
from ..types import Agent, ResourceDeleted
from ._base import Resource, check, check_id, check_metadata, list_query
from .docs import AgentDocs

Instructions = str | list[str]
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "about": str, "model": str, "instructions": (str, list), "default_settings": dict,
    "default_system_template": str, "project": str, "canonical_name": str,
}


def _agent_body(fields: dict[str, Any]) -> dict[str, Any]:
    for name, kind in _FIELDS.items():
        if name in fields:
            check(name, fields[name], kind, nullable=True)
    check_metadata("metadata", fields.get("metadata"))
    return drop_unset(fields)


class Agents(Resource):
    @cached_property
    def docs(self) -> AgentDocs:
        return AgentDocs(self._client)

    async def create(
        self, name: str, *, about: str | Unset = UNSET, model: str | Unset = UNSET,
        instructions: Instructions | Unset = UNSET, metadata: dict[str, Any] | Unset = UNSET,
        default_settings: dict[str, Any] | Unset = UNSET, default_system_template: str | Unset = UNSET,
        project: str | Unset = UNSET, canonical_name: str | Unset = UNSET,
    ) -> Agent:
        """Create an agent (``POST /agents``)."""
        check("name", name, str)
        body = _agent_body({
            "name": name, "about": about, "model": model, "instructions": instructions, "metadata": metadata,
            "default_settings": default_settings, "default_system_template": default_system_template,
            "project": project, "canonical_name": canonical_name,
        })
        return await self._client._request("POST", "/agents", body=body, cast_to=Agent)

    async def get(self, agent_id: str) -> Agent:
        return await self._client._request("GET", f"/agents/{check_id(agent_id, 'agents', 'agent_id')}", cast_to=Agent)

    def list(self, *, limit: int = 10, offset: int = 0, sort_by: str = "created_at", direction: str = "desc",
             metadata_filter: dict[str, Any] | None = None) -> AsyncPager[Agent]:
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        return self._client._pager("/agents", query, Agent, limit=limit, offset=offset)

    async def update(
        self, agent_id: str, *, name: str | Unset = UNSET, about: str | Unset = UNSET, model: str | Unset = UNSET,
        instructions: Instructions | Unset = UNSET, metadata: dict[str, Any] | Unset | None = UNSET,
        default_settings: dict[str, Any] | Unset = UNSET, default_system_template: str | Unset = UNSET,
    ) -> Agent:
        """Merge the given fields into the agent (``PATCH``); ``metadata`` merges key by key."""
        path = f"/agents/{check_id(agent_id, 'agents', 'agent_id')}"
        check("name", name, str)
        body = _agent_body({
            "name": name, "about": about, "model": model, "instructions": instructions, "metadata": metadata,
            "default_settings": default_settings, "default_system_template": default_system_template,
        })
        return await self._client._request("PATCH", path, body=body, cast_to=Agent)

    async def delete(self, agent_id: str) -> ResourceDeleted:
        path = f"/agents/{check_id(agent_id, 'agents', 'agent_id')}"
        return await self._client._request("DELETE", path, cast_to=ResourceDeleted)
