"""Secure-messaging integrity cases, by tampering with the traffic between the reader and the chip.

ICAO 9303-11 §9.8: every protected command and response carries a MAC in DO'8E' over the SSC, the
padded header and the data objects. A chip that receives a wrong MAC SHALL abort secure messaging
(§9.8.4; ISO/IEC 7816-4:2005 §5.1.3 and §6: status 6987 "expected SM data objects missing" / 6988 "SM data objects
incorrect") and a reader SHALL reject a response whose MAC does not verify.

The tampering is done by slipping a man-in-the-middle wrapper under the secure channel (its ``inner``
transport): the channel computes genuine MACs and the wrapper flips one bit of the MAC on the wire.
"""

from __future__ import annotations

from chipid.conformance.context import CaseContext
from chipid.conformance.model import Case
from chipid.errors import SecureMessagingError, StatusWordError
from chipid.transport.base import Transport, TransportWrapper

__all__ = ["CASES"]


def _flip_command_mac(apdu: bytes) -> bytes:
    """Flip the last bit of DO'8E' (the last 8 bytes of the data field) of a protected command."""
    if len(apdu) > 7 and apdu[4] == 0 and len(apdu) >= 7 + int.from_bytes(apdu[5:7], "big"):
        end = 7 + int.from_bytes(apdu[5:7], "big")  # extended Lc
    elif len(apdu) > 5:
        end = 5 + apdu[4]
    else:
        return apdu
    tampered = bytearray(apdu)
    tampered[end - 1] ^= 0x01
    return bytes(tampered)


class _Tamper(TransportWrapper):
    """Flips the MAC of the next command and/or the next response that carries DO'8E'."""

    def __init__(self, inner: Transport, *, command: bool, response: bool) -> None:
        super().__init__(inner)
        self.command = command
        self.response = response
        self.chip_answer: int | None = None

    def transmit(self, apdu: bytes) -> bytes:
        if self.command:
            self.command = False
            answer = self.inner.transmit(_flip_command_mac(apdu))
            self.chip_answer = int.from_bytes(answer[-2:], "big")
            return answer
        answer = self.inner.transmit(apdu)
        if self.response and len(answer) >= 12 and answer[-12:-10] == b"\x8e\x08":
            self.response = False
            tampered = bytearray(answer)
            tampered[-3] ^= 0x01
            return bytes(tampered)
        return answer


def _insert_tamper(ctx: CaseContext, channel: Transport, *, command: bool, response: bool) -> _Tamper:
    inner = getattr(channel, "inner", None)
    if inner is None:
        ctx.skip("needs a secure channel exposing its inner transport (SecureChannel.inner)")
    tamper = _Tamper(inner, command=command, response=response)
    channel.inner = tamper  # type: ignore[attr-defined]
    return tamper


def _command_mac(ctx: CaseContext) -> None:
    channel = ctx.session()
    tamper = _insert_tamper(ctx, channel, command=True, response=False)
    try:
        ctx.send(channel, "00A4020C02011E")
    except (SecureMessagingError, StatusWordError) as err:
        ctx.note(f"reader side: {type(err).__name__}: {err}")
    sw = tamper.chip_answer
    if sw is None:
        ctx.fail("the tampered command never reached the chip")
    ctx.check(
        sw in (0x6987, 0x6988), f"chip answered {sw:04X} to a command with a wrong MAC, expected 6987/6988"
    )
    try:
        data, sw2 = ctx.send(channel, "00B0000004")
    except (SecureMessagingError, StatusWordError) as err:
        ctx.note(f"next command refused: {type(err).__name__}")
    else:
        ctx.check(sw2 != 0x9000, f"session still alive after a wrong MAC: read {data.hex()}")
    ctx.message = f"refused with {sw:04X}; session dropped"


def _response_mac(ctx: CaseContext) -> None:
    channel = ctx.session()
    _insert_tamper(ctx, channel, command=False, response=True)
    try:
        data, sw = ctx.send(channel, "00A4020C02011E")
    except SecureMessagingError as err:
        ctx.message = f"detected: {err}"
        return
    ctx.fail(f"reader accepted a response with a wrong MAC (SW {sw:04X}, data {data.hex()})")


def _chip_macs(ctx: CaseContext) -> None:
    total = 0
    try:
        channel = ctx.session()
        for fid in (0x011E, 0x0101, 0x011D):
            total += len(ctx.read_file(channel, fid))
    except SecureMessagingError as err:
        ctx.fail(f"a chip response failed secure-messaging verification: {err}")
    ctx.message = f"{total} bytes of EF.COM, DG1 and EF.SOD read; every response MAC verified"


CASES = (
    Case("SM-001", "A command with a wrong MAC is refused with 6987/6988 and the SM session is dropped",
         "ICAO 9303-11 §9.8.4; ISO/IEC 7816-4:2005 §6, §5.1.3", ("access key",), _command_mac),
    Case("SM-002", "The reader side detects a response whose MAC is wrong (SecureMessagingError)",
         "ICAO 9303-11 §9.8.5", ("access key",), _response_mac),
    Case("SM-003", "Every chip response of a full read verifies (DO'8E' MAC, DO'99' status)",
         "ICAO 9303-11 §9.8.3-§9.8.5", ("access key",), _chip_macs),
)
