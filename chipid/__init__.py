"""chipid: read and verify ICAO 9303 chip ID cards (Vietnam's CCCD first) through PC/SC readers.

The recipe layer::

    from chipid import CANKey, read_document
    from chipid.transport.pcsc import PCSCTransport

    with PCSCTransport.open(wait=10) as card:
        result = read_document(card, CANKey("123456"), trust=TrustStore.from_paths("csca/"))
    print(result.document.holder(), result.report.verdict)

``sm``, ``access``, ``iso7816`` and ``transport`` are the documented low level.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from chipid.errors import ChipIDError

if TYPE_CHECKING:
    from chipid.access.keys import AccessKey, CANKey, MRZKey
    from chipid.biometrics.face_verify import FaceMatch, FaceTemplate, FaceVerifier, verify_face
    from chipid.document import Document
    from chipid.pki.trust import TrustStore
    from chipid.reader import DocumentReader, ReadResult, read_document
    from chipid.report import CheckResult, CheckStatus, Verdict, VerificationReport
    from chipid.verify import verify

# Loaded on first use, so that ``import chipid.lds`` or ``chipid.biometrics`` stays light.
_LAZY = {
    "AccessKey": "chipid.access.keys",
    "CANKey": "chipid.access.keys",
    "MRZKey": "chipid.access.keys",
    "Document": "chipid.document",
    "FaceMatch": "chipid.biometrics.face_verify",
    "FaceTemplate": "chipid.biometrics.face_verify",
    "FaceVerifier": "chipid.biometrics.face_verify",
    "verify_face": "chipid.biometrics.face_verify",
    "TrustStore": "chipid.pki.trust",
    "DocumentReader": "chipid.reader",
    "ReadResult": "chipid.reader",
    "read_document": "chipid.reader",
    "CheckResult": "chipid.report",
    "CheckStatus": "chipid.report",
    "Verdict": "chipid.report",
    "VerificationReport": "chipid.report",
    "verify": "chipid.verify",
}

__all__ = [
    "AccessKey",
    "CANKey",
    "CheckResult",
    "CheckStatus",
    "ChipIDError",
    "Document",
    "DocumentReader",
    "FaceMatch",
    "FaceTemplate",
    "FaceVerifier",
    "MRZKey",
    "ReadResult",
    "TrustStore",
    "Verdict",
    "VerificationReport",
    "__version__",
    "read_document",
    "verify",
    "verify_face",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chipid' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
