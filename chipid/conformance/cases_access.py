"""Access-control cases: BAC, PACE with every suite EF.CardAccess offers, wrong keys, downgrade.

ICAO 9303-11 §4.3 (BAC), §4.4 (PACE), §4.2 (chip access procedure: PACE when EF.CardAccess offers it,
BAC otherwise), §9.8 (secure messaging established by either).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chipid.conformance.context import AccessKeyLike, CaseContext, key_kind
from chipid.conformance.model import Case
from chipid.errors import AccessControlError, StatusWordError, UnsupportedError
from chipid.transport.base import Transport

__all__ = ["CASES"]

_WRONG_MRZ = (("L898902C3", "740812", "120415"), ("AB0000000", "800101", "300101"))
_WRONG_CAN = ("000001", "999998")


def _password(key: object) -> bytes:
    method = getattr(key, "pace_password", None)
    return bytes(method()) if callable(method) else repr(key).encode()


def _wrong_key(ctx: CaseContext, key: AccessKeyLike) -> AccessKeyLike:
    """A key of the same kind whose password differs from ``key``'s."""
    access = ctx.need("chipid.access", "MRZKey", "CANKey")
    candidates: Iterable[Any]
    if key_kind(key) == "can":
        candidates = (access.CANKey(can) for can in _WRONG_CAN)
    else:
        candidates = (access.MRZKey(*fields) for fields in _WRONG_MRZ)
    for candidate in candidates:
        if _password(candidate) != _password(key):
            return candidate  # type: ignore[no-any-return]
    ctx.skip("could not build a wrong key")  # pragma: no cover


def _assert_no_session(ctx: CaseContext, transport: Transport) -> None:
    """After a failed authentication the chip must not serve EF.COM (ICAO 9303-11 §4.2)."""
    ctx.send(transport, "00A4040C07A0000002471001")
    ctx.send(transport, "00A4020C02011E")
    data, sw = ctx.send(transport, "00B0000004")
    ctx.check(sw != 0x9000, f"EF.COM readable in plain after a failed authentication: {data.hex()}")
    ctx.note(f"plain READ BINARY of EF.COM afterwards: {sw:04X}")


def _bac(ctx: CaseContext) -> None:
    key = ctx.key_of("mrz")
    if key is None:
        ctx.skip("needs the MRZ key (BAC keys derive from the MRZ only)")
    access = ctx.need("chipid.access", "perform_bac")
    transport = ctx.open()
    ctx.select_application(transport)
    channel = access.perform_bac(transport, key)
    ctx.note(f"cipher {getattr(getattr(channel, 'keys', None), 'cipher', '?')}")
    com = ctx.read_file(channel, 0x011E)
    ctx.check(com[:1] == b"\x60", f"EF.COM read under BAC does not start with tag 60: {com[:4].hex()}")
    ctx.message = f"EF.COM ({len(com)} bytes) read under BAC secure messaging"


def _bac_wrong_key(ctx: CaseContext) -> None:
    key = ctx.key_of("mrz")
    if key is None:
        ctx.skip("needs the MRZ key (BAC keys derive from the MRZ only)")
    access = ctx.need("chipid.access", "perform_bac", "MRZKey")
    wrong = _wrong_key(ctx, key)
    transport = ctx.open()
    ctx.select_application(transport)
    try:
        access.perform_bac(transport, wrong)
    except AccessControlError as err:
        cause = err.__cause__
        sw = cause.sw if isinstance(cause, StatusWordError) else None
        ctx.note(f"BACError at step {err.step!r}" + (f", SW {sw:04X}" if sw is not None else ""))
        if sw is not None and sw not in (0x6300, 0x6982) and sw & 0xFFF0 != 0x63C0:
            ctx.fail(f"wrong BAC key answered {sw:04X}, expected 6300 or 6982")
    else:
        ctx.fail("BAC with a wrong MRZ key succeeded")
    _assert_no_session(ctx, transport)
    ctx.message = "refused; no session"


def _pace_infos(ctx: CaseContext) -> tuple[Any, ...]:
    access = ctx.need("chipid.access", "read_card_access")
    infos_mod = ctx.need("chipid.lds.security_infos", "parse_security_infos")
    card_access = access.read_card_access(ctx.open())
    ctx.close_all()
    if card_access is None:
        ctx.skip("no EF.CardAccess: the document offers no PACE")
    infos = tuple(infos_mod.parse_security_infos(card_access).pace_infos)
    if not infos:
        ctx.skip("EF.CardAccess advertises no PACEInfo")
    return infos


