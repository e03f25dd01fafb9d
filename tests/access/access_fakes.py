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


class FileCard:
    """Serves SELECT MF / SELECT by FID / READ BINARY (short, even INS) from a dict of files."""

    def __init__(self, files: dict[int, bytes], *, select_mf_sw: bytes = b"\x90\x00") -> None:
        self.files, self.select_mf_sw = files, select_mf_sw
        self.current: bytes | None = None
        self.sent: list[bytes] = []
        self.atr = b"\x3b\x80"

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(bytes(apdu))
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if ins == 0xA4 and p1 == 0x00:
            return self.select_mf_sw
        if ins == 0xA4 and p1 == 0x02:
            fid = int.from_bytes(apdu[5:7], "big")
            if fid not in self.files:
                return b"\x6a\x82"
            self.current = self.files[fid]
            return b"\x90\x00"
        if ins == 0xB0 and self.current is not None and len(apdu) == 5:
            offset, le = (p1 << 8) | p2, apdu[4] or 256
            chunk = self.current[offset : offset + le]
            return chunk + (b"\x90\x00" if len(chunk) == le else b"\x62\x82")
        if ins == 0xB0:
            return b"\x67\x00"  # no extended length on this card
        return b"\x6d\x00"

    def close(self) -> None:
        pass
