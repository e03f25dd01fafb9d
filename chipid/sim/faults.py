"""Fault injection for the virtual chip: the failure modes a reader must survive.

Each field switches on one misbehaviour; the default :class:`Faults` is a healthy chip.
Faults that concern the link (tearing, delays) are applied by the transports
(:class:`~chipid.sim.transport.SimTransport`, :class:`~chipid.sim.vpcd.VpcdBridge`) through
:meth:`VirtualChip.tear_now`; the others are applied by the chip itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Faults"]


@dataclass(frozen=True)
class Faults:
    """What should go wrong.

    Attributes:
        tear_after: the card leaves the field when the APDU after this many APDUs arrives
            (counted from chip creation); ``None`` for never.
        tear_repeat: tear again after every further ``tear_after`` APDUs (default: once only).
        wrong_mac: corrupt the MAC of SM responses: ``"once"`` (the first protected response
            after authentication) or ``"always"``.
        corrupt_dgs: data groups (numbers) whose content is altered after the SOD was
            signed, so Passive Authentication fails on their hashes.
        cloned: a clone: public data copied, but the AA and CA private keys replaced by
            fresh ones that do not match DG15 / DG14.
        delay_ms: delay every response by this many milliseconds.
        no_extended_length: refuse extended-length APDUs with 6700.
        bac_only: refuse PACE (MSE:Set AT answers 6A80) although EF.CardAccess advertises it.
        aa_replay: Active Authentication always returns the signature of a fixed old
            challenge instead of signing the terminal's challenge.
        sm_error_sw: answer a protected command whose MAC does not verify with this status word
            in plain (e.g. 0x6282, 0x6283, 0x6310) and keep the session, instead of 6988 and
            ending it: a clone that cannot compute the Chip Authentication keys faking a
            harmless warning (issue 10, point 1).
        ca_refuse_kat: refuse MSE:Set KAT (6A80 / 6D00-like 6A86) so that a 3DES Chip
            Authentication must fall back to MSE:Set AT + GENERAL AUTHENTICATE.
        ca_refuse_at: refuse MSE:Set AT for Chip Authentication (only MSE:Set KAT works).
        refuse_dgs: data groups whose READ BINARY / SELECT the chip answers with 6982
            (security status not satisfied) although the SOD lists them.
        refuse_sfi: no short EF identifiers: READ BINARY with an SFI in P1 answers 6A86
            (the reader must SELECT by FID).
        refuse_le_zero: an extended ``Le = 0000`` READ BINARY answers 6700 (explicit extended
            lengths still work).
        max_read: the chip's response buffer in bytes (0: no limit): an explicit Ne above it
            answers 6700, ``Le = 0000`` gets at most this many bytes.
    """

    tear_after: int | None = None
    tear_repeat: bool = False
    wrong_mac: Literal["once", "always"] | None = None
    corrupt_dgs: tuple[int, ...] = ()
    cloned: bool = False
    delay_ms: int = 0
    no_extended_length: bool = False
    bac_only: bool = False
    aa_replay: bool = False
    sm_error_sw: int | None = None
    ca_refuse_kat: bool = False
    ca_refuse_at: bool = False
    refuse_dgs: tuple[int, ...] = ()
    refuse_sfi: bool = False
    refuse_le_zero: bool = False
    max_read: int = 0
