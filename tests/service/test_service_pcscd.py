"""The desk service on the real PC/SC stack: ``chipid serve`` (no --sim) reading the virtual CCCD that a vpcd
bridge puts in pcscd's "Virtual PCD 00 00" reader; card insertion and removal pushed over the WebSocket.

Run under the pcscd lock: ``CHIPID_PCSCD=1 flock /tmp/chipid-pcscd.lock python -m pytest tests/service -m pcscd``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chipid.sim.personalize import default_profile
from tests.e2e.conftest import READER, require_vpcd_reader, start_card, stop_card
from tests.service.conftest import Service, require, wait_done

require("websockets")

from websockets.sync.client import ClientConnection, connect  # noqa: E402

pytestmark = pytest.mark.pcscd


@pytest.fixture
def pcsc_service(serve: Callable[..., Service], tmp_path: Path) -> Service:
    require_vpcd_reader()
    profile = default_profile()
    trust = tmp_path / "trust"
    trust.mkdir()
    for i, der in enumerate(profile.csca_certificates):
        (trust / f"csca_{i}.der").write_bytes(der)
    for i, der in enumerate(profile.crls):
        (trust / f"csca_{i}.crl").write_bytes(der)
    # no --trust: the default local store ('chipid trust add'), moved here by CHIPID_TRUST_DIR
    service = serve(env={"CHIPID_TRUST_DIR": str(trust)})
    assert f"from {trust}" in service.log()
    return service


@pytest.fixture
def events(pcsc_service: Service) -> Iterator[ClientConnection]:
    url = f"ws://127.0.0.1:{pcsc_service.port}/api/v1/events"
    with connect(url, subprotocols=["chipid.v1", f"bearer.{pcsc_service.token}"],  # type: ignore[list-item]
                 open_timeout=10) as ws:
        yield ws


def next_event(ws: ClientConnection, kind: str, timeout: float = 15.0, **match: Any) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind} event {match} within {timeout} s")
        event: dict[str, Any] = json.loads(ws.recv(left))
        if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


def test_card_events_and_a_read_through_pcscd(pcsc_service: Service, events: ClientConnection) -> None:
    profile = default_profile()
    hello = next_event(events, "hello")
    assert hello["mode"] == "pcsc"
    assert {"name": READER, "card_present": False, "busy": False} in hello["readers"]
    with pcsc_service.client() as c:
        r = c.post("/api/v1/reads", json={"can": profile.can})
        assert r.status_code == 409 and r.json()["error"] == "no_card"  # no reader holds a card

        bridge = start_card(profile)
        try:
            next_event(events, "card", reader=READER, present=True)
            readers = c.get("/api/v1/readers").json()["readers"]
            assert {"name": READER, "card_present": True, "busy": False} in readers

            first = c.post("/api/v1/reads", json={"can": profile.can, "reader": READER})
            second = c.post("/api/v1/reads", json={"can": profile.can, "reader": READER})
            assert first.status_code == 202, first.text
            assert second.status_code == 409 and second.json()["error"] == "reader_busy"
            job_id = first.json()["id"]
            files = set()
            while True:
                event = json.loads(events.recv(60))
                if event.get("job") != job_id:
                    continue
                if event["type"] == "progress":
                    files.add(event["file"])
                elif event["type"] in ("done", "failed"):
                    break
            assert event == {"type": "done", "job": job_id, "verdict": "GENUINE"}
            assert {"EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15"} <= files
            job = wait_done(c, job_id)
            assert job["verdict"] == "GENUINE" and job["result"]["protocol"] == "PACE"  # type: ignore[index]
            assert job["result"]["document"]["holder"]["full_name"] == profile.holder["full_name"]  # type: ignore[index]
            assert c.get(f"/api/v1/reads/{job_id}/portrait").status_code == 200
        finally:
            stop_card(bridge)
        next_event(events, "card", reader=READER, present=False)
        r = c.post("/api/v1/reads", json={"can": profile.can, "reader": READER})
        assert r.status_code == 202  # the reader is named: the read starts and fails with a typed error
        assert wait_done(c, r.json()["id"])["error"]["code"] == "no_card"  # type: ignore[index]


def test_card_pulled_during_the_read_is_a_typed_failure(pcsc_service: Service) -> None:
    from chipid.sim import Faults

    profile = default_profile()
    bridge = start_card(profile, Faults(tear_after=14))
    try:
        with pcsc_service.client() as c:
            r = c.post("/api/v1/reads", json={"can": profile.can, "reader": READER})
            job = wait_done(c, r.json()["id"], timeout=60)
            assert job["state"] == "failed" and job["result"] is None  # nothing half-read is kept as whole
            assert job["error"]["code"] == "card_removed", job  # type: ignore[index]
            assert not any(x["busy"] for x in c.get("/api/v1/readers").json()["readers"])
    finally:
        stop_card(bridge)


def test_desk_page_sees_the_card_arrive_and_reads_it(pcsc_service: Service) -> None:
    """The page in headless Chromium against pcscd: the prompt follows the card, then the read verifies."""
    require("playwright")
    import re

    from playwright.sync_api import expect, sync_playwright

    from tests.service.test_service_browser import CHROMIUM, launch

    profile = default_profile()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.add_init_script("localStorage.setItem('chipid.lang', 'en')")
            page.goto(f"{pcsc_service.base}/#token={pcsc_service.token}")
            expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
            page.select_option("#reader", READER)
            expect(page.locator("#prompt-text")).to_have_text("Place the ID card on the reader", timeout=10_000)
            bridge = start_card(profile)
            try:
                expect(page.locator("#prompt-text")).to_contain_text("Card on the reader", timeout=10_000)
                expect(page.locator("#reader-state")).to_have_class(re.compile(r"\bon\b"))
                page.fill("#can", profile.can)
                page.click("#read-btn")
                expect(page.locator("#verdict")).to_have_attribute("data-verdict", "GENUINE", timeout=60_000)
                expect(page.locator("dd[data-field=full_name]")).to_have_text(profile.holder["full_name"])
            finally:
                stop_card(bridge)
            expect(page.locator("#reader-state")).to_have_text("No card", timeout=10_000)
        finally:
            browser.close()
    assert CHROMIUM.exists()
