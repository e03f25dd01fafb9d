"""SM round trips against an independent chip side (tests/sm/sm_chip_side.py), tolerances, tampering."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ChipFileNotFoundError, SecureMessagingError
from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.sm.channel import SecureChannel, SMKeys, protect_command, unprotect_response
from tests.sm.sm_chip_side import chip_unwrap, chip_wrap


# --------------------------------------------------------------------------- fixtures
def _keys(cipher: str, size: int = 16, seed: int = 1) -> SMKeys:
    return SMKeys(
        cipher, bytes((seed + i) % 256 for i in range(size)), bytes((seed * 7 + i) % 256 for i in range(size))
    )


KEYSETS = [_keys("3DES"), _keys("AES", 16), _keys("AES", 24), _keys("AES", 32)]
KEY_IDS = ["3DES", "AES-128", "AES-192", "AES-256"]


class ChipTransport:
    """Minimal card behind SM: unwraps with the chip code and answers a canned response."""

    atr = b""

    def __init__(self, keys: SMKeys, ssc: int, reply: bytes = b"", sw: int = 0x9000) -> None:
        self.keys, self.ssc, self.reply, self.sw = keys, ssc, reply, sw
        self.seen: list[tuple[int, int, int, int, bytes, int | None]] = []
        self.raw_reply: bytes | None = None

    def transmit(self, apdu: bytes) -> bytes:
        self.ssc += 1
        self.seen.append(chip_unwrap(self.keys, self.ssc, apdu))
        self.ssc += 1
        if self.raw_reply is not None:
            return self.raw_reply
        return chip_wrap(self.keys, self.ssc, self.reply, self.sw)

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- round trips
@settings(max_examples=40, deadline=None)
@given(
    keyset=st.sampled_from(range(4)),
    ins=st.sampled_from([0xA4, 0xB0, 0xB1, 0x82, 0x88, 0x86]),
    data=st.binary(max_size=300),
    ne=st.one_of(st.none(), st.integers(1, 65536)),
    ssc=st.integers(0, 2**32),
    reply=st.binary(max_size=300),
    sw=st.sampled_from([0x9000, 0x6282, 0x6A82]),
)
def test_sm_roundtrip_against_chip(
    keyset: int, ins: int, data: bytes, ne: int | None, ssc: int, reply: bytes, sw: int
) -> None:
    keys = KEYSETS[keyset]
    cmd = CommandAPDU(0x00, ins, 0x01, 0x02, data, ne)
    assert chip_unwrap(keys, ssc, protect_command(keys, ssc, cmd)) == (0, ins, 1, 2, data, ne)
    wrapped = chip_wrap(keys, ssc + 1, reply, sw, odd=bool(ins & 1))
    assert unprotect_response(keys, ssc + 1, wrapped) == reply + sw.to_bytes(2, "big")


@pytest.mark.parametrize("keys", KEYSETS, ids=KEY_IDS)
def test_channel_roundtrip(keys: SMKeys) -> None:
    chip = ChipTransport(keys, 41, reply=bytes(range(223)))
    channel = SecureChannel(chip, keys, 41)
    resp = ResponseAPDU.from_bytes(channel.transmit(bytes.fromhex("00B08000DF")))
    assert resp.data == bytes(range(223)) and resp.sw == 0x9000
    assert chip.seen == [(0, 0xB0, 0x80, 0, b"", 223)]
    assert channel.ssc == 43 == chip.ssc


@pytest.mark.parametrize("keys", KEYSETS, ids=KEY_IDS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_single_bit_flip_in_response_is_rejected(keys: SMKeys, data: st.DataObject) -> None:
    reply = data.draw(st.binary(min_size=0, max_size=64))
    wrapped = bytearray(chip_wrap(keys, 5, reply, 0x9000))
    pos = data.draw(st.integers(0, len(wrapped) - 3))  # any bit of the data objects
    wrapped[pos] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(SecureMessagingError):
        unprotect_response(keys, 5, bytes(wrapped))


# --------------------------------------------------------------------------- tolerances
K3 = KEYSETS[0]
KA = KEYSETS[1]


@pytest.mark.parametrize("sw", ["6A82", "6982", "6700", "6300"])
def test_plain_error_sw_is_accepted(sw: str) -> None:
    """Tolerance 1: an error SW answered in plain comes back as that SW."""
    assert unprotect_response(K3, 3, bytes.fromhex(sw)) == bytes.fromhex(sw)


@pytest.mark.parametrize("sw", ["9000", "6100", "6110"])
def test_plain_success_sw_is_refused(sw: str) -> None:
    with pytest.raises(SecureMessagingError):
        unprotect_response(K3, 3, bytes.fromhex(sw))


def test_plain_error_through_channel_raises_typed_error() -> None:
    chip = ChipTransport(KA, 0)
    chip.raw_reply = bytes.fromhex("6A82")
    channel = SecureChannel(chip, KA, 0)
    with pytest.raises(ChipFileNotFoundError):
        ResponseAPDU.from_bytes(channel.transmit(bytes.fromhex("00A4020C02011E"))).check(0xA4)


@pytest.mark.parametrize("keys", [K3, KA], ids=["3DES", "AES"])
def test_missing_do99_uses_outer_sw_when_mac_covers(keys: SMKeys) -> None:
    """Tolerance 2: no DO'99', MAC valid over DO'87': data + outer SW."""
    wrapped = chip_wrap(keys, 9, b"hello", 0x9000, do99=False)
    assert unprotect_response(keys, 9, wrapped) == b"hello\x90\x00"
    tampered = wrapped[:-2] + b"\x62\x82"  # outer SW is not MACed: that is why DO'99' exists
    assert unprotect_response(keys, 9, tampered) == b"hello\x62\x82"
    with pytest.raises(SecureMessagingError):
        unprotect_response(keys, 10, wrapped)


@pytest.mark.parametrize("keys", [K3, KA], ids=["3DES", "AES"])
def test_missing_do8e_is_refused(keys: SMKeys) -> None:
    """Tolerance 3: DO'87'/DO'99' without DO'8E'."""
    wrapped = chip_wrap(keys, 9, b"data", 0x9000)
    no_mac = wrapped[:-12] + wrapped[-2:]
    with pytest.raises(SecureMessagingError, match="8E"):
        unprotect_response(keys, 9, no_mac)
    with pytest.raises(SecureMessagingError):
        unprotect_response(keys, 9, bytes.fromhex("990290009000"))


def test_wrong_mac_and_wrong_ssc() -> None:
    wrapped = bytearray(chip_wrap(KA, 7, b"abc", 0x9000))
    with pytest.raises(SecureMessagingError, match="MAC"):
        unprotect_response(KA, 8, bytes(wrapped))
    wrapped[-3] ^= 0xFF  # last MAC byte
    with pytest.raises(SecureMessagingError, match="MAC"):
        unprotect_response(KA, 7, bytes(wrapped))


def test_unexpected_and_misordered_objects() -> None:
    good = chip_wrap(K3, 1, b"", 0x9000)
    with pytest.raises(SecureMessagingError):
        unprotect_response(K3, 1, bytes.fromhex("5301AA") + good)
    swapped = bytes.fromhex("99029000") + bytes.fromhex("99029000") + good[4:]
    with pytest.raises(SecureMessagingError):
        unprotect_response(K3, 1, swapped)


@pytest.mark.parametrize("raw", ["", "90", "879000", "8E089000", "870901000000000000000099029000"])
def test_garbage_responses(raw: str) -> None:
    with pytest.raises(SecureMessagingError):
        unprotect_response(K3, 1, bytes.fromhex(raw))


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=3, max_size=80))
def test_random_bytes_never_pass(raw: bytes) -> None:
    with pytest.raises(SecureMessagingError):
        unprotect_response(KA, 1, raw)


def test_channel_closes_after_sm_error_and_rekey() -> None:
    chip = ChipTransport(K3, 0)
    channel = SecureChannel(chip, K3, 0)
    chip.raw_reply = bytes.fromhex("990290008E0801020304050607089000")
    with pytest.raises(SecureMessagingError):
        channel.transmit(bytes.fromhex("00B0000004"))
    chip.raw_reply = None
    with pytest.raises(SecureMessagingError, match="closed"):
        channel.transmit(bytes.fromhex("00B0000004"))
    # after Chip Authentication: new keys, SSC restarts at 0 (ICAO 9303-11 §6.2)
    channel.rekey(KA)
    chip.keys, chip.ssc = KA, 0
    assert channel.transmit(bytes.fromhex("00B0000004")) == b"\x90\x00"
    assert channel.ssc == 2 and channel.keys is KA


def test_extended_length_protected_command() -> None:
    """A command with 300 bytes of data (or Ne > 256) gives an extended protected APDU."""
    cmd = CommandAPDU(0x00, 0x2A, 0x00, 0xBE, os.urandom(300))
    raw = protect_command(KA, 1, cmd)
    assert raw[4] == 0 and raw[-2:] == b"\x00\x00"
    assert chip_unwrap(KA, 1, raw)[4] == cmd.data
    raw = protect_command(KA, 1, CommandAPDU(0, 0xB0, 0, 0, ne=1024))
    assert bytes.fromhex("97020400") in raw and raw[-2:] == b"\x00\x00"
    short = protect_command(KA, 1, CommandAPDU(0, 0xB0, 0, 0, ne=256))
    assert bytes.fromhex("970100") in short and short[-1:] == b"\x00" and short[4] != 0


def test_keys_validation_and_repr_hides_secrets() -> None:
    with pytest.raises(SecureMessagingError):
        SMKeys("DES", bytes(16), bytes(16))
    with pytest.raises(SecureMessagingError):
        SMKeys("AES", bytes(15), bytes(16))
    with pytest.raises(SecureMessagingError):
        SMKeys("3DES", bytes(32), bytes(16))
    keys = SMKeys("AES", b"\x11" * 16, b"\x22" * 16)
    assert "11" not in repr(keys) and "22" not in repr(keys)
    with pytest.raises(SecureMessagingError):
        protect_command(keys, 1, CommandAPDU(0x0C, 0xB0, 0, 0, ne=4))
    with pytest.raises(SecureMessagingError):
        protect_command(K3, 2**64, CommandAPDU(0x00, 0xB0, 0, 0, ne=4))


def test_extended_length_hint_is_inherited() -> None:
    chip = ChipTransport(K3, 0)
    assert SecureChannel(chip, K3, 0).extended_length is None
    chip.extended_length = False  # type: ignore[attr-defined]
    assert SecureChannel(chip, K3, 0).extended_length is False
    assert SecureChannel(chip, K3, 0, extended_length=True).extended_length is True


@pytest.mark.parametrize("sw", ["6282", "6283", "6310", "6281", "6200", "9001", "0000", "9F10"])
def test_plain_warning_or_unknown_sw_is_refused(sw: str) -> None:
    """Issue 10 point 1: under SM a plain warning (or any non-error status) is not MAC-verified: refused."""
    with pytest.raises(SecureMessagingError, match="not MAC-verified"):
        unprotect_response(K3, 3, bytes.fromhex(sw))


@pytest.mark.parametrize("keys", [K3, KA], ids=["3DES", "AES"])
@pytest.mark.parametrize("sw", ["6282", "6283", "6310"])
def test_plain_warning_through_the_channel_closes_it(keys: SMKeys, sw: str) -> None:
    """Every caller of the channel gets the refusal (not only Chip Authentication), and the channel closes."""
    chip = ChipTransport(keys, 0)
    chip.raw_reply = bytes.fromhex(sw)
    channel = SecureChannel(chip, keys, 0)
    with pytest.raises(SecureMessagingError, match="not MAC-verified"):
        channel.transmit(bytes.fromhex("00B0000004"))
    chip.raw_reply = None
    with pytest.raises(SecureMessagingError, match="closed"):
        channel.transmit(bytes.fromhex("00B0000004"))


@pytest.mark.parametrize("sw", ["63C1", "6300", "6982", "6A82", "6988", "6F00"])
def test_plain_error_statuses_are_still_returned(sw: str) -> None:
    assert unprotect_response(KA, 5, bytes.fromhex(sw)) == bytes.fromhex(sw)
