"""ATR / ATS sanity cases (ISO/IEC 7816-3 §8.2, ISO/IEC 14443-4 §5.2, PC/SC Part 3 contactless ATR)."""

from __future__ import annotations

from chipid.conformance.atr import AtrInfo, parse_atr
from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.errors import ParseError

__all__ = ["CASES"]


def _parsed(ctx: CaseContext) -> AtrInfo:
    atr = ctx.open().atr
    ctx.note(f"ATR {atr.hex(' ').upper()}")
    try:
        return parse_atr(atr)
    except ParseError as err:
        ctx.fail(f"malformed ATR: {err}")


def _atr_structure(ctx: CaseContext) -> None:
    info = _parsed(ctx)
    ctx.note("protocols " + ", ".join(f"T={t}" for t in info.protocols))
    if info.tck is None:
        ctx.check(not info.tck_required, "TCK missing although a protocol other than T=0 is indicated")
    else:
        ctx.check(info.tck_valid, f"TCK {info.tck:02X} wrong: XOR of T0..TCK is not zero")
    tck = "TCK ok" if info.tck is not None else "no TCK (T=0 only)"
    ctx.message = f"{len(info.interface)} interface bytes, {len(info.historical)} historical bytes, {tck}"


def _compact_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Compact-TLV objects of the historical bytes (ISO/IEC 7816-4 §8.1.1.2): tag and length nibbles."""
    objects = []
    pos = 0
    while pos < len(data):
        tag, length = data[pos] >> 4, data[pos] & 0x0F
        if pos + 1 + length > len(data):
            raise ParseError(f"object {tag:X} runs past the end", path=f"ATR > historical[{pos}]")
        objects.append((tag, data[pos + 1 : pos + 1 + length]))
        pos += 1 + length
    return objects


def _historical_bytes(ctx: CaseContext) -> None:
    info = _parsed(ctx)
    if not info.contactless:
        ctx.skip("contact ATR: not the PC/SC form of an ISO/IEC 14443-4 card")
    hist = info.historical
    ctx.note(f"historical bytes ({len(hist)}): {hist.hex(' ').upper() or '-'}")
    if hist and hist[0] in (0x00, 0x80):
        body = hist[1:-3] if hist[0] == 0x00 else hist[1:]
        if hist[0] == 0x00:
            ctx.check(len(hist) >= 4, "category 00 requires a 3-byte status indicator")
        try:
            objects = _compact_tlv(body)
        except ParseError as err:
            ctx.fail(f"historical bytes: bad compact-TLV: {err}")
        for tag, value in objects:
            ctx.note(f"compact-TLV {tag:X}: {value.hex().upper()}")
        ctx.message = f"category {hist[0]:02X}, {len(objects)} compact-TLV objects"
    else:
        ctx.message = "proprietary historical bytes" if hist else "no historical bytes"


def _atr_stable(ctx: CaseContext) -> None:
    first = ctx.open().atr
    ctx.close_all()  # successive, not concurrent: chipid opens cards exclusively
    second = ctx.open().atr
    ctx.check(first == second, f"ATR changed between connections: {first.hex()} then {second.hex()}")
    ctx.message = "identical on two connections"


CASES = (
    Case(
        "ATR-001",
        "ATR is well formed: interface bytes chain, historical byte count and TCK check",
        "ISO/IEC 7816-3:2006 §8.2.2-§8.2.5",
        ("card present",),
        _atr_structure,
    ),
    Case(
        "ATR-002",
        "Contactless ATR carries the ATS historical bytes in valid compact-TLV",
        "ISO/IEC 14443-4 §5.2 (ATS historical bytes); PC/SC Part 3 (contactless ATR); ISO/IEC 7816-4:2005 §8.1.1",
        ("contactless card",),
        _historical_bytes,
    ),
    Case(
        "ATR-003",
        "ATR is the same on two successive connections",
        "ISO/IEC 7816-3:2006 §8.1",
        ("card present",),
        _atr_stable,
    ),
)
