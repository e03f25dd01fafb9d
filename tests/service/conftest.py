"""Fixtures of the desk service tests: ``chipid serve`` in a subprocess (uvicorn, the real stack).

``serve(*args)`` starts ``python -m chipid serve --port <free port> <args>``, waits until
``/api/v1/health`` answers, and returns a :class:`Service` (base URL, token, log). Every process is
stopped at the end of the test. The token is taken from the one line the service prints (or from
``--token-file``). Without the ``serve`` extra (Starlette, uvicorn, httpx) the tests skip locally but fail in
CI (``CHIPID_PCSCD=1``, set by tests/run.sh).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT

STRICT = os.environ.get("CHIPID_PCSCD") == "1"


def require(module: str) -> None:
    """Import ``module`` or skip (locally) / fail (CI)."""
    try:
        __import__(module)
    except ImportError:
        if STRICT:
            pytest.fail(f"{module} is missing: tests/run.sh installs chipid[serve] and the test extras")
        pytest.skip(f"{module} is not installed (pip install -e '.[test,serve]')")


for _module in ("starlette", "uvicorn", "httpx"):
    require(_module)

import httpx  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Service:
    """One running ``chipid serve``."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    log_path: Path
    scheme: str = "http"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, *, token: str | None = "default", **kwargs: object) -> httpx.Client:
        """An httpx client on the service; ``token=None`` sends no Authorization header."""
        headers = {} if token is None else {"Authorization": f"Bearer {self.token if token == 'default' else token}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30, verify=False, **kwargs)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_service(tmp: Path, *args: str, scheme: str = "http", env: dict[str, str] | None = None) -> Service:
    port = free_port()
    log_path = tmp / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "chipid", "serve", "--port", str(port), *args],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {}),
                                                                 "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise AssertionError(f"chipid serve exited {process.returncode}:\n{log_path.read_text()}")
        try:
            r = httpx.get(f"{scheme}://127.0.0.1:{port}/api/v1/health", timeout=1, verify=False)
            if r.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"chipid serve did not answer within 30 s:\n{log_path.read_text()}")
        time.sleep(0.1)
    text = log_path.read_text()
    match = re.search(r"#token=([A-Za-z0-9_-]{16,})", text)
    if match:
        token = match.group(1)
    else:
        token_file = args[args.index("--token-file") + 1]
        token = Path(token_file).read_text().strip()
    return Service(process, port, token, log_path, scheme)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    started: list[Service] = []

    def factory(*args: str, scheme: str = "http", env: dict[str, str] | None = None) -> Service:
        service = start_service(tmp_path, *args, scheme=scheme, env=env)
        started.append(service)
        return service

    yield factory
    for service in started:
        service.stop()


@pytest.fixture(scope="module")
def sim_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``chipid serve --sim`` shared by a module: the built-in virtual card in the virtual reader."""
    service = start_service(tmp_path_factory.mktemp("serve"), "--sim")
    yield service
    service.stop()


def wait_done(client: httpx.Client, job_id: str, timeout: float = 30.0) -> dict[str, object]:
    """Poll a read until it is no longer running."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/v1/reads/{job_id}")
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        if body["state"] != "running":
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"read {job_id} still running after {timeout} s")
        time.sleep(0.02)
