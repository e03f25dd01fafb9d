"""EF.COM: LDS version, Unicode version and the tag list of present data groups (ICAO 9303-10 §4.6.1).

``60 { 5F01 "aabb" (LDS version aa.bb), 5F36 "aabbcc" (Unicode aa.bb.cc), 5C <DG tags> }``.
"""

from __future__ import annotations

from dataclasses import dataclass

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, iter_tlv, single_tlv, tag_hex
from chipid.lds.files import by_tag

__all__ = ["COM", "encode_com", "parse_com"]

_COM, _LDS_VERSION, _UNICODE_VERSION, _TAG_LIST = 0x60, 0x5F01, 0x5F36, 0x5C


@dataclass(frozen=True)
class COM:
    """EF.COM content.

    Attributes:
        lds_version: ``"aabb"`` as stored (``"0107"`` = LDS 1.7).
        unicode_version: ``"aabbcc"`` as stored (``"040000"`` = Unicode 4.0.0).
        tags: the tag list, one byte per data group (``0x61`` = DG1...), in file order.
    """

    lds_version: str
    unicode_version: str
    tags: tuple[int, ...]

    @property
    def data_groups(self) -> tuple[int, ...]:
        """Data group numbers of the tag list (tags unknown to the LDS table are skipped)."""
        out = []
        for tag in self.tags:
            try:
                dg = by_tag(tag).dg
            except KeyError:
                continue
            if dg is not None:
                out.append(dg)
        return tuple(out)

    @property
    def lds_version_text(self) -> str:
        """``"1.7"`` for ``"0107"``."""
        v = self.lds_version
        return f"{int(v[:2])}.{int(v[2:])}" if len(v) == 4 and v.isdigit() else v


def _digits(value: bytes, width: int, what: str) -> str:
    text = value.decode("ascii", "replace")
    if len(text) != width or not text.isdigit():
        raise ParseError(f"{what} must be {width} digits, got {value!r}", path=f"EF.COM > {what}")
    return text


def parse_com(data: bytes) -> COM:
    """Parse EF.COM.

    Raises:
        ParseError: wrong outer tag, a missing element, or a version that is not all digits.
    """
    body = single_tlv(bytes(data), _COM, path="EF.COM")
    found: dict[int, bytes] = {}
    for obj in iter_tlv(body, path="EF.COM"):
        found.setdefault(obj.tag, obj.value)
    for tag in (_LDS_VERSION, _UNICODE_VERSION, _TAG_LIST):
        if tag not in found:
            raise ParseError(f"missing element {tag_hex(tag)}", path="EF.COM")
    return COM(
        _digits(found[_LDS_VERSION], 4, "5F01"),
        _digits(found[_UNICODE_VERSION], 6, "5F36"),
        tuple(found[_TAG_LIST]),
    )


def encode_com(com: COM) -> bytes:
    """Encode EF.COM (elements in the order of ICAO 9303-10 §4.6.1)."""
    body = (
        encode_tlv(_LDS_VERSION, com.lds_version.encode("ascii"))
        + encode_tlv(_UNICODE_VERSION, com.unicode_version.encode("ascii"))
        + encode_tlv(_TAG_LIST, bytes(com.tags))
    )
    return encode_tlv(_COM, body)
