"""Security commands of the virtual chip: BAC, PACE, AA and CA as APDUs.

ISO/IEC 7816-4 §11.5 with the ICAO 9303-11 encodings: EXTERNAL AUTHENTICATE for BAC (§4.3.4),
MSE:Set AT C1A4 (PACE, §4.4.4.1: DO'80' OID, DO'83' password reference 01 MRZ / 02 CAN,
DO'84' parameter id), MSE:Set AT 41A4 and MSE:Set KAT 41A6 (Chip Authentication, §6.2.4),
GENERAL AUTHENTICATE (PACE steps and CA with DO'80'), INTERNAL AUTHENTICATE (AA, §6.1.4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asn1crypto import core
from cryptography.hazmat.primitives.asymmetric import ec

from chipid.access.pace_domain import domain_parameters
from chipid.errors import UnsupportedError
from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.lds.oids import ID_CA, ID_PACE
from chipid.sim._apdu import Command
from chipid.sim._auth import aa_sign, ca_session
from chipid.sim._bac import BacFailure, bac_respond
from chipid.sim._crypto import cipher_of
from chipid.sim._pace import PaceFailure, PaceSession, mrz_password

if TYPE_CHECKING:
    from chipid.sim.chip import VirtualChip

__all__ = [
    "external_authenticate",
    "general_authenticate",
    "internal_authenticate",
    "manage_security_environment",
]

Reply = tuple[bytes, int]
_MAPPINGS = ("1", "2", "3", "4", "6")  # DH-GM, ECDH-GM, DH-IM, ECDH-IM, ECDH-CAM
_CAM = "6"
_AA_REPLAYED_CHALLENGE = bytes.fromhex("0011223344556677")


def external_authenticate(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    """BAC mutual authentication (§4.3.4.2)."""
    if cmd.p1 or cmd.p2:
        return b"", 0x6A86
    challenge, chip.challenge = chip.challenge, b""
    try:
        response, session = bac_respond(cmd.data, challenge, chip.bac_keys, chip.rng)
    except BacFailure as err:
        return b"", err.sw
    chip.next_sm, chip.authenticated = session, "BAC"
    return response, 0x9000


def _objects(data: bytes) -> dict[int, bytes] | None:
    try:
        return dict(iter_tlv(data))
    except ValueError:
        return None


def _set_at_pace(chip: VirtualChip, objects: dict[int, bytes]) -> int:
    if chip.faults.bac_only or not chip.pace_suites:
        return 0x6A80
    if 0x80 not in objects or 0x83 not in objects:
        return 0x6A80
    oid = _dotted(objects[0x80])
    suites = [s for s in chip.pace_suites if s.protocol == oid]
    mapping = oid.split(".")[len(ID_PACE.split("."))] if suites else ""
    if mapping not in _MAPPINGS:
        return 0x6A80
    param = int.from_bytes(objects[0x84], "big") if 0x84 in objects else suites[0].parameter_id
    if param is None or all(s.parameter_id not in (None, param) for s in suites):
        return 0x6A80
    try:
        domain = domain_parameters(param)
    except UnsupportedError:
        return 0x6A80
    ref = objects[0x83]
    if ref == b"\x01":
        password = mrz_password(chip.mrz_information)
    elif ref == b"\x02":
        password = chip.profile.can.encode("ascii")
    else:
        return 0x6A88
    cam_key = None
    if mapping == _CAM:
        if not isinstance(chip.ca_key, ec.EllipticCurvePrivateKey) or chip.ca_key.curve.name != domain.name:
            return 0x6A80  # CAM needs the static CA key on the PACE curve
        cam_key = chip.ca_key.private_numbers().private_value
    chip.pace = PaceSession(oid, domain, password, chip.rng, cam_key=cam_key)
    chip.ca_oid = None
    return 0x9000


def _dotted(der_contents: bytes) -> str:
    try:
        return str(core.ObjectIdentifier.load(b"\x06" + bytes([len(der_contents)]) + der_contents).dotted)
    except ValueError:
        return ""


def _ca_cipher(chip: VirtualChip, oid: str | None) -> tuple[str, int] | None:
    candidates = [s.protocol for s in chip.ca_suites if oid is None or s.protocol == oid]
    if not candidates or chip.ca_key is None:
        return None
    try:
        return cipher_of(candidates[0])
    except ValueError:
        return None


def manage_security_environment(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    """MSE:Set AT for PACE (C1A4) and CA (41A4), MSE:Set KAT for 3DES CA (41A6)."""
    objects = _objects(cmd.data)
    if objects is None:
        return b"", 0x6A80
    p1p2 = (cmd.p1 << 8) | cmd.p2
    if p1p2 == 0xC1A4:
        return b"", _set_at_pace(chip, objects)
    if p1p2 in (0x41A4, 0x41A6):
        if not secure:
            return b"", 0x6982
        if p1p2 == 0x41A4:
            if chip.faults.ca_refuse_at:
                return b"", 0x6A80
            oid = _dotted(objects.get(0x80, b""))
            if not oid.startswith(ID_CA + ".") or _ca_cipher(chip, oid) is None:
                return b"", 0x6A80
            chip.ca_oid = oid
            return b"", 0x9000
        if chip.faults.ca_refuse_kat:
            return b"", 0x6A86
        suite = _ca_cipher(chip, None)
        if suite is None or 0x91 not in objects:
            return b"", 0x6A80
        return b"", _start_ca(chip, objects[0x91], suite)
    if p1p2 in (0x81A4, 0x81B6):
        return b"", 0x6A88  # Terminal Authentication: no CVCA in this chip
    return b"", 0x6A86


def _start_ca(chip: VirtualChip, ephemeral: bytes, suite: tuple[str, int]) -> int:
    assert chip.ca_key is not None
    try:
        chip.next_sm = ca_session(chip.ca_key, ephemeral, *suite)
    except ValueError:
        return 0x6A80
    chip.authenticated = "CA"
    return 0x9000


def general_authenticate(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    """The PACE steps (§4.4.4.2) or CA with an ephemeral key in DO'80' (§6.2.4.2)."""
    if cmd.p1 or cmd.p2:
        return b"", 0x6A86
    if chip.pace is not None:
        try:
            response = chip.pace.step(cmd.data)
        except PaceFailure as err:
            chip.pace = None
            return b"", err.sw
        if chip.pace.done:
            chip.next_sm, chip.authenticated = chip.pace.session(), "PACE"
            chip.pace = None
        return response, 0x9000
    if chip.ca_oid is not None and secure:
        suite = _ca_cipher(chip, chip.ca_oid)
        chip.ca_oid = None
        objects = _objects(cmd.data)
        inner = _objects(objects.get(0x7C, b"")) if objects else None
        if suite is None or inner is None or 0x80 not in inner:
            return b"", 0x6A80
        status = _start_ca(chip, inner[0x80], suite)
        return (encode_tlv(0x7C, b""), status) if status == 0x9000 else (b"", status)
    return b"", 0x6985


def internal_authenticate(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    """Active Authentication (§6.1.4): sign the 8-byte challenge with the DG15 key."""
    if cmd.p1 or cmd.p2:
        return b"", 0x6A86
    if chip.aa_key is None:
        return b"", 0x6D00
    if not secure:
        return b"", 0x6982
    if len(cmd.data) != 8:
        return b"", 0x6700
    challenge = _AA_REPLAYED_CHALLENGE if chip.faults.aa_replay else cmd.data
    if chip.faults.aa_replay:
        if chip.aa_replay_signature is None:
            chip.aa_replay_signature = aa_sign(chip.aa_key, challenge, chip.rng)
        return chip.aa_replay_signature, 0x9000
    return aa_sign(chip.aa_key, challenge, chip.rng), 0x9000
