"""Face verification through the API: a virtual card carrying a real photo, live photos of the same person, of
someone else, of two people, and bytes that are no image (the face extra is installed in CI)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.service._photos import photo_card
from tests.service.conftest import Service, require, start_service, wait_done

require("dlib")

FACES = DATA / "faces"


@pytest.fixture(scope="module")
def obama_card(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, str]]:
    tmp = tmp_path_factory.mktemp("face")
    profile = photo_card(FACES / "obama_1.jpg", tmp / "card")
    service = start_service(tmp, "--sim", str(tmp / "card"))
    yield service, profile.can
    service.stop()


def _read(service: Service, can: str) -> str:
    with service.client() as c:
        job_id: str = c.post("/api/v1/reads", json={"can": can}).json()["id"]
        job = wait_done(c, job_id)
    assert job["verdict"] == "GENUINE"
    return job_id


@pytest.mark.parametrize(("live", "same"), [("obama_2.jpg", True), ("obama_3.jpg", True),
                                            ("biden_2.jpg", False), ("rose_leslie_1.jpg", False)])
def test_live_photo_against_the_chip_portrait(obama_card: tuple[Service, str], live: str, same: bool) -> None:
    service, can = obama_card
    job_id = _read(service, can)
    with service.client() as c:
        r = c.post(f"/api/v1/reads/{job_id}/face", content=(FACES / live).read_bytes(),
                   headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 200, r.text
    match = r.json()
    assert match["same_person"] is same
    assert (match["score"] <= match["threshold"]) is same
    assert 0 < match["fmr"] < 0.01


@pytest.mark.parametrize(("image", "error"), [
    ((FACES / "multi_two_people.jpg").read_bytes(), "MultipleFacesError"),
    (b"not an image at all", "UnreadableImageError"),
])
def test_unusable_live_images_get_a_typed_422(obama_card: tuple[Service, str], image: bytes, error: str) -> None:
    service, can = obama_card
    job_id = _read(service, can)
    with service.client() as c:
        r = c.post(f"/api/v1/reads/{job_id}/face", content=image, headers={"Content-Type": "image/jpeg"})
        assert r.status_code == 422 and r.json()["error"] == error and r.json()["source"] == "live"
        assert c.post(f"/api/v1/reads/{job_id}/face", content=b"").status_code == 400


def test_a_stranger_is_not_the_drawn_face_of_the_built_in_card(serve: Callable[..., Service]) -> None:
    """The built-in card's synthetic drawn portrait never matches a real person's photo."""
    from chipid.sim.personalize import default_profile

    service = serve("--sim")
    job_id = _read(service, default_profile().can)
    with service.client() as c:
        r = c.post(f"/api/v1/reads/{job_id}/face", content=(FACES / "obama_2.jpg").read_bytes())
    assert r.status_code == 200, r.text
    assert r.json()["same_person"] is False


def test_portrait_of_a_jpeg2000_card_is_served_as_png(obama_card: tuple[Service, str], tmp_path: Path) -> None:
    service, can = obama_card
    job_id = _read(service, can)
    with service.client() as c:
        r = c.get(f"/api/v1/reads/{job_id}/portrait")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")
