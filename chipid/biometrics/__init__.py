"""Biometrics (pure; native core): finger minutiae templates, fingerprint and face matching.

``template`` reads and writes ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 records; ``match`` is the
Minutia Cylinder-Code matcher (C core, pure-Python fallback); ``face`` compares face embeddings.
"""

from __future__ import annotations

from chipid.biometrics.face import FaceEmbedder, FaceGallery
from chipid.biometrics.match import (
    BACKEND,
    FMR_THRESHOLDS,
    THRESHOLD_FMR_10K,
    FingerDecision,
    FingerMatch,
    Gallery,
    SearchHit,
    TemplateQuality,
    assess,
    compare,
    prepare,
    search,
    threshold_for_fmr,
    verify,
)
from chipid.biometrics.template import (
    FingerView,
    Minutia,
    MinutiaeRecord,
    MinutiaType,
    TemplateFormat,
    encode_template,
    parse_template,
)

__all__ = [
    "BACKEND",
    "FMR_THRESHOLDS",
    "THRESHOLD_FMR_10K",
    "FaceEmbedder",
    "FaceGallery",
    "FingerDecision",
    "FingerMatch",
    "FingerView",
    "Gallery",
    "Minutia",
    "MinutiaType",
    "MinutiaeRecord",
    "SearchHit",
    "TemplateFormat",
    "TemplateQuality",
    "assess",
    "compare",
    "encode_template",
    "parse_template",
    "prepare",
    "search",
    "threshold_for_fmr",
    "verify",
]
