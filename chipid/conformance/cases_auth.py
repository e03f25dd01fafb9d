"""Authenticity cases: Passive Authentication, Active Authentication, Chip Authentication.

ICAO 9303-11 §5.1 (Passive Authentication: SOD signature, DS certificate chain to the CSCA, data-group
hashes), §6.1 (Active Authentication: INTERNAL AUTHENTICATE signed with the DG15 key), §6.2 (Chip
Authentication: key agreement with the DG14 key, then secure messaging restarted with new keys).
"""

from __future__ import annotations

from typing import Any

from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.errors import StatusWordError, VerificationError
from chipid.lds.files import by_tag
from chipid.transport.base import Transport

__all__ = ["CASES"]

_COM, _SOD = 0x011E, 0x011D


def _status(check: object) -> str:
    status = getattr(check, "status", None)
    return str(getattr(status, "name", status)).upper()


def _dg_numbers(ctx: CaseContext, com: bytes) -> list[int]:
    """Data groups listed in EF.COM's tag list DO'5C' (ICAO 9303-10 §4.6.1)."""
    tlv = ctx.need("chipid.iso7816.tlv", "decode_tlv")
    _, body, _ = tlv.decode_tlv(com)
    while body:
        tag, value, body = tlv.decode_tlv(body)
        if tag == 0x5C:
            numbers = []
            for t in value:
                try:
                    dg = by_tag(t).dg
                except KeyError:
                    ctx.note(f"EF.COM lists unknown tag {t:02X}")
                    continue
                if dg is not None:
                    numbers.append(dg)
            return numbers
    ctx.fail("EF.COM has no tag list DO'5C'")


def _read_all(ctx: CaseContext, channel: Transport) -> tuple[bytes, dict[int, bytes]]:
    """EF.SOD and every data group EF.COM lists and access conditions allow."""
    com = ctx.read_file(channel, _COM)
    groups: dict[int, bytes] = {}
    for number in _dg_numbers(ctx, com):
        try:
            groups[number] = ctx.read_file(channel, 0x0100 + number)
        except StatusWordError as err:
            ctx.note(f"DG{number} not readable ({err.sw:04X}), left out")
    return ctx.read_file(channel, _SOD), groups


def _passive(ctx: CaseContext, *, chain: bool) -> None:
    if chain and ctx.trust is None:
        ctx.skip("needs a trust store with the CSCA (--trust)")
    passive = ctx.need("chipid.pki.passive", "passive_authenticate")
    sod, groups = _read_all(ctx, ctx.session())
    result = passive.passive_authenticate(sod, groups, ctx.trust)
    checks = tuple(getattr(result, "checks", ()))
    for check in checks:
        ctx.note(f"{getattr(check, 'name', '?')}: {_status(check)} {getattr(check, 'reason', '')}".rstrip())
    failed = [c for c in checks if _status(c) == "FAILED"]
    if chain:
        ctx.check(bool(getattr(result, "passed", False)), "Passive Authentication did not fully pass")
        ctx.message = f"{len(checks)} checks passed, chain to the CSCA included"
        return
    ctx.check(
        not failed,
        "; ".join(f"{getattr(c, 'name', '?')}: {getattr(c, 'reason', '')}" for c in failed),
    )
    passed = sum(1 for c in checks if _status(c) == "PASSED")
    ctx.check(passed > 0, "no Passive Authentication check was performed")
    ctx.message = f"SOD signature and {len(groups)} data-group hashes verified ({passed} checks passed)"


def _security_infos(ctx: CaseContext, channel: Transport) -> Any:
    infos = ctx.need("chipid.lds.security_infos", "parse_security_infos")
    try:
        dg14 = ctx.read_file(channel, 0x010E)
    except StatusWordError as err:
        ctx.skip(f"no readable DG14 ({err.sw:04X})")
    return infos.parse_security_infos(dg14)


def _active(ctx: CaseContext) -> None:
    active = ctx.need("chipid.auth.active", "perform_active_auth")
    channel = ctx.session()
    try:
        dg15 = ctx.read_file(channel, 0x010F)
    except StatusWordError as err:
        ctx.skip(f"no DG15 ({err.sw:04X}): the chip does not support Active Authentication")
    aa_info = None
    if dg15[:1] == b"\x6f":
        try:
            found = tuple(getattr(_security_infos(ctx, channel), "active_authentication_infos", ()))
            aa_info = found[0] if found else None
        except Exception as err:
            ctx.note(f"DG14 not used for AA: {type(err).__name__}")
    try:
        check = active.perform_active_auth(channel, dg15, aa_info=aa_info)
    except VerificationError as err:
        ctx.fail(f"Active Authentication failed: {err}")
    status = _status(check)
    reason = str(getattr(check, "reason", ""))
    if status == "NOT_PERFORMED":
        ctx.skip(f"Active Authentication not performed: {reason}")
    ctx.check(status == "PASSED", f"Active Authentication {status}: {reason}")
    ctx.message = reason or "signature over a fresh challenge verified with the DG15 key"


def _chip(ctx: CaseContext) -> None:
    chip = ctx.need("chipid.auth.chip", "perform_chip_auth")
    channel = ctx.session()
    infos = _security_infos(ctx, channel)
    keys = tuple(getattr(infos, "chip_authentication_public_key_infos", ()))
    if not keys:
        ctx.skip("DG14 carries no ChipAuthenticationPublicKeyInfo: CA not supported")
    try:
        result = chip.perform_chip_auth(channel, infos)  # picks the matching CA info / key pair
    except VerificationError as err:
        ctx.fail(f"Chip Authentication failed: {err}")
    check = getattr(result, "check", None)
    status, reason = _status(check), str(getattr(check, "reason", ""))
    ctx.note(f"{getattr(result, 'protocol', '?')}: {status} {reason}")
    if status == "NOT_PERFORMED":
        ctx.skip(f"Chip Authentication not performed: {reason}")
    ctx.check(status == "PASSED", f"Chip Authentication {status}: {reason}")
    try:
        com = ctx.read_file(result.channel, _COM)
    except StatusWordError as err:
        ctx.fail(f"EF.COM not readable under the CA session keys: {err}")
    ctx.check(com[:1] == b"\x60", "EF.COM read under the CA keys does not start with tag 60")
    ctx.message = f"{getattr(result, 'protocol', 'CA')}: EF.COM ({len(com)} bytes) read under the new keys"


CASES = (
    Case("PA-001", "Passive Authentication: SOD signature and every data-group hash verify",
         "ICAO 9303-11 §5.1; ICAO 9303-10 §4.6.2 (EF.SOD)", ("access key",),
         lambda ctx: _passive(ctx, chain=False)),
    Case("PA-002", "Passive Authentication including the DS certificate chain to a trusted CSCA",
         "ICAO 9303-11 §5.1; ICAO 9303-12 §4 (CSCA / DS certificates)", ("access key", "trust store"),
         lambda ctx: _passive(ctx, chain=True)),
    Case("AA-001", "Active Authentication: INTERNAL AUTHENTICATE signature verifies with the DG15 key",
         "ICAO 9303-11 §6.1", ("access key", "DG15"), _active),
    Case("CA-001", "Chip Authentication with the DG14 key restarts secure messaging that then works",
         "ICAO 9303-11 §6.2", ("access key", "DG14"), _chip),
)
