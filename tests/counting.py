"""A transport decorator for tests and benchmarks that records every command APDU sent through it."""

from __future__ import annotations

from chipid.transport.base import Transport, TransportWrapper


class CountingTransport(TransportWrapper):
    """Records each command APDU; :attr:`protected` lists those sent under secure messaging.

    Secure messaging is recognised by the CLA byte's SM bits (``CLA & 0x0C``), so the protected APDUs are
    the ones after access control.
    """

    def __init__(self, inner: Transport) -> None:
        super().__init__(inner)
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(bytes(apdu))
        return self.inner.transmit(apdu)

    @property
    def protected(self) -> list[int]:
        """INS of the APDUs sent under secure messaging (= after access control)."""
        return [a[1] for a in self.sent if a[0] & 0x0C]
