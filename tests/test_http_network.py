"""``HttpTransport``'s network plumbing against real servers on 127.0.0.1: proxies (from
the environment or given), a caller's aiohttp session or connector, an SSL context."""

from __future__ import annotations

import base64
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
import trustme
from aiohttp import web
from faults import FaultServer, fault_server, serving

from julep_async import AsyncClient
from julep_async.backend import Backend
from julep_async.exceptions import APIConnectionError, JulepError, ValidationError
from julep_async.retry import RetryPolicy
from julep_async.server import make_app
from julep_async.transports import HttpTransport
from julep_async.transports.http import _Proxy

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]
ONCE = RetryPolicy(attempts=1)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer",
              "transfer-encoding", "upgrade", "host", "content-length"}


class ForwardProxy:
    """A plain-HTTP forward proxy: it receives absolute-URI requests and passes them on.

    ``seen`` holds each request's target URL and its ``Proxy-Authorization`` header;
    with ``credentials`` set, a request without them gets 407.
    """

    def __init__(self, credentials: str | None = None) -> None:
        self.credentials = credentials
        self.seen: list[tuple[str, str | None]] = []
        self.url = ""

    async def handle(self, http: web.Request) -> web.StreamResponse:
        target, auth = http.raw_path, http.headers.get("proxy-authorization")
        self.seen.append((target, auth))
        if not target.startswith("http://"):
            return web.Response(status=400, text="a forward proxy takes absolute URIs")
        if self.credentials is not None and auth != "Basic " + base64.b64encode(self.credentials.encode()).decode():
            return web.Response(status=407, headers={"proxy-authenticate": 'Basic realm="test"'})
        headers = {key: value for key, value in http.headers.items() if key.lower() not in HOP_BY_HOP}
        async with aiohttp.ClientSession(auto_decompress=False) as upstream:
            async with upstream.request(http.method, target, headers=headers, data=await http.read()) as reply:
                body = await reply.read()
                kept = {key: value for key, value in reply.headers.items() if key.lower() not in HOP_BY_HOP}
                return web.Response(status=reply.status, body=body, headers=kept)


@asynccontextmanager
async def forward_proxy(credentials: str | None = None) -> AsyncIterator[ForwardProxy]:
    proxy = ForwardProxy(credentials)
    async with serving(proxy.handle) as url:
        proxy.url = url
        yield proxy


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    async with fault_server() as server:
        yield server


@pytest.fixture
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variables from the machine running the tests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- proxies ------------------------------------------------------------------------


async def test_http_proxy_in_the_environment_carries_the_clients_requests(
        server: FaultServer, no_proxy_environment: pytest.MonkeyPatch) -> None:
    async with forward_proxy() as proxy:
        no_proxy_environment.setenv("HTTP_PROXY", proxy.url)
        async with AsyncClient(api_key="k", base_url=server.url, retry=ONCE) as client:
            assert (await client.agents.create("Proxied")).name == "Proxied"
    assert [target for target, _ in proxy.seen] == [server.url + "/agents"]
    assert len(server.seen) == 1


async def test_no_proxy_in_the_environment_lets_a_host_bypass_the_proxy(
        server: FaultServer, no_proxy_environment: pytest.MonkeyPatch) -> None:
    async with forward_proxy() as proxy:
        no_proxy_environment.setenv("HTTP_PROXY", proxy.url)
        no_proxy_environment.setenv("NO_PROXY", "localhost,127.0.0.1")
        async with AsyncClient(api_key="k", base_url=server.url, retry=ONCE) as client:
            await client.agents.list()
    assert proxy.seen == [] and len(server.seen) == 1


async def test_a_proxy_in_the_environment_without_a_scheme_is_an_http_proxy(
        server: FaultServer, no_proxy_environment: pytest.MonkeyPatch) -> None:
    async with forward_proxy() as proxy:
        no_proxy_environment.setenv("http_proxy", proxy.url.removeprefix("http://"))
        async with AsyncClient(api_key="k", base_url=server.url, retry=ONCE) as client:
            await client.agents.list()
    assert len(proxy.seen) == 1


