"""issue_card(photo=...): a real photo stored in DG2 as an ICAO-size JPEG 2000 (<= 480x640, <= 15 KB)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chipid.document import Document
from chipid.errors import FaceExtraMissingError, MultipleFacesError, ParseError
from chipid.sim import _face
from chipid.sim.personalize import issue_card
from tests.conftest import DATA

FACES = DATA / "faces"


def _portrait(photo: str) -> tuple[bytes, tuple[int, int]]:
    face = Document.from_files({"DG2": issue_card("photo", photo=(FACES / photo).read_bytes()).files["DG2"]}).faces[0]
    assert face.image_format == "jp2" and face.declared_type == 1
    return face.image, Image.open(io.BytesIO(face.image)).size


def test_sim_photo_portrait_is_cropped_around_the_face() -> None:
    image, (w, h) = _portrait("biden_1.jpg")  # a tall 970x2204 photo: cropped to head and shoulders, 3:4
    assert len(image) <= _face.PORTRAIT_TARGET_BYTES
    assert (w, h) == (480, 640)


def test_sim_photo_portrait_without_the_extra_fits_the_whole_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise FaceExtraMissingError("pip install 'chipid[face]'")

    monkeypatch.setattr("chipid.biometrics.face_verify.load_dlib", missing)
    image, (w, h) = _portrait("biden_1.jpg")
    assert len(image) <= _face.PORTRAIT_TARGET_BYTES
    assert h == 640 and 270 <= w <= 290  # 970x2204 scaled to fit 480x640


def test_sim_photo_portrait_refuses_two_people_and_garbage() -> None:
    with pytest.raises(MultipleFacesError):
        issue_card("photo", photo=(FACES / "multi_two_people.jpg").read_bytes())
    with pytest.raises(ParseError):
        _face.portrait_jp2(b"not a photo")


def test_sim_icao_crop_stays_inside_the_image() -> None:
    # a face filling a small image: 3:4 crop as tall as the image, centred on the face
    assert _face.icao_crop((10, 10, 110, 110), (150, 150)) == (4, 0, 116, 150)
    # a 200-px face in a large image: twice the face width, 3:4, 3/5 of the face height above it
    assert _face.icao_crop((400, 300, 600, 500), (1000, 2000)) == (300, 180, 700, 713)
    # a face at the edge: the crop slides inside the image
    assert _face.icao_crop((900, 0, 1000, 100), (1000, 1000)) == (800, 0, 1000, 266)
