"""The per-case context: fresh connections, access sessions, measurements and SKIP/FAIL signalling.

Each conformance case gets its own :class:`CaseContext`. Every connection it opens comes fresh from the
transport factory and is wrapped to time each APDU round trip; all of them are closed when the case ends,
so one case never leaks state (a secure-messaging session, a selected file) into the next.

Modules of other areas (access, sm, pki, auth...) are imported lazily through :meth:`CaseContext.need`: a
missing one turns the case into a SKIP with the reason ``"needs <module>.<name>"`` instead of breaking the
suite.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn, Protocol, cast

from chipid.conformance.model import Measurement
from chipid.conformance.thresholds import DEFAULT_THRESHOLDS, Thresholds
from chipid.errors import SecureMessagingError, StatusWordError
from chipid.transport.base import Transport, TransportWrapper

__all__ = ["AccessKeyLike", "CaseContext", "CaseFailed", "CaseSkipped", "key_kind"]


class CaseSkipped(Exception):
    """Raised by a case (through :meth:`CaseContext.skip`) when it cannot apply. Caught by the runner."""


class CaseFailed(Exception):
    """Raised by a case (through :meth:`CaseContext.fail`) when the card or reader misbehaved."""


class AccessKeyLike(Protocol):
    """What the suite needs of an access key (``chipid.access.MRZKey`` / ``CANKey``)."""

    @property
    def password_ref(self) -> int:
        """1 for the MRZ, 2 for the CAN (ICAO 9303-11 §4.4.3.3 password references)."""
        ...


def key_kind(key: object) -> str:
    """``"mrz"``, ``"can"`` or ``"unknown"`` for an access key, from its PACE password reference."""
    ref = getattr(key, "password_ref", None)
    return {1: "mrz", 2: "can"}.get(ref if isinstance(ref, int) else -1, "unknown")


TRACE_LINES = 2000
"""How many trace lines a case keeps (the last ones: where it went wrong)."""


class _TimedTransport(TransportWrapper):
    """Records the round-trip time of every APDU (milliseconds) into a shared list, and (when given a trace
    sink) a redacted APDU trace of what crosses the reader interface."""

    def __init__(self, inner: Transport, sink: list[float], trace: deque[str] | None = None) -> None:
        self._raw = inner
        if trace is not None:
            from chipid.transport.trace import TracingTransport

            inner = TracingTransport(inner, trace.append)
        super().__init__(inner)
        self._sink = sink

    def __getattr__(self, name: str) -> Any:
        # transparent for hints the layers above look for (``extended_length``, ``reader``...)
        if name.startswith("__") or name in ("inner", "_raw"):
            raise AttributeError(name)
        return getattr(self._raw, name)

    def transmit(self, apdu: bytes) -> bytes:
        start = time.perf_counter()
        try:
            return self.inner.transmit(apdu)
        finally:
            self._sink.append((time.perf_counter() - start) * 1000.0)


class CaseContext:
    """Everything one case may use; created by the runner for each case.

    Attributes:
        keys: the access keys given to the suite (first = primary).
        trust: the trust store for Passive Authentication (``None``: chain checks SKIP).
        sessions: how many sessions the stability case runs.
        interactive: a callback that shows a prompt to a human and returns when they acted, or ``None``.
        thresholds: pass thresholds of the performance cases.
        trace: the redacted APDU trace of every connection this case opened (last lines).
        message: a note shown with a PASS (set by the case).
        latencies_ms: per-APDU round-trip times of every connection this case opened.
    """

    def __init__(
        self,
        factory: Callable[[], Transport],
        keys: Sequence[AccessKeyLike],
        *,
        trust: object | None = None,
        sessions: int = 10,
        interactive: Callable[[str], None] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        self._factory = factory
        self.thresholds = thresholds
        self.trace: deque[str] = deque(maxlen=TRACE_LINES)
        self.keys = tuple(keys)
        self.trust = trust
        self.sessions = sessions
        self.interactive = interactive
        self._open: list[Transport] = []
        self.message = ""
        self.latencies_ms: list[float] = []
        self.measurements: list[Measurement] = []
        self.details: list[str] = []

    # ------------------------------------------------------------------ outcome signalling
    def skip(self, reason: str) -> NoReturn:
        """End the case as SKIP with ``reason``."""
        raise CaseSkipped(reason)

    def fail(self, message: str) -> NoReturn:
        """End the case as FAIL with ``message``."""
        raise CaseFailed(message)

    def check(self, condition: bool, message: str) -> None:
        """FAIL with ``message`` unless ``condition`` holds."""
        if not condition:
            self.fail(message)

    def measure(self, name: str, value: float, unit: str) -> None:
        """Record a measured figure."""
        self.measurements.append(Measurement(name, value, unit))

    def note(self, line: str) -> None:
        """Record a detail line (never a secret)."""
        self.details.append(line)

    # ------------------------------------------------------------------ keys and modules
    def key_of(self, kind: str) -> AccessKeyLike | None:
        """The first key of ``kind`` (``"mrz"`` / ``"can"``) given to the suite, or ``None``."""
        return next((k for k in self.keys if key_kind(k) == kind), None)

    @property
    def key(self) -> AccessKeyLike:
        """The primary access key (SKIP when the suite was given none)."""
        if not self.keys:
            self.skip("needs an access key (--mrz or --can)")
        return self.keys[0]

    def need(self, module: str, *names: str) -> ModuleType:
        """Import ``module`` (and check it defines ``names``), or SKIP with ``"needs module.name"``."""
        try:
            mod = importlib.import_module(module)
        except ImportError:
            self.skip(f"needs {module}")
        missing = [n for n in names if not hasattr(mod, n)]
        if missing:
            self.skip(f"needs {module}.{missing[0]}")
        return mod

    # ------------------------------------------------------------------ connections
    def open(self) -> Transport:
        """A fresh connection from the factory, timed and closed when the case ends."""
        raw = self._factory()
        timed = _TimedTransport(raw, self.latencies_ms, self.trace)
        self._open.append(timed)
        return timed

    def close_all(self) -> None:
        """Close every connection the case opened (errors while closing are ignored)."""
        while self._open:
            transport = self._open.pop()
            with contextlib.suppress(Exception):  # a dead link must not mask the case's outcome
                transport.close()

    def send(self, transport: Transport, apdu: bytes | str) -> tuple[bytes, int]:
        """Transmit one APDU (bytes or hex) and split the answer into (data, SW1SW2).

        A secure channel that raises a :class:`StatusWordError` for an error status (instead of returning
        it) is tolerated: the status word comes back with empty data either way.
        """
        raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
        try:
            response = transport.transmit(raw)
        except StatusWordError as err:
            return b"", err.sw
        if len(response) < 2:
            self.fail(f"response {response.hex()} to {raw[:4].hex()} has no status word")
        return response[:-2], int.from_bytes(response[-2:], "big")

    def establish(self, transport: Transport, key: AccessKeyLike | None = None) -> Any:
        """Run ``chipid.access.establish`` (PACE, else BAC) and return its AccessResult."""
        access = self.need("chipid.access", "establish")
        result = access.establish(transport, key if key is not None else self.key)
        self.note(f"access: {getattr(result, 'protocol', '?')}")
        return result

    def session(self, key: AccessKeyLike | None = None) -> Transport:
        """A fresh connection with a secure-messaging session, the eMRTD application selected under SM."""
        transport = self.open()
        channel = cast(Transport, self.establish(transport, key).channel)
        try:
            self.select_application(channel)
        except SecureMessagingError as err:
            self.fail(f"the chip's first protected response failed secure-messaging checks: {err}")
        return channel

    def read_file(self, transport: Transport, fid: int) -> bytes:
        """Read a whole EF with ``chipid.iso7816.binary.read_ef`` (select by FID)."""
        binary = self.need("chipid.iso7816.binary", "read_ef")
        return cast(bytes, binary.read_ef(transport, fid=fid))

    def select_application(self, transport: Transport) -> None:
        """SELECT the eMRTD application (ICAO 9303-10 §3.6.1); FAIL unless 9000."""
        _, sw = self.send(transport, "00A4040C07A0000002471001")
        self.check(sw == 0x9000, f"SELECT eMRTD AID answered {sw:04X}")
