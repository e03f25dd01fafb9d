"""Finger minutiae records: ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004, read and written.

Both formats share the layout after the record header (the "finger minutiae record format" of
ISO/IEC 19794-2:2005 and of ANSI INCITS 378-2004: record header, finger view header, minutia data,
extended data):

* record header - "FMR\\0", version " 20\\0", then
  ISO: record length (4 bytes), capture equipment (2), width, height, x/y resolution (2 each),
  number of finger views (1), reserved (1): 24 bytes;
  ANSI: record length (2 bytes, or 0x0000 + 4 bytes), CBEFF product identifier (owner 2 + type 2),
  then the same fields as ISO from capture equipment on: 26 (or 30) bytes;
* per finger view: position (1), view number (high nibble) + impression type (low nibble), finger
  quality (1), number of minutiae (1), then 6 bytes per minutia: type (2 high bits) + x (14 bits),
  reserved (2 bits) + y (14 bits), angle (1), quality (1); then the extended data: a 2-byte total
  length followed by blocks of type id (2), block length (2, header included) and data.

Angles differ: ISO counts 360/256 degrees per unit, ANSI 2 degrees per unit.  Both are read into one
internal representation: degrees as a float in [0, 360), counter-clockwise from the x axis.

Format detection (the two headers diverge at byte 8): ANSI bytes 8-9 are its 2-byte record length
(>= 26, or 0 for the 6-byte form), ISO bytes 8-11 are a 4-byte length, so for ISO records under 64 KiB
bytes 8-9 are zero and bytes 10-11 are >= 24.
"""

from __future__ import annotations

import enum
import math
import warnings
from dataclasses import dataclass

from chipid.errors import DataQuirkWarning, ParseError, UnsupportedError

__all__ = [
    "ExtendedDataBlock",
    "FingerView",
    "Minutia",
    "MinutiaType",
    "MinutiaeRecord",
    "TemplateFormat",
    "detect_format",
    "encode_template",
    "parse_template",
]

_MAGIC = b"FMR\x00"
_VERSION = b" 20\x00"
_QUIRK_VERSION = b"020\x00"
_ISO_HEADER = 24
_ANSI_HEADER = 26
_MAX_COORD = 0x3FFF


class TemplateFormat(enum.Enum):
    """The two supported finger minutiae record formats."""

    ISO_19794_2_2005 = "ISO/IEC 19794-2:2005"
    ANSI_378_2004 = "ANSI INCITS 378-2004"


class MinutiaType(enum.IntEnum):
    """Minutia type code (2 bits, same in both formats)."""

    OTHER = 0
    RIDGE_ENDING = 1
    BIFURCATION = 2


@dataclass(frozen=True)
class Minutia:
    """One minutia in the internal representation.

    Attributes:
        kind: ridge ending, bifurcation or other.
        x: column in pixels (0..16383).
        y: row in pixels (0..16383), origin top left.
        angle: direction in degrees, [0, 360), counter-clockwise from the x axis.
        quality: 0..100 (0 = not reported).
    """

    kind: MinutiaType
    x: int
    y: int
    angle: float
    quality: int = 0


@dataclass(frozen=True)
class ExtendedDataBlock:
    """An extended data block (ridge counts, cores and deltas, vendor data), kept raw."""

    type_id: int
    data: bytes


@dataclass(frozen=True)
class FingerView:
    """One finger view: finger position code, view/impression, quality and its minutiae."""

    position: int
    view_number: int
    impression_type: int
    quality: int
    minutiae: tuple[Minutia, ...]
    extended: tuple[ExtendedDataBlock, ...] = ()


@dataclass(frozen=True)
class MinutiaeRecord:
    """A whole finger minutiae record (either format)."""

    format: TemplateFormat
    width: int
    height: int
    x_resolution: int
    y_resolution: int
    views: tuple[FingerView, ...]
    equipment_compliance: int = 0
    equipment_id: int = 0
    product_owner: int = 0
    product_type: int = 0


