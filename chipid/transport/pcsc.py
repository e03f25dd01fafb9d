"""PC/SC transport through pyscard: the only module of chipid that imports ``smartcard``.

Reader selection by name substring or index, waiting for a card, T=0 / T=1, and the
ISO/IEC 7816-3 / 7816-4 T=0 conventions handled below the APDU layer: ``61xx`` is followed
by GET RESPONSE (``00 C0 00 00 xx``) and ``6Cxx`` re-issues the command with Le = xx.

pyscard errors become :class:`~chipid.errors.TransportError` subclasses keeping the PC/SC
``hresult``: no service / no readers -> NoReaderError, no card -> NoCardError, card removed
or reset (``SCARD_W_REMOVED_CARD`` 0x80100069, ``SCARD_W_RESET_CARD`` 0x80100068,
``SCARD_E_NOT_TRANSACTED`` 0x80100016...) -> CardRemovedError. Exception: a failed
*extended-length* exchange (0x80100016 or ``SCARD_E_INSUFFICIENT_BUFFER`` 0x80100008) is a
plain TransportError, as readers without extended length fail that way with the card still
present; whole-EF reading then falls back to short APDUs. A response shorter than SW1 SW2 (pyscard's
"no valid response", hresult 0: vpcd and some readers answer so for the APDU in flight when the card
leaves) is a CardRemovedError when the reader reports the card gone within a second, else a TransportError.

The card is opened with **exclusive** access (``SCARD_SHARE_EXCLUSIVE``) by default: another program on the
same reader would otherwise be able to select files in plain and so abort this read's secure-messaging
session, and a chip that then refuses DG14/DG15 looks like a clone hiding its key (issue 10, point 9). While
another program holds the card, connecting fails with ``SCARD_E_SHARING_VIOLATION`` (0x8010000B):
:meth:`PCSCTransport.open` waits and retries once, then raises :class:`~chipid.errors.CardInUseError` ("card
in use by another application; retry"), a transport error and never a verdict.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import (
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCARD_SHARE_EXCLUSIVE,
    SCARD_SHARE_SHARED,
    SCARD_STATE_EMPTY,
    SCARD_STATE_PRESENT,
    SCARD_STATE_UNAWARE,
    SCardEstablishContext,
    SCardGetStatusChange,
    SCardReleaseContext,
)
from smartcard.System import readers as _system_readers

from chipid.errors import CardInUseError, CardRemovedError, NoCardError, NoReaderError, TransportError

__all__ = ["PCSCTransport", "card_present", "card_states", "extended_length_from_atr", "list_readers"]

SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

_REMOVED = frozenset(
    {
        SCARD_E_NOT_TRANSACTED,
        SCARD_W_RESET_CARD,
        SCARD_W_REMOVED_CARD,
        SCARD_W_UNPOWERED_CARD,
        SCARD_W_UNRESPONSIVE_CARD,
    }
)
_NO_READER = frozenset(
    {
        SCARD_E_NO_SERVICE,
        SCARD_E_SERVICE_STOPPED,
        SCARD_E_NO_READERS_AVAILABLE,
        SCARD_E_UNKNOWN_READER,
        SCARD_E_READER_UNAVAILABLE,
    }
)
SCARD_E_INSUFFICIENT_BUFFER = 0x80100008
_REFUSED_LONG = frozenset({SCARD_E_NOT_TRANSACTED, SCARD_E_INSUFFICIENT_BUFFER})
_PROTOCOLS = {
    "any": CardConnection.T0_protocol | CardConnection.T1_protocol,
    "T0": CardConnection.T0_protocol,
    "T1": CardConnection.T1_protocol,
}
_PYSCARD_ERRORS = (SmartcardException, BaseSCardException)
_MAX_GET_RESPONSE = 256
_POLL = 0.1
_IN_USE_RETRY_S = 1.0


def _hresult(err: BaseException) -> int | None:
    value = getattr(err, "hresult", None)
    if not isinstance(value, int) or value == -1:
        return None
    return value & 0xFFFFFFFF


def _map_error(err: Exception, what: str, *, connected: bool) -> TransportError:
    """Translate one pyscard exception into chipid's transport errors."""
    code = _hresult(err)
    text = f"{what}: {err}"
    if isinstance(err, NoCardException) or code == SCARD_E_NO_SMARTCARD:
        return NoCardError(text, hresult=code)
    if code in _NO_READER:
        return NoReaderError(text, hresult=code)
    if code == SCARD_E_SHARING_VIOLATION:
        return CardInUseError(f"card in use by another application; retry when it has finished ({what})",
                              hresult=code)
    if code in _REMOVED or (connected and code == SCARD_E_NO_SMARTCARD):
        return CardRemovedError(text, hresult=code)
    return TransportError(text, hresult=code)


