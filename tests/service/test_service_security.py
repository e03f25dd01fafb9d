"""Security of the desk service, each point against the running process: token, origin, host, body size,
TTL wipe, one read per reader, logs without personal data, loopback-or-TLS, the token file."""

from __future__ import annotations

import datetime
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from chipid.sim.personalize import default_profile
from tests.conftest import ROOT
from tests.service.conftest import Service, wait_done

ORIGIN = "https://bank.example"


@pytest.fixture(scope="module")
def can() -> str:
    return default_profile().can


# ---------------------------------------------------------------------------------------------- token
def test_api_needs_the_token(sim_service: Service, can: str) -> None:
    for token in (None, "wrong-token-of-sufficient-length"):
        with sim_service.client(token=token) as c:
            for method, path in (("GET", "/api/v1/readers"), ("POST", "/api/v1/reads"),
                                 ("GET", "/api/v1/reads/x"), ("GET", "/api/v1/reads/x/portrait"),
                                 ("POST", "/api/v1/reads/x/face"), ("DELETE", "/api/v1/reads/x"),
                                 ("POST", "/api/v1/session")):
                r = c.request(method, path, json={"can": can} if method == "POST" else None)
                assert r.status_code == 401, (method, path, r.status_code)
                assert r.json()["error"] == "unauthorized"
                assert r.headers["www-authenticate"].startswith("Bearer")


def test_session_cookie_from_the_token_authenticates_the_page(sim_service: Service) -> None:
    with sim_service.client(token=None) as anonymous:
        r = anonymous.post("/api/v1/session", headers={"Authorization": f"Bearer {sim_service.token}"})
        assert r.status_code == 200
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert sim_service.token not in cookie  # the session id is not the token
        assert f"chipid_session_{sim_service.port}=" in cookie  # per port: two services never clash
        assert anonymous.get("/api/v1/readers").status_code == 200  # the cookie alone now works
    with sim_service.client(token=None) as other:
        other.cookies.set(f"chipid_session_{sim_service.port}", "forged-session-id")
        assert other.get("/api/v1/readers").status_code == 401


