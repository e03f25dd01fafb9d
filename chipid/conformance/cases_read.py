"""READ BINARY cases: short, SFI, extended length, odd INS B1, past the end, Le beyond the end.

ISO/IEC 7816-4:2005 §7.2.3 (READ BINARY: offset in P1-P2 up to 7FFF, or a short EF identifier in P1 with
the offset in P2; odd INS B1 with the offset in DO'54' and the data returned in DO'53'), §5.1 (short and
extended Le), §5.1.3 (6B00 offset outside the EF; 6282 end of file reached before Le bytes).
ICAO 9303-10 §3.5 (READ BINARY of the LDS files under secure messaging; extended length and odd INS for
large files are optional for the chip, so their absence is reported as a SKIP "limitation").
"""

from __future__ import annotations

from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.errors import TransportError
from chipid.transport.base import Transport

__all__ = ["CASES"]

_CHUNK = 0xDF  # largest short Le whose SM-protected response still fits 256 bytes (ICAO 9303-10 §3.5)
_MAX_B0 = 0x7FFF  # highest offset P1-P2 can carry (bit 8 of P1 set means SFI)
_DG1, _DG2, _COM = 0x0101, 0x0102, 0x011E


def _select(ctx: CaseContext, channel: Transport, fid: int) -> bool:
    """SELECT an EF by FID under SM; False on 6A82, FAIL on any other error."""
    _, sw = ctx.send(channel, bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big"))
    if sw == 0x6A82:
        return False
    ctx.check(sw == 0x9000, f"SELECT {fid:04X} answered {sw:04X}")
    return True


def _read_b0(ctx: CaseContext, channel: Transport, offset: int, le: int) -> tuple[bytes, int]:
    apdu = bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, le & 0xFF])
    return ctx.send(channel, apdu)


def _total_length(ctx: CaseContext, header: bytes) -> int:
    """Size of the whole file from its BER-TLV header (tag, then short or 81/82/83 long-form length)."""
    pos = 2 if header[0] & 0x1F == 0x1F else 1
    ctx.check(len(header) > pos, f"file header too short: {header.hex()}")
    first = header[pos]
    if first < 0x80:
        return pos + 1 + first
    n = first & 0x7F
    ctx.check(1 <= n <= 3 and len(header) >= pos + 1 + n, f"bad TLV length in file header {header.hex()}")
    return pos + 1 + n + int.from_bytes(header[pos + 1 : pos + 1 + n], "big")


def _read_short(ctx: CaseContext, channel: Transport) -> tuple[bytes, int]:
    """Read the selected EF with short B0 READ BINARY of at most 0xDF bytes.

    B0 offsets stop at 7FFF (§7.2.3), so at most the first 32 767 bytes are read.

    Returns:
        (the bytes read, the file size its TLV header announces).
    """
    header, sw = _read_b0(ctx, channel, 0, 6)
    ctx.check(sw in (0x9000, 0x6282) and len(header) >= 2, f"READ BINARY of the header answered {sw:04X}")
    total = _total_length(ctx, header)
    wanted = min(total, _MAX_B0)
    data = bytearray(header[:wanted])
    while len(data) < wanted:
        ask = min(_CHUNK, wanted - len(data))
        chunk, sw = _read_b0(ctx, channel, len(data), ask)
        ctx.check(sw in (0x9000, 0x6282) and bool(chunk), f"READ BINARY at {len(data)} answered {sw:04X}")
        # fewer bytes than Le is allowed only with 6282 at the end of the file; it also bounds the loop
        ctx.check(
            len(chunk) == ask or (sw == 0x6282 and len(data) + len(chunk) == wanted),
            f"READ BINARY at {len(data)} returned {len(chunk)} of {ask} bytes with {sw:04X}",
        )
        data += chunk
    ctx.check(len(data) == wanted, f"read {len(data)} bytes, the header announces {total}")
    return bytes(data), total


def _selected_session(ctx: CaseContext, *fids: int) -> tuple[Transport, int]:
    channel = ctx.session()
    for fid in fids:
        if _select(ctx, channel, fid):
            return channel, fid
    ctx.skip(f"none of the files {', '.join(f'{f:04X}' for f in fids)} present")


def _short(ctx: CaseContext) -> None:
    channel, fid = _selected_session(ctx, _DG1, _COM)
    before = len(ctx.latencies_ms)
    data, total = _read_short(ctx, channel)
    ctx.measure("bytes", len(data), "B")
    ctx.measure("apdus", len(ctx.latencies_ms) - before, "APDU")
    ctx.message = f"{fid:04X}: {len(data)} bytes, TLV length consistent"
    if total > len(data):
        ctx.message = f"{fid:04X}: first {len(data)} of {total} bytes (the rest needs odd INS B1)"


def _sfi(ctx: CaseContext) -> None:
    channel, _ = _selected_session(ctx, _COM)
    reference, _ = _read_short(ctx, channel)
    want = reference[:_CHUNK]
    data, sw = ctx.send(channel, bytes([0x00, 0xB0, 0x80 | 0x1E, 0x00, len(want)]))
    ctx.check(sw in (0x9000, 0x6282), f"READ BINARY with SFI 1E answered {sw:04X}")
    ctx.check(data == want, f"SFI read differs from the FID read: {data[:8].hex()}.. vs {want[:8].hex()}..")
    ctx.message = f"{len(data)} bytes identical to the FID read"


