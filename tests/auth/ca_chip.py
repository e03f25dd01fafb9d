"""A minimal chip side of Chip Authentication under secure messaging, for the auth tests.

Uses the virtual chip's independent SM implementation (chipid.sim._sm) so reader and chip share no code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from chipid.ecc.arith import Curve
from chipid.iso7816.tlv import iter_tlv
from chipid.sim._apdu import parse_command
from chipid.sim._crypto import kdf
from chipid.sim._sm import SMError, SMSession

EF_COM = bytes.fromhex("60165f0104303130375f36063034303030305c04617563")


@dataclass
class StaticKey:
    """The chip's static CA key: a cryptography EC key, an explicit-curve scalar, or a DH exponent."""

    ec_key: ec.EllipticCurvePrivateKey | None = None
    curve: Curve | None = None
    scalar: int = 0
    dh: tuple[int, int] | None = None  # (p, x)

    def shared(self, ephemeral: bytes) -> bytes:
        if self.ec_key is not None:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(self.ec_key.curve, ephemeral)
            return self.ec_key.exchange(ec.ECDH(), peer)
        if self.curve is not None:
            point = self.curve.multiply(self.scalar, self.curve.decode_point(ephemeral))
            assert point is not None
            return point[0].to_bytes(self.curve.size, "big")
        assert self.dh is not None
        p, x = self.dh
        return pow(int.from_bytes(ephemeral, "big"), x, p).to_bytes((p.bit_length() + 7) // 8, "big")


@dataclass
class CAChip:
    """Transport answering SM-protected MSE:Set KAT / MSE:Set AT + GENERAL AUTHENTICATE, SELECT, READ."""

    session: SMSession
    key: StaticKey
    cipher: str = "AES"
    key_len: int = 16
    log: list[str] = field(default_factory=list)

    @property
    def atr(self) -> bytes:
        return b"\x3b\x80\x80\x01\x01"

    def close(self) -> None:
        pass

    def _switch(self, ephemeral: bytes) -> None:
        secret = self.key.shared(ephemeral)
        self.session = SMSession(
            self.cipher,
            kdf(secret, 1, cipher=self.cipher, key_len=self.key_len),
            kdf(secret, 2, cipher=self.cipher, key_len=self.key_len),
            0,
        )

    def transmit(self, apdu: bytes) -> bytes:
        try:
            cmd = self.session.unwrap(parse_command(apdu))
        except SMError as err:
            self.log.append(f"SM error {err}")
            return err.sw.to_bytes(2, "big")
        self.log.append(f"{cmd.ins:02X} {cmd.p1:02X}{cmd.p2:02X}")
        if cmd.ins == 0x22 and (cmd.p1, cmd.p2) == (0x41, 0xA6):
            ephemeral = dict(iter_tlv(cmd.data))[0x91]
            reply = self.session.wrap(b"", 0x9000)
            self._switch(ephemeral)
            return reply
        if cmd.ins == 0x22:
            return self.session.wrap(b"", 0x9000)
        if cmd.ins == 0x86:
            inner = dict(iter_tlv(dict(iter_tlv(cmd.data))[0x7C]))
            reply = self.session.wrap(b"\x7c\x00", 0x9000)
            self._switch(inner[0x80])
            return reply
        if cmd.ins == 0xA4:
            return self.session.wrap(b"", 0x9000)
        if cmd.ins == 0xB0:
            return self.session.wrap(EF_COM[: cmd.ne or 4], 0x9000)
        return self.session.wrap(b"", 0x6D00)
