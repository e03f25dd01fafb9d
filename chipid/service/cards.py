"""Where cards come from: the PC/SC readers of pcscd, or the in-process virtual chip (``--sim``).

A :class:`CardSource` lists readers with card presence, opens a transport on one reader and holds the trust
store every read uses. :class:`CardMonitor` polls the source in a thread and reports card insertions and
removals (and readers plugged or unplugged) to a callback: PC/SC presence is read with SCardGetStatusChange,
which never powers the card, so polling does not disturb a read in progress.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from chipid.errors import ChipIDError, NoCardError, NoReaderError
from chipid.pki.trust import TrustStore
from chipid.transport.base import Transport

__all__ = ["SIM_READER", "CardMonitor", "CardSource", "PcscSource", "SimSource", "make_source"]

SIM_READER = "chipid virtual chip"
"""The one reader of ``--sim`` mode: it always holds the virtual card."""
_LOG = logging.getLogger("chipid.service")


class CardSource(Protocol):
    mode: str
    trust: TrustStore | None

    def readers(self) -> dict[str, bool]:
        """Reader name -> card present."""
        ...

    def open(self, reader: str) -> Transport:
        """A transport to the card in ``reader`` (NoCardError / NoReaderError otherwise)."""
        ...


def _load_trust(paths: tuple[Path, ...], base: TrustStore | None = None) -> TrustStore | None:
    if not paths and base is None:
        return None
    store = base if base is not None else TrustStore()
    for path in paths:
        store.load_path(path)
    return store


class SimSource:
    """The virtual CCCD in process: a fresh :class:`~chipid.sim.VirtualChip` per read, its test CSCA trusted.

    Args:
        profile: ``"default"`` (the built-in demo card) or a directory saved by ``chipid sim issue``.
        trust_paths: more CSCA material.
        faults: a :class:`chipid.sim.Faults` for every read (QA: a slow chip with ``delay_ms``, a torn card...).
    """

    mode = "sim"

    def __init__(self, profile: str, trust_paths: tuple[Path, ...] = (), faults: Any = None) -> None:
        from chipid.sim.personalize import default_profile
        from chipid.sim.profile import CardProfile

        self.profile = default_profile() if profile == "default" else CardProfile.load(Path(profile))
        self.trust = _load_trust(trust_paths, self.profile.trust_store())
        self.faults = faults

    def readers(self) -> dict[str, bool]:
        return {SIM_READER: True}

    def open(self, reader: str) -> Transport:
        from chipid.sim import SimTransport, VirtualChip

        if reader != SIM_READER:
            raise NoReaderError(f"no reader {reader!r} (simulation mode has only {SIM_READER!r})")
        return SimTransport(VirtualChip(self.profile, faults=self.faults))


class PcscSource:
    """The PC/SC readers of pcscd."""

    mode = "pcsc"

    def __init__(self, trust_paths: tuple[Path, ...] = ()) -> None:
        self.trust = _load_trust(trust_paths)

    def readers(self) -> dict[str, bool]:
        from chipid.transport.pcsc import card_states

        return card_states()

    def open(self, reader: str) -> Transport:
        from chipid.transport.pcsc import PCSCTransport

        names = self.readers()
        if reader not in names:
            raise NoReaderError(f"no reader named {reader!r}")
        if not names[reader]:
            raise NoCardError(f"no card in {reader!r}")
        return PCSCTransport.open(reader)


def make_source(sim_profile: str | None, trust_paths: tuple[Path, ...], sim_faults: Any = None) -> CardSource:
    if sim_profile is not None:
        return SimSource(sim_profile, trust_paths, sim_faults)
    return PcscSource(trust_paths)


class CardMonitor:
    """Polls ``source.readers()`` every ``interval_s`` and calls ``on_event`` with each change.

    Events: ``{"type": "card", "reader": name, "present": bool}`` for insertions and removals,
    ``{"type": "readers", "readers": [...]}`` when the set of readers changes, and
    ``{"type": "readers", "readers": [], "error": text}`` once when pcscd becomes unreachable.
    """

    def __init__(self, source: CardSource, on_event: Callable[[dict[str, Any]], None], interval_s: float) -> None:
        self.source = source
        self.on_event = on_event
        self.interval_s = interval_s
        self.state: dict[str, bool] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: str | None = None

    def start(self) -> None:
        self.state = self._poll() or {}
        self._thread = threading.Thread(target=self._run, name="chipid-card-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _poll(self) -> dict[str, bool] | None:
        try:
            states = self.source.readers()
        except ChipIDError as err:
            if self._error is None:
                self._error = str(err)
                _LOG.warning("card monitor: %s", type(err).__name__)
                self.on_event({"type": "readers", "readers": [], "error": str(err)})
            return None
        self._error = None
        return states

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            states = self._poll()
            if states is None:
                continue
            old, self.state = self.state, states
            if set(old) != set(states):
                self.on_event({"type": "readers", "readers": [{"name": n, "card_present": p}
                                                             for n, p in states.items()]})
            for name, present in states.items():
                if old.get(name, False) != present:
                    self.on_event({"type": "card", "reader": name, "present": present})