def _extended(ctx: CaseContext) -> None:
    channel, fid = _selected_session(ctx, _DG2, _DG1)
    reference, _ = _read_short(ctx, channel)
    length = len(reference)
    apdu = bytes([0x00, 0xB0, 0x00, 0x00, 0x00]) + length.to_bytes(2, "big")
    try:
        data, sw = ctx.send(channel, apdu)
    except TransportError as err:
        ctx.skip(f"limitation: extended-length APDU refused by the reader/link ({err})")
    if sw == 0x6700 or sw >> 8 == 0x6C:
        ctx.skip(f"limitation: extended length not supported by the card ({sw:04X})")
    ctx.check(sw in (0x9000, 0x6282), f"extended READ BINARY answered {sw:04X}")
    ctx.check(data == reference[:length], f"extended read of {fid:04X} differs from the short reads")
    ctx.measure("bytes in one APDU", len(data), "B")
    ctx.message = f"{fid:04X}: {len(data)} bytes in one extended-length APDU"


def _odd_ins(ctx: CaseContext) -> None:
    channel, _ = _selected_session(ctx, _DG1, _COM)
    offset, le = 0x10, 0x20
    reference, _ = _read_b0(ctx, channel, offset, le)
    data, sw = ctx.send(channel, bytes([0x00, 0xB1, 0x00, 0x00, 0x04, 0x54, 0x02, 0x00, offset, le]))
    if sw in (0x6D00, 0x6E00):
        ctx.skip(f"limitation: odd INS B1 not supported ({sw:04X}); needed only for EFs over 32 767 bytes")
    ctx.check(sw in (0x9000, 0x6282), f"READ BINARY B1 answered {sw:04X}")
    ctx.check(len(data) >= 2 and data[0] == 0x53, f"B1 response is not a DO'53': {data[:4].hex()}")
    length, start = (data[2], 3) if data[1] == 0x81 and len(data) > 2 else (data[1], 2)
    content = data[start : start + length]
    # Le bounds the whole response field, DO'53' header included, so the content may be shorter.
    ctx.check(
        0 < len(content) == length and content == reference[:length],
        f"B1 DO'53' content {content.hex()} differs from the B0 read at the same offset",
    )
    ctx.message = f"DO'53' with {length} bytes at offset {offset}, identical to B0"


def _past_end(ctx: CaseContext) -> None:
    channel, _ = _selected_session(ctx, _DG1, _COM)
    data, total = _read_short(ctx, channel)
    if total > _MAX_B0 - 8:
        ctx.skip(f"EF of {total} bytes: no B0 offset lies past its end")
    data, sw = _read_b0(ctx, channel, total + 8, 1)
    ctx.check(
        sw == 0x6B00, f"READ BINARY at {total + 8} (EF of {total} bytes) answered {sw:04X}, expected 6B00"
    )
    ctx.check(not data, "data returned for an offset past the end")
    ctx.message = "6B00"


def _le_past_end(ctx: CaseContext) -> None:
    channel, _ = _selected_session(ctx, _DG1, _COM)
    reference, total = _read_short(ctx, channel)
    if total > len(reference):
        ctx.skip(f"EF of {total} bytes: its end is beyond B0 offsets")
    offset = len(reference) - 4
    data, sw = _read_b0(ctx, channel, offset, 16)
    ctx.check(sw in (0x6282, 0x9000), f"READ BINARY with Le past the end answered {sw:04X}, expected 6282")
    tail = reference[offset:]
    ctx.check(data == tail, f"returned {data.hex()}, the file ends with {tail.hex()}")
    ctx.message = f"{sw:04X} with the {len(data)} remaining bytes"
    if sw == 0x9000:
        ctx.message += " (6282 is the ISO status for a short file end)"


CASES = (
    Case("RB-001", "Short READ BINARY (B0, offset in P1-P2) reads a whole EF consistent with its TLV length",
         "ISO/IEC 7816-4:2005 §7.2.3; ICAO 9303-10 §3.5", ("access key",), _short),
    Case("RB-002", "READ BINARY with a short EF identifier (P1 = 80 + SFI) returns the same bytes",
         "ISO/IEC 7816-4:2005 §7.2.3 (P1 b8 = 1: SFI); ICAO 9303-10 §3.5", ("access key",), _sfi),
    Case("RB-003", "Extended-length READ BINARY returns a large EF in one APDU (SKIP: limitation if refused)",
         "ISO/IEC 7816-4:2005 §5.1 (extended Le); ICAO 9303-10 §3.5", ("access key",), _extended),
    Case("RB-004", "READ BINARY odd INS B1 with DO'54' offset returns DO'53' data equal to B0",
         "ISO/IEC 7816-4:2005 §7.2.3 (odd INS); ICAO 9303-10 §3.5.2", ("access key",), _odd_ins),
    Case("RB-005", "READ BINARY at an offset past the end answers 6B00",
         "ISO/IEC 7816-4:2005 §7.2.3, §5.1.3 (6B00)", ("access key",), _past_end),
    Case("RB-006", "READ BINARY with Le past the end returns the remaining bytes (6282)",
         "ISO/IEC 7816-4:2005 §7.2.3, §5.1.3 (6282)", ("access key",), _le_past_end),
)
