"""A tiny plain (no secure messaging) card for testing the suite's mechanics without the simulator.

It answers SELECT (MF, FID in the MF, AID) and READ BINARY (B0) of EF.CardAccess, and counts the
connections opened and closed, so the runner's bookkeeping can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chipid.errors import TransportError

# ATR of a contactless ISO/IEC 14443-4 type A card in the PC/SC Part 3 form, historical bytes
# "80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00" (category 80, compact-TLV), TCK last.
CONTACTLESS_ATR = bytes.fromhex("3B8F8001" + "80318065B0850300EF120FFF829000") + b"\x00"
CARD_ACCESS = bytes.fromhex(
    "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d"
)


def _with_tck(atr: bytes) -> bytes:
    check = 0
    for b in atr[1:-1]:
        check ^= b
    return atr[:-1] + bytes([check])


@dataclass
class FakeCardState:
    """Shared between all connections to the fake card."""

    atr: bytes = field(default_factory=lambda: _with_tck(CONTACTLESS_ATR))
    opened: int = 0
    closed: int = 0
    apdus: list[bytes] = field(default_factory=list)
    unknown_aid_sw: int = 0x6A82


class FakeCard:
    """One connection to the fake card (a Transport)."""

    reader_name = "Fake Reader 00"

    def __init__(self, state: FakeCardState) -> None:
        self.state = state
        state.opened += 1
        self._selected: str | None = None
        self._closed = False

    @property
    def atr(self) -> bytes:
        return self.state.atr

    def close(self) -> None:
        self._closed = True
        self.state.closed += 1

    def transmit(self, apdu: bytes) -> bytes:
        if self._closed:
            raise TransportError("closed")
        self.state.apdus.append(apdu)
        header = apdu[:4]
        if header == bytes.fromhex("00A4000C"):
            self._selected = "MF"
            return b"\x90\x00"
        if header == bytes.fromhex("00A4020C"):
            if apdu[5:7] == b"\x01\x1c":
                self._selected = "EF.CardAccess"
                return b"\x90\x00"
            return b"\x6a\x82"
        if header == bytes.fromhex("00A4040C"):
            aid = apdu[5 : 5 + apdu[4]]
            if aid == bytes.fromhex("A0000002471001"):
                self._selected = "eMRTD"
                return b"\x90\x00"
            return self.state.unknown_aid_sw.to_bytes(2, "big")
        if apdu[:2] == b"\x00\xb0" and self._selected == "EF.CardAccess":
            offset = int.from_bytes(apdu[2:4], "big")
            le = apdu[4] or 256
            chunk = CARD_ACCESS[offset : offset + le]
            return chunk + (b"\x90\x00" if len(chunk) == le else b"\x62\x82")
        return b"\x6d\x00"


def factory(state: FakeCardState) -> FakeCard:
    return FakeCard(state)
