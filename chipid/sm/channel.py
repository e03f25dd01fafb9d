"""ICAO 9303 secure messaging: protect commands, verify and decrypt responses.

ICAO 9303-11 §9.8 ("Secure Messaging"):

* §9.8.4 command: CLA gets bits ``0C``; the data field is padded and encrypted into
  DO'87' (padding-content indicator ``01``; DO'85' without indicator for odd INS),
  Le goes into DO'97'; the MAC is computed over ``SSC || pad(CLA INS P1 P2) || DO'87' ||
  DO'97'`` (padded) and sent in DO'8E'; the protected APDU ends with Le ``00`` (``0000``
  when extended length is needed).
* §9.8.5 response: DO'87' (or DO'85'), DO'99' (the status word), DO'8E' (MAC over
  ``SSC || DO'87' || DO'99'``, padded); then SW1 SW2 in plain.
* §9.8.2/§9.8.3 the send sequence counter is incremented before each command and before
  each response. 3DES: SSC 8 bytes, zero IV, retail MAC. AES: SSC 16 bytes, IV =
  E(KSenc, SSC), AES-CMAC truncated to 8 bytes.

Pure functions :func:`protect_command` and :func:`unprotect_response` take the SSC value
*to use* (already incremented); :class:`SecureChannel` owns the counter.

Tolerances (each tested):

1. An error status word answered in plain (no data objects at all, just SW1 SW2: SW1 64..6F,
   6300 or 63Cx, e.g. 6A82 or 6982) is returned as that status word: it carries no data and
   every caller raises on it, so nothing can be forged but the error itself. Any other plain
   status (9000, 61xx, the 62xx / 63xx warnings such as 6282, 6283, 6310, or an unknown
   SW1) is refused: under secure messaging an answer that is not MAC-verified never counts
   as success (a clone without the Chip Authentication key must not pass a read with a
   plain warning).
2. A response without DO'99' is accepted only when DO'8E' authenticates what is there; the
   status word then comes from the plain SW1 SW2.
3. A missing DO'8E' on a response carrying data or a success SW raises
   :class:`~chipid.errors.SecureMessagingError`; so do a wrong MAC, a wrong SSC (it shows
   as a wrong MAC), unknown or repeated data objects, and bad padding.

Unauthenticated data is never returned. After a SecureMessagingError the channel is
closed for further use (the chip has dropped its session keys as well). A plain
TransportError raised by the inner transport (a reader refusing an APDU, e.g. extended
length) leaves the SSC unchanged, on the assumption that the chip never saw the command,
so a caller may retry with a different APDU; a removed card ends the session.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from functools import lru_cache

from chipid.errors import (
    CardInUseError,
    CardRemovedError,
    ChipIDError,
    NoCardError,
    NoReaderError,
    ParseError,
    SecureMessagingError,
    TransportError,
)
from chipid.iso7816.apdu import CommandAPDU
from chipid.iso7816.status import is_warning
from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.sm import aes, des3
from chipid.sm.padding import pad, unpad
from chipid.transport.base import Transport, TransportWrapper

__all__ = ["SM_SESSION_LOST", "SMKeys", "SecureChannel", "protect_command", "session_lost", "unprotect_response"]

SM_SESSION_LOST = frozenset({0x6987, 0x6988})
"""Plain statuses with which a chip says it could not verify a protected command (ISO/IEC 7816-4 §5.6:
expected SM data objects missing / incorrect); ICAO 9303-11 §9.8.6: it has then ended the session."""


def session_lost(sw: int, what: str) -> CardInUseError:
    """The typed error for a chip that dropped the secure-messaging session under the session keys both sides
    still share (no key change in between): another application used the card, or it was reset. A transport
    error, never evidence about the document. (After Chip Authentication switched keys, the same status is the
    chip failing to prove its key: the CA code decides that itself.)"""
    return CardInUseError(f"secure messaging session lost ({what}: status {sw:04X}); the card may be in use by "
                          "another application; retry", hresult=None)


@dataclass(frozen=True)
class SMKeys:
    """Secure-messaging session keys.

    Attributes:
        cipher: ``"3DES"`` (16-byte keys) or ``"AES"`` (16, 24 or 32-byte keys).
        ks_enc: the encryption key KSenc.
        ks_mac: the MAC key KSmac.
    """

    cipher: str
    ks_enc: bytes = field(repr=False)
    ks_mac: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.cipher == "3DES":
            ok = len(self.ks_enc) in (16, 24) and len(self.ks_mac) in (16, 24)
        elif self.cipher == "AES":
            ok = len(self.ks_enc) in (16, 24, 32) and len(self.ks_mac) in (16, 24, 32)
        else:
            raise SecureMessagingError(f"unknown SM cipher {self.cipher!r} (use '3DES' or 'AES')")
        if not ok:
            raise SecureMessagingError(f"wrong key length for {self.cipher} secure messaging")

    @property
    def block_size(self) -> int:
        """8 for 3DES, 16 for AES (also the SSC length)."""
        return des3.BLOCK if self.cipher == "3DES" else aes.BLOCK


class _Engine:
    """Cipher operations bound to one key set (cached per SMKeys)."""

    def __init__(self, keys: SMKeys) -> None:
        self.keys = keys
        self.block = keys.block_size
        self.aes = keys.cipher == "AES"

    def ssc_bytes(self, ssc: int) -> bytes:
        if not 0 <= ssc < 1 << (8 * self.block):
            raise SecureMessagingError(f"SSC {ssc} out of range")
        return ssc.to_bytes(self.block, "big")

    def encrypt(self, ssc: bytes, data: bytes) -> bytes:
        padded = pad(data, self.block)
        if self.aes:
            iv = aes.aes_ecb_encrypt(self.keys.ks_enc, ssc)
            return aes.aes_cbc_encrypt(self.keys.ks_enc, padded, iv)
        return des3.des3_encrypt(self.keys.ks_enc, padded)

    def decrypt(self, ssc: bytes, data: bytes) -> bytes:
        if not data or len(data) % self.block:
            raise SecureMessagingError(f"encrypted data of {len(data)} bytes is not whole blocks")
        if self.aes:
            iv = aes.aes_ecb_encrypt(self.keys.ks_enc, ssc)
            plain = aes.aes_cbc_decrypt(self.keys.ks_enc, data, iv)
        else:
            plain = des3.des3_decrypt(self.keys.ks_enc, data)
        return unpad(plain)

    def mac(self, ssc: bytes, data: bytes) -> bytes:
        message = pad(ssc + data, self.block)
        if self.aes:
            return aes.cmac(self.keys.ks_mac, message, 8)
        return des3.retail_mac(self.keys.ks_mac, message)


@lru_cache(maxsize=8)
def _engine(keys: SMKeys) -> _Engine:
    return _Engine(keys)


def _le_field(ne: int, extended: bool) -> bytes:
    if not extended and ne <= 256:
        return bytes((ne & 0xFF,))
    return (ne & 0xFFFF).to_bytes(2, "big")


def protect_command(keys: SMKeys, ssc: int, apdu: CommandAPDU, *, extended: bool | None = None) -> bytes:
    """Wrap a plain command APDU (ICAO 9303-11 §9.8.4).

    Args:
        keys: the session keys.
        ssc: the send sequence counter value for this command (already incremented).
        apdu: the plain command; its CLA must not already indicate secure messaging.
        extended: force (True) or forbid (False) extended length for the protected APDU;
            ``None`` uses it only when the protected data or Ne need it.

    Returns:
        The protected command APDU bytes.
    """
    if apdu.cla & 0x0C:
        raise SecureMessagingError(f"command CLA {apdu.cla:02X} already indicates secure messaging")
    eng = _engine(keys)
    ssc_b = eng.ssc_bytes(ssc)
    cla = apdu.cla | 0x0C
    header = bytes((cla, apdu.ins, apdu.p1, apdu.p2))
    body = b""
    if apdu.data:
        cipher = eng.encrypt(ssc_b, apdu.data)
        body = encode_tlv(0x85, cipher) if apdu.ins & 1 else encode_tlv(0x87, b"\x01" + cipher)
    if apdu.ne is not None:
        use_ext = extended if extended is not None else apdu.needs_extended
        body += encode_tlv(0x97, _le_field(apdu.ne, use_ext))
    mac = eng.mac(ssc_b, pad(header, eng.block) + body)
    body += encode_tlv(0x8E, mac)
    if extended is None:
        extended = apdu.needs_extended or len(body) > 255
    protected = CommandAPDU(cla, apdu.ins, apdu.p1, apdu.p2, body, ne=65536 if extended else 256)
    try:
        return protected.to_bytes(extended)
    except ParseError as err:
        raise SecureMessagingError("protected command does not fit a short APDU") from err


def _split_objects(body: bytes) -> dict[int, bytes]:
    try:
        objects = list(iter_tlv(body, path="SM response"))
    except ParseError as err:
        raise SecureMessagingError(f"malformed SM response data objects: {err}") from err
    found: dict[int, bytes] = {}
    order = {0x85: 0, 0x87: 0, 0x99: 1, 0x8E: 2}
    last = -1
    for tag, value in objects:
        if tag not in order:
            raise SecureMessagingError(f"unexpected data object {tag:X} in SM response")
        if order[tag] <= last:
            raise SecureMessagingError(f"data object {tag:X} repeated or out of order in SM response")
        last = order[tag]
        found[tag] = value
    return found


def _plain_error(sw: int) -> bool:
    """True for the error statuses a chip may answer in plain under SM (never success, never a warning)."""
    sw1 = sw >> 8
    return 0x64 <= sw1 <= 0x6F or (sw1 == 0x63 and not is_warning(sw))


def unprotect_response(keys: SMKeys, ssc: int, response: bytes) -> bytes:
    """Verify and decrypt a protected response APDU (ICAO 9303-11 §9.8.5).

    Args:
        keys: the session keys.
        ssc: the send sequence counter value for this response (already incremented).
        response: the raw response, data objects followed by SW1 SW2.

    Returns:
        The plain response: decrypted data followed by the authenticated SW1 SW2.

    Raises:
        SecureMessagingError: see the module docstring for every case.
    """
    response = bytes(response)
    if len(response) < 2:
        raise SecureMessagingError(f"SM response of {len(response)} bytes has no status word")
    body, sw_plain = response[:-2], response[-2:]
    sw_int = int.from_bytes(sw_plain, "big")
    if not body:
        if not _plain_error(sw_int):
            raise SecureMessagingError(
                f"status {sw_int:04X} answered without DO'99'/DO'8E' under secure messaging: not MAC-verified"
            )
        return sw_plain
    objects = _split_objects(body)
    if 0x8E not in objects:
        raise SecureMessagingError("SM response has no DO'8E' (MAC)")
    eng = _engine(keys)
    ssc_b = eng.ssc_bytes(ssc)
    covered = body[: len(body) - 2 - len(objects[0x8E])]
    expected = eng.mac(ssc_b, covered)
    if not hmac.compare_digest(expected, objects[0x8E]):
        raise SecureMessagingError("SM response MAC mismatch (wrong key or send sequence counter)")
    sw = sw_plain
    if 0x99 in objects:
        sw = objects[0x99]
        if len(sw) != 2:
            raise SecureMessagingError(f"DO'99' of {len(sw)} bytes")
    data = b""
    if 0x87 in objects:
        do87 = objects[0x87]
        if not do87 or do87[0] != 0x01:
            raise SecureMessagingError("DO'87' without padding-content indicator 01")
        data = eng.decrypt(ssc_b, do87[1:])
    elif 0x85 in objects:
        data = eng.decrypt(ssc_b, objects[0x85])
    return data + sw


class SecureChannel(TransportWrapper):
    """A Transport that applies ICAO 9303 secure messaging to every APDU.

    Wrap the transport returned by BAC/PACE; callers keep sending plain APDUs and get plain
    responses (data + SW). After Chip Authentication call :meth:`rekey` with the new keys
    (SSC restarts at 0, ICAO 9303-11 §6.2): the same object keeps working, so wrappers
    around it stay valid.

    Attributes:
        extended_length: a hint shared with readers of this channel: ``True`` when the
            chip is known to accept extended-length APDUs, ``False`` when it is known not
            to, ``None`` when unknown (then taken from ``inner.extended_length`` if the
            inner transport has one). The channel itself encodes extended length only when
            a command needs it.
    """

    def __init__(self, inner: Transport, keys: SMKeys, ssc: int, *, extended_length: bool | None = None) -> None:
        super().__init__(inner)
        self._keys = keys
        self._ssc = ssc
        self._broken: str | None = None
        if extended_length is None:
            inherited = getattr(inner, "extended_length", None)
            extended_length = inherited if isinstance(inherited, bool) else None
        self.extended_length = extended_length
        _engine(keys).ssc_bytes(ssc)

    @property
    def keys(self) -> SMKeys:
        """The current session keys."""
        return self._keys

    @property
    def ssc(self) -> int:
        """The send sequence counter after the last response."""
        return self._ssc

    def rekey(self, keys: SMKeys, ssc: int = 0) -> None:
        """Switch to new session keys (after Chip Authentication) and reset the SSC."""
        _engine(keys).ssc_bytes(ssc)
        self._keys = keys
        self._ssc = ssc
        self._broken = None

    def transmit(self, apdu: bytes) -> bytes:
        """Protect ``apdu``, send it, verify and decrypt the answer (data + SW1 SW2)."""
        if self._broken is not None:
            raise SecureMessagingError(f"secure channel closed after an earlier error: {self._broken}")
        try:
            plain = CommandAPDU.from_bytes(apdu)
        except ParseError as err:
            raise SecureMessagingError(f"cannot protect a malformed command: {err}") from err
        protected = protect_command(self._keys, self._ssc + 1, plain)
        try:
            raw = self.inner.transmit(protected)
        except (CardRemovedError, CardInUseError, NoCardError, NoReaderError):
            raise  # the session is gone (card removed, or reset by another application)
        except TransportError as err:
            # The link refused the APDU (e.g. a reader without extended length): the chip has
            # not seen it, so the counter is not advanced and the caller may retry differently.
            raise TransportError(f"protected command not delivered: {err}", hresult=err.hresult) from err
        self._ssc += 2
        try:
            return unprotect_response(self._keys, self._ssc, raw)
        except ChipIDError as err:
            self._broken = str(err)
            raise
