"""DG1: the MRZ data object (ICAO 9303-10 §4.7.1): ``61 { 5F1F <MRZ characters> }``."""

from __future__ import annotations

from chipid.errors import ParseError
from chipid.lds._tlv import encode_tlv, single_tlv
from chipid.lds.mrz import MRZ

__all__ = ["encode_dg1", "parse_dg1"]

_DG1, _MRZ_DO = 0x61, 0x5F1F


def parse_dg1(data: bytes) -> MRZ:
    """Parse DG1 into its :class:`~chipid.lds.mrz.MRZ` (check digits reported in ``.checks``).

    Raises:
        ParseError: wrong tags, trailing bytes, non-ASCII or malformed MRZ (path ``"DG1 > 5F1F"``).
    """
    inner = single_tlv(bytes(data), _DG1, path="DG1")
    text = single_tlv(inner, _MRZ_DO, path="DG1")
    try:
        mrz = text.decode("ascii")
    except UnicodeDecodeError as err:
        raise ParseError("MRZ is not ASCII", path="DG1 > 5F1F") from err
    return MRZ.parse(mrz, path="DG1 > 5F1F")


def encode_dg1(mrz: MRZ) -> bytes:
    """Encode DG1 from an MRZ (the lines concatenated, ICAO 9303-10 §4.7.1)."""
    return encode_tlv(_DG1, encode_tlv(_MRZ_DO, mrz.to_string().encode("ascii")))
