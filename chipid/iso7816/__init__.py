"""ISO/IEC 7816-4 layer: APDUs, BER-TLV, status words, command builders, whole-EF reading.

Low level: the reader and the access protocols build on it.
"""

from __future__ import annotations

from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.iso7816.status import check_sw, describe_sw

__all__ = ["CommandAPDU", "ResponseAPDU", "check_sw", "describe_sw"]
