"""VpcdBridge: the virtual chip as a card in the vpcd reader of a real pcscd.

Protocol of vsmartcard's vpcd (the IFD handler inside pcscd): vpcd LISTENS on TCP
(127.0.0.1:35963 for reader "Virtual PCD 00 00", 35964 for "... 00 01") and the card side
CONNECTS. Every message, both ways, is a 2-byte big-endian length followed by the payload. A
1-byte payload from vpcd is a control code: 0 power off, 1 power on, 2 reset (no answer to
these), 4 get ATR (answer: the ATR); any longer payload is a command APDU (answer: the
response APDU). pcscd sees the card present while the connection is up, so closing it is a
card removal and reconnecting a reinsertion.

vpcd writes length and payload in separate segments; with Nagle and delayed ACKs each APDU
would cost ~40 ms, hence TCP_NODELAY and TCP_QUICKACK (re-armed after every receive).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time

from chipid.sim.chip import VirtualChip
from chipid.sim.faults import Faults
from chipid.sim.profile import CardProfile

__all__ = ["DEFAULT_PORT", "VpcdBridge", "serve"]

DEFAULT_PORT = 35963
_LOG = logging.getLogger(__name__)
_POWER_OFF, _POWER_ON, _RESET, _GET_ATR = 0, 1, 2, 4


class VpcdBridge:
    """Connects a :class:`VirtualChip` to vpcd in a background thread (reconnecting on failure).

    Args:
        chip: the card to present.
        host, port: where vpcd listens.
        retry_s: pause between connection attempts.

    Attributes:
        apdus: command APDUs answered so far.
        messages: every message received from vpcd (APDUs and control codes: vpcd polls
            presence with GET ATR, so this grows once vpcd has really accepted the bridge).
        connections: TCP connections made to vpcd (one per insertion).
    """

    def __init__(
        self, chip: VirtualChip, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, retry_s: float = 0.2
    ) -> None:
        self.chip = chip
        self.host = host
        self.port = port
        self.retry_s = retry_s
        self.apdus = 0
        self.messages = 0
        self.connections = 0
        self._running = threading.Event()
        self._inserted = threading.Event()
        self._connected = threading.Event()
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ control
    def start(self) -> VpcdBridge:
        """Insert the card and start serving in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._running.set()
        self._inserted.set()
        self._thread = threading.Thread(target=self._run, name=f"vpcd-bridge-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Remove the card and end the thread."""
        self._running.clear()
        self._inserted.set()  # wake the thread if it waits for an insertion
        self._drop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def remove_card(self) -> None:
        """Take the card out of the field: close the connection, stay away until :meth:`insert_card`."""
        self._inserted.clear()
        self._drop()

    def insert_card(self) -> None:
        """Put the card back: reconnect to vpcd (pcscd then powers it on again)."""
        self._inserted.set()

    @property
    def inserted(self) -> bool:
        """False after :meth:`remove_card` or a tear (``Faults.tear_after``), until :meth:`insert_card`."""
        return self._inserted.is_set()

    @property
    def connected(self) -> bool:
        """True while the TCP connection to vpcd is up (pcscd sees a card)."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float = 5.0) -> bool:
        """Block until connected to vpcd (not the same as pcscd having seen the card)."""
        return self._connected.wait(timeout)

    def __enter__(self) -> VpcdBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ the thread
    def _drop(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        self._connected.clear()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)  # wakes a blocked recv without sending a FIN
            sock.close()

    def _run(self) -> None:
        while self._running.is_set():
            if not self._inserted.is_set():
                self._inserted.wait()
                continue
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                time.sleep(self.retry_s)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # every close is abortive (RST): a card leaving the field, not a polite goodbye
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with self._lock:
                if not self._inserted.is_set() or not self._running.is_set():
                    sock.close()  # removed (or stopped) while connecting
                    continue
                self._sock = sock
            self.connections += 1
            self._connected.set()
            try:
                self._serve(sock)
            except OSError as err:
                _LOG.debug("vpcd connection ended: %s", err)
            finally:
                self._drop()
                self.chip.power_off()
            if self._running.is_set() and self._inserted.is_set():
                time.sleep(self.retry_s)

    @staticmethod
    def _recv_exact(sock: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("vpcd closed the connection")
            data += chunk
        if hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return data

    def _serve(self, sock: socket.socket) -> None:
        while True:
            length = int.from_bytes(self._recv_exact(sock, 2), "big")
            payload = self._recv_exact(sock, length) if length else b""
            self.messages += 1
            if len(payload) == 1:
                code = payload[0]
                if code == _POWER_OFF:
                    self.chip.power_off()
                elif code in (_POWER_ON, _RESET):
                    self.chip.power_on()
                elif code == _GET_ATR:
                    self._send(sock, self.chip.atr)
                continue
            if not payload:
                continue
            if self.chip.tear_now():  # torn before this APDU (tear_after=0)
                self._inserted.clear()
                return
            self.apdus += 1
            response = self.chip.process(payload)
            torn = self.chip.tear_now()
            if torn:
                self._inserted.clear()  # the card stays out until insert_card()
            self._send(sock, response)
            if torn:
                # The card leaves right after answering. The socket lingers 0, so this close
                # resets the link (RST): vpcd's next write fails and pcscd reports a failed
                # transaction (0x80100016), as for a real removal. If the reader's next APDU
                # already reached vpcd (a busy machine), vpcd hands it back as an empty
                # "successful" response instead; the APDU after that fails as above.
                sock.close()
                return

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)


def serve(
    profile: CardProfile,
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    faults: Faults | None = None,
    duration_s: float | None = None,
) -> None:
    """Present ``profile`` in vpcd until interrupted (Ctrl-C) or ``duration_s`` elapsed.

    The blocking entry point behind ``chipid sim serve``.
    """
    with VpcdBridge(VirtualChip(profile, faults=faults), host, port):
        deadline = None if duration_s is None else time.monotonic() + duration_s
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2 if deadline is None else min(0.2, max(0.0, deadline - time.monotonic())))
        except KeyboardInterrupt:
            pass
