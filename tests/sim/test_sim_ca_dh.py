"""Chip Authentication with DH keys on the virtual chip (ICAO 9303-11 §6.2, §9.2.4; BSI TR-03110-3 §A.1.1).

The reader side (chipid.reader.DocumentReader, chipid.auth.chip) runs against cards issued with
``ca_kind="dh"``: id-CA-DH-3DES-CBC-CBC (MSE:Set KAT) and id-CA-DH-AES-CBC-CMAC-128/192/256
(MSE:Set AT + GENERAL AUTHENTICATE).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.errors import UnsupportedError
from chipid.iso7816.tlv import encode_tlv
from chipid.lds.oids import ID_CA, ID_PACE, ID_PK
from chipid.lds.security_infos import parse_security_infos
from chipid.reader import DocumentReader
from chipid.report import CheckStatus, Verdict
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip
from chipid.sim._auth import ca_session, load_key
from chipid.sim._crypto import kdf
from chipid.sim._keys import DHPrivateKey
from chipid.sim.personalize import issue_card
from tests.sim._terminal import TermSM, term_pace

CIPHERS = {"3DES": "1", "AES-128": "2", "AES-192": "3", "AES-256": "4"}


@cache
def dh_card(cipher: str = "AES-128", parameter_id: int = 2) -> CardProfile:
    """A card whose DG14 holds a DH CA key (no AA, so CA alone decides genuineness)."""
    return issue_card("dh-ca", aa=None, ca_kind="dh", ca_cipher=cipher, ca_dh_parameter_id=parameter_id)  # type: ignore[arg-type]


def _group(parameter_id: int) -> DHGroup:
    group = domain_parameters(parameter_id)
    assert isinstance(group, DHGroup)
    return group


@pytest.mark.parametrize("parameter_id", [0, 2])
def test_dg14_carries_a_dhpublicnumber_key(parameter_id: int) -> None:
    """§9.2.4 / TR-03110-3 §A.1.1: id-PK-DH with an X9.42 SubjectPublicKeyInfo (p, g, q) and id-CA-DH-*."""
    infos = parse_security_infos(dh_card("AES-128", parameter_id).files["DG14"])
    (ca,) = infos.chip_authentication_infos
    (pk,) = infos.chip_authentication_public_key_infos
    assert ca.protocol == ID_CA + ".1.2"
    assert pk.protocol == ID_PK + ".1"
    spki = asn1_keys.PublicKeyInfo.load(pk.public_key)
    assert spki["algorithm"]["algorithm"].dotted == "1.2.840.10046.2.1"
    params = spki["algorithm"]["parameters"]
    group = _group(parameter_id)
    assert (params["p"].native, params["g"].native, params["q"].native) == (group.p, group.g, group.q)
    y = spki["public_key"].parsed.native
    assert 1 < y < group.p - 1 and pow(y, group.q, group.p) == 1


@pytest.mark.parametrize("cipher", list(CIPHERS))
@pytest.mark.parametrize("cloned", [False, True])
def test_reader_dh_chip_authentication(cipher: str, cloned: bool) -> None:
    """§6.2: a genuine DH card passes CA (new keys proven by a read); a clone fails and is NOT_GENUINE."""
    profile = dh_card(cipher)
    chip = VirtualChip(profile, faults=Faults(cloned=cloned))
    result = DocumentReader(SimTransport(chip), profile.can_key(), trust=profile.trust_store()).read()
    check = result.report.get("chip_authentication")
    assert check is not None
    assert check.details["protocol"] == f"{ID_CA}.1.{CIPHERS[cipher]}"
    if cloned:
        assert check.status is CheckStatus.FAILED, result.report.to_text()
        assert result.report.verdict is Verdict.NOT_GENUINE
    else:
        assert check.status is CheckStatus.PASSED, result.report.to_text()
        assert chip.authenticated == "CA"
        assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_reader_dh_ca_on_the_1024_bit_group() -> None:
    """The RFC 5114 1024-bit group (parameter id 0) works as well as the 2048-bit default."""
    profile = dh_card("AES-256", 0)
    result = DocumentReader(SimTransport(VirtualChip(profile)), profile.mrz_key(), trust=profile.trust_store()).read()
    check = result.report.get("chip_authentication")
    assert check is not None and check.status is CheckStatus.PASSED, result.report.to_text()


def test_cloned_dh_key_differs_but_keeps_the_group() -> None:
    profile = dh_card()
    assert profile.ca_private_key is not None
    genuine = VirtualChip(profile).ca_key
    clone = VirtualChip(profile, faults=Faults(cloned=True)).ca_key
    assert isinstance(genuine, DHPrivateKey) and isinstance(clone, DHPrivateKey)
    assert genuine.x != clone.x and genuine.y != clone.y
    assert (genuine.p, genuine.q, genuine.g) == (clone.p, clone.q, clone.g)
    assert clone.y == pow(clone.g, clone.x, clone.p)


def _pace(profile: CardProfile) -> tuple[VirtualChip, TermSM]:
    chip = VirtualChip(profile)
    chip.power_on()
    chip.process(bytes.fromhex("00A4040C07A0000002471001"))
    return chip, term_pace(chip.process, profile.can.encode(), "0.4.0.127.0.7.2.2.4.2.2", 13, 2)


def _bad_values() -> list[bytes]:
    group = _group(2)
    outside = next(h for h in range(2, 50) if pow(h, group.q, group.p) != 1)  # not in the order-q subgroup
    return [
        b"",
        group.encode(1),
        group.encode(group.p - 1),
        group.encode(outside),
        b"\x01" + group.encode(5),  # longer than p
    ]


@pytest.mark.parametrize("index", range(5))
def test_dh_ca_refuses_invalid_ephemeral_keys(index: int) -> None:
    """TR-03110-3 §A.2.3.1 checks on the terminal's DH key: range, length, subgroup (small-subgroup attack)."""
    chip, sm = _pace(dh_card())
    oid = bytes.fromhex("04007F00070202030102")  # id-CA-DH-AES-CBC-CMAC-128
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, encode_tlv(0x80, oid))))[1] == 0x9000
    body = encode_tlv(0x7C, encode_tlv(0x80, _bad_values()[index]))
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x86, 0x00, 0x00, body, ne=65536)))[1] == 0x6A80
    assert chip.authenticated == "PACE"


