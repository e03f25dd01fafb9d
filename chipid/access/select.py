"""Choosing the access protocol: PACE when EF.CardAccess offers it, else BAC.

ICAO 9303-11 §4.2: a chip that supports PACE lists PACEInfos in EF.CardAccess (FID
011C, in the master file); the inspection system SHOULD use PACE then, and MAY fall
back to BAC when the chip also supports it (§4.2 note, and every chip issued before
2018). :func:`establish` prefers ECDH over DH, Generic Mapping over CAM over IM, AES
over 3DES and the longest key, falls back to BAC (MRZ keys only) and records why.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from chipid.access import pace_crypto as pc
from chipid.access.bac import perform_bac
from chipid.access.keys import AccessKey, MRZKey
from chipid.access.pace import PACEResult, perform_pace
from chipid.access.pace_domain import domain_parameters
from chipid.ecc.arith import Curve
from chipid.errors import (
    AccessControlError,
    BACError,
    ChipFileNotFoundError,
    ConditionsNotSatisfiedError,
    InstructionNotSupportedError,
    PACEError,
    ParseError,
    StatusWordError,
    UnsupportedError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import read_ef
from chipid.lds.files import EMRTD_AID
from chipid.lds.security_infos import PACEInfo, parse_security_infos
from chipid.sm.channel import SecureChannel
from chipid.transport.base import Transport

__all__ = ["AccessResult", "choose_pace_info", "establish", "read_card_access"]

_CARD_ACCESS_FID = 0x011C
_MAPPING_RANK = {"GM": 3, "CAM": 2, "IM": 1}


@dataclass(frozen=True)
class AccessResult:
    """Outcome of :func:`establish`.

    Attributes:
        protocol: ``"PACE"`` or ``"BAC"``.
        channel: the secure channel to use from now on.
        pace_info: the PACEInfo used (PACE) or rejected before the fallback (BAC), if any.
        fallback_reason: why BAC was used instead of PACE (None when PACE ran, or when
            BAC was asked for with ``prefer="bac"``).
        pace: the full PACE result (CAM data, chip keys); None for BAC.
    """

    protocol: str
    channel: SecureChannel
    pace_info: PACEInfo | None = None
    fallback_reason: str | None = None
    pace: PACEResult | None = None


def _send(transport: Transport, apdu: bytes, ins: int) -> bytes:
    return ResponseAPDU.from_bytes(transport.transmit(apdu)).check(ins).data


def read_card_access(transport: Transport) -> bytes | None:
    """Read EF.CardAccess in plain (ICAO 9303-10 §3.11.2), or None when the chip has none.

    SELECT MF first; readers/chips that refuse it (6D00, 6A82, 6986) get the direct
    select by FID ``00 A4 02 0C 02 01 1C`` all the same (needed by some CCCD readers).
    The file is then read whole by :func:`chipid.iso7816.binary.read_ef`.

    Raises:
        StatusWordError: an unexpected refusal while selecting or reading.
        ParseError: the file does not start with a well-formed TLV header.
        TransportError: the link failed.
    """
    try:
        _send(transport, commands.select_mf().to_bytes(), 0xA4)
    except (InstructionNotSupportedError, ChipFileNotFoundError, ConditionsNotSatisfiedError):
        pass
    except StatusWordError as err:
        if err.sw != 0x6986:
            raise
    try:
        return read_ef(transport, fid=_CARD_ACCESS_FID, secure=False)
    except ChipFileNotFoundError:
        return None


def _rank(info: PACEInfo) -> tuple[int, ...] | None:
    if info.problem is not None:  # ICAO 9303-11 §9.2.1: version 2 only
        return None
    try:
        alg = pc.pace_algorithm(info.protocol)
        if info.parameter_id is None:
            return None
        domain = domain_parameters(info.parameter_id)
    except UnsupportedError:
        return None
    if (alg.agreement == "ECDH") != isinstance(domain, Curve):
        return None
    if alg.mapping == "IM" and isinstance(domain, Curve) and domain.p % 4 != 3:
        return None  # the App. B point encoding needs p = 3 mod 4 (not NIST P-224)
    return (alg.agreement == "ECDH", _MAPPING_RANK[alg.mapping], alg.cipher == "AES", alg.key_bits)


def choose_pace_info(infos: tuple[PACEInfo, ...] | list[PACEInfo]) -> PACEInfo | None:
    """The best supported PACEInfo (ECDH, then GM > CAM > IM, AES, longest key), or None."""
    ranked = [(rank, i, info) for i, info in enumerate(infos) if (rank := _rank(info)) is not None]
    if not ranked:
        return None
    return max(ranked, key=lambda item: (item[0], -item[1]))[2]


def establish(
    transport: Transport,
    key: AccessKey,
    *,
    card_access: bytes | None = None,
    prefer: str = "pace",
    rng: Callable[[int], bytes] = os.urandom,
) -> AccessResult:
    """Open a secure channel with PACE when possible, else BAC (ICAO 9303-11 §4.2).

    Args:
        transport: the plain transport.
        key: an :class:`MRZKey` (PACE or BAC) or a CAN (PACE only).
        card_access: EF.CardAccess content; read from the chip when None.
        prefer: ``"pace"`` (default) or ``"bac"`` (skip PACE; MRZ keys only).
        rng: randomness for the protocol.

    Raises:
        PACEError: PACE failed and no fallback exists (CAN key).
        BACError: BAC failed (its message names the earlier PACE failure, if any).
        AccessControlError: nothing usable (CAN key and no PACE offered).
        TransportError: the link failed.
    """
    if prefer not in ("pace", "bac"):
        raise UnsupportedError(f"prefer must be 'pace' or 'bac', got {prefer!r}")
    info: PACEInfo | None = None
    reason: str | None = None
    if prefer == "pace":
        raw: bytes | None = None
        try:
            raw = card_access if card_access is not None else read_card_access(transport)
            infos = parse_security_infos(raw, name="EF.CardAccess").pace_infos if raw else ()
        except (StatusWordError, ParseError) as err:
            infos, reason = (), f"EF.CardAccess unreadable: {err}"
        info = choose_pace_info(infos)
        if info is not None:
            try:
                result = perform_pace(transport, key, protocol=info.protocol,
                                      parameter_id=info.parameter_id, rng=rng)
                return AccessResult("PACE", result.channel, info, None, result)
            except (PACEError, UnsupportedError) as err:
                if not isinstance(key, MRZKey):
                    raise
                reason = f"PACE failed: {err}"
        elif reason is None:
            refused = [p.problem for p in infos if p.problem is not None]
            reason = ("no supported PACEInfo in EF.CardAccess" + (f" ({refused[0]})" if refused else "")
                      if raw else "no EF.CardAccess")
    if not isinstance(key, MRZKey):
        raise AccessControlError(f"a CAN needs PACE and the chip offers none ({reason})",
                                 protocol="PACE", step="protocol selection")
    # 9303-10 §3.6: select the eMRTD application, then BAC; a refusal here is left to BAC to report
    with contextlib.suppress(StatusWordError):
        _send(transport, commands.select_aid(EMRTD_AID).to_bytes(), 0xA4)
    try:
        channel = perform_bac(transport, key, rng=rng)
    except BACError as err:
        if reason is None:
            raise
        raise BACError(f"{err} (after {reason})", step=err.step) from err
    return AccessResult("BAC", channel, info, reason, None)
