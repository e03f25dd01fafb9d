"""Command and response APDUs, short and extended length.

ISO/IEC 7816-4 §5.1 ("Command-response pairs"), table 1 and §5.1.1 / §5.1.2: a command is
CLA INS P1 P2 followed by one of four cases:

* case 1: no data, no Le;
* case 2: Le only (short: 1 byte, ``00`` = 256; extended: ``00`` then 2 bytes, ``0000`` = 65536);
* case 3: Lc and data (short: Lc 1..255; extended: ``00`` then Lc 2 bytes);
* case 4: Lc, data and Le (extended: Lc ``00 xx xx``, Le 2 bytes).

A response is the data field followed by SW1 SW2.
"""

from __future__ import annotations

from dataclasses import dataclass

from chipid.errors import ParseError
from chipid.iso7816.status import check_sw, is_success, is_warning

__all__ = ["CommandAPDU", "ResponseAPDU"]

_MAX_SHORT_NC = 255
_MAX_SHORT_NE = 256
_MAX_EXT_NC = 65535
_MAX_EXT_NE = 65536


@dataclass(frozen=True)
class CommandAPDU:
    """A command APDU.

    Attributes:
        cla: class byte.
        ins: instruction byte.
        p1: parameter 1.
        p2: parameter 2.
        data: the command data field (Nc = its length, 0..65535).
        ne: expected response length, 1..65536 (256 is short ``Le=00``, 65536 extended
            ``Le=0000``); ``None`` when Le is absent.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 0xFF:
                raise ParseError(f"{name} must be a byte, got {value!r}", path=f"CommandAPDU > {name}")
        if len(self.data) > _MAX_EXT_NC:
            raise ParseError(f"data too long ({len(self.data)} bytes)", path="CommandAPDU > data")
        if self.ne is not None and not 1 <= self.ne <= _MAX_EXT_NE:
            raise ParseError(f"ne must be 1..65536, got {self.ne}", path="CommandAPDU > ne")

    @property
    def needs_extended(self) -> bool:
        """True when Nc or Ne does not fit a short APDU."""
        return len(self.data) > _MAX_SHORT_NC or (self.ne is not None and self.ne > _MAX_SHORT_NE)

    def to_bytes(self, extended: bool | None = None) -> bytes:
        """Encode the APDU.

        Args:
            extended: ``None`` picks short length when it fits, else extended; ``True``
                forces extended length; ``False`` forces short (ParseError if it does not fit).
        """
        if extended is None:
            extended = self.needs_extended
        elif not extended and self.needs_extended:
            raise ParseError("command does not fit a short APDU", path="CommandAPDU")
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        nc = len(self.data)
        if extended:
            if nc:
                out += b"\x00" + nc.to_bytes(2, "big") + self.data
            if self.ne is not None:
                le = self.ne & 0xFFFF  # 65536 -> 0000
                out += (b"" if nc else b"\x00") + le.to_bytes(2, "big")
        else:
            if nc:
                out += bytes((nc,)) + self.data
            if self.ne is not None:
                out.append(self.ne & 0xFF)  # 256 -> 00
        return bytes(out)

    @classmethod
    def from_bytes(cls, raw: bytes) -> CommandAPDU:
        """Decode a command APDU of any of the four cases, short or extended.

        Raises:
            ParseError: fewer than 4 bytes, or a length field inconsistent with the body.
        """
        raw = bytes(raw)
        if len(raw) < 4:
            raise ParseError(f"command APDU too short ({len(raw)} bytes)", path="CommandAPDU")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        size = len(body)
        if size == 0:
            return cls(cla, ins, p1, p2)
        if size == 1:
            return cls(cla, ins, p1, p2, ne=body[0] or _MAX_SHORT_NE)
        if body[0] != 0:
            nc = body[0]
            if size == 1 + nc:
                return cls(cla, ins, p1, p2, body[1:])
            if size == 2 + nc:
                return cls(cla, ins, p1, p2, body[1:-1], ne=body[-1] or _MAX_SHORT_NE)
            raise ParseError(f"short Lc {nc} inconsistent with body of {size} bytes", path="CommandAPDU > Lc")
        if size == 3:
            return cls(cla, ins, p1, p2, ne=int.from_bytes(body[1:3], "big") or _MAX_EXT_NE)
        if size < 3:
            raise ParseError("truncated extended length field", path="CommandAPDU > Lc")
        nc = int.from_bytes(body[1:3], "big")
        if nc == 0:
            raise ParseError("extended Lc of zero", path="CommandAPDU > Lc")
        if size == 3 + nc:
            return cls(cla, ins, p1, p2, body[3:])
        if size == 5 + nc:
            return cls(cla, ins, p1, p2, body[3:-2], ne=int.from_bytes(body[-2:], "big") or _MAX_EXT_NE)
        raise ParseError(f"extended Lc {nc} inconsistent with body of {size} bytes", path="CommandAPDU > Lc")

    def __repr__(self) -> str:
        ne = "" if self.ne is None else f", ne={self.ne}"
        return (
            f"CommandAPDU({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}, "
            f"data={self.data.hex().upper()}{ne})"
        )


@dataclass(frozen=True)
class ResponseAPDU:
    """A response APDU: data field and status word.

    Attributes:
        data: the response data field.
        sw: SW1 SW2 as one int, e.g. ``0x9000``.
    """

    data: bytes
    sw: int

    def __post_init__(self) -> None:
        if not 0 <= self.sw <= 0xFFFF:
            raise ParseError(f"status word out of range: {self.sw!r}", path="ResponseAPDU > SW")

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseAPDU:
        """Split response bytes into data and SW1 SW2 (ParseError below 2 bytes)."""
        raw = bytes(raw)
        if len(raw) < 2:
            raise ParseError(f"response APDU too short ({len(raw)} bytes)", path="ResponseAPDU")
        return cls(raw[:-2], int.from_bytes(raw[-2:], "big"))

    def to_bytes(self) -> bytes:
        """Data followed by SW1 SW2."""
        return self.data + self.sw.to_bytes(2, "big")

    @property
    def sw1(self) -> int:
        """The first status byte."""
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        """The second status byte."""
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        """True when :meth:`check` would not raise (9000, 61xx or a 62xx/63xx warning)."""
        return is_success(self.sw) or is_warning(self.sw)

    def check(self, ins: int | None = None) -> ResponseAPDU:
        """Return ``self``, or raise the typed StatusWordError for an error status word.

        Args:
            ins: the instruction byte of the command, recorded on the error.
        """
        check_sw(self.sw, ins)
        return self

    def __repr__(self) -> str:
        return f"ResponseAPDU(data={self.data.hex().upper()}, sw={self.sw:04X})"