_REMOVAL_GRACE_MS = 1000


def _card_left(reader: str, grace_ms: int = _REMOVAL_GRACE_MS) -> bool:
    """Whether ``reader`` reports no card now or within ``grace_ms`` (pcscd polls its drivers)."""
    rc, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if rc != SCARD_S_SUCCESS:
        return False
    try:
        rc, states = SCardGetStatusChange(context, 0, [(reader, SCARD_STATE_UNAWARE)])
        if rc != SCARD_S_SUCCESS or not states:
            return False
        state = states[0][1]
        if state & SCARD_STATE_EMPTY or not state & SCARD_STATE_PRESENT:
            return True
        rc, states = SCardGetStatusChange(context, grace_ms, [(reader, state)])
        return rc == SCARD_S_SUCCESS and bool(states) and bool(states[0][1] & SCARD_STATE_EMPTY)
    finally:
        SCardReleaseContext(context)


def _all_readers() -> list[Any]:
    try:
        return list(_system_readers())
    except _PYSCARD_ERRORS as err:
        if _hresult(err) == SCARD_E_NO_READERS_AVAILABLE:
            return []
        raise _map_error(err, "cannot list PC/SC readers", connected=False) from err


def list_readers() -> list[str]:
    """Names of the PC/SC readers (empty when none; NoReaderError if pcscd is not reachable)."""
    return [str(r) for r in _all_readers()]


def _pick(readers: list[Any], reader: str | int | None) -> list[Any]:
    if not readers:
        raise NoReaderError("no PC/SC reader found")
    if reader is None:
        return readers
    if isinstance(reader, int):
        if not 0 <= reader < len(readers):
            raise NoReaderError(f"no reader #{reader}; {len(readers)} available")
        return [readers[reader]]
    matches = [r for r in readers if reader.lower() in str(r).lower()]
    if not matches:
        raise NoReaderError(f"no reader matching {reader!r} among {[str(r) for r in readers]}")
    return matches


def card_present(reader: str) -> bool:
    """True when the named reader (exact name or substring) has a card that answers a connect."""
    conn = _pick(_all_readers(), reader)[0].createConnection()
    try:
        conn.connect()
    except _PYSCARD_ERRORS as err:
        mapped = _map_error(err, f"cannot query reader {reader!r}", connected=False)
        if isinstance(mapped, NoCardError | CardRemovedError):
            return False
        raise mapped from err
    with contextlib.suppress(*_PYSCARD_ERRORS):
        conn.disconnect()
    return True


def card_states() -> dict[str, bool]:
    """Every reader's name -> whether it holds a card, from SCardGetStatusChange (no connect).

    Unlike :func:`card_present` this never powers the card, so it is safe to poll while another
    context reads the card. Empty when no reader is attached; NoReaderError if pcscd is unreachable.
    """
    names = list_readers()
    if not names:
        return {}
    rc, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if rc != SCARD_S_SUCCESS:
        raise NoReaderError(f"cannot reach pcscd (SCardEstablishContext {rc & 0xFFFFFFFF:#x})", hresult=rc)
    try:
        rc, states = SCardGetStatusChange(context, 0, [(name, SCARD_STATE_UNAWARE) for name in names])
        if rc != SCARD_S_SUCCESS:
            raise _map_error(BaseSCardException(hresult=rc), "cannot query the readers", connected=False)
        return {str(state[0]): bool(state[1] & SCARD_STATE_PRESENT) for state in states}
    finally:
        SCardReleaseContext(context)


