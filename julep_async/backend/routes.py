"""The fake backend's route table: method, path, handler.

A path segment in braces is an id: it must be a UUID (any case, hyphens optional), else
the reply is a 404 naming the resource, as an id that names nothing gets. A literal
segment wins over an id (``/agents/models`` is not the agent ``models``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs

from .._ids import canonical_id
from .endpoints import agents, chat, docs, sessions, tools, users
from .endpoints.common import KINDS, Reply
from .faults import Fault, not_found
from .parse import Call

Handler = Callable[[Call], Awaitable[Reply]]

__all__ = ["ROUTES", "Route", "resolve"]


@attrs.frozen
class Route:
    method: str
    path: str
    handler: Handler
    parts: tuple[str, ...] = attrs.field(init=False)
    literals: tuple[tuple[int, str], ...] = attrs.field(init=False)  # (position, segment), the fixed ones
    ids: tuple[tuple[int, str], ...] = attrs.field(init=False)  # (position, kind of resource) of the ids

    def __attrs_post_init__(self) -> None:
        parts = tuple(self.path.strip("/").split("/"))
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "literals", tuple((i, p) for i, p in enumerate(parts) if not p.startswith("{")))
        object.__setattr__(self, "ids", tuple((i, KINDS.get(parts[i - 1], "Resource"))
                                              for i, p in enumerate(parts) if p.startswith("{")))

ROUTES = (
    Route("GET", "/agents", agents.list_agents),
    Route("POST", "/agents", agents.create),
    Route("GET", "/agents/models", agents.list_models),
    Route("GET", "/agents/{id}", agents.get),
    Route("POST", "/agents/{id}", agents.create_or_update),
    Route("PUT", "/agents/{id}", agents.replace),
    Route("PATCH", "/agents/{id}", agents.patch),
    Route("DELETE", "/agents/{id}", agents.delete),
    Route("GET", "/agents/{id}/tools", tools.list_tools),
    Route("POST", "/agents/{id}/tools", tools.create),
    Route("PUT", "/agents/{id}/tools/{tool_id}", tools.replace),
    Route("PATCH", "/agents/{id}/tools/{tool_id}", tools.patch),
    Route("DELETE", "/agents/{id}/tools/{tool_id}", tools.delete),
    Route("GET", "/users", users.list_users),
    Route("POST", "/users", users.create),
    Route("GET", "/users/{id}", users.get),
    Route("POST", "/users/{id}", users.create_or_update),
    Route("PUT", "/users/{id}", users.replace),
    Route("PATCH", "/users/{id}", users.patch),
    Route("DELETE", "/users/{id}", users.delete),
    Route("GET", "/sessions", sessions.list_sessions),
    Route("POST", "/sessions", sessions.create),
    Route("GET", "/sessions/{id}", sessions.get),
    Route("POST", "/sessions/{id}", sessions.create_or_update),
    Route("PUT", "/sessions/{id}", sessions.replace),
    Route("PATCH", "/sessions/{id}", sessions.patch),
    Route("DELETE", "/sessions/{id}", sessions.delete),
    Route("POST", "/sessions/{id}/chat", chat.chat),
    Route("POST", "/sessions/{id}/render", chat.render),
    Route("GET", "/sessions/{id}/history", chat.history),
    Route("DELETE", "/sessions/{id}/history", chat.clear),
    *(route for owner in ("agents", "users", "sessions") for route in (
        Route("POST", f"/{owner}/{{id}}/docs", docs.create),
        Route("GET", f"/{owner}/{{id}}/docs", docs.list_docs),
        Route("DELETE", f"/{owner}/{{id}}/docs/{{doc_id}}", docs.delete),
        Route("POST", f"/{owner}/{{id}}/docs/search" if owner == "sessions" else f"/{owner}/{{id}}/search",
              docs.search_docs),
    )),
    Route("DELETE", "/agents/{id}/docs", docs.bulk_delete),
    Route("DELETE", "/users/{id}/docs", docs.bulk_delete),
    Route("GET", "/docs/{id}", docs.get),
    Route("POST", "/embed", docs.embed),
)


@attrs.frozen
class _Pattern:
    """The routes of one path pattern: its fixed segments, where its ids are, and a handler
    per method."""

    literals: tuple[tuple[int, str], ...]
    ids: tuple[tuple[int, str], ...]
    handlers: dict[str, Handler]


_PATTERNS: dict[tuple[int, str], list[_Pattern]] = {}
for _route in ROUTES:
    _patterns = _PATTERNS.setdefault((len(_route.parts), _route.parts[0]), [])
    _found = next((p for p in _patterns if p.literals == _route.literals), None)
    if _found is None:
        _found = _Pattern(_route.literals, _route.ids, {})
        _patterns.append(_found)
    _found.handlers[_route.method] = _route.handler
for _patterns in _PATTERNS.values():
    _patterns.sort(key=lambda pattern: -len(pattern.literals))  # the most literal first


def resolve(method: str, path: str) -> tuple[Handler, str, tuple[str, ...]]:
    """The handler for ``method path``, the collection it is under, and the ids in the path
    (canonical: lower-case, hyphenated). 404 for an unknown path or an id that is not a
    UUID, 405 for a known path and another method."""
    parts = path.strip("/").split("/")
    for pattern in _PATTERNS.get((len(parts), parts[0]), ()):
        for index, literal in pattern.literals:
            if parts[index] != literal:
                break
        else:
            handler = pattern.handlers.get(method)
            if handler is None:
                raise Fault(405, f"{method} is not allowed on {path}")
            return handler, parts[0], tuple(_id(parts[index], kind) for index, kind in pattern.ids)
    raise Fault(404, f"no route for {method} {path}")


def _id(segment: str, kind: str) -> str:
    canonical = canonical_id(segment)
    if canonical is None:
        raise not_found(kind, segment)
    return canonical
