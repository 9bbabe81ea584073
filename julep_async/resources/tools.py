"""``client.agents.tools``: the tools an agent can call in its sessions' chats."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .._types import RequestOptions
from ..converter import build
from ..pagination import AsyncPager
from ..types import CreateToolRequest, Direction, PatchToolRequest, ResourceDeleted, SortBy, Tool, ToolType
from ..types.tools import ToolFields
from ._base import Resource, check_id, list_query, split_options

if TYPE_CHECKING:
    from ._raw import AgentToolsWithRawResponse



class ToolArgs(ToolFields, RequestOptions, total=False):
    """A tool's optional fields and the per-call options."""


class ToolPatchArgs(ToolArgs, total=False):
    """The fields :meth:`AgentTools.update` can change, ``name`` and ``type`` among them."""

    name: str
    type: ToolType


class AgentTools(Resource):

    @cached_property
    def with_raw_response(self) -> AgentToolsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import AgentToolsWithRawResponse

        return AgentToolsWithRawResponse(self)

    @staticmethod
    def _path(agent_id: Any, tool_id: Any = None) -> str:
        path = f"/agents/{check_id(agent_id, 'agents', 'agent_id')}/tools"
        return path if tool_id is None else f"{path}/{check_id(tool_id, 'tools', 'tool_id')}"

    async def create(self, agent_id: str, *, name: str, type: ToolType, **args: Unpack[ToolArgs]) -> Tool:
        """Give the agent a tool; pass the definition that matches ``type`` (``function=...``
        for a function tool: ``{"description", "parameters"}``, a JSON Schema)."""
        fields, options = split_options(args)
        body = build(CreateToolRequest, name=name, type=type, **fields)
        return await self._client._request("POST", self._path(agent_id), body=body, cast_to=Tool, options=options)

    def list(self, agent_id: str, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at",
             direction: Direction = "desc", **options: Unpack[RequestOptions]) -> AsyncPager[Tool]:
        """The agent's tools, newest first by default."""
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction, metadata_filter=None)
        return self._client._pager(self._path(agent_id), query, Tool, limit=limit, offset=offset, options=options)

    async def update(self, agent_id: str, tool_id: str, **args: Unpack[ToolPatchArgs]) -> Tool:
        """Change the given fields of a tool (``PATCH``)."""
        fields, options = split_options(args)
        body = build(PatchToolRequest, **fields)
        return await self._client._request("PATCH", self._path(agent_id, tool_id), body=body, cast_to=Tool,
                                           options=options)

    async def reset(self, agent_id: str, tool_id: str, *, name: str, type: ToolType,
                    **args: Unpack[ToolArgs]) -> Tool:
        """Replace a tool's every field (``PUT``)."""
        fields, options = split_options(args)
        body = build(CreateToolRequest, name=name, type=type, **fields)
        return await self._client._request("PUT", self._path(agent_id, tool_id), body=body, cast_to=Tool,
                                           options=options)

    async def delete(self, agent_id: str, tool_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        return await self._client._request("DELETE", self._path(agent_id, tool_id), cast_to=ResourceDeleted,
                                           options=options)