def extended_length_from_atr(atr: bytes) -> bool | None:
    """Whether the ATR's card capabilities announce extended Lc/Le (``None``: not stated).

    ISO/IEC 7816-3 §8.2 (ATR: T0, interface bytes chained by TDi, K historical bytes) and
    ISO/IEC 7816-4 §8.1.1.2.7: with category indicator ``80`` the historical bytes are
    compact-TLV; tag ``7`` holds the card capabilities, whose third byte has bit b7 (``40``)
    "extended Lc and Le fields" set when supported.
    """
    if len(atr) < 2:
        return None
    count = atr[1] & 0x0F
    y, i = atr[1] >> 4, 2
    while True:
        i += bin(y & 0x07).count("1")
        if not y & 0x08 or i >= len(atr):
            break
        y, i = atr[i] >> 4, i + 1
    hist = atr[i : i + count]
    if len(hist) < count or not hist or hist[0] != 0x80:
        return None
    j = 1
    while j < len(hist):
        tag, size = hist[j] >> 4, hist[j] & 0x0F
        value = hist[j + 1 : j + 1 + size]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        j += 1 + size
    return None


def _is_extended(apdu: bytes) -> bool:
    """ISO/IEC 7816-4 §5.1: an extended Lc or Le field starts with 00 after the header."""
    return len(apdu) >= 7 and apdu[4] == 0


def _has_short_le(apdu: bytes) -> bool:
    """Short case 2 (header + Le) or short case 4 (header + Lc + data + Le)."""
    return len(apdu) == 5 or (len(apdu) > 5 and apdu[4] != 0 and len(apdu) == 6 + apdu[4])


