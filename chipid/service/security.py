"""The guard in front of every request: Host and Origin checks, the access token, body limits, headers.

A pure ASGI middleware (outermost), so nothing reaches a route without passing it:

1. ``Host`` must name this service (127.0.0.1 / localhost / [::1] on its port, or the configured host):
   a DNS-rebinding page would send its own host name. 400 otherwise.
2. ``Origin``, when present, must be the desk page's own origin or one of ``--allow-origin``. 403 otherwise,
   for plain requests, CORS preflights and WebSocket handshakes alike (a browser always sends Origin on
   WebSockets and cross-origin requests).
3. ``/api/v1/*`` (except health and the OpenAPI document, and CORS preflights) needs the token: an
   ``Authorization: Bearer`` header, the desk page's session cookie, or, for WebSockets from a browser
   (which cannot set headers), the subprotocol ``bearer.<token>``. 401 otherwise.
4. Request bodies are read here up to a limit (the face endpoint's image limit, else the JSON limit):
   413 beyond, whether or not a Content-Length was sent.
5. Responses get ``Cache-Control: no-store`` (API), ``Access-Control-Allow-Private-Network`` on preflights of
   configured origins that ask for it (Chrome's Private Network Access), ``X-Content-Type-Options``,
   ``Referrer-Policy``, ``X-Frame-Options`` and a strict Content-Security-Policy (no inline script, no external source).

The session cookie: ``POST /api/v1/session`` with the Bearer token returns a random session id in an
``HttpOnly; SameSite=Strict`` cookie, so the page's ``<img>``, WebSocket and fetch calls are authenticated
without the token travelling in a URL (the printed link carries it in the fragment, which browsers never
send). Tokens and sessions are compared in constant time.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from chipid.service.config import ServiceConfig

__all__ = ["Guard", "Sessions", "session_cookie"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]



def session_cookie(port: int) -> str:
    """The session cookie's name: per port, since browsers share cookies between ports of one host."""
    return f"chipid_session_{port}"
_MAX_SESSIONS = 64
_OPEN_PATHS = frozenset({"/api/v1/health", "/api/v1/openapi.json"})
_SUBPROTOCOL_PREFIX = "bearer."


class Sessions:
    """Session ids handed to desk pages (bounded: the oldest is forgotten first)."""

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()

    def create(self) -> str:
        sid = secrets.token_urlsafe(32)
        self._ids[sid] = None
        while len(self._ids) > _MAX_SESSIONS:
            self._ids.popitem(last=False)
        return sid

    def valid(self, sid: str) -> bool:
        return any(hmac.compare_digest(sid, known) for known in self._ids)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


class Guard:
    """See the module docstring. ``config`` fixes the token, hosts, origins and limits."""

    def __init__(self, app: ASGIApp, config: ServiceConfig, sessions: Sessions) -> None:
        self.app = app
        self.config = config
        self.sessions = sessions
        self.hosts = config.allowed_hosts()
        self.origins = config.own_origins() | frozenset(config.allow_origins)
        ws = "wss" if config.scheme == "https" else "ws"
        sockets = " ".join(o.replace(f"{config.scheme}://", f"{ws}://", 1) for o in sorted(config.own_origins())
                           if "[" not in o)  # CSP host-sources cannot name IPv6 literals
        self.csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
            f"media-src 'self' blob: mediastream:; connect-src 'self' {sockets}; font-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )

    # ------------------------------------------------------------------ checks
    def authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        """Bearer header, session cookie or (WebSocket) ``bearer.<token>`` subprotocol."""
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and _token_matches(auth[7:].strip(), self.config.token):
            return True
        if "cookie" in headers:
            cookie: SimpleCookie = SimpleCookie()
            with contextlib.suppress(Exception):  # a malformed Cookie header is simply no session
                cookie.load(headers["cookie"])
            morsel = cookie.get(session_cookie(self.config.port))
            if morsel is not None and self.sessions.valid(morsel.value):
                return True
        if scope["type"] == "websocket":
            for offered in headers.get("sec-websocket-protocol", "").split(","):
                proto = offered.strip()
                if proto.startswith(_SUBPROTOCOL_PREFIX) and _token_matches(proto[len(_SUBPROTOCOL_PREFIX):],
                                                                             self.config.token):
                    return True
        return False

    def _body_limit(self, path: str) -> int:
        return self.config.max_image_bytes if path.endswith("/face") else self.config.max_json_bytes

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "")
        if self.hosts is not None and headers.get("host", "") not in self.hosts:
            await self._refuse(scope, send, 400, "bad_host", "unexpected Host header")
            return
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            await self._refuse(scope, send, 403, "origin_not_allowed",
                               "this web origin is not allowed (start the service with --allow-origin)")
            return
        preflight = scope.get("method") == "OPTIONS" and "access-control-request-method" in headers
        if (path.startswith("/api/") and path not in _OPEN_PATHS and not preflight
                and not self.authorized(scope, headers)):
            await self._refuse(scope, send, 401, "unauthorized", "missing or wrong access token")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        body = await self._read_body(receive, self._body_limit(path), headers)
        if body is None:
            await self._refuse(scope, send, 413, "too_large",
                               f"request body over {self._body_limit(path)} bytes")
            return
        private_network = (preflight and origin in self.config.allow_origins
                           and headers.get("access-control-request-private-network") == "true")
        await self.app(scope, _replay(body, receive), self._with_headers(send, path, private_network))

    async def _read_body(self, receive: Receive, limit: int, headers: dict[str, str]) -> bytes | None:
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _with_headers(self, send: Send, path: str, private_network: bool = False) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Chrome's Private Network Access: a public https page may call this loopback service only if
                # the preflight says so (sent for configured origins only)
                pna = [(b"access-control-allow-private-network", b"true")] if private_network else []
                extra = [*pna, (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"), (b"content-security-policy", self.csp.encode())]
                if path.startswith("/api/"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return wrapped

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, text: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4000 + status, "reason": code})
            return
        body = json.dumps({"error": code, "message": text}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store")]
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="chipid"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, original: Receive) -> Receive:
    """The body already read, then the connection's own messages (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
