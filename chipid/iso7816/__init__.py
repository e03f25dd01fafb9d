"""ISO/IEC 7816-4 layer: APDUs, BER-TLV, status words, command builders, whole-EF reading.

Low level: the reader and the access protocols build on it.
"""

from __future__ import annotations

from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.iso7816.binary import ReadPolicy, read_ef
from chipid.iso7816.status import check_sw, describe_sw
from chipid.iso7816.tlv import decode_tlv, encode_tlv, iter_tlv

__all__ = [
    "CommandAPDU",
    "ReadPolicy",
    "ResponseAPDU",
    "check_sw",
    "decode_tlv",
    "describe_sw",
    "encode_tlv",
    "iter_tlv",
    "read_ef",
]
