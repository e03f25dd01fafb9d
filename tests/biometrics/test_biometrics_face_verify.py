"""Face verification on the shared photos (tests/data/faces): same person matches, different people do not,
also after JPEG 2000 re-encoding at chip size; bad images get typed errors with advice.

The ``face`` extra (dlib) is installed by tests/run.sh, so none of these skip in CI.  The threshold comes
from the documented FMR table (LFW figures), never from these photos.
"""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

import chipid
from chipid.biometrics.face_verify import (
    FMR_THRESHOLDS,
    FaceMatch,
    FaceTemplate,
    FaceVerifier,
    threshold_for_fmr,
    verify_face,
)
from chipid.errors import (
    ChipIDError,
    FaceExtraMissingError,
    FaceImageError,
    FaceTooBlurredError,
    FaceTooSmallError,
    MultipleFacesError,
    NoFaceError,
    UnreadableImageError,
    UnsupportedError,
)
from chipid.sim._face import PORTRAIT_TARGET_BYTES, portrait_jp2

FACES = Path(__file__).resolve().parent.parent / "data" / "faces"
SINGLE = (
    "alex_lacamoire_1.jpg", "alex_lacamoire_2.jpg", "biden_1.jpg", "biden_2.jpg", "kit_harington_1.jpg",
    "kit_harington_2.jpg", "kit_harington_3.jpg", "lin_manuel_miranda_1.png", "obama_1.jpg", "obama_2.jpg",
    "obama_3.jpg", "obama_4_small.jpg", "obama_partial_face.jpg", "rose_leslie_1.jpg", "rose_leslie_2.jpg",
)  # fmt: skip
"""Every single-face photo of tests/data/faces (multi_two_people.jpg is the two-face refusal case)."""


def person(name: str) -> str:
    """``obama_4_small.jpg`` -> ``obama``; ``kit_harington_2.jpg`` -> ``kit_harington``."""
    return name.split(".", maxsplit=1)[0].removesuffix("_small").removesuffix("_partial_face").rstrip("0123456789_")


def jpeg(img: Image.Image, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, **kw)
    return out.getvalue()


@pytest.fixture(scope="module")
def verifier() -> FaceVerifier:
    return FaceVerifier()


@pytest.fixture(scope="module")
def templates(verifier: FaceVerifier) -> dict[str, FaceTemplate]:
    return {name: verifier.embed((FACES / name).read_bytes()) for name in SINGLE}


def test_face_verify_people_labels() -> None:
    assert sorted(p.name for p in FACES.iterdir()) == sorted((*SINGLE, "multi_two_people.jpg"))
    assert {person(n) for n in SINGLE} == {
        "alex_lacamoire", "biden", "kit_harington", "lin_manuel_miranda", "obama", "rose_leslie",
    }  # fmt: skip


def test_face_verify_same_person_matches_different_people_do_not(
    verifier: FaceVerifier, templates: dict[str, FaceTemplate]
) -> None:
    genuine = impostor = 0
    for a, b in itertools.combinations(SINGLE, 2):
        m = verifier.compare(templates[a], templates[b])
        assert isinstance(m, FaceMatch) and m.threshold == 0.54 and m.fmr == 1e-3
        if person(a) == person(b):
            genuine += 1
            assert m.same_person, (a, b, m.score)
        else:
            impostor += 1
            assert not m.same_person, (a, b, m.score)
    assert (genuine, impostor) == (16, 89)


def test_face_verify_after_jpeg2000_at_chip_size(verifier: FaceVerifier, templates: dict[str, FaceTemplate]) -> None:
    """Each person's first photo stored as a chip portrait (JP2, <= 15 KB, <= 480x640) still matches that
    person's other photos, and nobody else's."""
    firsts = {person(n): n for n in reversed(SINGLE)}
    for who, name in sorted(firsts.items()):
        photo = (FACES / name).read_bytes()
        chip = portrait_jp2(photo, face_box=templates[name].box)
        assert chip[:12] == bytes.fromhex("0000000C6A5020200D0A870A")  # a JP2 file
        assert len(chip) <= PORTRAIT_TARGET_BYTES
        size = Image.open(io.BytesIO(chip)).size
        assert size[0] <= 480 and size[1] <= 640
        portrait = verifier.embed_portrait(chip)
        for other in SINGLE:
            m = verifier.compare(portrait, templates[other])
            assert m.same_person == (person(other) == who), (name, other, m.score)


def test_face_verify_multiple_faces_refused(verifier: FaceVerifier) -> None:
    with pytest.raises(MultipleFacesError, match="ask the customer to stand alone") as err:
        verifier.embed((FACES / "multi_two_people.jpg").read_bytes(), source="live")
    assert err.value.count == 2 and err.value.source == "live"
    assert isinstance(err.value, FaceImageError) and isinstance(err.value, ChipIDError)


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 40])
def test_face_verify_unreadable_image(verifier: FaceVerifier, data: bytes) -> None:
    with pytest.raises(UnreadableImageError) as err:
        verifier.embed(data)
    assert err.value.advice


def test_face_verify_wrong_type_is_typed(verifier: FaceVerifier) -> None:
    with pytest.raises(UnreadableImageError):
        verifier.embed("obama_1.jpg")  # type: ignore[arg-type]


def test_face_verify_no_face(verifier: FaceVerifier) -> None:
    blank = Image.new("RGB", (400, 500), (200, 190, 180))
    with pytest.raises(NoFaceError, match="no face"):
        verifier.embed(jpeg(blank))


