"""Facial records: ISO/IEC 19794-5:2005 (binary) as used in DG2 (ICAO 9303-10 §4.7.2).

Facial record header (§5.4: ``"FAC\\0"``, version ``"010\\0"``, record length, image count), then per image
a facial information block (§5.5, 20 bytes), feature points (§5.6, 8 bytes each), image information
(§5.7, 12 bytes) and the image data (JPEG or JPEG 2000). Newer ISO/IEC 39794-5 records are parsed by
:mod:`chipid.lds.face39794` into the same :class:`FaceImage` model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from chipid.errors import ParseError
from chipid.lds.image import MIME_TYPES, decode_image, detect_image_format

__all__ = ["FaceImage", "FeaturePoint", "encode_face_record", "image_size", "parse_face_record"]

_MAGIC, _VERSION = b"FAC\x00", b"010\x00"
_HEADER = struct.Struct(">4s4sIH")
_INFO = struct.Struct(">IHBBB3sH3s3s")
_POINT = struct.Struct(">BBHHH")
_IMAGE = struct.Struct(">BBHHBBHH")
_DATA_TYPES = {0: "jpeg", 1: "jpeg2000"}


@dataclass(frozen=True)
class FeaturePoint:
    """ISO/IEC 19794-5 §5.6.3 feature point: ``type`` 1 = MPEG-4, ``code`` = major << 4 | minor."""

    type: int
    code: int
    x: int
    y: int

    @property
    def label(self) -> str:
        """MPEG-4 style ``"major.minor"`` (e.g. ``"12.1"``)."""
        return f"{self.code >> 4}.{self.code & 0x0F}"


@dataclass(frozen=True)
class FaceImage:
    """One face: the image bytes plus the record metadata (fields absent in a format are ``None``).

    Attributes:
        encoding: ``"ISO19794-5"`` or ``"ISO39794-5"``.
        image: the encoded image (JPEG, JP2...).
        image_format: detected from the bytes (see :func:`chipid.lds.image.detect_image_format`).
        declared_type: the record's image data type (19794-5: 0 JPEG, 1 JPEG 2000; 39794-5: format code).
    """

    encoding: str
    image: bytes
    image_format: str
    declared_type: int | None = None
    width: int | None = None
    height: int | None = None
    face_image_type: int | None = None
    gender: int | None = None
    eye_colour: int | None = None
    hair_colour: int | None = None
    feature_mask: int | None = None
    expression: int | None = None
    pose_angle: tuple[int, int, int] | None = None
    pose_angle_uncertainty: tuple[int, int, int] | None = None
    colour_space: int | None = None
    source_type: int | None = None
    device_type: int | None = None
    quality: int | None = None
    feature_points: tuple[FeaturePoint, ...] = ()

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.image_format]

    def decode(self) -> Any:
        """Decode the image with Pillow (on demand). Raises ParseError when it cannot be decoded."""
        return decode_image(self.image)


def parse_face_record(data: bytes, *, path: str = "FaceRecord") -> tuple[FaceImage, ...]:
    """Parse an ISO/IEC 19794-5:2005 facial record (the content of a DG2 ``5F2E``).

    Raises:
        ParseError: bad magic or version, lengths that do not fit, truncated blocks.
    """
    if len(data) < _HEADER.size:
        raise ParseError("facial record shorter than its 14-byte header", path=path)
    magic, version, length, count = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise ParseError(f"format identifier {magic!r}, expected 'FAC\\0'", path=path)
    if version != _VERSION:
        raise ParseError(f"unsupported 19794-5 version {version!r} (only '010')", path=path)
    if length > len(data) or length < _HEADER.size:
        raise ParseError(f"record length {length} but {len(data)} bytes present", path=path)
    faces = []
    offset = _HEADER.size
    for i in range(count):
        face, offset = _parse_block(data, offset, length, f"{path} > face[{i}]")
        faces.append(face)
    return tuple(faces)


def _parse_block(data: bytes, offset: int, end: int, path: str) -> tuple[FaceImage, int]:
    if offset + _INFO.size > end:
        raise ParseError("truncated facial information block", path=path)
    block_len, n_points, gender, eyes, hair, mask, expr, pose, unc = _INFO.unpack_from(data, offset)
    fixed = _INFO.size + n_points * _POINT.size + _IMAGE.size
    if block_len < fixed or offset + block_len > end:
        raise ParseError(f"block length {block_len} does not fit ({fixed} minimum, {end - offset} left)", path=path)
    pos = offset + _INFO.size
    points = []
    for _ in range(n_points):
        ptype, code, x, y, _reserved = _POINT.unpack_from(data, pos)
        points.append(FeaturePoint(ptype, code, x, y))
        pos += _POINT.size
    face_type, data_type, width, height, colour, source, device, quality = _IMAGE.unpack_from(data, pos)
    pos += _IMAGE.size
    image = bytes(data[pos : offset + block_len])
    face = FaceImage(
        "ISO19794-5", image, detect_image_format(image), data_type, width, height, face_type, gender,
        eyes, hair, int.from_bytes(mask, "big"), expr, (pose[0], pose[1], pose[2]), (unc[0], unc[1], unc[2]),
        colour, source, device, quality, tuple(points),
    )  # fmt: skip
    return face, offset + block_len


def image_size(image: bytes) -> tuple[int, int]:
    """Width and height of an encoded image, read by Pillow from the header (no full decode)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(image)) as img:
            return int(img.width), int(img.height)
    except Exception as err:  # Pillow's plugins raise many types; the contract is ParseError
        raise ParseError(f"image size unreadable: {err}", path="image") from err


def encode_face_record(faces: list[FaceImage] | tuple[FaceImage, ...]) -> bytes:
    """Encode an ISO/IEC 19794-5:2005 facial record (e.g. to personalise a virtual chip)."""
    blocks = b""
    for f in faces:
        points = b"".join(_POINT.pack(p.type, p.code, p.x, p.y, 0) for p in f.feature_points)
        declared = f.declared_type if f.declared_type is not None else (1 if f.image_format in ("jp2", "j2k") else 0)
        pose = bytes(f.pose_angle or (0, 0, 0))
        unc = bytes(f.pose_angle_uncertainty or (0, 0, 0))
        length = _INFO.size + len(points) + _IMAGE.size + len(f.image)
        blocks += _INFO.pack(
            length, len(f.feature_points), f.gender or 0, f.eye_colour or 0, f.hair_colour or 0,
            (f.feature_mask or 0).to_bytes(3, "big"), f.expression or 0, pose, unc,
        )  # fmt: skip
        blocks += points
        blocks += _IMAGE.pack(
            f.face_image_type or 0, declared, f.width or 0, f.height or 0, f.colour_space or 0,
            f.source_type or 0, f.device_type or 0, f.quality or 0,
        )  # fmt: skip
        blocks += f.image
    return _HEADER.pack(_MAGIC, _VERSION, _HEADER.size + len(blocks), len(faces)) + blocks
