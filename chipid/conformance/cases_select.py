"""SELECT cases: MF, EF.CardAccess by FID, the eMRTD AID, an unknown AID, a missing file.

ISO/IEC 7816-4:2005 §7.1.1 (SELECT), ICAO 9303-10 §3.6.1 (eMRTD AID A0 00 00 02 47 10 01) and §3.11
(EF.CardAccess in the MF, FID 01 1C), ICAO 9303-11 §4.2 (EF.CardAccess readable without access control).
"""

from __future__ import annotations

from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.errors import StatusWordError

__all__ = ["CASES"]

_SELECT_MF = "00A4000C023F00"
_SELECT_CARD_ACCESS = "00A4020C02011C"
_SELECT_EMRTD = "00A4040C07A0000002471001"
_SELECT_UNKNOWN_AID = "00A4040C07A00000024710FF"


def _select_mf(ctx: CaseContext) -> None:
    _, sw = ctx.send(ctx.open(), _SELECT_MF)
    if sw in (0x6D00, 0x6A86, 0x6A82, 0x6986):
        ctx.skip(f"limitation: SELECT MF answered {sw:04X}; readers must select EF.CardAccess by FID")
    ctx.check(sw == 0x9000, f"SELECT MF answered {sw:04X}, expected 9000")
    ctx.message = "9000"


def _select_card_access(ctx: CaseContext) -> None:
    transport = ctx.open()
    _, sw = ctx.send(transport, _SELECT_CARD_ACCESS)
    if sw == 0x6A82:
        ctx.skip("no EF.CardAccess (the document offers no PACE)")
    ctx.check(sw == 0x9000, f"SELECT 01 1C answered {sw:04X}, expected 9000")
    data, sw = ctx.send(transport, "00B0000004")
    ctx.check(sw in (0x9000, 0x6282), f"plain READ BINARY of EF.CardAccess answered {sw:04X}")
    ctx.check(data[:1] == b"\x31", f"EF.CardAccess does not start with a SET (31): {data.hex()}")
    ctx.message = "selected by FID and readable in plain"


def _select_emrtd(ctx: CaseContext) -> None:
    ctx.select_application(ctx.open())
    ctx.message = "9000"


def _select_unknown_aid(ctx: CaseContext) -> None:
    _, sw = ctx.send(ctx.open(), _SELECT_UNKNOWN_AID)
    ctx.check(sw == 0x6A82, f"SELECT of an unknown AID answered {sw:04X}, expected 6A82")
    ctx.message = "6A82"


def _select_missing_file(ctx: CaseContext) -> None:
    channel = ctx.session()
    try:
        _, sw = ctx.send(channel, "00A4020C020F0F")
    except StatusWordError as err:
        sw = err.sw
    ctx.check(sw == 0x6A82, f"SELECT of a missing EF answered {sw:04X}, expected 6A82")
    ctx.message = "6A82 under secure messaging"


CASES = (
    Case("SEL-001", "SELECT MF answers 9000", "ISO/IEC 7816-4:2005 §7.1.1", ("card present",), _select_mf),
    Case(
        "SEL-002",
        "EF.CardAccess can be selected by FID 01 1C and read without access control",
        "ICAO 9303-10 §3.11.2; ICAO 9303-11 §4.2; ISO/IEC 7816-4:2005 §7.1.1",
        ("card present",),
        _select_card_access,
    ),
    Case(
        "SEL-003",
        "SELECT of the eMRTD application AID answers 9000",
        "ICAO 9303-10 §3.6.1; ISO/IEC 7816-4:2005 §7.1.1",
        ("card present",),
        _select_emrtd,
    ),
    Case(
        "SEL-004",
        "SELECT of an unknown AID answers 6A82",
        "ISO/IEC 7816-4:2005 §7.1.1, §5.1.3 (6A82)",
        ("card present",),
        _select_unknown_aid,
    ),
    Case(
        "SEL-005",
        "SELECT of a missing EF in the eMRTD application answers 6A82 under secure messaging",
        "ISO/IEC 7816-4:2005 §7.1.1, §5.1.3; ICAO 9303-11 §9.8",
        ("access key", "chipid.access"),
        _select_missing_file,
    ),
)
