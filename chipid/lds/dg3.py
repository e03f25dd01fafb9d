"""DG3: encoded fingerprints (ICAO 9303-10 §4.7.3), ISO/IEC 19794-4:2005 finger image records in CBEFF.

Record header (§8.2, 32 bytes: ``"FIR\\0"``, ``"010\\0"``, 6-byte record length, device, acquisition level,
finger count, scale units, scan and image resolutions, pixel depth, compression), then per finger a
14-byte finger header (§8.3) and the image (compression 2 = WSQ, 4 = JPEG 2000...). DG3 is readable only
after EAC terminal authentication; records are parsed when present.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from chipid.errors import ParseError
from chipid.lds.cbeff import BiometricInfo, parse_biometric_group
from chipid.lds.image import detect_image_format

__all__ = ["DG3", "FingerImage", "parse_dg3", "parse_finger_record"]

_DG3 = 0x63
_HEADER = struct.Struct(">4s4s6sHHBBHHHHBBH")
_FINGER = struct.Struct(">IBBBBBHHB")


@dataclass(frozen=True)
class FingerImage:
    """One finger view (ISO/IEC 19794-4 §8.3). ``compression``: 0 none, 2 WSQ, 3 JPEG, 4 JPEG 2000, 5 PNG."""

    position: int
    view_number: int
    quality: int
    impression_type: int
    width: int
    height: int
    compression: int
    image: bytes

    @property
    def image_format(self) -> str:
        return detect_image_format(self.image)


@dataclass(frozen=True)
class DG3:
    """DG3 content: templates and every finger image found."""

    templates: tuple[BiometricInfo, ...]
    fingers: tuple[FingerImage, ...]


def parse_finger_record(data: bytes, *, path: str = "FingerRecord") -> tuple[FingerImage, ...]:
    """Parse an ISO/IEC 19794-4:2005 finger image record. Raises ParseError."""
    if len(data) < _HEADER.size:
        raise ParseError("finger record shorter than its 32-byte header", path=path)
    header = _HEADER.unpack_from(data)
    magic, version, length6, count, compression = header[0], header[1], header[2], header[5], header[12]
    if magic != b"FIR\x00":
        raise ParseError(f"format identifier {magic!r}, expected 'FIR\\0'", path=path)
    if version != b"010\x00":
        raise ParseError(f"unsupported 19794-4 version {version!r}", path=path)
    end = int.from_bytes(length6, "big")
    if end > len(data) or end < _HEADER.size:
        raise ParseError(f"record length {end} but {len(data)} bytes present", path=path)
    fingers, pos = [], _HEADER.size
    for i in range(count):
        fpath = f"{path} > finger[{i}]"
        if pos + _FINGER.size > end:
            raise ParseError("truncated finger header", path=fpath)
        flen, position, _views, view, quality, impression, width, height, _ = _FINGER.unpack_from(data, pos)
        if flen < _FINGER.size or pos + flen > end:
            raise ParseError(f"finger length {flen} does not fit", path=fpath)
        image = bytes(data[pos + _FINGER.size : pos + flen])
        fingers.append(FingerImage(position, view, quality, impression, width, height, compression, image))
        pos += flen
    return tuple(fingers)


def parse_dg3(data: bytes) -> DG3:
    """Parse DG3 (19794-4 records in ``5F2E``; 39794-4 ``7F2E`` templates are kept unparsed)."""
    templates = parse_biometric_group(data, _DG3, "DG3")
    fingers: list[FingerImage] = []
    for t in templates:
        if t.bdb_tag == 0x5F2E:
            fingers += parse_finger_record(t.bdb, path=t.path)
    return DG3(templates, tuple(fingers))
