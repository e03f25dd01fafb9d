"""The ``biometric.face`` check: the chip's portrait against a live photo, as a report check.

A desk that compares the customer with the chip's portrait adds this *required* check to the document's
:class:`~chipid.report.VerificationReport`, so the one verdict (and the CLI's exit code) follows it:
PASSED when the faces match at the verifier's FMR, FAILED when they do not (NOT_GENUINE), NOT_PERFORMED
when a photo is unusable (no face, two faces, too small, blurred, unreadable) or the chip holds no
portrait (INCOMPLETE: take a new photo and verify again).
"""

from __future__ import annotations

import dataclasses

from chipid.biometrics.face_verify import FaceVerifier, PortraitSource, default_verifier
from chipid.errors import FaceImageError
from chipid.report import DG_HASH_PREFIX, CheckResult, CheckStatus, VerificationReport

__all__ = ["CHECK_FACE", "face_check", "fmr_text", "with_check"]

CHECK_FACE = "biometric.face"


def fmr_text(fmr: float) -> str:
    """``1e-3`` -> ``"1/1,000"``."""
    return f"1/{round(1 / fmr):,}" if fmr > 0 else "0"


def face_check(
    document: PortraitSource,
    live_image: bytes,
    *,
    verifier: FaceVerifier | None = None,
    report: VerificationReport | None = None,
) -> CheckResult:
    """Compare the document's DG2 portrait with ``live_image`` and return the ``biometric.face`` check.

    Args:
        document: the read document (its :meth:`face_image` is the DG2 portrait).
        live_image: the customer's photo (JPEG, PNG, JPEG 2000).
        verifier: the verifier (threshold by FMR, portrait cache); the shared default when ``None``.
        report: the document's report, to record whether DG2 was authenticated by its SOD hash.

    Raises:
        FaceExtraMissingError: the ``face`` extra is not installed.
    """
    v = verifier if verifier is not None else default_verifier()
    details = {"threshold": f"{v.threshold:.2f}", "fmr": f"{v.fmr:g}", "metric": "euclidean_distance"}
    if report is not None:
        dg2 = report.get(DG_HASH_PREFIX + "DG2")
        details["portrait_authenticated"] = "true" if dg2 is not None and dg2.passed else "false"
    portrait = document.face_image()
    if portrait is None:
        return CheckResult(CHECK_FACE, CheckStatus.NOT_PERFORMED, "the chip holds no portrait (DG2 not read)", details)
    try:
        reference = v.embed_portrait(portrait)
        live = v.embed(live_image, source="live")
    except FaceImageError as err:
        details["error"] = type(err).__name__
        details["advice"] = err.advice
        what = "chip portrait" if err.source == "chip" else "live photo"
        return CheckResult(CHECK_FACE, CheckStatus.NOT_PERFORMED, f"{what}: {err.reason}; {err.advice}", details)
    m = v.compare(reference, live)
    details["score"] = f"{m.score:.4f}"
    details["same_person"] = "true" if m.same_person else "false"
    details["live_eye_distance"] = f"{live.eye_distance:.0f}"
    sign = "<=" if m.same_person else ">"
    text = f"distance {m.score:.3f} {sign} {m.threshold:.2f} (FMR {fmr_text(m.fmr)})"
    if m.same_person:
        return CheckResult(CHECK_FACE, CheckStatus.PASSED, f"same person as the chip portrait: {text}", details)
    return CheckResult(CHECK_FACE, CheckStatus.FAILED, f"not the person of the chip portrait: {text}", details)


def with_check(report: VerificationReport, check: CheckResult) -> VerificationReport:
    """A copy of ``report`` with ``check`` added (replacing a previous check of the same name)."""
    kept = tuple(c for c in report.checks if c.name != check.name)
    return dataclasses.replace(report, checks=(*kept, check))
