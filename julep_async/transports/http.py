"""``HttpTransport``: aiohttp, and the only module that imports the aiohttp client.

aiohttp needs asyncio, so this transport does too. Every aiohttp or asyncio error,
raised while sending or while reading a body, is translated once, here, through
:data:`ERRORS`. This module is imported on first use (``julep_async.transports``
loads it lazily), so replaying a cassette never imports aiohttp.

Proxies: an explicit ``proxy=``, else (``trust_env=True``, the default) ``HTTP_PROXY`` /
``HTTPS_PROXY`` / ``NO_PROXY`` as :mod:`urllib.request` reads them from the environment
(not the system settings of macOS or Windows), looked up once, when the transport is
made. Credentials in a proxy URL are taken out of it and sent as a
``Proxy-Authorization`` header; aiohttp never sees them in a URL, so no repr, error or
traceback can show them.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
import ssl
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from .._redact import REDACTED, Redactor
from ..config import Limits
from ..exceptions import APIConnectionError, APIError, APITimeoutError, JulepError, ValidationError
from .base import Request, Response

ERRORS: tuple[tuple[type[BaseException], type[APIError], str], ...] = (
    (aiohttp.ServerTimeoutError, APITimeoutError, "timed out"),
    (TimeoutError, APITimeoutError, "timed out"),
    (aiohttp.ClientPayloadError, APIConnectionError, "the connection was cut mid-body"),
    (aiohttp.ServerDisconnectedError, APIConnectionError, "the server closed the connection"),
    (aiohttp.ClientProxyConnectionError, APIConnectionError, "could not connect to the proxy"),
    (aiohttp.ClientHttpProxyError, APIConnectionError, "the proxy refused the request"),
    (aiohttp.ClientConnectorError, APIConnectionError, "could not connect"),
    (aiohttp.ClientError, APIConnectionError, "connection failed"),
    (OSError, APIConnectionError, "connection failed"),
)
"""aiohttp/asyncio error → julep_async error, most specific first."""

PROXY_SCHEMES = ("http", "https")
"""The proxy URL schemes aiohttp speaks; the environment's other proxies are ignored."""

_USERINFO = re.compile(r"(?<=//)[^/?#@\s'\"]*@")


def _translated(error: Exception, request: Request, redact: Callable[[str], str]) -> Exception:
    """The julep_async error from :data:`ERRORS` for a foreign ``error``, raised ``from`` it.

    One that is not foreign, or not in the table, is re-raised as it is. The message
    goes through ``redact``.
    """
    if not isinstance(error, APIError):
        for foreign, ours, what in ERRORS:
            if isinstance(error, foreign):
                detail = f": {error}" if str(error) else ""
                return ours(redact(f"{request.method} {request.path}: {what} ({type(error).__name__}{detail})"))
    raise error