# ---------------------------------------------------------------------------------------------- origin, host
def test_wrong_origin_is_refused_even_with_the_token(sim_service: Service, can: str) -> None:
    with sim_service.client() as c:
        for origin in ("https://evil.example", f"http://127.0.0.1:{sim_service.port + 1}", "null"):
            r = c.post("/api/v1/reads", json={"can": can}, headers={"Origin": origin})
            assert r.status_code == 403 and r.json()["error"] == "origin_not_allowed"
            assert "access-control-allow-origin" not in r.headers
            pre = c.options("/api/v1/reads", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
            assert pre.status_code == 403
        # the desk page's own origin is fine
        same = c.get("/api/v1/readers", headers={"Origin": f"http://127.0.0.1:{sim_service.port}"})
        assert same.status_code == 200


def test_configured_origin_gets_cors(serve: Callable[..., Service], can: str) -> None:
    service = serve("--sim", "--allow-origin", ORIGIN)
    with service.client() as c:
        pre = c.options("/api/v1/reads", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == ORIGIN
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-private-network" not in pre.headers
        pna = c.options("/api/v1/reads", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true"})
        assert pna.headers["access-control-allow-private-network"] == "true"
        r = c.post("/api/v1/reads", json={"can": can}, headers={"Origin": ORIGIN})
        assert r.status_code == 202 and r.headers["access-control-allow-origin"] == ORIGIN
        wait_done(c, r.json()["id"])
        evil = c.get("/api/v1/readers", headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403


def test_foreign_host_header_is_refused(sim_service: Service) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own host name."""
    with sim_service.client() as c:
        r = c.get("/api/v1/readers", headers={"Host": f"evil.example:{sim_service.port}"})
        assert r.status_code == 400 and r.json()["error"] == "bad_host"
        assert c.get("/", headers={"Host": f"evil.example:{sim_service.port}"}).status_code == 400
        assert c.get("/api/v1/readers", headers={"Host": f"localhost:{sim_service.port}"}).status_code == 200


def test_security_headers(sim_service: Service) -> None:
    with sim_service.client(token=None) as c:
        page = c.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert c.get("/api/v1/health").headers["cache-control"] == "no-store"
        assert c.get("/assets/desk.js").status_code == 200


# ---------------------------------------------------------------------------------------------- body size
def test_oversized_bodies_are_refused(sim_service: Service, can: str) -> None:
    with sim_service.client() as c:
        big = {"can": can, "padding": "x" * 20_000}
        r = c.post("/api/v1/reads", json=big)
        assert r.status_code == 413 and r.json()["error"] == "too_large"

        def chunks() -> object:  # no Content-Length: the limit still holds
            for _ in range(40):
                yield b" " * 1024

        r = c.post("/api/v1/reads", content=chunks(), headers={"Content-Type": "application/json"})  # type: ignore[arg-type]
        assert r.status_code == 413
        r = c.post("/api/v1/reads/x/face", content=b"\xff" * (4 * 1024 * 1024 + 1),
                   headers={"Content-Type": "image/jpeg"})
        assert r.status_code == 413
        assert c.get("/api/v1/readers").json()["readers"][0]["busy"] is False  # nothing was started


# ---------------------------------------------------------------------------------------------- TTL
def test_documents_are_wiped_after_the_ttl(serve: Callable[..., Service], can: str) -> None:
    service = serve("--sim", "--ttl", "1")
    with service.client() as c:
        job_id = c.post("/api/v1/reads", json={"can": can}).json()["id"]
        job = wait_done(c, job_id)
        assert job["verdict"] == "GENUINE" and float(job["expires_in_s"]) <= 1.0  # type: ignore[arg-type]
        assert c.get(f"/api/v1/reads/{job_id}/portrait").status_code == 200
        deadline = time.monotonic() + 10
        while c.get("/api/v1/health").json()["jobs"] and time.monotonic() < deadline:
            time.sleep(0.2)  # the sweeper runs every second, without any request
        assert c.get("/api/v1/health").json()["jobs"] == 0
        for path in (f"/api/v1/reads/{job_id}", f"/api/v1/reads/{job_id}/portrait"):
            r = c.get(path)
            assert r.status_code == 410 and r.json()["error"] == "expired"
        r = c.post(f"/api/v1/reads/{job_id}/face", content=b"\xff\xd8", headers={"Content-Type": "image/jpeg"})
        assert r.status_code == 410


# ---------------------------------------------------------------------------------------------- one read per reader
def test_second_read_during_a_read_gets_409_and_the_first_succeeds(sim_service: Service, can: str) -> None:
    with sim_service.client() as c:
        first = c.post("/api/v1/reads", json={"can": can})
        second = c.post("/api/v1/reads", json={"can": can})
        assert first.status_code == 202
        assert second.status_code == 409 and second.json()["error"] == "reader_busy"
        assert c.get("/api/v1/readers").json()["readers"][0]["busy"] is True
        assert wait_done(c, first.json()["id"])["verdict"] == "GENUINE"
        third = c.post("/api/v1/reads", json={"can": can})  # the reader is free again
        assert third.status_code == 202
        wait_done(c, third.json()["id"])


def test_concurrent_clients_get_one_read_and_409s(serve: Callable[..., Service], can: str) -> None:
    """Eight clients at once on one reader: exactly one read starts, the others get 409, and it succeeds.

    The virtual chip answers each APDU 40 ms late (``--fault delay_ms=40``: about a second a read, like a real
    contactless chip), so the read always outlasts the eight requests, however loaded the machine is."""
    slow = serve("--sim", "--fault", "delay_ms=40")
    barrier = threading.Barrier(8)
    statuses: list[tuple[int, str]] = []

    def client() -> None:
        with slow.client() as c:
            barrier.wait()
            r = c.post("/api/v1/reads", json={"can": can})
            statuses.append((r.status_code, r.json().get("id") or r.json()["error"]))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(s for s, _ in statuses)
    assert codes[0] == 202 and codes.count(202) == 1 and set(codes[1:]) == {409}, statuses
    with slow.client() as c:
        started = next(v for s, v in statuses if s == 202)
        assert wait_done(c, started)["verdict"] == "GENUINE"


# ---------------------------------------------------------------------------------------------- logs
def test_logs_hold_no_personal_data_and_the_token_once(serve: Callable[..., Service], can: str) -> None:
    profile = default_profile()
    service = serve("--sim", "--log-level", "debug")
    with service.client() as c:
        job_id = c.post("/api/v1/reads", json={"can": can}).json()["id"]
        wait_done(c, job_id)
        c.get(f"/api/v1/reads/{job_id}/portrait")
        c.post("/api/v1/reads", json={"mrz": {"id_number": profile.holder["id_number"],
                                              "date_of_birth": profile.date_of_birth,
                                              "date_of_expiry": "991231"}})
        time.sleep(1.0)
    service.stop()
    log = service.log()
    assert f"read {job_id} on 'chipid virtual chip': GENUINE" in log  # the service's own log is written
    assert re.search(r"failed: (BAC|PACE|AccessControl)Error", log)  # the wrong key's read, by type only
    assert log.count(service.token) == 1  # printed once, in the desk link
    for secret in (profile.holder["full_name"], profile.holder["id_number"], profile.document_number,
                   profile.date_of_birth, "Đặng", "066080"):
        assert secret not in log, secret
    # the CAN of the synthetic card is printed once at start (a test card), never again
    assert log.count(can) == 1


# ---------------------------------------------------------------------------------------------- bind and TLS
def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipid", "serve", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=False)


def test_non_loopback_host_needs_tls() -> None:
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        r = _run_cli("--host", host, "--sim")
        assert r.returncode == 64, r.stderr
        assert "TLS" in r.stderr
    r = _run_cli("--tls-cert", "x.pem", "--sim")
    assert r.returncode == 64 and "both" in r.stderr
    r = _run_cli("--allow-origin", "*", "--sim")
    assert r.returncode == 64
    r = _run_cli("--trust", "/no/such/csca/folder")
    assert r.returncode == 64 and "does not exist" in r.stderr


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_serves_https(serve: Callable[..., Service], tmp_path: Path, can: str) -> None:
    cert, key = _self_signed(tmp_path)
    service = serve("--sim", "--tls-cert", str(cert), "--tls-key", str(key), scheme="https")
    assert f"https://127.0.0.1:{service.port}/#token=" in service.log()
    with service.client() as c:
        r = c.post("/api/v1/reads", json={"can": can})
        assert r.status_code == 202
        assert wait_done(c, r.json()["id"])["verdict"] == "GENUINE"
        assert "Secure" in c.post("/api/v1/session").headers["set-cookie"]
    with pytest.raises(httpx.HTTPError):  # plain HTTP on the TLS port gets nowhere
        httpx.get(f"http://127.0.0.1:{service.port}/api/v1/health", timeout=5).raise_for_status()


# ---------------------------------------------------------------------------------------------- token file
def test_token_file_is_created_0600_and_reused(serve: Callable[..., Service], tmp_path: Path) -> None:
    path = tmp_path / "token"
    first = serve("--sim", "--token-file", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    assert first.token == path.read_text().strip()
    first.stop()
    second = serve("--sim", "--token-file", str(path))
    assert second.token not in second.log()  # read from the file: not printed again
    with second.client(token=path.read_text().strip()) as c:
        assert c.get("/api/v1/readers").status_code == 200


def test_token_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("a-token-that-is-long-enough\n")
    path.chmod(0o644)
    r = _run_cli("--sim", "--token-file", str(path))
    assert r.returncode == 64 and "chmod 600" in r.stderr


def test_default_bind_is_loopback_only(sim_service: Service) -> None:
    """The default --host is 127.0.0.1: the port is not open on another local address."""
    other = next((a for a in _local_addresses() if not a.startswith("127.")), None)
    if other is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((other, sim_service.port)) != 0


def _local_addresses() -> list[str]:
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False, timeout=5).stdout
    except OSError:
        return []
    return out.split()
