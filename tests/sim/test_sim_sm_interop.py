"""Two independent SM implementations agree: the chip's (chipid.sim._sm) and the reader's (chipid.sm).

ICAO 9303-11 §9.8: whatever the reader protects, the chip unwraps to the same command; whatever
the chip protects, the reader unwraps to the same data and status word (3DES and AES).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.iso7816.apdu import CommandAPDU
from chipid.sim._apdu import parse_command
from chipid.sim._sm import SMSession
from chipid.sm.channel import SMKeys, protect_command, unprotect_response

KEYS = {
    "3DES": (bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5"), bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")),
    "AES": (bytes.fromhex("F5F0E35C0D7161EE6724EE513A0D9A7F"), bytes.fromhex("FE251C7858B356B24514B3BD5F4297D1")),
}

commands = st.builds(
    CommandAPDU,
    cla=st.just(0x00),
    ins=st.sampled_from([0xB0, 0xB1, 0xA4, 0x88, 0x22, 0x86]),
    p1=st.integers(0, 255),
    p2=st.integers(0, 255),
    data=st.binary(max_size=300),
    ne=st.one_of(st.none(), st.integers(1, 65536)),
)


@settings(max_examples=60, deadline=None)
@given(cipher=st.sampled_from(["3DES", "AES"]), ssc=st.integers(0, 2**63), apdu=commands)
def test_reader_protects_chip_unwraps(cipher: str, ssc: int, apdu: CommandAPDU) -> None:
    ks_enc, ks_mac = KEYS[cipher]
    protected = protect_command(SMKeys(cipher, ks_enc, ks_mac), ssc + 1, apdu)
    chip = SMSession(cipher, ks_enc, ks_mac, ssc)
    inner = chip.unwrap(parse_command(protected))
    assert (inner.ins, inner.p1, inner.p2, inner.data) == (apdu.ins, apdu.p1, apdu.p2, apdu.data)
    assert inner.ne == apdu.ne or (apdu.ne is None and inner.ne is None)
    assert chip.ssc == ssc + 1


@settings(max_examples=60, deadline=None)
@given(
    cipher=st.sampled_from(["3DES", "AES"]),
    ssc=st.integers(0, 2**63),
    data=st.binary(max_size=600),
    sw=st.sampled_from([0x9000, 0x6282, 0x6A82, 0x6982]),
    odd_ins=st.booleans(),
)
def test_chip_protects_reader_unwraps(cipher: str, ssc: int, data: bytes, sw: int, odd_ins: bool) -> None:
    ks_enc, ks_mac = KEYS[cipher]
    chip = SMSession(cipher, ks_enc, ks_mac, ssc)
    response = chip.wrap(data if sw in (0x9000, 0x6282) else b"", sw, odd_ins=odd_ins)  # DO'85' when odd
    plain = unprotect_response(SMKeys(cipher, ks_enc, ks_mac), ssc + 1, response)
    assert plain == (data if sw in (0x9000, 0x6282) else b"") + sw.to_bytes(2, "big")
