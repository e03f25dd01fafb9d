"""Answer-To-Reset parsing for the ATR/ATS sanity cases.

ISO/IEC 7816-3:2006 §8.2: TS, the format byte T0 (Y1 in the high nibble, K historical bytes in the low
nibble), interface bytes TAi/TBi/TCi/TDi chained by the Y nibbles of T0 and each TDi (whose low nibble
names a protocol T), K historical bytes, and the check byte TCK, present unless T=0 alone is indicated,
such that the XOR of T0..TCK is zero (§8.2.5).

PC/SC Part 3 (its section on contactless cards) maps a contactless ISO/IEC 14443-4 card to a synthetic ATR ``3B 8n 80 01
<historical bytes> TCK``: for type A the historical bytes are those of the ATS (ISO/IEC 14443-4 §5.2),
for type B the application data, protocol info and MBLI of ATQB/ATTRIB.
"""

from __future__ import annotations

from dataclasses import dataclass

from chipid.errors import ParseError

__all__ = ["AtrInfo", "parse_atr"]


@dataclass(frozen=True)
class AtrInfo:
    """A parsed ATR.

    Attributes:
        ts: the initial character (0x3B direct convention, 0x3F inverse).
        protocols: protocols T indicated by the TDi bytes, in order (``(0,)`` when none is).
        interface: the interface bytes as ``(name, value)`` pairs, e.g. ``("TD1", 0x80)``.
        historical: the K historical bytes.
        tck: the check byte, or ``None`` when absent.
        tck_required: whether §8.2.5 requires TCK (a protocol other than T=0 is indicated).
        tck_valid: XOR of T0..TCK is zero (``True`` when TCK is absent and not required).
        contactless: the PC/SC Part 3 form of an ISO/IEC 14443-4 card (T0 8n, TD1 80, TD2 01).
    """

    ts: int
    protocols: tuple[int, ...]
    interface: tuple[tuple[str, int], ...]
    historical: bytes
    tck: int | None
    tck_required: bool
    tck_valid: bool
    contactless: bool


def parse_atr(atr: bytes) -> AtrInfo:
    """Parse an ATR (ISO/IEC 7816-3 §8.2).

    Raises:
        ParseError: the ATR is truncated, has an unknown TS, or trailing bytes beyond TCK.
    """
    if len(atr) < 2:
        raise ParseError(f"{len(atr)} bytes is too short", path="ATR")
    ts = atr[0]
    if ts not in (0x3B, 0x3F):
        raise ParseError(f"TS {ts:02X} is neither 3B nor 3F", path="ATR > TS")
    t0 = atr[1]
    k = t0 & 0x0F
    y = t0 >> 4
    pos = 2
    index = 1
    interface: list[tuple[str, int]] = []
    protocols: list[int] = []
    while True:
        td: int | None = None
        for bit, letter in ((0x1, "A"), (0x2, "B"), (0x4, "C"), (0x8, "D")):
            if y & bit:
                if pos >= len(atr):
                    raise ParseError(f"T{letter}{index} missing", path=f"ATR > T{letter}{index}")
                interface.append((f"T{letter}{index}", atr[pos]))
                if letter == "D":
                    td = atr[pos]
                pos += 1
        if td is None:
            break
        protocols.append(td & 0x0F)
        y = td >> 4
        index += 1
    if pos + k > len(atr):
        raise ParseError(f"{k} historical bytes announced, {len(atr) - pos} present", path="ATR > historical")
    historical = atr[pos : pos + k]
    pos += k
    tck_required = any(t != 0 for t in protocols)
    tck: int | None = None
    if pos < len(atr):
        tck = atr[pos]
        pos += 1
    if pos != len(atr):
        raise ParseError(f"{len(atr) - pos} bytes after TCK", path="ATR > TCK")
    check = 0
    for b in atr[1:]:
        check ^= b
    tck_valid = check == 0 if tck is not None else not tck_required
    iface = dict(interface)
    contactless = ts == 0x3B and t0 & 0xF0 == 0x80 and iface.get("TD1") == 0x80 and iface.get("TD2") == 0x01
    return AtrInfo(
        ts=ts,
        protocols=tuple(protocols) or (0,),
        interface=tuple(interface),
        historical=historical,
        tck=tck,
        tck_required=tck_required,
        tck_valid=tck_valid,
        contactless=contactless,
    )