@functools.lru_cache(maxsize=32)
def socket_timeouts(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's limits for connecting and for each read (made once per pair; a few pairs are in use)."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_read=read)


def _shown(url: str) -> str:
    """``url`` with any credentials in it replaced by ``<redacted>``: fit for a repr or a message."""
    return _USERINFO.sub(REDACTED + "@", url)


class _Proxy:
    """A proxy URL split into the URL aiohttp is given (no credentials) and its
    ``Proxy-Authorization`` header (``Basic``), if the URL had credentials."""

    def __init__(self, url: str, name: str = "proxy") -> None:
        try:
            parts = urllib.parse.urlsplit(url)
            parts.port  # noqa: B018 -- raises ValueError for a port out of range or not a number
        except ValueError:
            raise ValidationError(f"{name} must be an http:// or https:// URL, got {_shown(url)!r}") from None
        if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
            raise ValidationError(f"{name} must be an http:// or https:// URL, got {_shown(url)!r}")
        self.url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.headers: dict[str, str] = {}
        self.secrets: set[str] = set()
        if parts.username is not None or parts.password is not None:
            user = urllib.parse.unquote(parts.username or "")
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.headers["proxy-authorization"] = f"Basic {token}"
            self.secrets |= {password, f"{user}:{password}", token}

    def __repr__(self) -> str:
        return self.url.replace("//", f"//{REDACTED}@", 1) if self.headers else self.url


def _environment_proxy(base_url: str) -> _Proxy | None:
    """The proxy the environment names for ``base_url`` (``HTTP_PROXY``/``HTTPS_PROXY``
    by its scheme, lower case first; none if ``NO_PROXY`` covers its host), or ``None``.

    A value without a scheme (``proxy:3128``) is an ``http://`` proxy, as curl takes it;
    one with another scheme (``socks5://``) is left to the tools that speak it.
    """
    parts = urllib.parse.urlsplit(base_url)
    proxy = urllib.request.getproxies_environment().get(parts.scheme.lower())
    if proxy and "://" not in proxy:
        proxy = "http://" + proxy
    if not proxy or urllib.parse.urlsplit(proxy).scheme.lower() not in PROXY_SCHEMES:
        return None
    # (proxy_bypass_environment: NO_PROXY's rules; in urllib for ever, not in typeshed)
    if urllib.request.proxy_bypass_environment(parts.netloc.rpartition("@")[2]):  # type: ignore[attr-defined]
        return None
    return _Proxy(proxy, name=f"the environment's {parts.scheme.upper()}_PROXY")


class HttpTransport:
    """Talks to a Julep-compatible server over HTTP with one aiohttp ``ClientSession``.

    Args:
        base_url: e.g. ``https://api.julep.ai/api`` or ``http://127.0.0.1:8080``.
        limits: the connection pool (total and per host, keep-alive) of the session the
            transport makes; not used with ``session`` or ``connector``.
        proxy: send every request through this ``http://`` (or ``https://``) proxy;
            credentials in it (``http://user:password@proxy:3128``) go into a
            ``Proxy-Authorization`` header and never into a repr, error or log line.
        trust_env: without ``proxy``, use the proxy the environment names for
            ``base_url`` (``HTTP_PROXY`` / ``HTTPS_PROXY``, lower case first, unless
            ``NO_PROXY`` covers the host), read once, here. ``~/.netrc`` is not read: the
            API key is the credential.
        session: your own ``aiohttp.ClientSession``: every request goes through it (its
            connector, default headers, tracing...); the transport never closes it.
        connector: your own ``aiohttp.BaseConnector`` for the session the transport
            makes; the transport closes that session but not the connector.
        ssl_context: verify the server with this ``ssl.SSLContext`` (a private CA, a
            client certificate) instead of the system's trust store.

    ``session`` and ``connector`` are aiohttp objects: this constructor is the only
    public signature of julep_async that names an aiohttp type. Both belong to the
    event loop they were made in; make them inside it (aiohttp requires it), pass one
    or the other, not both.

    Each request brings its own :class:`~julep_async.config.Timeout`: ``attempt`` bounds
    sending it and reading the whole reply (for a stream: until its headers), ``connect``
    opening a connection and ``read`` each wait for data. The session is created on first
    use, inside the running event loop, and closed by :meth:`aclose`. Replies are
    decompressed (gzip, deflate) transparently.
    """

    def __init__(
        self,
        base_url: str,
        *,
        limits: Limits = Limits(),
        proxy: str | None = None,
        trust_env: bool = True,
        session: aiohttp.ClientSession | None = None,
        connector: aiohttp.BaseConnector | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if session is not None and connector is not None:
            raise ValidationError("pass session= or connector= to HttpTransport, not both "
                                  "(a session brings its own connector)")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise ValidationError(f"ssl_context must be an ssl.SSLContext, got {type(ssl_context).__name__}")
        self.base_url: str = base_url.rstrip("/")
        self.limits = limits
        self._proxy = _Proxy(proxy) if proxy else _environment_proxy(self.base_url) if trust_env else None
        # Through a plain-HTTP proxy the request itself carries Proxy-Authorization; through
        # a CONNECT tunnel (an https:// server), the CONNECT request does.
        self._proxy_request_headers: Mapping[str, str] = (
            self._proxy.headers if self._proxy and not self.base_url.lower().startswith("https:") else {})
        self._redact = Redactor(self._proxy.secrets if self._proxy else ())
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._own_session = session is None
        self._connector = connector
        self._session: aiohttp.ClientSession | None = session
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        via = f" via {self._proxy!r}" if self._proxy else ""
        state = "open" if self._session is not None and not self._session.closed else "idle"
        return f"<HttpTransport {self.base_url}{via} {state}>"

    def _scrub(self, text: str) -> str:
        return self._redact(_shown(text))

    def _client(self) -> aiohttp.ClientSession:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise JulepError(
                "HttpTransport needs asyncio (aiohttp does); under trio use InMemoryTransport "
                "or a replaying RecordingTransport"
            ) from None
        if not self._own_session:  # the caller's: aiohttp itself holds it to its loop
            assert self._session is not None
            if self._session.closed:
                raise JulepError("the aiohttp ClientSession passed to HttpTransport is closed")
            return self._session
        if self._session is None or self._session.closed:
            if self._connector is not None:
                connector, owner = self._connector, False
            else:
                connector, owner = aiohttp.TCPConnector(
                    limit=self.limits.max_connections,
                    limit_per_host=self.limits.max_connections_per_host,
                    keepalive_timeout=self.limits.keepalive_timeout,
                ), True
            self._session = aiohttp.ClientSession(  # each request brings its own timeout
                connector=connector, connector_owner=owner)
            self._loop = loop
        elif loop is not self._loop:
            raise JulepError("this HttpTransport belongs to another event loop; create one per loop")
        return self._session

    async def handle_async_request(self, request: Request) -> Response:
        session = self._client()
        timeout = request.timeout
        headers: Mapping[str, str] = request.headers
        if self._proxy_request_headers:
            headers = {**headers, **self._proxy_request_headers}
        try:
            async with asyncio.timeout(timeout.attempt):
                reply = await session.request(
                    request.method, self.base_url + request.path, params=request.query or None,
                    headers=headers, data=request.body, timeout=socket_timeouts(timeout.connect, timeout.read),
                    proxy=self._proxy.url if self._proxy else None,
                    proxy_headers=self._proxy.headers if self._proxy and self._proxy.headers else None,
                    ssl=self._ssl,
                )
                if request.stream and reply.status < 400:  # ``read`` applies from here on
                    return Response(reply.status, _lower(reply.headers),
                                    stream=_BodyStream(request, reply, self._scrub))
                try:
                    body = await reply.read()
                finally:
                    reply.release()
        except Exception as error:
            raise _translated(error, request, self._scrub) from error
        return Response(reply.status, _lower(reply.headers), body)

    async def aclose(self) -> None:
        """Close the session the transport made (a session or connector you passed stays open)."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None


def _lower(headers: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


class _BodyStream:
    """An aiohttp reply body read chunk by chunk, errors translated; closing it early
    drops the connection instead of reading the rest."""

    def __init__(self, request: Request, reply: aiohttp.ClientResponse, redact: Callable[[str], str]) -> None:
        self._request = request
        self._reply = reply
        self._redact = redact

    def __aiter__(self) -> _BodyStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._reply.content.readany()
        except BaseException as error:
            await self.aclose()
            if isinstance(error, Exception):
                raise _translated(error, self._request, self._redact) from error
            raise
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        if not self._reply.closed:
            if self._reply.content.at_eof():
                self._reply.release()
            else:
                self._reply.close()
