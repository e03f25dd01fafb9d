"""DG2: the encoded face(s) (ICAO 9303-10 §4.7.2): CBEFF ``75 { 7F61 { 7F60 {A1, 5F2E|7F2E} } }``.

``5F2E`` holds an ISO/IEC 19794-5 record, ``7F2E`` an ISO/IEC 39794-5 one; both become
:class:`~chipid.lds.face.FaceImage`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chipid.lds.cbeff import (
    BDB_CONSTRUCTED,
    BDB_PLAIN,
    BiometricInfo,
    encode_biometric_group,
    parse_biometric_group,
)
from chipid.lds.face import FaceImage, encode_face_record, image_size, parse_face_record
from chipid.lds.face39794 import encode_face_39794, parse_face_39794
from chipid.lds.image import detect_image_format

__all__ = ["DG2", "build_face", "encode_dg2", "parse_dg2"]

_DG2 = 0x75
_FACE_HEADER = {0x80: b"\x01\x01", 0x81: b"\x02", 0x82: b"\x00", 0x87: b"\x01\x01", 0x88: b"\x00\x08"}
"""ICAO header version 1.1, biometric type face, no subtype, format owner JTC1/SC37, format type face."""


@dataclass(frozen=True)
class DG2:
    """DG2 content: the biometric templates and every face found in them."""

    templates: tuple[BiometricInfo, ...]
    faces: tuple[FaceImage, ...]


def parse_dg2(data: bytes) -> DG2:
    """Parse DG2 (images are not decoded; call :meth:`FaceImage.decode`).

    Raises:
        ParseError: with a path such as ``"DG2 > 7F61 > 7F60[0] > 5F2E > face[0]"``.
    """
    templates = parse_biometric_group(data, _DG2, "DG2")
    faces: list[FaceImage] = []
    for t in templates:
        if t.bdb_tag == BDB_PLAIN:
            faces += parse_face_record(t.bdb, path=t.path)
        else:
            faces += parse_face_39794(t.bdb, path=t.path)
    return DG2(templates, tuple(faces))


def build_face(image: bytes, *, width: int | None = None, height: int | None = None) -> FaceImage:
    """A full-frontal :class:`FaceImage` from a JPEG / JPEG 2000 file (size read with Pillow when omitted)."""
    if width is None or height is None:
        width, height = image_size(image)
    fmt = detect_image_format(image)
    zero = (0, 0, 0)
    return FaceImage(
        "ISO19794-5", image, fmt, 1 if fmt in ("jp2", "j2k") else 0, width, height, 1, 0, 0, 0, 0, 0,
        zero, zero, 0, 0, 0, 0,
    )  # fmt: skip


def encode_dg2(faces: Sequence[FaceImage], *, encoding: str = "ISO19794-5") -> bytes:
    """Encode DG2 with one CBEFF template per face (19794-5 in ``5F2E`` or 39794-5 in ``7F2E``)."""
    templates = []
    for face in faces:
        if encoding == "ISO39794-5":
            templates.append(BiometricInfo(_FACE_HEADER, BDB_CONSTRUCTED, encode_face_39794(face)))
        else:
            templates.append(BiometricInfo(_FACE_HEADER, BDB_PLAIN, encode_face_record([face])))
    return encode_biometric_group(_DG2, templates)