def _pace_with(ctx: CaseContext, kind: str) -> None:
    key = ctx.key_of(kind)
    if key is None:
        ctx.skip(f"needs the {kind.upper()} key (--{kind})")
    access = ctx.need("chipid.access", "perform_pace")
    failures: list[str] = []
    supported = 0
    for info in _pace_infos(ctx):
        label = f"{info.protocol} parameter {info.parameter_id}"
        transport = ctx.open()
        try:
            result = access.perform_pace(
                transport, key, protocol=info.protocol, parameter_id=info.parameter_id
            )
        except UnsupportedError as err:
            ctx.note(f"{label}: not supported by chipid ({err})")
            continue
        except AccessControlError as err:
            supported += 1
            failures.append(f"{label}: {err}")
            ctx.note(f"{label}: FAILED {err}")
            continue
        supported += 1
        ctx.select_application(result.channel)
        com = ctx.read_file(result.channel, 0x011E)
        ctx.check(com[:1] == b"\x60", f"{label}: EF.COM under PACE does not start with tag 60")
        ctx.note(f"{label}: ok, EF.COM {len(com)} bytes")
        ctx.close_all()
    if not supported:
        ctx.skip("no PACE suite offered by the card is supported by chipid")
    ctx.check(not failures, "; ".join(failures))
    ctx.message = f"{supported} suite(s) established with the {kind.upper()}"


def _pace_wrong_password(ctx: CaseContext) -> None:
    key = ctx.key
    access = ctx.need("chipid.access", "perform_pace")
    wrong = _wrong_key(ctx, key)
    info = _pace_infos(ctx)[0]
    transport = ctx.open()
    try:
        access.perform_pace(transport, wrong, protocol=info.protocol, parameter_id=info.parameter_id)
    except UnsupportedError as err:
        ctx.skip(f"PACE suite {info.protocol} not supported by chipid: {err}")
    except AccessControlError as err:
        ctx.note(f"PACEError at step {err.step!r}: {err}")
    else:
        ctx.fail(f"PACE with a wrong {key_kind(key).upper()} succeeded")
    _assert_no_session(ctx, transport)
    ctx.message = "refused; no session"


def _downgrade(ctx: CaseContext) -> None:
    infos = _pace_infos(ctx)
    try:
        result = ctx.establish(ctx.open())
    except AccessControlError as err:
        if err.protocol != "PACE":
            raise
        ctx.fail(f"EF.CardAccess offers PACE ({len(infos)} suite(s)) but PACE failed and nothing else works: {err}")
    protocol = str(getattr(result, "protocol", "?"))
    if protocol.upper() != "PACE":
        reason = getattr(result, "fallback_reason", None) or "no reason given"
        ctx.fail(
            f"downgrade: EF.CardAccess offers PACE ({len(infos)} suite(s)) but {protocol} was used: {reason}"
        )
    ctx.message = "PACE used as advertised"


CASES = (
    Case("BAC-001", "BAC with the right MRZ key opens secure messaging; EF.COM readable",
         "ICAO 9303-11 §4.3, App. D", ("MRZ key", "eMRTD application"), _bac),
    Case("BAC-002", "BAC with a wrong MRZ key is refused (6300/6982) and leaves no session",
         "ICAO 9303-11 §4.3.4; ISO/IEC 7816-4:2005 §7.5 (EXTERNAL AUTHENTICATE)", ("MRZ key",), _bac_wrong_key),
    Case("PACE-001", "PACE with the MRZ succeeds for every suite EF.CardAccess offers",
         "ICAO 9303-11 §4.4, §9.2 (PACEInfo)", ("MRZ key", "EF.CardAccess"),
         lambda ctx: _pace_with(ctx, "mrz")),
    Case("PACE-002", "PACE with the CAN succeeds for every suite EF.CardAccess offers",
         "ICAO 9303-11 §4.4, §9.2 (PACEInfo)", ("CAN", "EF.CardAccess"),
         lambda ctx: _pace_with(ctx, "can")),
    Case("PACE-003", "PACE with a wrong password is refused and leaves no session",
         "ICAO 9303-11 §4.4.4", ("access key", "EF.CardAccess"), _pace_wrong_password),
    Case("DOWN-001", "No downgrade: when EF.CardAccess offers PACE, the session runs PACE, not BAC",
         "ICAO 9303-11 §4.2 (chip access procedure)", ("access key", "EF.CardAccess"), _downgrade),
)
