"""SimTransport: the virtual chip as an in-process :class:`~chipid.transport.base.Transport`.

For unit tests, examples and the demo without pcscd. A tear fault
(:attr:`Faults.tear_after <chipid.sim.faults.Faults.tear_after>`) makes :meth:`transmit`
raise :class:`~chipid.errors.CardRemovedError`, as a PC/SC transport does when the card
leaves the field; :meth:`reconnect` puts the card back (a fresh power-on).
"""

from __future__ import annotations

from chipid.errors import CardRemovedError, NoCardError, TransportError
from chipid.sim.chip import VirtualChip

__all__ = ["SimTransport"]


class SimTransport:
    """A Transport that hands APDUs straight to a :class:`VirtualChip`.

    Args:
        chip: the chip; it is powered on now.
    """

    def __init__(self, chip: VirtualChip) -> None:
        self.chip = chip
        self._atr = chip.power_on()
        self._present = True
        self._closed = False
        self.apdus = 0

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> bytes:
        """Send one APDU. Raises CardRemovedError after a tear, NoCardError while removed."""
        if self._closed:
            raise TransportError("transport closed")
        if not self._present:
            raise NoCardError("no card in the field (torn earlier; call reconnect())")
        if self.chip.tear_now():
            self._present = False
            raise CardRemovedError("card removed from the field (simulated tear)", hresult=0x80100069)
        self.apdus += 1
        return self.chip.process(bytes(apdu))

    def reconnect(self) -> None:
        """Put the card back in the field: power on again (all sessions lost)."""
        self._atr = self.chip.power_on()
        self._present = True
        self._closed = False

    def close(self) -> None:
        self.chip.power_off()
        self._closed = True

    def __enter__(self) -> SimTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
