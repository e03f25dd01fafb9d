"""Chips that deviate from the ideal: personalisation variants seen in independent implementations.

Each name switches on one deviation in :func:`chipid.sim.personalize.issue_card` (``deviations=``).
They are personalisation facts, not faults of the link: the SOD is signed over what the chip holds.

* ``no_sod``: the chip has no EF.SOD (nothing is signed).
* ``empty_sod``: EF.SOD exists but is empty (0 bytes).
* ``sod_wrong_fid``: EF.SOD is stored under FID 011F without a short EF identifier, so a reader
  looking for 011D / SFI 1D does not find it.
* ``no_card_access``: no EF.CardAccess; the chip is BAC-only (no PACEInfo in DG14 either).
* ``com_lists_absent``: EF.COM lists DG11 and DG12, which the chip does not hold (the SOD does not
  list them).
* ``empty_dg2``: DG2 holds a biometric group template with no face (``7F61 { 02 01 00 }``), signed.
"""

from __future__ import annotations

from collections.abc import Iterable

from chipid.errors import UnsupportedError
from chipid.iso7816.tlv import encode_tlv

__all__ = ["DEVIATIONS", "EMPTY_DG2", "MISPLACED_SOD_FID", "check_deviations"]

DEVIATIONS: dict[str, str] = {
    "no_sod": "no EF.SOD",
    "empty_sod": "an empty EF.SOD",
    "sod_wrong_fid": "EF.SOD under FID 011F (no SFI)",
    "no_card_access": "no EF.CardAccess (BAC only)",
    "com_lists_absent": "EF.COM lists DG11 and DG12, which are absent",
    "empty_dg2": "DG2 without a face",
}
"""Deviation name -> what it does."""

MISPLACED_SOD_FID = 0x011F
"""Where ``sod_wrong_fid`` stores EF.SOD."""

EMPTY_DG2 = encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, b"\x00")))
"""DG2 of ``empty_dg2``: ISO/IEC 19794-5 biometric group template with an instance count of 0."""


def check_deviations(names: Iterable[str]) -> frozenset[str]:
    """The deviation names as a set. Raises UnsupportedError for an unknown one (naming the known ones)."""
    chosen = frozenset(names)
    unknown = sorted(chosen - DEVIATIONS.keys())
    if unknown:
        raise UnsupportedError(f"unknown deviation(s) {', '.join(unknown)}; known: {', '.join(DEVIATIONS)}")
    if len(chosen & {"no_sod", "empty_sod", "sod_wrong_fid"}) > 1:
        raise UnsupportedError("choose at most one of no_sod, empty_sod, sod_wrong_fid")
    return chosen
