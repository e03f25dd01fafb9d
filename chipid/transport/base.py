"""The Transport protocol: the one seam between chipid and a card.

A transport sends a command APDU (bytes) and returns the response data followed by
SW1 SW2. It never returns empty bytes: a failure raises a :class:`TransportError`
subclass. Behaviour (tracing, secure messaging) is added by wrapping one transport
in another, so protocol code never knows whether secure messaging is on.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Transport", "TransportWrapper"]


@runtime_checkable
class Transport(Protocol):
    """Anything that can exchange APDUs with a card."""

    @property
    def atr(self) -> bytes:
        """The card's Answer To Reset (or ATS-derived ATR for contactless cards)."""
        ...

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return response data + SW1SW2 (at least 2 bytes)."""
        ...

    def close(self) -> None:
        """Release the card/reader."""
        ...


class TransportWrapper:
    """Base for decorators: forwards everything to an inner transport."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    @property
    def atr(self) -> bytes:
        return self.inner.atr

    def transmit(self, apdu: bytes) -> bytes:
        return self.inner.transmit(apdu)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> TransportWrapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
