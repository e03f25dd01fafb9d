"""The desk API through the real stack: ``chipid serve --sim`` (uvicorn in a subprocess) and HTTP/WebSocket."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from chipid.sim import SimTransport, VirtualChip
from chipid.sim.personalize import default_profile
from chipid.sim.profile import CardProfile
from tests.schemas import validate
from tests.service.conftest import Service, require, wait_done

require("websockets")

from websockets.sync.client import connect  # noqa: E402


@cache
def _card() -> tuple[CardProfile, bytes]:
    """The built-in virtual card and its DG2 portrait as the library reads it."""
    from chipid.reader import read_document

    profile = default_profile()
    result = read_document(SimTransport(VirtualChip(profile)), profile.can_key(), trust=profile.trust_store())
    face = result.document.face_image()
    assert face is not None
    return profile, face


def test_health_and_openapi_need_no_token(sim_service: Service) -> None:
    with sim_service.client(token=None) as c:
        health = c.get("/api/v1/health").json()
        assert health["status"] == "ok" and health["mode"] == "sim" and health["ttl_s"] == 300
        doc = c.get("/api/v1/openapi.json").json()
        assert doc["openapi"].startswith("3.1") and "/api/v1/reads" in doc["paths"]


def test_readers_lists_the_virtual_reader_with_its_card(sim_service: Service) -> None:
    with sim_service.client() as c:
        body = c.get("/api/v1/readers").json()
    assert body == {"mode": "sim", "readers": [{"name": "chipid virtual chip", "card_present": True, "busy": False}]}


def test_read_with_can_gives_the_verdict_holder_and_portrait(sim_service: Service) -> None:
    profile, face = _card()
    with sim_service.client() as c:
        started = c.post("/api/v1/reads", json={"can": profile.can})
        assert started.status_code == 202, started.text
        job = wait_done(c, started.json()["id"])
        assert job["state"] == "done" and job["verdict"] == "GENUINE", job
        result = job["result"]
        assert isinstance(result, dict)
        validate(result, "read.schema.json")  # the documented chipid.read/1 layout
        assert result["protocol"] == "PACE"
        assert result["document"]["holder"]["full_name"] == profile.holder["full_name"]
        assert all(f["photo"] is None for f in result["document"]["faces"])  # the image has its own URL
        assert isinstance(job["read_s"], float) and job["read_s"] > 0
        portrait = c.get(str(job["portrait_url"]))
        assert portrait.status_code == 200
        assert portrait.headers["content-type"] == "image/jpeg"
        assert portrait.content == face
        assert portrait.headers["cache-control"] == "no-store"


def test_read_with_mrz_fields_of_the_cccd(sim_service: Service) -> None:
    profile, _ = _card()
    mrz = {"id_number": profile.holder["id_number"], "date_of_birth": profile.date_of_birth,
           "date_of_expiry": profile.date_of_expiry}
    with sim_service.client() as c:
        job = wait_done(c, c.post("/api/v1/reads", json={"mrz": mrz}).json()["id"])
    assert job["verdict"] == "GENUINE"


def test_wrong_can_fails_the_read_with_access_denied(sim_service: Service) -> None:
    profile, _ = _card()
    wrong = f"{(int(profile.can) + 1) % 1_000_000:06d}"
    with sim_service.client() as c:
        job = wait_done(c, c.post("/api/v1/reads", json={"can": wrong}).json()["id"])
        assert job["state"] == "failed" and job["result"] is None and job["portrait_url"] is None
        assert job["error"]["code"] == "access_denied", job  # type: ignore[index]
        assert wrong not in json.dumps(job)
        # the reader is free again
        assert c.get("/api/v1/readers").json()["readers"][0]["busy"] is False


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"can": "12345"}, 422, "invalid_key"),
    ({"can": "12345a"}, 422, "invalid_key"),
    ({}, 422, "invalid_key"),
    ({"can": "123456", "mrz": {"text": "x"}}, 422, "invalid_key"),
    ({"mrz": {"id_number": "123", "date_of_birth": "800101", "date_of_expiry": "400101"}}, 422, "invalid_key"),
    ({"mrz": {"document_number": "C01X00T47", "date_of_birth": "1980-01-01", "date_of_expiry": "400101"}}, 422,
     "invalid_key"),
    ({"can": "123456", "reader": 3}, 422, "invalid_reader"),
    ({"can": "123456", "reader": "no such reader"}, 202, None),
])
def test_read_requests_are_validated(sim_service: Service, body: dict[str, object], status: int,
                                     code: str | None) -> None:
    with sim_service.client() as c:
        r = c.post("/api/v1/reads", json=body)
        assert r.status_code == status, r.text
        if code is not None:
            assert r.json()["error"] == code
            assert "12345" not in r.json()["message"]  # the message names the field, never echoes the value
        else:  # an unknown reader is a failed read with a typed error, not a crash
            job = wait_done(c, r.json()["id"])
            assert job["error"]["code"] == "no_reader"  # type: ignore[index]


def test_non_json_bodies_are_refused(sim_service: Service) -> None:
    with sim_service.client() as c:
        assert c.post("/api/v1/reads", content=b"can=123456",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
        assert c.post("/api/v1/reads", content=b"{not json",
                      headers={"Content-Type": "application/json"}).status_code == 400
        assert c.post("/api/v1/reads", content=b"[1, 2]",
                      headers={"Content-Type": "application/json"}).status_code == 400


def test_unknown_job_is_404(sim_service: Service) -> None:
    with sim_service.client() as c:
        for path in ("/api/v1/reads/nope", "/api/v1/reads/nope/portrait"):
            r = c.get(path)
            assert r.status_code == 404 and r.json()["error"] == "unknown_job"


def test_websocket_streams_hello_progress_per_file_and_done(sim_service: Service) -> None:
    profile, _ = _card()
    url = f"ws://127.0.0.1:{sim_service.port}/api/v1/events"
    with connect(url, subprotocols=["chipid.v1", f"bearer.{sim_service.token}"],  # type: ignore[list-item]
                 open_timeout=10) as ws:
        assert ws.subprotocol == "chipid.v1"
        hello = json.loads(ws.recv(10))
        assert hello["type"] == "hello" and hello["readers"][0]["card_present"] is True
        with sim_service.client() as c:
            job_id = c.post("/api/v1/reads", json={"can": profile.can}).json()["id"]
        events = []
        while True:
            event = json.loads(ws.recv(30))
            if event.get("job") != job_id:
                continue
            events.append(event)
            if event["type"] in ("done", "failed"):
                break
    assert events[0]["type"] == "started"
    assert events[-1] == {"type": "done", "job": job_id, "verdict": "GENUINE"}
    files = [e["file"] for e in events if e["type"] == "progress"]
    assert {"EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15"} <= set(files)
    last = {e["file"]: e for e in events if e["type"] == "progress"}
    assert all(e["done"] == e["total"] > 0 for e in last.values())  # every file read to its end


def test_websocket_without_token_is_refused(sim_service: Service) -> None:
    from websockets.exceptions import InvalidStatus

    url = f"ws://127.0.0.1:{sim_service.port}/api/v1/events"
    for protocols in (["chipid.v1"], ["chipid.v1", "bearer.wrong-token-wrong-token"]):
        with pytest.raises(InvalidStatus) as info:
            connect(url, subprotocols=protocols, open_timeout=10)  # type: ignore[arg-type]
        assert info.value.response.status_code == 403


def test_delete_wipes_the_read_now(sim_service: Service) -> None:
    profile, _ = _card()
    with sim_service.client() as c:
        job_id = c.post("/api/v1/reads", json={"can": profile.can}).json()["id"]
        wait_done(c, job_id)
        assert c.delete(f"/api/v1/reads/{job_id}").status_code == 204
        for path in (f"/api/v1/reads/{job_id}", f"/api/v1/reads/{job_id}/portrait"):
            r = c.get(path)
            assert r.status_code == 410 and r.json()["error"] == "expired"


def test_face_without_the_face_extra_is_a_clear_501(serve: Callable[..., Service]) -> None:
    """Without dlib (hidden from the service process) the endpoint says what to install; reads still work."""
    profile, face = _card()
    blocker = Path(__file__).with_name("_no_dlib")
    service = serve("--sim", env={"PYTHONPATH": str(blocker)})
    with service.client() as c:
        assert c.get("/api/v1/health").json()["face"] is False
        job_id = c.post("/api/v1/reads", json={"can": profile.can}).json()["id"]
        assert wait_done(c, job_id)["verdict"] == "GENUINE"
        r = c.post(f"/api/v1/reads/{job_id}/face", content=face, headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 501 and r.json()["error"] == "face_unavailable"
    assert "chipid[face]" in r.json()["message"]
