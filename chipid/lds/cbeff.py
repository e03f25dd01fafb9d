"""CBEFF biometric information templates of DG2/DG3/DG4 (ICAO 9303-10 §4.7.2, ISO/IEC 7816-11).

``75|63|76 { 7F61 { 02 count, 7F60 { A1 {header 80..88}, 5F2E|7F2E biometric data block }... } }``.
The header (``A1``, the standard biometric header) is kept as ``{tag: value}``; the biometric data block
(BDB) is returned raw for the face / finger record parsers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, iter_tlv, single_tlv, tag_hex

__all__ = ["BDB_CONSTRUCTED", "BDB_PLAIN", "BiometricInfo", "encode_biometric_group", "parse_biometric_group"]

_GROUP, _INFO, _HEADER, _COUNT = 0x7F61, 0x7F60, 0xA1, 0x02
BDB_PLAIN = 0x5F2E
"""Biometric data block, primitive (ISO/IEC 19794 records)."""
BDB_CONSTRUCTED = 0x7F2E
"""Biometric data block, constructed (ISO/IEC 39794 records)."""
_HEADER_NAMES = {
    0x80: "patron_header_version",
    0x81: "biometric_type",
    0x82: "biometric_subtype",
    0x83: "creation_datetime",
    0x85: "validity_period",
    0x86: "creator",
    0x87: "format_owner",
    0x88: "format_type",
}


@dataclass(frozen=True)
class BiometricInfo:
    """One biometric information template (``7F60``).

    Attributes:
        header: the standard biometric header elements ``{tag: value}`` (``0x87`` format owner...).
        bdb_tag: ``0x5F2E`` (19794) or ``0x7F2E`` (39794).
        bdb: the biometric data block, raw.
        path: where it was found, for the error paths of the record parser.
    """

    header: Mapping[int, bytes] = field(hash=False)
    bdb_tag: int
    bdb: bytes
    path: str = ""

    @property
    def format_owner(self) -> int | None:
        v = self.header.get(0x87)
        return int.from_bytes(v, "big") if v else None

    @property
    def format_type(self) -> int | None:
        v = self.header.get(0x88)
        return int.from_bytes(v, "big") if v else None

    def header_names(self) -> dict[str, str]:
        """The header as ``{name: hex}`` for display."""
        return {_HEADER_NAMES.get(t, tag_hex(t)): v.hex() for t, v in self.header.items()}


def parse_biometric_group(data: bytes, outer_tag: int, name: str) -> tuple[BiometricInfo, ...]:
    """Parse a DG2/DG3/DG4 biometric information group template.

    Args:
        data: the whole file.
        outer_tag: ``0x75`` (DG2), ``0x63`` (DG3) or ``0x76`` (DG4).
        name: the file name for error paths.

    Raises:
        ParseError: wrong tags, a count that does not match, a template without a BDB.
    """
    group = single_tlv(single_tlv(bytes(data), outer_tag, path=name), _GROUP, path=f"{name} > 7F61")
    path = f"{name} > 7F61"
    count: int | None = None
    infos: list[BiometricInfo] = []
    for obj in iter_tlv(group, path=path):
        if obj.tag == _COUNT:
            count = int.from_bytes(obj.value, "big") if obj.value else 0
        elif obj.tag == _INFO:
            infos.append(_parse_info(obj.value, f"{path} > 7F60[{len(infos)}]"))
    if count is None:
        raise ParseError("missing instance count (tag 02)", path=path)
    if count != len(infos):
        raise ParseError(f"count says {count} templates, found {len(infos)}", path=path)
    return tuple(infos)


def _parse_info(value: bytes, path: str) -> BiometricInfo:
    header: dict[int, bytes] = {}
    bdb: tuple[int, bytes] | None = None
    for obj in iter_tlv(value, path=path):
        if obj.tag == _HEADER:
            header = {h.tag: h.value for h in iter_tlv(obj.value, path=f"{path} > A1")}
        elif obj.tag in (BDB_PLAIN, BDB_CONSTRUCTED) and bdb is None:
            bdb = (obj.tag, obj.value)
    if bdb is None:
        raise ParseError("no biometric data block (5F2E / 7F2E)", path=path)
    return BiometricInfo(header, bdb[0], bdb[1], f"{path} > {tag_hex(bdb[0])}")


def encode_biometric_group(outer_tag: int, infos: Sequence[BiometricInfo]) -> bytes:
    """Encode a biometric information group template (header elements in tag order)."""
    body = encode_tlv(_COUNT, bytes([len(infos)]))
    for info in infos:
        header = b"".join(encode_tlv(t, info.header[t]) for t in sorted(info.header))
        body += encode_tlv(_INFO, encode_tlv(_HEADER, header) + encode_tlv(info.bdb_tag, info.bdb))
    return encode_tlv(outer_tag, encode_tlv(_GROUP, body))
