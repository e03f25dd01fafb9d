"""A small in-memory card for the whole-EF reading tests: files, SELECT, READ BINARY (B0/B1).

Behaviour knobs: refuse extended length (by 6700, 6Cxx or a TransportError), refuse ``Le=0000``,
limit extended reads to a buffer size, refuse READ BINARY by SFI, limit short reads, choose how
the end of a file is signalled, and pull the card after N APDUs.
"""

from __future__ import annotations

from chipid.errors import CardRemovedError, TransportError
from chipid.iso7816.apdu import CommandAPDU
from chipid.iso7816.tlv import decode_tlv, encode_tlv


class FakeCard:
    atr = b"\x3b\x80\x80\x01\x01"

    def __init__(
        self,
        files: dict[int, bytes],
        *,
        sfis: dict[int, int] | None = None,
        extended: bool = True,
        refuse_extended_with: str = "6700",
        max_short: int = 256,
        eof: str = "6282",
        cut_after: int | None = None,
        protected: set[int] | None = None,
        overreturn: bool = False,
        le_max: bool = True,
        max_ext: int = 65536,
        sfi_refusal: str | None = None,
    ) -> None:
        self.files = files
        self.sfis = sfis or {}
        self.extended = extended
        self.refuse_extended_with = refuse_extended_with
        self.max_short = max_short
        self.eof = eof
        self.cut_after = cut_after
        self.protected = protected or set()
        self.overreturn = overreturn
        self.le_max = le_max
        self.max_ext = max_ext
        self.sfi_refusal = sfi_refusal
        self.current: int | None = None
        self.log: list[CommandAPDU] = []
        self.raw: list[bytes] = []

    def close(self) -> None:
        pass

    def transmit(self, apdu: bytes) -> bytes:
        if self.cut_after is not None and len(self.raw) >= self.cut_after:
            raise CardRemovedError("card removed", hresult=0x80100069)
        self.raw.append(apdu)
        cmd = CommandAPDU.from_bytes(apdu)
        self.log.append(cmd)
        is_ext = len(apdu) >= 7 and apdu[4] == 0  # ISO 7816-4: extended Lc/Le start with 00
        if is_ext and not self.extended:
            if self.refuse_extended_with == "transport":
                raise TransportError("reader: APDU too long", hresult=0x80100008)
            return bytes.fromhex(self.refuse_extended_with)
        if cmd.ins == 0xA4:
            fid = int.from_bytes(cmd.data, "big")
            if fid not in self.files:
                return b"\x6a\x82"
            self.current = fid
            return b"\x90\x00"
        if cmd.ins in (0xB0, 0xB1):
            return self._read(cmd, is_ext)
        return b"\x6d\x00"

    def _read(self, cmd: CommandAPDU, is_ext: bool) -> bytes:
        if cmd.ins == 0xB0 and cmd.p1 & 0x80:
            if self.sfi_refusal is not None:
                return bytes.fromhex(self.sfi_refusal)
            sfi = cmd.p1 & 0x1F
            if sfi not in self.sfis:
                return b"\x6a\x82"
            self.current = self.sfis[sfi]
            offset = cmd.p2
        elif cmd.ins == 0xB0:
            offset = (cmd.p1 << 8) | cmd.p2
        else:
            tag, value, _ = decode_tlv(cmd.data)
            assert tag == 0x54
            offset = int.from_bytes(value, "big")
        if self.current is None:
            return b"\x69\x86"
        if self.current in self.protected:
            return b"\x69\x82"
        ne = cmd.ne or 0
        if not is_ext and ne > self.max_short:
            return b"\x67\x00"
        if is_ext and ne == 65536 and not self.le_max:
            return b"\x67\x00"
        if is_ext and ne > self.max_ext:
            if ne != 65536:
                return b"\x67\x00"
            ne = self.max_ext  # Le=0000: as much as the buffer holds
        content = self.files[self.current]
        if offset >= len(content):
            return b"\x6b\x00"
        room = ne
        if cmd.ins == 0xB1:
            room = ne - (2 if ne - 2 < 0x80 else 3 if ne - 3 < 0x100 else 4)
        data = content[offset : offset + room + (5 if self.overreturn else 0)]
        body = encode_tlv(0x53, data) if cmd.ins == 0xB1 else data
        if len(data) < room:
            if self.eof == "6282":
                return body + b"\x62\x82"
            if self.eof == "6C":
                return b"\x6c" + bytes((len(data) & 0xFF,))
        return body + b"\x90\x00"
