"""The service's pieces in process: job store TTL and reader locks, settings, key parsing, OpenAPI coverage,
the optional-extra boundary and the layer rule."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from chipid.access.keys import CANKey, MRZKey
from chipid.errors import ConfigurationError, ParseError
from chipid.service.config import ServiceConfig, is_loopback, load_or_create_token, new_token
from chipid.service.jobs import JobStore
from chipid.service.reads import key_from_request
from tests.conftest import ROOT

TOKEN = "t" * 43


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------------- jobs
def test_one_running_job_per_reader() -> None:
    store = JobStore(300)
    first = store.try_start("A")
    assert first is not None
    assert store.try_start("A") is None  # busy
    other = store.try_start("B")
    assert other is not None  # another reader is independent
    assert store.busy_readers() == {"A", "B"}
    store.finish(first)
    assert store.busy_readers() == {"B"}
    assert store.try_start("A") is not None


def test_finished_jobs_are_wiped_after_the_ttl() -> None:
    clock = Clock()
    store = JobStore(300, clock=clock)
    job = store.try_start("A")
    assert job is not None
    job.payload = {"document": {"holder": {"full_name": "X"}}}
    job.portrait = b"\xff\xd8"
    job.events.append({"type": "progress"})
    clock.now += 10_000
    assert store.get(job.id) is job  # a running job never expires
    store.finish(job)
    clock.now += 299
    assert store.sweep() == 0 and store.get(job.id) is job
    clock.now += 1
    assert store.sweep() == 1
    assert store.get(job.id) is None and store.expired(job.id) and len(store) == 0
    assert job.payload is None and job.portrait is None and job.events == [] and job.state == "expired"
    assert not store.expired("never-existed")


def test_delete_wipes_finished_jobs_only() -> None:
    store = JobStore(300)
    job = store.try_start("A")
    assert job is not None
    assert store.delete(job.id) is False  # still running
    store.finish(job, failed=True)
    assert job.state == "failed"
    assert store.delete(job.id) is True and store.expired(job.id)
    assert store.delete(job.id) is False


def test_job_ids_are_unguessable() -> None:
    store = JobStore(300)
    ids = set()
    for _ in range(50):
        job = store.try_start("A")
        assert job is not None
        store.finish(job)
        ids.add(job.id)
    assert len(ids) == 50 and all(len(i) >= 22 for i in ids)


# ---------------------------------------------------------------------------------------------- config
@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.0.1", True), ("localhost", True),
                                                ("::1", True), ("[::1]", True), ("0.0.0.0", False),
                                                ("192.168.1.5", False), ("desk.bank.example", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_config_refuses_unsafe_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="TLS"):
        ServiceConfig(token=TOKEN, host="0.0.0.0")
    with pytest.raises(ConfigurationError, match="both"):
        ServiceConfig(token=TOKEN, tls_cert=tmp_path / "c.pem")
    with pytest.raises(ConfigurationError, match="16"):
        ServiceConfig(token="short")
    for origin in ("*", "bank.example", "https://bank.example/app", "ftp://bank.example"):
        with pytest.raises(ConfigurationError):
            ServiceConfig(token=TOKEN, allow_origins=(origin,))
    with pytest.raises(ConfigurationError):
        ServiceConfig(token=TOKEN, ttl_s=0)
    config = ServiceConfig(token=TOKEN, host="0.0.0.0", tls_cert=tmp_path / "c", tls_key=tmp_path / "k")
    assert config.scheme == "https" and config.allowed_hosts() is None


def test_config_origins_hosts_and_link() -> None:
    config = ServiceConfig(token=TOKEN, port=9000, allow_origins=("https://bank.example",))
    assert "http://127.0.0.1:9000" in config.own_origins() and "http://localhost:9000" in config.own_origins()
    assert "https://bank.example" not in config.own_origins()
    assert config.allowed_hosts() == {"127.0.0.1:9000", "localhost:9000", "[::1]:9000"}
    assert config.page_url() == f"http://127.0.0.1:9000/#token={TOKEN}"
    assert TOKEN not in repr(config)


def test_token_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    token, created = load_or_create_token(path)
    assert created and path.stat().st_mode & 0o777 == 0o600 and len(token) >= 43
    assert load_or_create_token(path) == (token, False)
    path.chmod(0o640)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_or_create_token(path)
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError):
        load_or_create_token(path)
    assert new_token() != new_token()


# ---------------------------------------------------------------------------------------------- keys
def test_key_from_request() -> None:
    assert key_from_request({"can": "123456"}) == CANKey("123456")
    mrz = key_from_request({"mrz": {"id_number": "066080593856", "date_of_birth": "801015",
                                    "date_of_expiry": "401015"}})
    assert mrz == MRZKey("080593856", "801015", "401015")
    assert key_from_request({"mrz": {"document_number": "c01x00t47", "date_of_birth": "640812",
                                     "date_of_expiry": "101031"}}) == MRZKey("C01X00T47", "640812", "101031")
    text = "I<UTOD231458907<<<<<<<<<<<<<<<|7408122F1204159UTO<<<<<<<<<<<6|ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    assert key_from_request({"mrz": {"text": text}}) == MRZKey("D23145890", "740812", "120415")
    for bad in ({}, {"can": "12345"}, {"can": 123456}, {"can": "123456", "mrz": {}}, {"mrz": "x"},
                {"mrz": {"date_of_birth": "801015", "date_of_expiry": "401015"}},
                {"mrz": {"id_number": "066080593856", "date_of_birth": "15/10/1980", "date_of_expiry": "401015"}},
                {"mrz": {"document_number": "", "date_of_birth": "801015", "date_of_expiry": "401015"}}):
        with pytest.raises(ParseError) as info:
            key_from_request(bad)  # type: ignore[arg-type]
        assert "1980" not in str(info.value) and "12345" not in str(info.value)


# ---------------------------------------------------------------------------------------------- OpenAPI
def test_every_route_is_documented_and_nothing_more() -> None:
    from starlette.routing import Route, WebSocketRoute

    from chipid.service.api import routes
    from chipid.service.openapi import openapi_document

    doc = openapi_document()
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    served = set()
    for route in routes:
        if isinstance(route, WebSocketRoute):
            served.add((route.path, "GET"))
        elif isinstance(route, Route):
            served |= {(route.path, m) for m in (route.methods or ()) if m != "HEAD"}
    assert documented == served
    refs = {v for v in _walk(doc) if isinstance(v, str) and v.startswith("#/components/schemas/")}
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(doc["components"]["schemas"])


def _walk(node: object) -> list[object]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _walk(v)]
    if isinstance(node, list):
        return [x for v in node for x in _walk(v)]
    return [node]


# ---------------------------------------------------------------------------------------------- boundaries
def test_importing_chipid_never_imports_the_serve_extra() -> None:
    code = ("import sys, chipid, chipid.cli; chipid.cli._build_parser(); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'chipid.service') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_serve_without_the_extra_names_the_install(tmp_path: Path) -> None:
    (tmp_path / "starlette.py").write_text("raise ImportError('No module named starlette', name='starlette')\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "chipid", "serve", "--sim"], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=60, check=False)
    assert r.returncode == 3, r.stderr
    assert "pip install 'chipid[serve]'" in r.stderr and "Traceback" not in r.stderr


def test_only_the_cli_imports_the_service_and_the_service_not_the_cli() -> None:
    pkg = ROOT / "chipid"
    offenders = []
    for path in pkg.rglob("*.py"):
        area = path.relative_to(pkg).parts[0]
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                if name.startswith("chipid.service") and area not in ("service", "cli"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
                if area == "service" and name.startswith("chipid.cli"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders
