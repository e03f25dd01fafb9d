"""Facial records in ISO/IEC 39794-5:2019 (tagged BER, automatic implicit tags) inside a DG2 ``7F2E``.

Parsed as far as the image, its data format and size (ICAO 9303-10 LDS 1.8 profile of 39794-5):
``FaceImageDataBlock ::= [APPLICATION 5] SEQUENCE { versionBlock [0], representationBlocks [1] SEQUENCE OF
RepresentationBlock }``; ``RepresentationBlock ::= SEQUENCE { representationId [0], imageRepresentation [1]
CHOICE { base [0] CHOICE { imageRepresentation2DBlock [0] SEQUENCE { representationData2D [0] OCTET STRING,
imageInformation2DBlock [1] SEQUENCE { imageDataFormat [0] CHOICE { code [0] }, ..., imageSizeBlock [7]
SEQUENCE { width [0], height [1] } } } } }, ... }``. Other blocks (quality, PAD, landmarks...) are skipped.
Some encoders write the data block as context tag ``A1`` instead of application tag ``65``, and ICAO's own
39794-5 sample portraits wrap the ``65`` block in an ``A1``: all three are read.
"""

from __future__ import annotations

from chipid.errors import ParseError
from chipid.lds._tlv import TLV, encode_tlv, iter_tlv, read_tlv
from chipid.lds.face import FaceImage
from chipid.lds.image import detect_image_format

__all__ = ["IMAGE_DATA_FORMATS", "encode_face_39794", "parse_face_39794"]

_BLOCK_TAGS = (0x65, 0xA1)
IMAGE_DATA_FORMATS: dict[int, str] = {
    0: "unknown",
    1: "other",
    2: "jpeg",
    3: "jpeg2000-lossy",
    4: "jpeg2000-lossless",
    5: "png",
}
"""ImageDataFormatCode values (ISO/IEC 39794-5 §7.2.x) as far as this parser names them."""


def _child(value: bytes, tag: int, path: str, *, required: bool = True) -> TLV | None:
    for obj in iter_tlv(value, path=path):
        if obj.tag == tag:
            return obj
    if required:
        raise ParseError(f"missing element [{tag & 0x1F}]", path=path)
    return None


def _need(value: bytes, tag: int, path: str) -> bytes:
    obj = _child(value, tag, path)
    assert obj is not None  # required=True raised otherwise
    return obj.value


def _int(value: bytes, path: str) -> int:
    if not value or len(value) > 8:
        raise ParseError("bad INTEGER length", path=path)
    return int.from_bytes(value, "big", signed=True)


def parse_face_39794(data: bytes, *, path: str = "FaceImageDataBlock") -> tuple[FaceImage, ...]:
    """Parse the content of a ``7F2E`` biometric data block into faces.

    Raises:
        ParseError: with the path of the missing or malformed element.
    """
    outer = read_tlv(bytes(data), 0, path=path)
    if outer.tag not in _BLOCK_TAGS:
        raise ParseError(f"expected FaceImageDataBlock (65 or A1), found {outer.tag:X}", path=path)
    inner = read_tlv(outer.value, 0, path=path) if outer.value else None
    if outer.tag == 0xA1 and inner is not None and inner.tag == 0x65 and inner.end == len(outer.value):
        outer = inner  # A1 { 65 { versionBlock, representationBlocks } } (ICAO's 39794-5 samples)
    blocks = _need(outer.value, 0xA1, f"{path} > representationBlocks")
    faces = []
    for i, rep in enumerate(iter_tlv(blocks, path=f"{path} > representationBlocks")):
        rpath = f"{path} > representationBlocks[{i}]"
        if rep.tag != 0x30:
            raise ParseError(f"RepresentationBlock must be a SEQUENCE, found {rep.tag:X}", path=rpath)
        image_rep = _need(rep.value, 0xA1, f"{rpath} > imageRepresentation")
        base = _need(image_rep, 0xA0, f"{rpath} > imageRepresentation > base")
        block2d = _need(base, 0xA0, f"{rpath} > imageRepresentation2DBlock")
        faces.append(_parse_2d(block2d, f"{rpath} > imageRepresentation2DBlock"))
    return tuple(faces)


def _parse_2d(block: bytes, path: str) -> FaceImage:
    image = _need(block, 0x80, f"{path} > representationData2D")
    info = _need(block, 0xA1, f"{path} > imageInformation2DBlock")
    ipath = f"{path} > imageInformation2DBlock"
    fmt = _need(info, 0xA0, f"{ipath} > imageDataFormat")
    code_obj = _child(fmt, 0x80, f"{ipath} > imageDataFormat", required=False)
    code = _int(code_obj.value, f"{ipath} > imageDataFormat") if code_obj else None
    width = height = None
    size = _child(info, 0xA7, f"{ipath} > imageSizeBlock", required=False)
    if size is not None:
        width = _int(_need(size.value, 0x80, f"{ipath} > imageSizeBlock > width"), f"{ipath} > width")
        height = _int(_need(size.value, 0x81, f"{ipath} > imageSizeBlock > height"), f"{ipath} > height")
    return FaceImage("ISO39794-5", image, detect_image_format(image), code, width, height)


def _uint(tag: int, n: int) -> bytes:
    return encode_tlv(tag, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big"))


def encode_face_39794(face: FaceImage, *, generation: int = 3, year: int = 2019) -> bytes:
    """Encode one face as a minimal 39794-5 FaceImageDataBlock (application tag 65), for tests and the sim."""
    code = (
        face.declared_type
        if face.declared_type is not None and face.encoding == "ISO39794-5"
        else {"jpeg": 2, "jp2": 4, "j2k": 4}.get(face.image_format, 0)
    )
    info = encode_tlv(0xA0, _uint(0x80, code))
    if face.width is not None and face.height is not None:
        info += encode_tlv(0xA7, _uint(0x80, face.width) + _uint(0x81, face.height))
    block2d = encode_tlv(0x80, face.image) + encode_tlv(0xA1, info)
    rep = _uint(0x80, 0) + encode_tlv(0xA1, encode_tlv(0xA0, encode_tlv(0xA0, block2d)))
    version = encode_tlv(0xA0, _uint(0x80, generation) + _uint(0x81, year))
    return encode_tlv(0x65, version + encode_tlv(0xA1, encode_tlv(0x30, rep)))
