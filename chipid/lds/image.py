"""Image payloads of biometric records: format detection and lazy decoding with Pillow.

JPEG (ISO/IEC 10918, SOI ``FF D8 FF``), JPEG 2000 as a JP2 file (ISO/IEC 15444-1 Annex I, signature box
``0000000C 6A502020 0D0A870A``) or a bare codestream (SOC+SIZ ``FF4F FF51``), PNG, WSQ (``FF A0``).
"""

from __future__ import annotations

from typing import Any

from chipid.errors import ParseError

__all__ = ["MIME_TYPES", "decode_image", "detect_image_format"]

_JP2_SIGNATURE = bytes.fromhex("0000000C6A5020200D0A870A")
MIME_TYPES: dict[str, str] = {
    "jpeg": "image/jpeg",
    "jp2": "image/jp2",
    "j2k": "image/j2k",
    "png": "image/png",
    "wsq": "image/x-wsq",
    "unknown": "application/octet-stream",
}
"""Format name -> MIME type."""


def detect_image_format(data: bytes) -> str:
    """Detect the image format from its magic bytes: ``"jpeg"``, ``"jp2"``, ``"j2k"``, ``"png"``, ``"wsq"``
    or ``"unknown"``."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:12] == _JP2_SIGNATURE:
        return "jp2"
    if data[:4] == b"\xff\x4f\xff\x51":
        return "j2k"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:2] == b"\xff\xa0":
        return "wsq"
    return "unknown"


def decode_image(data: bytes) -> Any:
    """Decode with Pillow (imported only here, on demand); returns a loaded ``PIL.Image.Image``.

    Raises:
        ParseError: Pillow cannot decode the data (WSQ is not supported by Pillow).
    """
    import io

    from PIL import Image

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as err:  # Pillow's codecs raise many types (OSError, DecompressionBombError, EOFError...)
        raise ParseError(f"image cannot be decoded: {err}", path="image") from err
    return img
