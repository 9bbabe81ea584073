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

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.strip("/").split("/")))

    def matches(self, parts: list[str]) -> bool:
        return len(parts) == len(self.parts) and all(
            mine.startswith("{") or mine == part for mine, part in zip(self.parts, parts, strict=True)
        )


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


_BY_SHAPE: dict[tuple[int, str], list[Route]] = {}
for _route in ROUTES:
    _BY_SHAPE.setdefault((len(_route.parts), _route.parts[0]), []).append(_route)


def resolve(method: str, path: str) -> tuple[Handler, str, tuple[str, ...]]:
    """The handler for ``method path``, the collection it is under, and the ids in the path
    (canonical: lower-case, hyphenated). 404 for an unknown path or an id that is not a
    UUID, 405 for a known path and another method."""
    parts = path.strip("/").split("/")
    candidates = [route for route in _BY_SHAPE.get((len(parts), parts[0]), ()) if route.matches(parts)]
    if not candidates:
        raise Fault(404, f"no route for {method} {path}")
    exact = max(sum(not part.startswith("{") for part in route.parts) for route in candidates)
    candidates = [route for route in candidates if sum(not p.startswith("{") for p in route.parts) == exact]
    route = next((route for route in candidates if route.method == method), None)
    if route is None:
        raise Fault(405, f"{method} is not allowed on {path}")
    ids = []
    for index, pattern in enumerate(route.parts):
        if pattern.startswith("{"):
            canonical = canonical_id(parts[index])
            if canonical is None:
                raise not_found(KINDS.get(parts[index - 1], "Resource"), parts[index])
            ids.append(canonical)
    return route.handler, parts[0], tuple(ids)