def test_a_broken_proxy_in_the_environment_is_named_at_construction(no_proxy_environment: pytest.MonkeyPatch) -> None:
    no_proxy_environment.setenv("HTTP_PROXY", "http://ada:hunter2@proxy.internal:99999")
    with pytest.raises(ValidationError, match="the environment's HTTP_PROXY must be an http") as caught:
        AsyncClient(api_key="k", base_url="http://127.0.0.1:8080")
    assert "hunter2" not in str(caught.value)


async def test_trust_env_false_ignores_the_environments_proxy(
        server: FaultServer, no_proxy_environment: pytest.MonkeyPatch) -> None:
    async with forward_proxy() as proxy:
        no_proxy_environment.setenv("HTTP_PROXY", proxy.url)
        transport = HttpTransport(server.url, trust_env=False)
        async with AsyncClient(api_key="k", transport=transport, retry=ONCE) as client:
            await client.agents.list()
    assert proxy.seen == [] and len(server.seen) == 1


async def test_an_explicit_proxy_wins_over_the_environment_and_sends_its_credentials(
        server: FaultServer, no_proxy_environment: pytest.MonkeyPatch) -> None:
    async with forward_proxy("ada:s3cret pass") as proxy, forward_proxy() as other:
        no_proxy_environment.setenv("HTTP_PROXY", other.url)
        given = proxy.url.replace("http://", "http://ada:s3cret%20pass@")
        async with AsyncClient(api_key="k", transport=HttpTransport(server.url, proxy=given), retry=ONCE) as client:
            await client.agents.list()
    [(target, auth)] = proxy.seen
    assert target.startswith(server.url + "/agents?")
    assert auth == "Basic " + base64.b64encode(b"ada:s3cret pass").decode()
    assert other.seen == []


async def test_proxy_credentials_never_appear_in_the_transports_repr(server: FaultServer) -> None:
    transport = HttpTransport(server.url, proxy="http://ada:hunter2-password@127.0.0.1:3128")
    assert repr(transport) == f"<HttpTransport {server.url} via http://<redacted>@127.0.0.1:3128 idle>"


async def test_a_proxy_that_refuses_the_credentials_is_a_connection_error_without_them(server: FaultServer) -> None:
    async with forward_proxy("ada:the-right-password") as proxy:
        given = proxy.url.replace("http://", "http://ada:hunter2-password@")
        transport = HttpTransport(server.url.replace("http://", "https://"), proxy=given)  # CONNECT: 407
        async with AsyncClient(api_key="k", transport=transport, retry=ONCE) as client:
            with pytest.raises(APIConnectionError, match="the proxy refused the request") as caught:
                await client.agents.list()
    for text in (str(caught.value), repr(caught.value), str(caught.value.__cause__)):
        assert "hunter2" not in text and "aHVudGVy" not in text


async def test_an_unreachable_proxy_is_a_connection_error_without_its_credentials(server: FaultServer) -> None:
    given = f"http://ada:hunter2-password@127.0.0.1:{closed_port()}"
    async with AsyncClient(api_key="k", transport=HttpTransport(server.url, proxy=given), retry=ONCE) as client:
        with pytest.raises(APIConnectionError, match="could not connect to the proxy") as caught:
            await client.agents.list()
    assert "hunter2" not in str(caught.value) and "hunter2" not in str(caught.value.__cause__)


def _basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.mark.parametrize(("url", "header", "secrets"), [
    ("http://h:1", None, set()),
    ("http://ada@h:1", _basic("ada:"), {"", "ada:", _basic("ada:")[6:]}),
    ("http://:pw@h:1", _basic(":pw"), {"pw", ":pw", _basic(":pw")[6:]}),
    ("http://ada%40x:p%20w@h:1", _basic("ada@x:p w"), {"p w", "ada@x:p w", _basic("ada@x:p w")[6:]}),
])
def test_a_proxy_url_s_credentials_become_its_basic_header_and_its_secrets(url: str, header: str | None,
                                                                           secrets: set[str]) -> None:
    proxy = _Proxy(url)
    assert proxy.url == "http://h:1"
    assert proxy.headers == ({"proxy-authorization": header} if header else {})
    assert proxy.secrets == secrets


