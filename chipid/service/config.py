"""ServiceConfig: the desk service's settings, checked once before anything binds a socket.

Pure (no ASGI import), so the CLI can validate its options and print a usage error without the
``serve`` extra installed.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipid.errors import ConfigurationError

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TTL_S",
    "ServiceConfig",
    "default_trust_dir",
    "is_loopback",
    "load_or_create_token",
    "new_token",
]

DEFAULT_PORT = 8470
DEFAULT_TTL_S = 300.0
"""Documents are wiped this many seconds after their read finished (issue: 5 minutes)."""
MAX_JSON_BYTES = 16 * 1024
"""Largest JSON request body (a read request is ~200 bytes)."""
MAX_IMAGE_BYTES = 4 * 1024 * 1024
"""Largest live image for face verification (a webcam JPEG is 50-300 KB)."""
_TOKEN_BYTES = 32


def default_trust_dir() -> Path:
    """The local CSCA store ``chipid trust add`` fills (:func:`chipid.pki.trust.default_store_dir`)."""
    from chipid.pki.trust import default_store_dir

    return default_store_dir()


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``: addresses no other machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh access token: 32 random bytes, URL-safe base64 (usable as a WebSocket subprotocol too)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def load_or_create_token(path: Path) -> tuple[str, bool]:
    """The token stored in ``path`` (first line), or a new one written there with mode 0600.

    Returns:
        (token, created): ``created`` is True when the file did not exist.

    Raises:
        ConfigurationError: the file is readable by others, empty, or too short to be a secret.
    """
    if not path.exists():
        token = new_token()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(token + "\n")
        return token, True
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(f"token file {path} is accessible to other users: chmod 600 it")
    token = path.read_text(encoding="utf-8").strip().splitlines()[0].strip() if path.stat().st_size else ""
    if len(token) < 16 or any(c.isspace() for c in token):
        raise ConfigurationError(f"token file {path} must hold one token of at least 16 characters")
    return token, False


@dataclass(frozen=True)
class ServiceConfig:
    """Settings of one service process.

    Attributes:
        token: the access token every API call must present (Bearer header, session cookie or
            WebSocket subprotocol; see docs/ARCHITECTURE.md "Desk service").
        host, port: where uvicorn binds; non-loopback hosts need ``tls_cert`` and ``tls_key``.
        sim_profile: ``None`` for the PC/SC readers, ``"default"`` or a saved profile directory for
            the in-process virtual chip (a virtual reader that always holds the card).
        sim_faults: faults of the virtual chip (:class:`chipid.sim.Faults`, ``--fault``), or ``None``.
        trust_paths: CSCA material (PEM/DER files or folders, master lists, LDIF, CRLs) for every read; the
            CLI passes :func:`default_trust_dir` when no ``--trust`` is given and the folder exists.
        allow_origins: web origins (``https://bank.example``) allowed to call the API cross-origin.
        ttl_s: seconds a finished read is kept before it is wiped.
        max_json_bytes, max_image_bytes: request body limits (413 beyond).
        tls_cert, tls_key: PEM files for HTTPS.
        card_poll_s: how often the PC/SC readers are polled for card insertion and removal.
    """

    token: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    sim_profile: str | None = None
    sim_faults: Any = None
    trust_paths: tuple[Path, ...] = ()
    allow_origins: tuple[str, ...] = ()
    ttl_s: float = DEFAULT_TTL_S
    max_json_bytes: int = MAX_JSON_BYTES
    max_image_bytes: int = MAX_IMAGE_BYTES
    tls_cert: Path | None = None
    tls_key: Path | None = None
    card_poll_s: float = 0.25

    def __post_init__(self) -> None:
        if len(self.token) < 16:
            raise ConfigurationError("the access token must be at least 16 characters")
        if not 0 <= self.port <= 65535:
            raise ConfigurationError(f"port {self.port} is not a TCP port")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ConfigurationError("TLS needs both --tls-cert and --tls-key")
        if not is_loopback(self.host) and self.tls_cert is None:
            raise ConfigurationError(
                f"--host {self.host} is reachable from other machines: citizens' data must travel over TLS "
                "(give --tls-cert and --tls-key), or keep the default 127.0.0.1"
            )
        if self.ttl_s <= 0:
            raise ConfigurationError("the document time-to-live must be positive")
        for origin in self.allow_origins:
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest or origin == "*":
                raise ConfigurationError(f"--allow-origin {origin!r} must be scheme://host[:port], without a path")

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert is not None else "http"

    def own_origins(self) -> frozenset[str]:
        """The origins of the desk page itself (same-origin requests)."""
        hosts = {self.host, "127.0.0.1", "localhost", "[::1]"} if is_loopback(self.host) else {self.host}
        return frozenset(f"{self.scheme}://{h}:{self.port}" for h in hosts)

    def allowed_hosts(self) -> frozenset[str] | None:
        """Acceptable ``Host`` headers (a DNS-rebinding page names its own host); None: any (wildcard bind)."""
        if self.host in ("0.0.0.0", "::"):  # noqa: S104
            return None
        hosts = {self.host, "127.0.0.1", "localhost", "[::1]"} if is_loopback(self.host) else {self.host}
        return frozenset(f"{h}:{self.port}" for h in hosts)

    def page_url(self) -> str:
        """The desk page's URL with the token in the fragment (never sent to the server or its logs)."""
        host = "127.0.0.1" if self.host in ("127.0.0.1", "localhost", "0.0.0.0") else self.host  # noqa: S104
        return f"{self.scheme}://{host}:{self.port}/#token={self.token}"
