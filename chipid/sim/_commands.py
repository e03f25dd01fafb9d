"""File commands of the virtual chip: SELECT, READ BINARY, GET CHALLENGE, and the INS dispatch.

ISO/IEC 7816-4 §11.1.1 (SELECT: P1 00 MF/FID, 02 EF under the current DF, 04 DF name,
08/09 path; P2 0C no data, 00 FCI, 04 FCP), §11.2.3 (READ BINARY: B0 with a 15-bit offset or
an SFI in P1, B1 with DO'54' offset and DO'53' data), §11.5.3 (GET CHALLENGE), status words
of §5.6 (6282 end of file reached before Ne bytes, 6B00 offset outside the EF, 6986 no current
EF, 6982 security status not satisfied, 6A82 file not found, 6A86 wrong P1-P2). READ BINARY
honours the read faults of :class:`~chipid.sim.faults.Faults` (no SFI, no ``Le = 0000``, a
small response buffer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.sim import _security
from chipid.sim._apdu import Command
from chipid.sim.fs import Access, ElementaryFile

if TYPE_CHECKING:
    from chipid.sim.chip import VirtualChip

__all__ = ["dispatch"]

Reply = tuple[bytes, int]
_LE_MAX = 0x10000
_SM_MAX_DATA = 0xFFDF
"""The most plain bytes whose protected answer (DO'87' + DO'99' + DO'8E' + SW) fits 65536 bytes."""


def dispatch(chip: VirtualChip, cmd: Command, *, secure: bool) -> Reply:
    """Run one (unwrapped) command; returns (response data, status word)."""
    handlers = {
        0xA4: _select,
        0xB0: _read_binary,
        0xB1: _read_binary,
        0x84: _get_challenge,
        0x82: _security.external_authenticate,
        0x88: _security.internal_authenticate,
        0x22: _security.manage_security_environment,
        0x86: _security.general_authenticate,
    }
    handler = handlers.get(cmd.ins)
    if handler is None:
        return b"", 0x6D00
    return handler(chip, cmd, secure)


def _may_read(ef: ElementaryFile, secure: bool) -> bool:
    return ef.access is Access.ALWAYS or (ef.access is Access.SM and secure)


def _select(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    if cmd.p2 not in (0x00, 0x04, 0x0C):
        return b"", 0x6A86
    fs = chip.fs
    ef: ElementaryFile | None = None
    if cmd.p1 == 0x04:
        if cmd.data != fs.AID:
            return b"", 0x6A82
        chip.in_app, chip.current_ef = True, None
        return (b"" if cmd.p2 == 0x0C else b"\x6f" + bytes([len(fs.AID) + 2]) + encode_tlv(0x84, fs.AID)), 0x9000
    if cmd.p1 == 0x00 and cmd.data in (b"", b"\x3f\x00"):
        chip.in_app, chip.current_ef = False, None
        return b"", 0x9000
    if cmd.p1 in (0x00, 0x02):
        if len(cmd.data) != 2:
            return b"", 0x6700
        ef = fs.find(int.from_bytes(cmd.data, "big"), in_app=chip.in_app)
    elif cmd.p1 in (0x08, 0x09):
        if len(cmd.data) == 0 or len(cmd.data) % 2:
            return b"", 0x6700
        path = [int.from_bytes(cmd.data[i : i + 2], "big") for i in range(0, len(cmd.data), 2)]
        if cmd.p1 == 0x08 and path[0] == fs.MF_FID:
            path = path[1:]
        in_app = chip.in_app and cmd.p1 == 0x09
        if len(path) != 1:
            return b"", 0x6A82  # the application DF has no FID: paths are one EF long
        ef = fs.find(path[0], in_app=in_app)
        if ef is not None:
            chip.in_app = in_app
    elif cmd.p1 == 0x01:
        return b"", 0x6A82
    else:
        return b"", 0x6A86
    if ef is None:
        return b"", 0x6A82
    if ef.access is not Access.ALWAYS and not secure:
        return b"", 0x6982
    chip.current_ef = ef.fid
    if cmd.p2 == 0x0C:
        return b"", 0x9000
    fcp = ef.fcp()
    return (fcp if cmd.p2 == 0x04 else encode_tlv(0x6F, fcp[2:])), 0x9000  # 00: the same DOs in an FCI template


def _target(chip: VirtualChip, cmd: Command) -> tuple[ElementaryFile | None, int, int]:
    """(EF, offset, status) for a READ BINARY; status 0 when the EF was found."""
    fs = chip.fs
    if cmd.ins == 0xB0:
        if cmd.p1 & 0x80:
            if cmd.p1 & 0x60:
                return None, 0, 0x6A86
            ef = fs.find_sfi(cmd.p1 & 0x1F, in_app=chip.in_app)
            return ef, cmd.p2, 0 if ef else 0x6A82
        fid, offset = chip.current_ef, (cmd.p1 << 8) | cmd.p2
    else:
        try:
            objects = dict(iter_tlv(cmd.data))
        except ValueError:
            return None, 0, 0x6A80
        if 0x54 not in objects or not 1 <= len(objects[0x54]) <= 3:
            return None, 0, 0x6A80
        offset = int.from_bytes(objects[0x54], "big")
        p1p2 = (cmd.p1 << 8) | cmd.p2
        if p1p2 == 0:
            fid = chip.current_ef
        elif p1p2 < 0x20:
            ef = fs.find_sfi(p1p2, in_app=chip.in_app)
            return ef, offset, 0 if ef else 0x6A82
        else:
            fid = p1p2
            if fs.find(fid, in_app=chip.in_app) is None:
                return None, 0, 0x6A82
    if fid is None:
        return None, 0, 0x6986
    return fs.find(fid, in_app=chip.in_app), offset, 0


def _read_size(chip: VirtualChip, cmd: Command, secure: bool) -> int | None:
    """Bytes this READ BINARY may answer, or None when its Ne is refused (6700).

    ``Le = 0000`` (Ne 65536) means "up to the end of the file", within the chip's buffer
    (``faults.max_read``) and, under secure messaging, within a protected answer of 65536 bytes.
    """
    ne = cmd.ne
    if ne is None:
        return None
    faults = chip.faults
    if ne == _LE_MAX and cmd.extended and faults.refuse_le_zero:
        return None
    if faults.max_read and ne > faults.max_read:
        if ne != _LE_MAX:
            return None
        ne = faults.max_read
    return min(ne, _SM_MAX_DATA) if secure else ne


def _read_binary(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    if cmd.ins == 0xB0 and cmd.p1 & 0x80 and chip.faults.refuse_sfi:
        return b"", 0x6A86  # a chip without short EF identifiers: P1 is no SFI for it
    ef, offset, status = _target(chip, cmd)
    if ef is None:
        return b"", status or 0x6A82
    if not _may_read(ef, secure):
        return b"", 0x6982
    chip.current_ef = ef.fid
    ne = _read_size(chip, cmd, secure)
    if ne is None:
        return b"", 0x6700
    if offset >= len(ef.data):
        return b"", 0x6B00
    remaining = len(ef.data) - offset
    # ISO/IEC 7816-4 §11.2.3: Le all zeros reads up to the end of the file (9000); an explicit Ne
    # beyond the end gets its bytes with 6282 "end of file reached before reading Ne bytes"
    up_to_end = cmd.ne in (256, _LE_MAX)
    if cmd.ins == 0xB0:
        chunk = ef.data[offset : offset + ne]
        return chunk, 0x9000 if len(chunk) == ne or up_to_end else 0x6282
    count = min(remaining, ne)
    while count > 0 and len(encode_tlv(0x53, bytes(count))) > ne:
        count -= 1
    if count == 0:
        return b"", 0x6700
    body = encode_tlv(0x53, ef.data[offset : offset + count])
    return body, 0x9000 if len(body) == ne or count < remaining or up_to_end else 0x6282


def _get_challenge(chip: VirtualChip, cmd: Command, secure: bool) -> Reply:
    if cmd.p1 or cmd.p2:
        return b"", 0x6A86
    if cmd.ne != 8:
        return b"", 0x6700
    chip.challenge = chip.rng(8)
    return chip.challenge, 0x9000