def test_face_verify_too_small(verifier: FaceVerifier) -> None:
    img = Image.open(FACES / "obama_1.jpg")
    small = img.resize((img.width * 3 // 10, img.height * 3 // 10))
    with pytest.raises(FaceTooSmallError) as err:
        verifier.embed(jpeg(small))
    assert err.value.eye_distance < err.value.minimum == 40.0
    assert "closer" in err.value.advice


def test_face_verify_too_blurred(verifier: FaceVerifier) -> None:
    img = Image.open(FACES / "obama_1.jpg").filter(ImageFilter.GaussianBlur(6))
    with pytest.raises(FaceTooBlurredError) as err:
        verifier.embed(jpeg(img))
    assert err.value.sharpness < err.value.minimum


def test_face_verify_exif_orientation_honoured(verifier: FaceVerifier, templates: dict[str, FaceTemplate]) -> None:
    """Pixels stored rotated with EXIF Orientation 6 ("rotate 90 CW to display") come back upright."""
    img = Image.open(FACES / "obama_1.jpg").convert("RGB").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    t = verifier.embed(jpeg(img, exif=exif))
    assert verifier.compare(t, templates["obama_1.jpg"]).score < 0.1


def test_face_verify_grayscale(verifier: FaceVerifier, templates: dict[str, FaceTemplate]) -> None:
    gray = Image.open(FACES / "biden_2.jpg").convert("L")
    t = verifier.embed(jpeg(gray))
    assert verifier.compare(t, templates["biden_1.jpg"]).same_person
    assert not verifier.compare(t, templates["obama_1.jpg"]).same_person


def test_face_verify_png_and_jpeg2000_inputs(verifier: FaceVerifier, templates: dict[str, FaceTemplate]) -> None:
    img = Image.open(FACES / "rose_leslie_1.jpg")
    png, j2k = io.BytesIO(), io.BytesIO()
    img.save(png, "PNG")
    img.save(j2k, "JPEG2000", no_jp2=True, quality_mode="rates", quality_layers=[40])  # a bare codestream
    assert j2k.getvalue()[:4] == b"\xff\x4f\xff\x51"
    for data in (png.getvalue(), j2k.getvalue()):
        t = verifier.embed(data)
        assert verifier.compare(t, templates["rose_leslie_2.jpg"]).same_person
        assert not verifier.compare(t, templates["biden_2.jpg"]).same_person


def test_face_verify_refuses_huge_images_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("L", (3000, 2000)).save(out, "PNG")
    with pytest.raises(UnreadableImageError, match="too large"):
        FaceVerifier(max_pixels=5_000_000).embed(out.getvalue())


def test_face_verify_threshold_table() -> None:
    assert [p.fmr for p in FMR_THRESHOLDS] == sorted((p.fmr for p in FMR_THRESHOLDS), reverse=True)
    assert [p.threshold for p in FMR_THRESHOLDS] == sorted((p.threshold for p in FMR_THRESHOLDS), reverse=True)
    assert all(p.source for p in FMR_THRESHOLDS)
    assert threshold_for_fmr(1e-2).threshold == 0.60  # dlib's published LFW operating point
    assert threshold_for_fmr(1e-3).threshold == 0.54
    assert threshold_for_fmr(5e-3).fmr == 1e-3  # never looser than asked
    assert FaceVerifier(fmr=1e-4).threshold == 0.47
    with pytest.raises(UnsupportedError):
        threshold_for_fmr(1e-7)
    with pytest.raises(UnsupportedError):
        FaceVerifier(fmr=0)


def test_face_verify_stricter_fmr_moves_the_decision(templates: dict[str, FaceTemplate]) -> None:
    """obama_2 / obama_3 are 0.43 apart: a match at 1/1,000 and 1/10,000, not at 1/100,000."""
    a, b = templates["obama_2.jpg"], templates["obama_3.jpg"]
    assert FaceVerifier(fmr=1e-4).compare(a, b).same_person
    assert not FaceVerifier(fmr=1e-5).compare(a, b).same_person


def test_face_verify_models_must_agree(verifier: FaceVerifier, templates: dict[str, FaceTemplate]) -> None:
    other = FaceTemplate(templates["obama_1.jpg"].vector, model="another-net")
    with pytest.raises(UnsupportedError):
        verifier.compare(templates["obama_1.jpg"], other)


class _Doc:
    def __init__(self, image: bytes | None) -> None:
        self.image = image

    def face_image(self) -> bytes | None:
        return self.image


def test_verify_face_embeds_the_portrait_once(templates: dict[str, FaceTemplate]) -> None:
    v = FaceVerifier()
    photo = (FACES / "kit_harington_3.jpg").read_bytes()
    doc = _Doc(portrait_jp2(photo, face_box=templates["kit_harington_3.jpg"].box))
    first = verify_face(doc, (FACES / "kit_harington_1.jpg").read_bytes(), verifier=v)
    second = verify_face(doc, (FACES / "rose_leslie_1.jpg").read_bytes(), verifier=v)
    assert first.same_person and not second.same_person
    assert v.embeddings_computed == 3  # the portrait once, two live photos
    assert chipid.verify_face is verify_face and chipid.FaceVerifier is FaceVerifier


def test_verify_face_without_portrait() -> None:
    with pytest.raises(NoFaceError, match="DG2") as err:
        verify_face(_Doc(None), b"", verifier=FaceVerifier())
    assert err.value.source == "chip"


def test_face_verify_missing_extra_is_typed(no_dlib: None) -> None:
    with pytest.raises(FaceExtraMissingError, match=r"pip install 'chipid\[face\]'"):
        FaceVerifier().embed((FACES / "obama_1.jpg").read_bytes())


def test_import_chipid_never_imports_dlib() -> None:
    code = "import sys, chipid; chipid.FaceVerifier; assert 'dlib' not in sys.modules and 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
