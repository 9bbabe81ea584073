"""Every request the SDK sends, captured at the transport seam, validates against Julep's
OpenAPI spec (``reference/julep-openapi.yaml``), once the spec's known artifacts are
corrected (``julep_spec.corrected_spec``, which lists them) and the project's extensions
are set apart.

Extensions of this project's backend, set apart instead of validated:

* session documents (``/sessions/{id}/docs...``);
* ``context_overflow="summarize"`` (added to the spec's enum by ``corrected_spec``);
* ``agent_id``/``user_id`` on ``GET /sessions`` and ``limit``/``before`` on history (extra
  query parameters, which a v1 server ignores);
* ``Idempotency-Key`` (an extra header).
"""

from __future__ import annotations

import re

import attrs
import pytest

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport, Request, Response

pytest.importorskip("yaml")  # julep_spec reads the spec with it
openapi_core = pytest.importorskip("openapi_core")
from julep_spec import SPEC, corrected_spec  # noqa: E402
from openapi_core.datatypes import RequestParameters  # noqa: E402
from werkzeug.datastructures import Headers, ImmutableMultiDict  # noqa: E402

pytestmark = pytest.mark.anyio

EXTENSION_PATHS = re.compile(r"^/sessions/[^/]+/docs(/.*)?$")


@attrs.define
class SpecRequest:
    """A captured :class:`Request` in the shape openapi-core reads (it writes the path
    parameters it resolves back into ``parameters``)."""

    request: Request
    host_url: str = "https://api.julep.ai"
    parameters: RequestParameters = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.parameters = RequestParameters(query=ImmutableMultiDict(list(self.request.query)),
                                            header=Headers(dict(self.request.headers)))

    @property
    def path(self) -> str:
        return "/api" + self.request.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.body

    @property
    def content_type(self) -> str:
        return "application/json"


class Capture:
    def __init__(self) -> None:
        self.inner = InMemoryTransport()
        self.requests: list[Request] = []

    async def handle_async_request(self, request: Request) -> Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass


async def every_call(client: AsyncClient) -> None:
    """One of each call the SDK can make."""
    agent = await client.agents.create("A", about="x", model="gpt-4o", instructions="be kind", metadata={"a": 1})
    user = await client.users.create(name="U", about="y", metadata={"b": 2})
    await client.agents.get(agent.id)
    await client.users.get(user.id)
    await client.agents.list(limit=5, metadata_filter={"a": 1})
    await client.users.list()
    await client.agents.update(agent.id, about="z")
    await client.users.update(user.id, name="V")
    session = await client.sessions.create(agent_id=agent.id, user_id=user.id, situation="s", token_budget=1000,
                                           context_overflow="adaptive", metadata={"c": 3})
    await client.sessions.create(agent_id=[agent.id], user_id=[user.id], context_overflow="summarize")
    await client.sessions.get(session.id)
    await client.sessions.list(agent_id=agent.id, user_id=user.id, limit=10, offset=0)
    await client.sessions.update(session.id, metadata={"d": 4}, context_overflow="truncate")
    await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}], temperature=0.5, max_tokens=50)
    stream = await client.sessions.chat(session.id, [{"role": "user", "content": "hi"}], stream=True)
    async with stream:
        async for _ in stream:
            pass
    await client.sessions.render(session.id, [{"role": "user", "content": "hi"}])
    await client.sessions.history(session.id)
    await client.agents.docs.create(agent.id, "t", "c", metadata={"k": "v"})
    await client.users.docs.create(user.id, "t", "c")
    await client.agents.docs.list(agent.id)
    await client.agents.docs.search(agent.id, "c", metadata_filter={"k": "v"}, limit=3)
    await client.users.docs.search(user.id, "c")
    doc = await client.sessions.docs.create(session.id, "t", "c")
    await client.sessions.docs.search(session.id, "c")
    await client.sessions.docs.list(session.id)
    await client.sessions.docs.delete(session.id, doc.id)
    await client.sessions.clear(session.id)
    await client.sessions.delete(session.id)
    await client.agents.delete(agent.id)
    await client.users.delete(user.id)


@pytest.mark.skipif(not SPEC.exists(), reason="the shared reference spec is not beside this checkout")
async def test_every_request_validates_against_the_spec() -> None:
    capture = Capture()
    async with AsyncClient(api_key="k", transport=capture) as client:
        await every_call(client)
    spec = openapi_core.OpenAPI.from_dict(corrected_spec())
    checked, extensions, failures = 0, 0, []
    for request in capture.requests:
        if EXTENSION_PATHS.match(request.path):
            extensions += 1
            continue
        try:
            spec.validate_request(SpecRequest(request))
            checked += 1
        except Exception as exc:  # collect all, report together
            failures.append(f"{request.method} {request.path}: {type(exc).__name__}: {exc} ({exc.__cause__})")
    assert failures == []
    assert (checked, extensions) == (len(capture.requests) - 4, 4)


@pytest.mark.skipif(not SPEC.exists(), reason="the shared reference spec is not beside this checkout")
def test_the_validation_does_catch_a_bad_request() -> None:
    spec = openapi_core.OpenAPI.from_dict(corrected_spec())
    headers = {"content-type": "application/json", "authorization": "Bearer k"}
    body = b'{"agent": "00000000-0000-4000-8000-000000000000", "context_overflow": "%s"}'
    spec.validate_request(SpecRequest(Request("POST", "/sessions", headers=headers, body=body % b"truncate")))
    with pytest.raises(Exception, match=r"compress|not valid|validation"):
        spec.validate_request(SpecRequest(Request("POST", "/sessions", headers=headers, body=body % b"compress")))
    with pytest.raises(Exception, match=r"[Ss]ecurity"):
        spec.validate_request(SpecRequest(Request("POST", "/sessions", body=body % b"truncate")))
