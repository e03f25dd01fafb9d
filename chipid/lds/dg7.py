"""DG7: displayed signature or usual mark (ICAO 9303-10 §4.7.7): ``67 { 02 count, 5F43 image... }``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, iter_tlv, single_tlv
from chipid.lds.image import detect_image_format

__all__ = ["DG7", "encode_dg7", "parse_dg7"]

_DG7, _COUNT, _IMAGE = 0x67, 0x02, 0x5F43


@dataclass(frozen=True)
class DG7:
    """The displayed signature / usual mark images (JPEG or JPEG 2000 per ICAO 9303-10)."""

    images: tuple[bytes, ...]

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(detect_image_format(i) for i in self.images)


def parse_dg7(data: bytes) -> DG7:
    """Parse DG7. Raises ParseError when the count does not match the images."""
    body = single_tlv(bytes(data), _DG7, path="DG7")
    count: int | None = None
    images = []
    for obj in iter_tlv(body, path="DG7"):
        if obj.tag == _COUNT:
            count = int.from_bytes(obj.value, "big")
        elif obj.tag == _IMAGE:
            images.append(obj.value)
    if count is None or count != len(images):
        raise ParseError(f"count {count} but {len(images)} images (5F43)", path="DG7")
    return DG7(tuple(images))


def encode_dg7(images: Sequence[bytes]) -> bytes:
    """Encode DG7 from signature images."""
    body = encode_tlv(_COUNT, bytes([len(images)])) + b"".join(encode_tlv(_IMAGE, i) for i in images)
    return encode_tlv(_DG7, body)
