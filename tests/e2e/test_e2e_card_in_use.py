"""Issue 10 point 9: a second program on the same reader, through the real pcscd + vpcd stack.

Two processes: this test (the reader, with chipid's PCSCTransport) and a helper process (the "other
application", plain pyscard). Whoever holds the card, the other gets "card in use" -- never a verdict, and the
read that holds the card is not disturbed (its secure-messaging session cannot be broken by plain APDUs).
Run with ``flock /tmp/chipid-pcscd.lock`` and ``CHIPID_PCSCD=1``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

from chipid.errors import CardInUseError
from chipid.reader import DocumentReader
from chipid.report import Verdict
from chipid.sim.personalize import default_profile
from chipid.sim.vpcd import VpcdBridge
from chipid.transport.pcsc import PCSCTransport
from tests.e2e.conftest import READER

pytestmark = pytest.mark.pcscd

_OTHER_APP = textwrap.dedent(
    """
    import sys, time
    from smartcard.System import readers
    from smartcard.scard import SCARD_SHARE_EXCLUSIVE, SCARD_SHARE_SHARED
    mode, hold = sys.argv[1], float(sys.argv[2])
    reader = next(r for r in readers() if str(r) == {reader!r})
    conn = reader.createConnection()
    try:
        conn.connect(mode=SCARD_SHARE_EXCLUSIVE if mode == "exclusive" else SCARD_SHARE_SHARED)
    except Exception as err:
        print("REFUSED", hex(getattr(err, "hresult", 0) & 0xFFFFFFFF), flush=True)
        sys.exit(0)
    # a plain SELECT MF: under a shared connection this would abort the other reader's SM session
    data, sw1, sw2 = conn.transmit([0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00])
    print("CONNECTED", f"{{sw1:02X}}{{sw2:02X}}", flush=True)
    time.sleep(hold)
    conn.disconnect()
    print("RELEASED", flush=True)
    """
).format(reader=READER)


def _other_app(mode: str, hold: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _OTHER_APP, mode, str(hold)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _read(transport: PCSCTransport) -> Verdict:
    profile = default_profile()
    return DocumentReader(transport, profile.can_key(), trust=profile.trust_store()).read().report.verdict


def test_second_program_holding_the_card_gives_card_in_use(virtual_card: Callable[..., VpcdBridge]) -> None:
    """The other application holds the card (exclusively, or shared with a plain APDU sent): chipid's open
    retries once and raises CardInUseError; once it is gone the same card reads GENUINE."""
    virtual_card()
    other = _other_app("shared", 8.0)
    try:
        assert other.stdout is not None
        line = other.stdout.readline().split()
        assert line and line[0] == "CONNECTED", (line, other.stderr.read() if other.stderr else "")
        with pytest.raises(CardInUseError, match="in use by another application"):
            PCSCTransport.open(READER, in_use_retry=0.3)
    finally:
        other.kill()
        other.wait(10)
    with PCSCTransport.open(READER, wait=5) as transport:
        assert _read(transport) is Verdict.GENUINE


def test_second_program_during_a_read_is_refused_and_the_read_stays_genuine(
    virtual_card: Callable[..., VpcdBridge],
) -> None:
    """In the middle of the read (secure messaging on, DG2 half read), another program tries the card: it
    would send a plain SELECT and so break the SM session (DG14/DG15 then refused: "a clone hiding its
    key?"). chipid holds the card exclusively, so it is refused with a sharing violation and the read stays
    GENUINE."""
    virtual_card()
    outcomes: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        if name == "DG2" and not outcomes:
            out, err = _other_app("shared", 0.0).communicate(timeout=30)
            outcomes.append(out.strip() or err.strip())

    profile = default_profile()
    with PCSCTransport.open(READER, wait=5) as transport:
        result = DocumentReader(transport, profile.can_key(), trust=profile.trust_store(), progress=progress).read()
    assert outcomes and outcomes[0].split()[:2] == ["REFUSED", "0x8010000b"], outcomes
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_shared_mode_session_lost_to_another_program_is_retried_never_a_verdict(
    virtual_card: Callable[..., VpcdBridge],
) -> None:
    """Opened shared on purpose (``exclusive=False``): another program joining mid-read resets the card and
    breaks the SM session. That is CardInUseError ("card in use by another application; retry"), never
    NOT_GENUINE: the reader retries once (reconnect, new session, every file again) and, the other program
    being gone, the card is GENUINE."""
    virtual_card()
    joined: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        if name == "DG2" and not joined:
            out, err = _other_app("shared", 0.0).communicate(timeout=30)
            joined.append(out.strip() or err.strip())

    profile = default_profile()
    with PCSCTransport.open(READER, wait=5, exclusive=False) as transport:
        reader = DocumentReader(transport, profile.can_key(), trust=profile.trust_store(), progress=progress)
        reader.in_use_retry = 0.2
        result = reader.read()
    assert joined and joined[0].startswith("CONNECTED"), joined
    assert result.steps[0].name == "retry", result.steps
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
