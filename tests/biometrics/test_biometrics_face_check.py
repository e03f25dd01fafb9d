"""The ``biometric.face`` report check: PASSED / FAILED / NOT_PERFORMED, and the verdict follows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipid.biometrics.face_check import CHECK_FACE, face_check, fmr_text, with_check
from chipid.biometrics.face_verify import FaceVerifier
from chipid.report import CheckResult, CheckStatus, Verdict, VerificationReport
from chipid.sim._face import photo_portrait

FACES = Path(__file__).resolve().parent.parent / "data" / "faces"


class _Doc:
    def __init__(self, image: bytes | None) -> None:
        self.image = image

    def face_image(self) -> bytes | None:
        return self.image


@pytest.fixture(scope="module")
def doc() -> _Doc:
    return _Doc(photo_portrait((FACES / "rose_leslie_1.jpg").read_bytes()))


@pytest.fixture(scope="module")
def verifier() -> FaceVerifier:
    return FaceVerifier()


def _genuine() -> VerificationReport:
    ok = CheckStatus.PASSED
    return VerificationReport.from_checks(
        [CheckResult("pa.sod_signature", ok), CheckResult("pa.ds_chain", ok), CheckResult("pa.dg_hash.DG2", ok)],
        chip_auth_supported=False,
    )


def test_face_check_passed_keeps_genuine(doc: _Doc, verifier: FaceVerifier) -> None:
    report = _genuine()
    check = face_check(doc, (FACES / "rose_leslie_2.jpg").read_bytes(), verifier=verifier, report=report)
    assert check.name == CHECK_FACE and check.required and check.status is CheckStatus.PASSED
    assert check.details["same_person"] == "true" and check.details["threshold"] == "0.54"
    assert check.details["fmr"] == "0.001" and check.details["portrait_authenticated"] == "true"
    assert float(check.details["score"]) < 0.54
    assert "FMR 1/1,000" in check.reason
    assert with_check(report, check).verdict is Verdict.GENUINE


def test_face_check_failed_makes_not_genuine(doc: _Doc, verifier: FaceVerifier) -> None:
    check = face_check(doc, (FACES / "biden_1.jpg").read_bytes(), verifier=verifier)
    assert check.status is CheckStatus.FAILED and check.details["same_person"] == "false"
    assert "portrait_authenticated" not in check.details
    report = with_check(_genuine(), check)
    assert report.verdict is Verdict.NOT_GENUINE and CHECK_FACE in report.verdict_reason


def test_face_check_unusable_live_photo_is_not_performed(doc: _Doc, verifier: FaceVerifier) -> None:
    check = face_check(doc, (FACES / "multi_two_people.jpg").read_bytes(), verifier=verifier)
    assert check.status is CheckStatus.NOT_PERFORMED
    assert check.details["error"] == "MultipleFacesError"
    assert check.details["advice"] == "ask the customer to stand alone"
    assert check.reason.startswith("live photo:")
    assert with_check(_genuine(), check).verdict is Verdict.INCOMPLETE
    garbage = face_check(doc, b"GIF89a...", verifier=verifier)
    assert garbage.status is CheckStatus.NOT_PERFORMED and garbage.details["error"] == "UnreadableImageError"


def test_face_check_without_portrait(verifier: FaceVerifier) -> None:
    check = face_check(_Doc(None), b"", verifier=verifier)
    assert check.status is CheckStatus.NOT_PERFORMED and "DG2" in check.reason


def test_face_check_unusable_chip_portrait(verifier: FaceVerifier) -> None:
    check = face_check(_Doc(b"not a jp2"), (FACES / "obama_1.jpg").read_bytes(), verifier=verifier)
    assert check.status is CheckStatus.NOT_PERFORMED and check.reason.startswith("chip portrait:")


def test_with_check_replaces_a_previous_face_check() -> None:
    report = with_check(_genuine(), CheckResult(CHECK_FACE, CheckStatus.FAILED, "x"))
    report = with_check(report, CheckResult(CHECK_FACE, CheckStatus.PASSED, "y"))
    assert [c.name for c in report.checks].count(CHECK_FACE) == 1 and report.verdict is Verdict.GENUINE


def test_fmr_text() -> None:
    assert fmr_text(1e-3) == "1/1,000" and fmr_text(1e-2) == "1/100" and fmr_text(1e-5) == "1/100,000"
