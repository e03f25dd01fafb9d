"""Chip side of secure messaging: unwrap a protected command, wrap the response.

ICAO 9303-11 §9.8 (secure messaging): the command carries DO'87' (or DO'85' for an odd
INS) with the padding-indicator-prefixed cryptogram, DO'97' with Le and DO'8E' with the
MAC over SSC || padded masked header || DOs; the response carries DO'87'/'85', DO'99' (the
status word) and DO'8E'. The send sequence counter is incremented before each command and
each response. §9.8.6.1: 3DES, zero IV, retail MAC; §9.8.6.2: AES, IV = E(KSenc, SSC), CMAC.
This is the independent chip-side implementation; it shares only primitives with the reader.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.sim._apdu import Command
from chipid.sim._crypto import aes_cbc, aes_cmac8, aes_ecb_encrypt, des3_cbc, pad, retail_mac, unpad

__all__ = ["SMError", "SMSession"]


class SMError(Exception):
    """A protected command failed its checks; ``sw`` is the status word to answer (6987/6988)."""

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(message)
        self.sw = sw


@dataclass
class SMSession:
    """Session keys and send sequence counter of one secure-messaging session.

    Attributes:
        cipher: ``"3DES"`` or ``"AES"``.
        ks_enc: the encryption key.
        ks_mac: the MAC key.
        ssc: the send sequence counter (as an int; 8 bytes for 3DES, 16 for AES).
    """

    cipher: str
    ks_enc: bytes = field(repr=False)
    ks_mac: bytes = field(repr=False)
    ssc: int = 0

    @property
    def block(self) -> int:
        return 16 if self.cipher == "AES" else 8

    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _mac(self, data: bytes) -> bytes:
        message = self._ssc_bytes() + data
        if self.cipher == "AES":
            return aes_cmac8(self.ks_mac, pad(message, 16))
        return retail_mac(self.ks_mac, message)

    def _crypt(self, data: bytes, *, decrypt: bool) -> bytes:
        if self.cipher == "AES":
            iv = aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
            return aes_cbc(self.ks_enc, data, iv=iv, decrypt=decrypt)
        return des3_cbc(self.ks_enc, data, decrypt=decrypt)

    def unwrap(self, cmd: Command) -> Command:
        """Check and decrypt a protected command (§9.8.4). Raises SMError with 6987 or 6988."""
        self.ssc += 1
        objects: dict[int, bytes] = {}
        order: list[tuple[int, bytes]] = []
        try:
            for tag, value in iter_tlv(cmd.data):
                objects[tag] = value
                order.append((tag, value))
        except ValueError as err:
            raise SMError(f"malformed SM data objects: {err}", 0x6988) from err
        if 0x8E not in objects:
            raise SMError("DO'8E' missing", 0x6987)
        if order[-1][0] != 0x8E or any(tag not in (0x85, 0x87, 0x97, 0x8E) for tag, _ in order):
            raise SMError("unexpected SM data object", 0x6988)
        header = cmd.header
        covered = b"".join(encode_tlv(tag, value) for tag, value in order[:-1])
        expected = self._mac(pad(header, self.block) + covered)
        if not hmac.compare_digest(expected, objects[0x8E]):
            raise SMError("wrong MAC", 0x6988)
        data = b""
        crypt = objects.get(0x87, objects.get(0x85))
        if crypt is not None:
            if 0x87 in objects:
                if not crypt or crypt[0] != 0x01:
                    raise SMError("bad padding indicator", 0x6988)
                crypt = crypt[1:]
            if not crypt or len(crypt) % self.block:
                raise SMError("cryptogram length is not a block multiple", 0x6988)
            try:
                data = unpad(self._crypt(crypt, decrypt=True))
            except ValueError as err:
                raise SMError("bad padding in the cryptogram", 0x6988) from err
        ne: int | None = None
        if 0x97 in objects:
            raw = objects[0x97]
            if len(raw) > 2:
                raise SMError("DO'97' too long", 0x6988)
            le = int.from_bytes(raw, "big") if raw else 0
            ne = le or (65536 if len(raw) == 2 or cmd.extended else 256)
        return Command(cmd.cla & 0xF0, cmd.ins, cmd.p1, cmd.p2, data, ne, cmd.extended)

    def wrap(self, data: bytes, sw: int, *, odd_ins: bool = False, corrupt_mac: bool = False) -> bytes:
        """Protect a response (§9.8.5): DO'87'/'85' (when there is data), DO'99', DO'8E'."""
        self.ssc += 1
        body = b""
        if data:
            cryptogram = self._crypt(pad(data, self.block), decrypt=False)
            body = encode_tlv(0x85, cryptogram) if odd_ins else encode_tlv(0x87, b"\x01" + cryptogram)
        body += encode_tlv(0x99, sw.to_bytes(2, "big"))
        mac = self._mac(body)
        if corrupt_mac:
            mac = bytes([mac[0] ^ 0xFF]) + mac[1:]
        return body + encode_tlv(0x8E, mac) + sw.to_bytes(2, "big")
