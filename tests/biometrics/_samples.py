"""Shared helpers of the biometrics tests: real FVC2002 templates and synthetic records."""

from __future__ import annotations

from pathlib import Path

from chipid.biometrics.template import FingerView, Minutia, MinutiaeRecord, MinutiaType, TemplateFormat
from tests.conftest import DATA

FVC = DATA / "fvc2002-iso-templates"


def fvc_path(db: str, finger: int, impression: int) -> Path:
    path = FVC / db / f"{finger}_{impression}.iso"
    return path


def fvc_bytes(db: str, finger: int, impression: int) -> bytes:
    return fvc_path(db, finger, impression).read_bytes()


def record(minutiae: list[Minutia], fmt: TemplateFormat = TemplateFormat.ISO_19794_2_2005) -> MinutiaeRecord:
    view = FingerView(position=1, view_number=0, impression_type=0, quality=60, minutiae=tuple(minutiae))
    return MinutiaeRecord(fmt, 300, 400, 197, 197, (view,))


def minutia(x: int, y: int, angle: float, kind: MinutiaType = MinutiaType.RIDGE_ENDING) -> Minutia:
    return Minutia(kind, x, y, angle, 50)


def few_minutiae(n: int) -> list[Minutia]:
    """n well-spread minutiae (valid cylinders need neighbours inside the hull): a record of fewer than
    ``match.MIN_MINUTIAE`` of them is an unusable template."""
    return [Minutia(MinutiaType.RIDGE_ENDING, 40 + 23 * (i % 6), 50 + 31 * (i // 6), (47 * i) % 360, 0)
            for i in range(n)]  # fmt: skip
