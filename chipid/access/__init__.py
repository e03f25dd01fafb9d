"""Access control: MRZ/CAN keys, the ICAO KDF, BAC and PACE, protocol selection.

Low level (ICAO 9303-11 §4.2-4.4, §9.7). Most callers want :func:`establish`, which
reads EF.CardAccess, runs PACE when offered and falls back to BAC.
"""

from __future__ import annotations

from chipid.access.bac import perform_bac
from chipid.access.keys import AccessKey, CANKey, MRZKey
from chipid.access.pace import PACEResult, perform_pace
from chipid.access.select import AccessResult, establish, read_card_access

__all__ = [
    "AccessKey",
    "AccessResult",
    "CANKey",
    "MRZKey",
    "PACEResult",
    "establish",
    "perform_bac",
    "perform_pace",
    "read_card_access",
]
