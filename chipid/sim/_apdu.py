"""Chip-side command APDU parsing: ISO/IEC 7816-4 §5.1 (cases 1-4, short and extended length)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Command", "parse_command"]


@dataclass(frozen=True)
class Command:
    """A parsed command APDU.

    Attributes:
        cla, ins, p1, p2: the header bytes.
        data: the command data field (empty when Lc is absent).
        ne: the number of expected response bytes (1..65536), or ``None`` when Le is absent.
        extended: True when the command used extended length fields.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int | None
    extended: bool

    @property
    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])


def parse_command(apdu: bytes) -> Command:
    """Parse a command APDU (ISO/IEC 7816-4 §5.1). Raises ValueError for a malformed length field."""
    if len(apdu) < 4:
        raise ValueError("APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None, False)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:
        lc = body[0]
        rest = body[1:]
        if len(rest) == lc:
            return Command(cla, ins, p1, p2, rest, None, False)
        if len(rest) == lc + 1:
            return Command(cla, ins, p1, p2, rest[:lc], rest[lc] or 256, False)
        raise ValueError("Lc does not match the data length")
    # extended length: 00 followed by two bytes
    if len(body) == 3:
        return Command(cla, ins, p1, p2, b"", int.from_bytes(body[1:3], "big") or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    rest = body[3:]
    if lc == 0:
        raise ValueError("extended Lc of zero")
    if len(rest) == lc:
        return Command(cla, ins, p1, p2, rest, None, True)
    if len(rest) == lc + 2:
        return Command(cla, ins, p1, p2, rest[:lc], int.from_bytes(rest[lc:], "big") or 65536, True)
    raise ValueError("extended Lc does not match the data length")
