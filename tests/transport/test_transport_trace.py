"""TracingTransport: hex log, redaction of secrets by default, counters."""

from __future__ import annotations

import logging

import pytest

from chipid.errors import CardRemovedError
from chipid.transport import TracingTransport, Transport

H = bytes.fromhex


class _Canned:
    atr = b"\x3b\x80"

    def __init__(self, answers: dict[bytes, bytes]) -> None:
        self.answers = answers
        self.closed = False

    def transmit(self, apdu: bytes) -> bytes:
        if apdu not in self.answers:
            raise CardRemovedError("gone", hresult=0x80100069)
        return self.answers[apdu]

    def close(self) -> None:
        self.closed = True


CHALLENGE = H("0084000008")
MUTUAL = H("0082000028" + "11" * 40 + "28")
SELECT = H("00A4020C02011E")
READ = H("00B0000004")
ANSWERS = {
    CHALLENGE: H("4608F919887022129000"),
    MUTUAL: H("22" * 40 + "9000"),
    SELECT: H("9000"),
    READ: H("60145F019000"),
}


def _ticks() -> object:
    t = iter(x * 0.001 for x in range(1000))
    return lambda: next(t)


def test_redacts_secrets_by_default() -> None:
    lines: list[str] = []
    t = TracingTransport(_Canned(ANSWERS), lines.append, clock=_ticks())  # type: ignore[arg-type]
    assert isinstance(t, Transport) and t.atr == b"\x3b\x80"
    for apdu in (CHALLENGE, MUTUAL, SELECT, READ):
        t.transmit(apdu)
    text = "\n".join(lines)
    assert "4608F91988702212" not in text and "[8 bytes redacted] 9000" in text
    assert "11" * 40 not in text and "22" * 40 not in text and "[40 bytes redacted]" in text
    assert "> 00 A4 020C 02 011E" in text and "< 60145F01 9000 (1.00 ms)" in text
    assert t.stats.apdus == 4 and t.stats.errors == 0
    assert t.stats.bytes_out == sum(map(len, (CHALLENGE, MUTUAL, SELECT, READ)))
    assert t.stats.bytes_in == sum(len(ANSWERS[a]) for a in (CHALLENGE, MUTUAL, SELECT, READ))
    assert t.stats.seconds == pytest.approx(0.004)


def test_show_secrets_and_secret_blocks() -> None:
    lines: list[str] = []
    t = TracingTransport(_Canned(ANSWERS), lines.append, show_secrets=True)
    t.transmit(CHALLENGE)
    assert "4608F91988702212" in lines[-1]
    lines.clear()
    t.show_secrets = False
    with t.secret():
        t.transmit(READ)
    t.transmit(READ)
    assert "[4 bytes redacted] 9000" in lines[1] and "60145F01" in lines[3]


def test_logger_errors_and_close(caplog: pytest.LogCaptureFixture) -> None:
    inner = _Canned(ANSWERS)
    t = TracingTransport(inner, logging.getLogger("chipid.test.trace"))
    with caplog.at_level(logging.DEBUG, logger="chipid.test.trace"):
        t.transmit(SELECT)
        with pytest.raises(CardRemovedError):
            t.transmit(H("00B0000000"))
    assert any("CardRemovedError" in r.getMessage() for r in caplog.records)
    assert t.stats.errors == 1 and t.stats.apdus == 2
    with t:
        pass
    assert inner.closed


@pytest.mark.parametrize("raw", ["00", "00A4", "00B0000000FFFF", "0082000003AABBCCDDEE"])
def test_odd_apdus_are_logged_without_crashing(raw: str) -> None:
    lines: list[str] = []
    t = TracingTransport(_Canned({H(raw): H("6700")}), lines.append)
    assert t.transmit(H(raw)) == H("6700")
    assert lines[0].startswith(">")


def test_extended_length_hint_passes_through() -> None:
    inner = _Canned(ANSWERS)
    assert TracingTransport(inner, print).extended_length is None
    inner.extended_length = True  # type: ignore[attr-defined]
    assert TracingTransport(inner, print).extended_length is True
