"""DocumentReader against chips that misbehave: only typed chipid errors or a report, never another exception."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipid.errors import ChipIDError
from chipid.reader import DocumentReader
from chipid.report import Verdict
from chipid.sim import SimTransport, VirtualChip
from chipid.sim.personalize import default_profile


class _GarbageChip:
    """Answers each APDU with bytes drawn from a seeded generator (sometimes a plausible status word)."""

    atr = bytes.fromhex("3B8880010000000000000000")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.count += 1
        if self.count > 5000:
            raise AssertionError("reader kept sending APDUs to a garbage chip (no progress guard)")
        choice = self.rng.random()
        if choice < 0.3:
            return self.rng.choice([b"\x90\x00", b"\x6a\x82", b"\x69\x82", b"\x63\x00", b"\x67\x00", b"\x62\x82"])
        body = bytes(self.rng.getrandbits(8) for _ in range(self.rng.randrange(0, 300)))
        return body + self.rng.choice([b"\x90\x00", b"\x61\x10", b"\x6c\x05", bytes([self.rng.getrandbits(8)] * 2)])

    def close(self) -> None:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_reader_on_a_garbage_chip_raises_only_typed_errors(seed: int) -> None:
    profile = default_profile()
    try:
        result = DocumentReader(_GarbageChip(seed), profile.can_key(), trust=profile.trust_store()).read()
    except ChipIDError:
        return
    assert result.report.verdict is not Verdict.GENUINE


class _Flipper:
    """The genuine virtual chip, but one response byte of APDU number ``at`` is flipped on the way back."""

    def __init__(self, at: int, bit: int) -> None:
        self.inner = SimTransport(VirtualChip(default_profile()))
        self.at, self.bit, self.count = at, bit, 0
        self.atr = self.inner.atr

    def transmit(self, apdu: bytes) -> bytes:
        self.count += 1
        answer = self.inner.transmit(apdu)
        if self.count == self.at and answer:
            pos = self.bit // 8 % len(answer)
            answer = answer[:pos] + bytes([answer[pos] ^ (1 << (self.bit % 8))]) + answer[pos + 1 :]
        return answer

    def close(self) -> None:
        self.inner.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 40), st.integers(0, 8 * 300))
def test_a_flipped_bit_in_any_answer_is_never_genuine_silently(at: int, bit: int) -> None:
    """A bit flipped in any response: a typed error, or a report. Flips in plain answers before access control
    (EF.CardAccess, SELECT) may still give GENUINE only if nothing authenticated was changed; the verdict is then
    checked against the untouched card's."""
    profile = default_profile()
    try:
        result = DocumentReader(_Flipper(at, bit), profile.can_key(), trust=profile.trust_store()).read()
    except ChipIDError:
        return
    if result.report.verdict is Verdict.GENUINE:
        genuine = {k: v for k, v in default_profile().files.items() if k.startswith("DG") or k == "EF.SOD"}
        for name, data in result.document.raw.items():
            if name in genuine:
                assert data == genuine[name], f"{name} differs from the card's but the verdict is GENUINE"