def test_dh_ca_session_matches_the_terminal_secret() -> None:
    """K = PK_IFD^x mod p on the byte length of p; the chip's KDF(K, 1) equals the terminal's."""
    profile = dh_card()
    assert profile.ca_private_key is not None
    key = load_key(profile.ca_private_key)
    assert isinstance(key, DHPrivateKey)
    group = _group(2)
    x_ifd = 0x1234567890ABCDEF
    chip_y = key.y
    session = ca_session(key, group.encode(pow(group.g, x_ifd, group.p)), "AES", 32)
    same = ca_session(key, group.encode(pow(group.g, x_ifd, group.p)), "AES", 32)
    assert session.ks_enc == same.ks_enc and len(session.ks_enc) == 32
    secret = pow(chip_y, x_ifd, group.p).to_bytes(256, "big")
    assert session.ks_enc == kdf(secret, 1, cipher="AES", key_len=32)
    assert session.ks_mac == kdf(secret, 2, cipher="AES", key_len=32)


def test_dh_card_survives_save_and_load(tmp_path: Path) -> None:
    """The X9.42 PKCS#8 CA key goes through CardProfile.save/load and still passes CA."""
    loaded = CardProfile.load(dh_card("3DES").save(tmp_path / "dh"))
    result = DocumentReader(SimTransport(VirtualChip(loaded)), loaded.can_key(), trust=loaded.trust_store()).read()
    check = result.report.get("chip_authentication")
    assert check is not None and check.status is CheckStatus.PASSED, result.report.to_text()


def test_all_dh_card_dh_im_then_dh_ca() -> None:
    """A card with only DH: PACE DH-IM AES-256 on the 1024-bit group, then id-CA-DH-AES-CBC-CMAC-256."""
    profile = issue_card(
        "all-dh", aa=None, ca_kind="dh", ca_cipher="AES-256", pace_suites=((ID_PACE + ".3.4", 0),)
    )
    result = DocumentReader(SimTransport(VirtualChip(profile)), profile.mrz_key(), trust=profile.trust_store()).read()
    check = result.report.get("chip_authentication")
    assert check is not None and check.status is CheckStatus.PASSED, result.report.to_text()
    assert check.details["protocol"] == ID_CA + ".1.4"
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_pace_cam_is_refused_when_the_ca_key_is_dh() -> None:
    """§4.4.3.5 needs the static CA key on the PACE curve: a DH key makes MSE:Set AT for CAM answer 6A80."""
    profile = issue_card("dh-cam", aa=None, ca_kind="dh", pace_suites=((ID_PACE + ".6.2", 13),))
    chip = VirtualChip(profile)
    chip.power_on()
    oid = bytes.fromhex("04007F00070202040602")  # id-PACE-ECDH-CAM-AES-CBC-CMAC-128
    apdu = bytes.fromhex("0022C1A4") + bytes([len(oid) + 5 + 3]) + encode_tlv(0x80, oid) + bytes.fromhex("830102")
    assert chip.process(apdu + bytes.fromhex("84010D"))[-2:] == b"\x6a\x80"


_BAD_CA_OPTIONS: list[Callable[[], CardProfile]] = [
    lambda: issue_card("bad-ca", aa=None, ca_kind="dh", ca_dh_parameter_id=13),  # a curve, not a MODP group
    lambda: issue_card("bad-ca", aa=None, ca_kind="dh", ca_dh_parameter_id=7),  # reserved id
    lambda: issue_card("bad-ca", aa=None, ca_kind="rsa"),  # type: ignore[arg-type]
    lambda: issue_card("bad-ca", aa=None, ca_cipher="AES-512"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("call", _BAD_CA_OPTIONS, ids=["curve-id", "reserved-id", "rsa", "aes-512"])
def test_issue_card_refuses_unknown_ca_options(call: Callable[[], CardProfile]) -> None:
    with pytest.raises(UnsupportedError):
        call()


@settings(max_examples=15, deadline=None)
@given(key=st.binary(max_size=300), three_des=st.booleans())
def test_dh_ca_garbage_keys_get_6a80(key: bytes, three_des: bool) -> None:
    """Arbitrary DO'80' / DO'91' contents are refused with 6A80 (never 6F00, never a session switch)."""
    chip, sm = _pace(dh_card("3DES" if three_des else "AES-128"))
    if three_des:
        command = sm.wrap(0x00, 0x22, 0x41, 0xA6, encode_tlv(0x91, key), ne=65536)
    else:
        oid = bytes.fromhex("04007F00070202030102")
        assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, encode_tlv(0x80, oid))))[1] == 0x9000
        command = sm.wrap(0x00, 0x86, 0x00, 0x00, encode_tlv(0x7C, encode_tlv(0x80, key)), ne=65536)
    assert sm.unwrap(chip.process(command))[1] == 0x6A80
    assert chip.authenticated == "PACE"
