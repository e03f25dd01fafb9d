"""A Transport decorator that logs every APDU exchange, with secrets redacted by default.

Each command is logged as ``> 00 A4 020C 02 011E`` style hex and each response as
``< 9000 (1.23 ms)``. By default the data of sensitive exchanges is replaced by its length:

* command data of EXTERNAL / MUTUAL AUTHENTICATE (``82``), GENERAL AUTHENTICATE (``86``),
  MSE (``22``), VERIFY (``20``) and CHANGE REFERENCE DATA (``24``);
* response data of GET CHALLENGE (``84``), EXTERNAL AUTHENTICATE (``82``) and GENERAL
  AUTHENTICATE (``86``), whose nonces and cryptograms together with a transcript allow an
  offline guess of the MRZ key or CAN;
* everything exchanged inside :meth:`TracingTransport.secret` blocks.

``show_secrets=True`` (an explicit trace-with-secrets mode) logs everything in full.
Placed below a secure channel (``SecureChannel(TracingTransport(pcsc), ...)``) it logs what
crosses the air interface (ciphertext after BAC/PACE); placed above, it logs plain APDUs,
which include the holder's personal data.
The transport also counts APDUs, bytes and time spent (:attr:`TracingTransport.stats`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from chipid.transport.base import Transport, TransportWrapper

__all__ = ["TraceStats", "TracingTransport"]

_SECRET_COMMAND_INS = frozenset({0x82, 0x86, 0x22, 0x20, 0x24})
_SECRET_RESPONSE_INS = frozenset({0x84, 0x82, 0x86})


@dataclass(frozen=True)
class TraceStats:
    """Counters of a traced session.

    Attributes:
        apdus: command APDUs sent.
        bytes_out: command bytes sent.
        bytes_in: response bytes received (data + SW).
        seconds: time spent inside the inner transport.
        errors: exchanges that raised.
    """

    apdus: int = 0
    bytes_out: int = 0
    bytes_in: int = 0
    seconds: float = 0.0
    errors: int = 0


def _hex(data: bytes) -> str:
    return data.hex().upper()


def _split_command(apdu: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Best-effort split into (header, Lc field, data, Le field) without raising."""
    header, body = apdu[:4], apdu[4:]
    if len(body) <= 1:
        return header, b"", b"", body
    if body[0] != 0 and len(body) in (1 + body[0], 2 + body[0]):
        return header, body[:1], body[1 : 1 + body[0]], body[1 + body[0] :]
    if body[0] == 0 and len(body) == 3:
        return header, b"", b"", body
    if body[0] == 0 and len(body) > 3:
        nc = int.from_bytes(body[1:3], "big")
        if len(body) in (3 + nc, 5 + nc):
            return header, body[:3], body[3 : 3 + nc], body[3 + nc :]
    return header, b"", body, b""


class TracingTransport(TransportWrapper):
    """Log each exchange of an inner transport.

    Args:
        inner: the transport to trace.
        log: a ``logging.Logger`` (messages go out at ``level``) or any ``Callable[[str], None]``
            (``print``, ``list.append``...).
        show_secrets: log sensitive data in full instead of redacting it.
        level: logging level when ``log`` is a Logger.
        clock: monotonic clock in seconds (injected for tests).
    """

    def __init__(
        self,
        inner: Transport,
        log: Callable[[str], None] | logging.Logger,
        *,
        show_secrets: bool = False,
        level: int = logging.DEBUG,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(inner)
        if isinstance(log, logging.Logger):
            logger = log
            self._emit: Callable[[str], None] = lambda msg: logger.log(level, "%s", msg)
        else:
            self._emit = log
        self.show_secrets = show_secrets
        self._clock = clock
        self._secret_depth = 0
        self._stats = TraceStats()

    @property
    def stats(self) -> TraceStats:
        """APDU, byte and time counters so far."""
        return self._stats

    @property
    def extended_length(self) -> bool | None:
        """The inner transport's extended-length hint, passed through."""
        hint = getattr(self.inner, "extended_length", None)
        return hint if isinstance(hint, bool) else None

    @contextmanager
    def secret(self) -> Iterator[None]:
        """Redact the data of every exchange made inside this block (unless show_secrets)."""
        self._secret_depth += 1
        try:
            yield
        finally:
            self._secret_depth -= 1

    def _redact(self, data: bytes, secret: bool) -> str:
        if not data:
            return ""
        if secret and not self.show_secrets:
            return f"[{len(data)} bytes redacted]"
        return _hex(data)

    def _format_command(self, apdu: bytes, secret: bool) -> str:
        header, lc, data, le = _split_command(apdu)
        parts = [_hex(header[:1]), _hex(header[1:2]), _hex(header[2:4])]
        parts += [p for p in (_hex(lc), self._redact(data, secret), _hex(le)) if p]
        return "> " + " ".join(parts)

    def transmit(self, apdu: bytes) -> bytes:
        """Send ``apdu`` through the inner transport, logging both directions."""
        ins = apdu[1] if len(apdu) > 1 else -1
        in_secret = self._secret_depth > 0
        self._emit(self._format_command(apdu, in_secret or ins in _SECRET_COMMAND_INS))
        start = self._clock()
        try:
            response = self.inner.transmit(apdu)
        except Exception as err:
            elapsed = self._clock() - start
            self._count(len(apdu), 0, elapsed, error=True)
            self._emit(f"! {type(err).__name__}: {err} ({elapsed * 1000:.2f} ms)")
            raise
        elapsed = self._clock() - start
        self._count(len(apdu), len(response), elapsed, error=False)
        data = self._redact(response[:-2], in_secret or ins in _SECRET_RESPONSE_INS)
        sw = _hex(response[-2:])
        self._emit(f"< {data + ' ' if data else ''}{sw} ({elapsed * 1000:.2f} ms)")
        return response

    def _count(self, out: int, inb: int, seconds: float, *, error: bool) -> None:
        s = self._stats
        self._stats = TraceStats(
            s.apdus + 1, s.bytes_out + out, s.bytes_in + inb, s.seconds + seconds, s.errors + int(error)
        )