def detect_format(data: bytes) -> TemplateFormat:
    """Tell ISO 19794-2:2005 from ANSI 378-2004 by the length fields (see the module docstring).

    Raises:
        ParseError: not a finger minutiae record ("FMR\\0" magic, known version, sane length).
    """
    if len(data) < _ISO_HEADER:
        raise ParseError(f"record of {len(data)} bytes is shorter than any header", path="FMR")
    if data[:4] != _MAGIC:
        raise ParseError(f"bad magic {data[:4]!r}, expected 'FMR\\0'", path="FMR > magic")
    version = data[4:8]
    if version == b"030\x00":
        raise UnsupportedError("ISO/IEC 19794-2:2011 records (version 030) are not supported")
    if version not in (_VERSION, _QUIRK_VERSION):
        raise ParseError(f"unknown version {version!r}", path="FMR > version")
    b89 = int.from_bytes(data[8:10], "big")
    b1011 = int.from_bytes(data[10:12], "big")
    if b89 >= _ANSI_HEADER:
        return TemplateFormat.ANSI_378_2004
    if b89 == 0 and b1011 >= _ISO_HEADER:
        return TemplateFormat.ISO_19794_2_2005
    if b89 == 0 and b1011 > 0:
        return TemplateFormat.ANSI_378_2004  # 6-byte length form: 0x0000 + 4-byte length > 65535
    if 0 < b89 < _ANSI_HEADER:
        return TemplateFormat.ISO_19794_2_2005  # 4-byte ISO length of 64 KiB or more
    raise ParseError("record length field is zero", path="FMR > record length")


def parse_template(data: bytes) -> MinutiaeRecord:
    """Parse an ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004 finger minutiae record.

    Known harmless defects (version "020\\0", ANSI angles written in 360/256 units, qualities above
    100) are accepted with a :class:`~chipid.errors.DataQuirkWarning`.

    Raises:
        ParseError: wrong magic or version, disagreeing lengths, truncation, bad field values.
        UnsupportedError: an ISO/IEC 19794-2:2011 record.
    """
    data = bytes(data)
    fmt = detect_format(data)
    if data[4:8] == _QUIRK_VERSION:
        warnings.warn(
            'minutiae record version written "020" instead of " 20"', DataQuirkWarning, stacklevel=2
        )
    r = _Reader(data)
    r.pos = 8
    owner = ptype = 0
    if fmt is TemplateFormat.ISO_19794_2_2005:
        length = r.uint(4, "FMR > record length")
    else:
        length = r.uint(2, "FMR > record length")
        if length == 0:
            length = r.uint(4, "FMR > record length")
        owner = r.uint(2, "FMR > CBEFF product owner")
        ptype = r.uint(2, "FMR > CBEFF product type")
    if length != len(data):
        raise ParseError(f"record length field says {length}, record has {len(data)} bytes", path="FMR")
    equipment = r.uint(2, "FMR > capture equipment")
    width, height = r.uint(2, "FMR > width"), r.uint(2, "FMR > height")
    xres, yres = r.uint(2, "FMR > x resolution"), r.uint(2, "FMR > y resolution")
    n_views = r.uint(1, "FMR > number of views")
    r.uint(1, "FMR > reserved")
    if n_views == 0:
        raise ParseError("record has no finger view", path="FMR > number of views")
    views = tuple(_parse_view(r, fmt, i) for i in range(n_views))
    if r.pos != len(data):
        raise ParseError(f"{len(data) - r.pos} bytes after the last finger view", path="FMR")
    return MinutiaeRecord(
        fmt, width, height, xres, yres, views, equipment >> 12, equipment & 0xFFF, owner, ptype
    )


def _parse_view(r: _Reader, fmt: TemplateFormat, index: int) -> FingerView:
    path = f"FMR > view[{index}]"
    position = r.uint(1, f"{path} > finger position")
    vi = r.uint(1, f"{path} > view/impression")
    quality = r.uint(1, f"{path} > finger quality")
    count = r.uint(1, f"{path} > number of minutiae")
    raw = [r.take(6, f"{path} > minutia[{i}]") for i in range(count)]
    ansi = fmt is TemplateFormat.ANSI_378_2004
    if ansi and any(m[4] >= 180 for m in raw):
        warnings.warn(
            "ANSI 378 angles above 179: read as 360/256-degree units", DataQuirkWarning, stacklevel=3
        )
        ansi = False
    minutiae = tuple(_parse_minutia(m, ansi, f"{path} > minutia[{i}]") for i, m in enumerate(raw))
    ext_len = r.uint(2, f"{path} > extended data length")
    ext_end = r.pos + ext_len
    if ext_end > len(r.data):
        raise ParseError(
            f"extended data of {ext_len} bytes runs past the record", path=f"{path} > extended data"
        )
    blocks: list[ExtendedDataBlock] = []
    while r.pos < ext_end:
        bpath = f"{path} > extended data[{len(blocks)}]"
        type_id = r.uint(2, f"{bpath} > type")
        blen = r.uint(2, f"{bpath} > length")
        if blen < 4 or r.pos + blen - 4 > ext_end:
            raise ParseError(f"block length {blen} does not fit the extended data", path=bpath)
        blocks.append(ExtendedDataBlock(type_id, r.take(blen - 4, bpath)))
    return FingerView(position, vi >> 4, vi & 0x0F, quality, minutiae, tuple(blocks))


