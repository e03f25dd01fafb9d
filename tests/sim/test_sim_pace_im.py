"""PACE Integrated Mapping beyond AES-128 on the virtual chip (ICAO 9303-11 §4.4.3.3.2, §9.2.1).

The reader side (chipid.access.establish, chipid.reader.DocumentReader) runs every
id-PACE-(EC)DH-IM suite (3DES, AES-128/192/256) against cards issued with that one suite.
"""

from __future__ import annotations

from functools import cache

import pytest
from asn1crypto import core
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access import CANKey, MRZKey, establish
from chipid.access.pace_crypto import pace_algorithm
from chipid.access.pace_domain import domain_parameters
from chipid.access.pace_im import pseudo_random as reader_pseudo_random
from chipid.errors import BACError, PACEError
from chipid.iso7816.binary import read_ef
from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.reader import DocumentReader
from chipid.report import Verdict
from chipid.sim import CardProfile, SimTransport, VirtualChip
from chipid.sim._pace import PaceFailure, PaceSession, pseudo_random
from chipid.sim.personalize import IM_PACE_SUITES, issue_card

SUITE_IDS = [f"{'ECDH' if oid.split('.')[-2] == '4' else 'DH'}-IM-{oid[-1]}" for oid, _ in IM_PACE_SUITES]


@cache
def im_card(suite: tuple[str, int]) -> CardProfile:
    """A card advertising only ``suite`` in EF.CardAccess (no AA, to keep the runs short)."""
    return issue_card("im-suites", aa=None, pace_suites=(suite,))


@pytest.mark.parametrize("suite", IM_PACE_SUITES, ids=SUITE_IDS)
@pytest.mark.parametrize("kind", ["MRZ", "CAN"])
def test_every_im_suite_establishes(suite: tuple[str, int], kind: str) -> None:
    """§4.4.3.3.2: the reader's IM and the chip's agree for each cipher; SM then reads EF.COM."""
    profile = im_card(suite)
    chip = VirtualChip(profile)
    key = profile.mrz_key() if kind == "MRZ" else profile.can_key()
    result = establish(SimTransport(chip), key)
    assert result.protocol == "PACE"
    assert result.pace_info is not None and result.pace_info.protocol == suite[0]
    assert chip.authenticated == "PACE"
    select_app = bytes.fromhex("00A4040C07A0000002471001")
    assert result.channel.transmit(select_app)[-2:] == b"\x90\x00"
    assert read_ef(result.channel, fid=0x011E) == profile.files["EF.COM"]


@pytest.mark.parametrize("suite", IM_PACE_SUITES[::3], ids=SUITE_IDS[::3])
def test_wrong_passwords_are_refused(suite: tuple[str, int]) -> None:
    """A wrong CAN fails PACE (the chip refuses T_IFD with 6300); a wrong MRZ fails PACE and BAC."""
    profile = im_card(suite)
    chip = VirtualChip(profile)
    wrong_can = "000000" if profile.can != "000000" else "111111"
    with pytest.raises(PACEError):
        establish(SimTransport(chip), CANKey(wrong_can))
    assert chip.authenticated is None
    with pytest.raises(BACError):
        establish(SimTransport(chip), MRZKey("X00000000", profile.date_of_birth, profile.date_of_expiry))
    assert chip.authenticated is None


def test_reader_reads_an_aes256_ecdh_im_card_as_genuine() -> None:
    """The whole read (PACE-IM AES-256, PA, CA) over the sim."""
    profile = im_card(IM_PACE_SUITES[3])
    result = DocumentReader(SimTransport(VirtualChip(profile)), profile.can_key(), trust=profile.trust_store()).read()
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


@pytest.mark.parametrize(("suite", "nonce_len"), list(zip(IM_PACE_SUITES, [16, 16, 32, 32] * 2, strict=True)))
def test_nonce_and_t_lengths(suite: tuple[str, int], nonce_len: int) -> None:
    """§4.4.3.3.2: s has l = 128 bits (3DES, AES-128) or 256 bits (AES-192/256); t has the key size."""
    oid, parameter_id = suite
    session = PaceSession(oid, domain_parameters(parameter_id), b"123456", lambda n: bytes([7]) * n)
    first = dict(iter_tlv(dict(iter_tlv(session.step(encode_tlv(0x7C, b""))))[0x7C]))
    assert len(first[0x80]) == nonce_len
    key_len = pace_algorithm(oid).key_bits // 8 if not oid.endswith(".1") else 16
    with pytest.raises(PaceFailure) as err:
        session.step(encode_tlv(0x7C, encode_tlv(0x81, bytes(key_len + 1))))
    assert err.value.sw == 0x6A80


@settings(max_examples=20, deadline=None)
@given(
    suite=st.sampled_from(IM_PACE_SUITES),
    s=st.binary(min_size=32, max_size=32),
    t=st.binary(min_size=32, max_size=32),
)
def test_pseudo_random_agrees_with_the_reader(suite: tuple[str, int], s: bytes, t: bytes) -> None:
    """R_p(s, t) of the chip equals the reader's independent implementation for every cipher."""
    oid, parameter_id = suite
    algorithm = pace_algorithm(oid)
    key_len = 16 if algorithm.cipher == "3DES" else algorithm.key_bits // 8
    nonce = s[: 16 if key_len == 16 else 32]
    p = domain_parameters(parameter_id).p
    chip_value = pseudo_random(nonce, t[:key_len], p, cipher=algorithm.cipher)
    assert chip_value == reader_pseudo_random(nonce, t[:key_len], algorithm, p)
    assert 0 <= chip_value < p


def test_pseudo_random_depends_on_the_cipher() -> None:
    """3DES and AES-128 share c0, c1 but not E: the same (s, t) maps differently."""
    p = domain_parameters(13).p
    s, t = bytes(range(16)), bytes(range(16, 32))
    assert pseudo_random(s, t, p, cipher="3DES") != pseudo_random(s, t, p, cipher="AES")


def _plain_ga(chip: VirtualChip, tag: int, value: bytes) -> int:
    body = encode_tlv(0x7C, encode_tlv(tag, value) if tag else b"")
    apdu = bytes.fromhex("10860000") + (
        bytes([len(body)]) + body + b"\x00" if len(body) < 256 else b"\x00" + len(body).to_bytes(2, "big") + body
    )
    return int.from_bytes(chip.process(apdu)[-2:], "big")


@settings(max_examples=30, deadline=None)
@given(suite=st.sampled_from(IM_PACE_SUITES), t=st.binary(max_size=40), pk=st.binary(max_size=300))
def test_garbage_mapping_and_keys_get_status_words(suite: tuple[str, int], t: bytes, pk: bytes) -> None:
    """Any t or ephemeral key is answered with 9000, 6A80 or 6300: never 6F00 (an internal error)."""
    oid, parameter_id = suite
    chip = VirtualChip(im_card(suite))
    chip.power_on()
    set_at = encode_tlv(0x80, core.ObjectIdentifier(oid).contents) + bytes.fromhex("830102")
    set_at += encode_tlv(0x84, bytes([parameter_id]))
    assert chip.process(bytes.fromhex("0022C1A4") + bytes([len(set_at)]) + set_at)[-2:] == b"\x90\x00"
    assert _plain_ga(chip, 0, b"") == 0x9000
    sw = _plain_ga(chip, 0x81, t)
    assert sw in (0x9000, 0x6A80)
    assert (sw == 0x9000) == (len(t) == (16 if oid.endswith((".1", ".2")) else 24 if oid.endswith(".3") else 32))
    if sw == 0x9000:
        assert _plain_ga(chip, 0x83, pk) in (0x9000, 0x6A80)
