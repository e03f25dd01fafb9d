"""Test doubles for the access tests: a scripted card and a replayable RNG."""

from __future__ import annotations

from collections.abc import Iterable


class ScriptedCard:
    """A Transport that checks each command byte for byte and answers a recorded response."""

    def __init__(self, script: Iterable[tuple[bytes | None, bytes]], atr: bytes = b"\x3b\x80") -> None:
        self.script = list(script)
        self.sent: list[bytes] = []
        self._atr = atr

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(bytes(apdu))
        assert self.script, f"unexpected extra command {apdu.hex().upper()}"
        expected, response = self.script.pop(0)
        if expected is not None:
            assert apdu.hex().upper() == expected.hex().upper(), f"command #{len(self.sent)} differs"
        return response

    def close(self) -> None:
        pass

    @property
    def done(self) -> bool:
        return not self.script


class ListRNG:
    """An rng(n) that returns recorded values in order (each must have the asked length)."""

    def __init__(self, *values: bytes) -> None:
        self.values = list(values)

    def __call__(self, n: int) -> bytes:
        value = self.values.pop(0)
        assert len(value) == n, f"rng asked {n} bytes, recorded value has {len(value)}"
        return value


def h(text: str) -> bytes:
    return bytes.fromhex(text)
