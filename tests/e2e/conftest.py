"""End-to-end fixtures: the virtual CCCD behind the real pcscd + vpcd stack, seen through pyscard.

- ``vpcd_reader``: the name of the vpcd reader. Skips (with the reason) when pcscd or the
  "Virtual PCD 00 00" reader is absent, but FAILS when ``CHIPID_PCSCD=1`` is set (CI: tests/run.sh
  started pcscd, so a missing reader is a bug). Presence is checked through PC/SC only, never by
  connecting to TCP 35963 (vpcd would take such a connection for a card).
- ``virtual_card``: a factory ``virtual_card(profile=None, faults=None) -> VpcdBridge`` that starts a
  bridge and waits (polling PC/SC every 0.3 s) until pcscd reports the card; every bridge it made
  is stopped afterwards and the reader is seen empty again before the next test.
- ``served_sim(*args)``: the same card served by another process, ``chipid sim serve ARGS``, as the
  command-line tests use it; stopped with Ctrl-C, its output kept for the test to check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from chipid.sim import Faults, VirtualChip
from chipid.sim.personalize import default_profile
from chipid.sim.profile import CardProfile
from chipid.sim.vpcd import DEFAULT_PORT, VpcdBridge
from tests.conftest import ROOT

READER = "Virtual PCD 00 00"
"""The vpcd reader served on TCP 35963."""
POLL_S = 0.3


def pcsc_reader_names() -> list[str] | None:
    """Reader names from pcscd, or None when pyscard or pcscd is not available."""
    try:
        from smartcard.System import readers
    except ImportError:
        return None
    try:
        return [str(r) for r in readers()]
    except Exception:  # pcscd not running: pyscard raises its own error types
        return None


def require_vpcd_reader() -> str:
    """The vpcd reader name; skip (locally) or fail (``CHIPID_PCSCD=1``) when it is missing."""
    names = pcsc_reader_names()
    if names is None:
        reason = "pcscd is not reachable through PC/SC (start it with `pcscd -f &`)"
    elif READER not in names:
        reason = f"the vpcd reader {READER!r} is not listed by pcscd (readers: {names}); install vsmartcard-vpcd"
    else:
        return READER
    if os.environ.get("CHIPID_PCSCD") == "1":
        pytest.fail(f"CHIPID_PCSCD=1 but {reason}")
    pytest.skip(reason)


def card_present(reader: str = READER) -> bool:
    """True when pcscd reports a card in ``reader``.

    Asks SCardGetStatusChange for the reader state instead of connecting: a connect powers the
    card, and a power-on that reaches vpcd before pcscd noticed a removal leaves vpcd unable to
    accept the card again.
    """
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    try:
        hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if hresult != scard.SCARD_S_SUCCESS or not states:
            return False
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


def wait_card(present: bool, *, reader: str = READER, timeout: float = 10.0) -> None:
    """Poll PC/SC until the card is (or is no longer) in the reader; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while card_present(reader) != present:
        if time.monotonic() > deadline:
            pytest.fail(f"card {'never appeared in' if present else 'never left'} {reader!r} after {timeout} s")
        time.sleep(POLL_S)


def start_card(profile: CardProfile | None = None, faults: Faults | None = None) -> VpcdBridge:
    """Start a bridge with ``profile`` (default: the demo card) and wait until pcscd sees the card.

    Fails when another card already sits in the reader (vpcd serves one card at a time) or when
    vpcd never talks to this bridge.
    """
    if card_present():
        wait_card(False, timeout=5.0)  # a card left by someone else must go first
    bridge = VpcdBridge(VirtualChip(profile or default_profile(), faults=faults), port=DEFAULT_PORT).start()
    deadline = time.monotonic() + 10.0
    while bridge.messages == 0:  # vpcd polls presence with GET ATR once it accepted us
        if time.monotonic() > deadline:
            bridge.stop()
            pytest.fail("vpcd accepted no connection from the bridge within 10 s")
        time.sleep(0.05)
    wait_card(True)
    return bridge


def stop_card(bridge: VpcdBridge) -> None:
    """Stop a bridge and wait until pcscd sees the reader empty."""
    bridge.stop()
    wait_card(False)


@pytest.fixture(scope="session")
def vpcd_reader() -> str:
    return require_vpcd_reader()


@pytest.fixture
def virtual_card(vpcd_reader: str) -> Iterator[Callable[..., VpcdBridge]]:
    bridges: list[VpcdBridge] = []

    def factory(profile: CardProfile | None = None, faults: Faults | None = None) -> VpcdBridge:
        bridge = start_card(profile, faults)
        bridges.append(bridge)
        return bridge

    yield factory
    for bridge in bridges:
        stop_card(bridge)


@dataclass
class Served:
    """A ``chipid sim serve`` process; ``returncode``, ``out`` and ``err`` are set once it is stopped."""

    proc: subprocess.Popen[str]
    returncode: int | None = None
    out: str = ""
    err: str = ""


@contextmanager
def served_sim(*args: str) -> Iterator[Served]:
    """``chipid sim serve ARGS`` in the background until the card is in the vpcd reader; on exit Ctrl-C, its
    output collected (killed after 20 s) and the reader seen empty.  Callers check ``returncode``."""
    if card_present():
        wait_card(False, timeout=5.0)
    proc = subprocess.Popen([sys.executable, "-m", "chipid", "--no-color", "sim", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    served = Served(proc)
    try:
        wait_card(True, timeout=20.0)
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            served.out, served.err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            served.out, served.err = proc.communicate()
        served.returncode = proc.returncode
        wait_card(False)