class PCSCTransport:
    """A card in a PC/SC reader.

    Build it with :meth:`open`; the constructor takes an already connected pyscard
    connection (used by tests with a fake connection).
    """

    def __init__(self, connection: Any, reader: str, protocol: int | None = None, *, exclusive: bool = True) -> None:
        self._conn = connection
        self.reader = reader
        self._protocol = protocol
        self._mode = SCARD_SHARE_EXCLUSIVE if exclusive else SCARD_SHARE_SHARED
        self._closed = False
        try:
            hint = extended_length_from_atr(bytes(connection.getATR()))
        except _PYSCARD_ERRORS:
            hint = None
        self.extended_length: bool | None = hint
        """Extended-length support as announced by the ATR (``None``: not announced)."""

    @classmethod
    def open(
        cls,
        reader: str | int | None = None,
        *,
        wait: float = 0.0,
        protocol: str = "any",
        exclusive: bool = True,
        in_use_retry: float = _IN_USE_RETRY_S,
    ) -> PCSCTransport:
        """Connect to the card in a reader.

        Args:
            reader: a name substring (case-insensitive), an index into :func:`list_readers`, or
                ``None`` for the first reader holding a card.
            wait: seconds to wait for a card to appear (0: fail at once with NoCardError).
            protocol: ``"any"``, ``"T0"`` or ``"T1"``.
            exclusive: open the card with exclusive access (default; see the module docstring).
            in_use_retry: seconds to wait before the one retry when another application holds the card.

        Raises:
            NoReaderError: no reader, or none matching ``reader``.
            NoCardError: no card within ``wait`` seconds.
            CardInUseError: another application still holds the card after the retry.
        """
        if protocol not in _PROTOCOLS:
            raise TransportError(f"unknown protocol {protocol!r}; use 'any', 'T0' or 'T1'")
        try:
            return cls._open(reader, wait, _PROTOCOLS[protocol], exclusive)
        except CardInUseError:
            time.sleep(max(in_use_retry, 0.0))  # the other program may be finishing: retry once
            return cls._open(reader, wait, _PROTOCOLS[protocol], exclusive)

    @classmethod
    def _open(cls, reader: str | int | None, wait: float, proto: int, exclusive: bool) -> PCSCTransport:
        mode = SCARD_SHARE_EXCLUSIVE if exclusive else SCARD_SHARE_SHARED
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            last: TransportError | None = None
            for candidate in _pick(_all_readers(), reader):
                conn = candidate.createConnection()
                try:
                    conn.connect(proto, mode=mode)
                except _PYSCARD_ERRORS as err:
                    last = _map_error(err, f"cannot connect to {candidate}", connected=False)
                    if not isinstance(last, NoCardError | CardRemovedError):
                        raise last from err
                    continue
                return cls(conn, str(candidate), proto, exclusive=exclusive)
            if time.monotonic() >= deadline:
                raise last or NoCardError("no card in the reader")
            time.sleep(_POLL)

    @property
    def atr(self) -> bytes:
        """The card's ATR."""
        try:
            return bytes(self._conn.getATR())
        except _PYSCARD_ERRORS as err:
            raise _map_error(err, "cannot read the ATR", connected=True) from err

    def _exchange(self, apdu: bytes) -> tuple[bytes, int, int]:
        try:
            data, sw1, sw2 = self._conn.transmit(list(apdu))
        except _PYSCARD_ERRORS as err:
            if _hresult(err) in _REFUSED_LONG and _is_extended(apdu):
                # Readers without extended-length support fail the exchange this way while the
                # card stays put: report a plain TransportError so callers can fall back to
                # short APDUs. If the card really left, the next APDU says so.
                raise TransportError(f"reader refused an extended APDU: {err}", hresult=_hresult(err)) from err
            mapped = _map_error(err, "transmit failed", connected=True)
            if _hresult(err) == SCARD_W_RESET_CARD and not _card_left(self.reader):
                # the card was reset under us but is still there: another application (only possible when
                # opened shared); the secure-messaging session is lost, which is no evidence about the card
                mapped = CardInUseError("card reset by another application during the read; retry "
                                        f"({err})", hresult=_hresult(err))
            elif type(mapped) is TransportError and not _hresult(err) and _card_left(self.reader):
                mapped = CardRemovedError(f"card removed during the exchange ({err})", hresult=_hresult(err))
            raise mapped from err
        return bytes(data), sw1, sw2

    def transmit(self, apdu: bytes) -> bytes:
        """Send one APDU; return data + SW1 SW2 with T=0 61xx / 6Cxx handled."""
        if self._closed:
            raise TransportError("transport is closed")
        data, sw1, sw2 = self._exchange(bytes(apdu))
        if sw1 == 0x6C and _has_short_le(apdu):
            # ISO/IEC 7816-3 §10.3.3: wrong Le, re-issue the same command with Le = SW2.
            data, sw1, sw2 = self._exchange(bytes(apdu[:-1]) + bytes((sw2,)))
        chunks = [data]
        for _ in range(_MAX_GET_RESPONSE):
            if sw1 != 0x61:
                break
            # ISO/IEC 7816-4 §5.3.1 / 7816-3 §10.3.4: GET RESPONSE for the remaining bytes.
            data, sw1, sw2 = self._exchange(bytes((apdu[0] & 0x03, 0xC0, 0x00, 0x00, sw2)))
            chunks.append(data)
        else:
            raise TransportError("card keeps answering 61xx to GET RESPONSE")
        return b"".join(chunks) + bytes((sw1, sw2))

    def reconnect(self) -> None:
        """Reset the link after a card reset or re-insertion (warm reconnect)."""
        try:
            self._conn.reconnect(self._protocol, mode=self._mode)
        except _PYSCARD_ERRORS as err:
            raise _map_error(err, "reconnect failed", connected=False) from err
        self._closed = False

    def close(self) -> None:
        """Disconnect; safe to call twice and after the card is gone."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(*_PYSCARD_ERRORS):
            self._conn.disconnect()

    def __enter__(self) -> PCSCTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
