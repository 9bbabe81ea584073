"""``client.agents``: agents, their documents and their tools."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

from .._types import RequestOptions
from ..converter import build
from ..pagination import AsyncPager
from ..types import Agent, CreateAgentRequest, Direction, ListModelsResponse, PatchAgentRequest, ResourceDeleted, SortBy
from ..types.agents import AgentFields
from ._base import Resource, check_id, list_query, split_options
from .docs import AgentDocs
from .tools import AgentTools

if TYPE_CHECKING:
    from ._raw import AgentsWithRawResponse



class AgentArgs(AgentFields, RequestOptions, total=False):
    """An agent's fields and the per-call options."""


class AgentPatchArgs(AgentArgs, total=False):
    """The fields :meth:`Agents.update` can change, ``name`` among them."""

    name: str


class Agents(Resource):

    @cached_property
    def with_raw_response(self) -> AgentsWithRawResponse:
        """The same calls, each returning a :class:`~julep_async.RawResponse` (status,
        headers, request id, retries, elapsed time; ``parse()`` for the reply)."""
        from ._raw import AgentsWithRawResponse

        return AgentsWithRawResponse(self)

    @cached_property
    def docs(self) -> AgentDocs:
        """``client.agents.docs``: the documents an agent owns."""
        return AgentDocs(self._client)

    @cached_property
    def tools(self) -> AgentTools:
        """``client.agents.tools``: the tools an agent can call."""
        return AgentTools(self._client)

    @staticmethod
    def _path(agent_id: Any) -> str:
        return f"/agents/{check_id(agent_id, 'agents', 'agent_id')}"

    async def create(self, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Create an agent (``POST /agents``); ``canonical_name`` is derived from ``name``
        when left out. The keyword arguments are the fields of :class:`AgentFields`."""
        fields, options = split_options(args)
        body = build(CreateAgentRequest, name=name, **fields)
        return await self._client._request("POST", "/agents", body=body, cast_to=Agent, options=options)

    async def create_or_update(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Create the agent with this id, or replace every field of the one that has it
        (``POST /agents/{id}``)."""
        fields, options = split_options(args)
        body = build(CreateAgentRequest, name=name, **fields)
        return await self._client._request("POST", self._path(agent_id), body=body, cast_to=Agent, options=options)

    async def get(self, agent_id: str, **options: Unpack[RequestOptions]) -> Agent:
        return await self._client._request("GET", self._path(agent_id), cast_to=Agent, options=options)

    def list(
        self, *, limit: int = 10, offset: int = 0, sort_by: SortBy = "created_at", direction: Direction = "desc",
        metadata_filter: dict[str, Any] | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPager[Agent]:
        """Agents, newest first by default; ``await`` it for a page, ``async for`` for all."""
        query = list_query(limit=limit, offset=offset, sort_by=sort_by, direction=direction,
                           metadata_filter=metadata_filter)
        return self._client._pager("/agents", query, Agent, limit=limit, offset=offset, options=options)

    async def update(self, agent_id: str, **args: Unpack[AgentPatchArgs]) -> Agent:
        """Change the given fields (``PATCH``); ``metadata`` merges key by key."""
        fields, options = split_options(args)
        body = build(PatchAgentRequest, **fields)
        return await self._client._request("PATCH", self._path(agent_id), body=body, cast_to=Agent, options=options)

    async def reset(self, agent_id: str, *, name: str, **args: Unpack[AgentArgs]) -> Agent:
        """Replace every field (``PUT``): one left out goes back to its default."""
        fields, options = split_options(args)
        body = build(CreateAgentRequest, name=name, **fields)
        return await self._client._request("PUT", self._path(agent_id), body=body, cast_to=Agent, options=options)

    async def delete(self, agent_id: str, **options: Unpack[RequestOptions]) -> ResourceDeleted:
        """Delete the agent, with the documents and tools it owns (its sessions stay, as in v1)."""
        return await self._client._request("DELETE", self._path(agent_id), cast_to=ResourceDeleted, options=options)

    async def list_models(self, **options: Unpack[RequestOptions]) -> ListModelsResponse:
        """The models an agent can use (``GET /agents/models``)."""
        return await self._client._request("GET", "/agents/models", cast_to=ListModelsResponse, options=options)