@pytest.mark.parametrize(("url", "shown"), [
    ("http://h:1/a//b", "http://h:1/a//b"),
    ("http://ada:pw@h:1/a//b", "http://<redacted>@h:1/a//b"),
])
def test_a_proxy_shows_itself_without_its_credentials(url: str, shown: str) -> None:
    assert repr(_Proxy(url)) == shown


def test_a_socks_proxy_in_the_environment_is_left_to_the_tools_that_speak_it(
        no_proxy_environment: pytest.MonkeyPatch) -> None:
    no_proxy_environment.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    assert repr(HttpTransport("http://127.0.0.1:8080")) == "<HttpTransport http://127.0.0.1:8080 idle>"


@pytest.mark.parametrize("proxy", ["socks5://127.0.0.1:1080", "127.0.0.1:3128", "http://u:p@h:99999"])
def test_a_proxy_that_is_not_an_http_url_is_refused_at_construction(proxy: str) -> None:
    with pytest.raises(ValidationError, match="proxy must be an http:// or https:// URL") as caught:
        HttpTransport("http://127.0.0.1:8080", proxy=proxy)
    assert "u:p@" not in str(caught.value)


# -- a caller's session, connector, SSL context ---------------------------------------


async def test_a_passed_session_carries_the_requests_and_is_left_open(server: FaultServer) -> None:
    async with aiohttp.ClientSession(headers={"x-from-session": "mine"}) as session:
        transport = HttpTransport(server.url, session=session)
        async with AsyncClient(api_key="k", transport=transport, retry=ONCE) as client:
            await client.agents.list()
        assert server.seen[0].headers["x-from-session"] == "mine"
        assert not session.closed
        async with session.get(server.url + "/agents", headers={"authorization": "Bearer k"}) as reply:
            assert reply.status == 200  # still usable


async def test_a_passed_session_that_was_closed_is_reported_not_replaced(server: FaultServer) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    async with AsyncClient(api_key="k", transport=HttpTransport(server.url, session=session)) as client:
        with pytest.raises(JulepError, match=r"^the aiohttp ClientSession passed to HttpTransport is closed$"):
            await client.agents.list()
    assert server.seen == []


async def test_a_passed_connector_is_used_and_left_open(server: FaultServer) -> None:
    connector = aiohttp.TCPConnector(limit=1)
    try:
        transport = HttpTransport(server.url, connector=connector)
        async with AsyncClient(api_key="k", transport=transport, retry=ONCE) as client:
            await client.agents.list()
        assert len(server.seen) == 1
        assert not connector.closed
    finally:
        await connector.close()


async def test_a_session_and_a_connector_together_are_refused() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ValidationError) as caught:
            HttpTransport("http://127.0.0.1:8080", session=session, connector=aiohttp.TCPConnector())
    assert str(caught.value) == ("pass session= or connector= to HttpTransport, not both "
                                 "(a session brings its own connector)")


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@asynccontextmanager
async def tls_backend(context: ssl.SSLContext) -> AsyncIterator[str]:
    runner = web.AppRunner(make_app(Backend(seed=0)), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_ssl_context_makes_a_private_ca_trusted(authority: trustme.CA,
                                                         tls_server_context: ssl.SSLContext) -> None:
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    async with tls_backend(tls_server_context) as url:
        transport = HttpTransport(url, ssl_context=trusting)
        async with AsyncClient(api_key="k", transport=transport, retry=ONCE) as client:
            assert (await client.agents.create("Over TLS")).name == "Over TLS"


async def test_without_the_ssl_context_a_private_ca_is_refused(tls_server_context: ssl.SSLContext) -> None:
    async with tls_backend(tls_server_context) as url:
        async with AsyncClient(api_key="k", base_url=url, retry=ONCE) as client:
            with pytest.raises(APIConnectionError, match=r"(?i)certificate"):
                await client.agents.list()


def test_an_ssl_context_must_be_an_ssl_context() -> None:
    with pytest.raises(ValidationError, match=r"^ssl_context must be an ssl\.SSLContext, got bool$"):
        HttpTransport("https://127.0.0.1", ssl_context=False)  # type: ignore[arg-type]