def _parse_minutia(raw: bytes, ansi: bool, path: str) -> Minutia:
    kind_code = raw[0] >> 6
    if kind_code == 3:
        raise ParseError("minutia type 3 is reserved", path=f"{path} > type")
    x = int.from_bytes(raw[0:2], "big") & _MAX_COORD
    y = int.from_bytes(raw[2:4], "big") & _MAX_COORD
    angle = raw[4] * 2.0 if ansi else raw[4] * 360.0 / 256.0
    if raw[5] > 100:
        warnings.warn(f"{path}: minutia quality {raw[5]} above 100", DataQuirkWarning, stacklevel=4)
    return Minutia(MinutiaType(kind_code), x, y, angle, raw[5])


class _Reader:
    """Bounds-checked big-endian cursor raising ParseError with a path."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, path: str) -> bytes:
        if self.pos + n > len(self.data):
            raise ParseError(f"truncated: need {n} bytes at offset {self.pos}", path=path)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uint(self, n: int, path: str) -> int:
        return int.from_bytes(self.take(n, path), "big")


def encode_template(record: MinutiaeRecord, fmt: TemplateFormat | None = None) -> bytes:
    """Write a record as ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004 (default: ``record.format``).

    Angles are rounded to the target unit (360/256 degrees for ISO, 2 degrees for ANSI).

    Raises:
        ValueError: a field does not fit its encoding (e.g. more than 255 minutiae, x > 16383).
    """
    fmt = fmt or record.format
    ansi = fmt is TemplateFormat.ANSI_378_2004
    body = bytearray()
    for i, view in enumerate(record.views):
        if len(view.minutiae) > 255:
            raise ValueError(f"view {i} has {len(view.minutiae)} minutiae; at most 255 fit")
        body += bytes([view.position, (view.view_number << 4) | view.impression_type, view.quality])
        body.append(len(view.minutiae))
        for m in view.minutiae:
            if not (0 <= m.x <= _MAX_COORD and 0 <= m.y <= _MAX_COORD):
                raise ValueError(f"minutia position ({m.x}, {m.y}) does not fit 14 bits")
            units = (
                math.floor(m.angle / 2.0 + 0.5) % 180 if ansi else math.floor(m.angle * 256 / 360 + 0.5) % 256
            )
            body += ((int(m.kind) << 14) | m.x).to_bytes(2, "big") + m.y.to_bytes(2, "big")
            body += bytes([units, m.quality])
        ext = b"".join(
            b.type_id.to_bytes(2, "big") + (len(b.data) + 4).to_bytes(2, "big") + b.data
            for b in view.extended
        )
        body += len(ext).to_bytes(2, "big") + ext
    tail = (
        ((record.equipment_compliance << 12) | record.equipment_id).to_bytes(2, "big")
        + b"".join(
            v.to_bytes(2, "big")
            for v in (record.width, record.height, record.x_resolution, record.y_resolution)
        )
        + bytes([len(record.views), 0])
    )
    if ansi:
        product = record.product_owner.to_bytes(2, "big") + record.product_type.to_bytes(2, "big")
        total = 8 + 2 + len(product) + len(tail) + len(body)
        length = total.to_bytes(2, "big") if total <= 0xFFFF else b"\x00\x00" + (total + 4).to_bytes(4, "big")
        return _MAGIC + _VERSION + length + product + tail + bytes(body)
    total = 8 + 4 + len(tail) + len(body)
    return _MAGIC + _VERSION + total.to_bytes(4, "big") + tail + bytes(body)
