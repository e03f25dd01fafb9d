"""Chip side of Active Authentication (ICAO 9303-11 §6.1) and Chip Authentication (§6.2)."""

from __future__ import annotations

import hashlib
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chipid.auth.active import verify_aa_signature
from chipid.errors import ActiveAuthError
from chipid.iso7816.tlv import decode_tlv, encode_tlv
from chipid.sim import Faults, VirtualChip
from chipid.sim._crypto import kdf
from chipid.sim.personalize import issue_card
from chipid.sim.profile import CardProfile
from tests.sim._terminal import TermSM, term_pace

CA_AES = "0.4.0.127.0.7.2.2.3.2.2"


def _pace(profile: CardProfile, faults: Faults | None = None) -> tuple[VirtualChip, TermSM]:
    chip = VirtualChip(profile, faults=faults)
    chip.power_on()
    chip.process(bytes.fromhex("00A4040C07A0000002471001"))
    sm = term_pace(chip.process, profile.can.encode(), "0.4.0.127.0.7.2.2.4.2.2", 13, 2)
    return chip, sm


def _aa(chip: VirtualChip, sm: TermSM, challenge: bytes) -> tuple[bytes, int]:
    return sm.unwrap(chip.process(sm.wrap(0x00, 0x88, 0x00, 0x00, challenge, ne=256)))


def _dg15_key(profile: CardProfile) -> bytes:
    _, spki, _ = decode_tlv(profile.files["DG15"])  # 6F { SubjectPublicKeyInfo }
    return spki


def test_aa_rsa_iso9796_2_scheme1(demo_profile: CardProfile) -> None:
    """§6.1: the signature opens with the DG15 key to 6A || M1 || SHA-1(M1 || RND.IFD) || BC."""
    chip, sm = _pace(demo_profile)
    challenge = os.urandom(8)
    signature, sw = _aa(chip, sm, challenge)
    assert sw == 0x9000
    key = serialization.load_der_public_key(_dg15_key(demo_profile))
    assert isinstance(key, rsa.RSAPublicKey)
    n, e = key.public_numbers().n, key.public_numbers().e
    f = pow(int.from_bytes(signature, "big"), e, n).to_bytes(len(signature), "big")
    assert f[0] == 0x6A and f[-1] == 0xBC
    m1, digest = f[1:-21], f[-21:-1]
    assert hashlib.sha1(m1 + challenge).digest() == digest
    assert verify_aa_signature(_dg15_key(demo_profile), challenge, signature) == "ISO/IEC 9796-2 RSA"


@pytest.fixture(scope="module")
def ec_profile() -> CardProfile:
    return issue_card("ec-aa", aa="ec")


def test_aa_ecdsa_plain(ec_profile: CardProfile) -> None:
    chip, sm = _pace(ec_profile)
    challenge = os.urandom(8)
    signature, sw = _aa(chip, sm, challenge)
    assert sw == 0x9000 and len(signature) == 64
    assert verify_aa_signature(
        _dg15_key(ec_profile), challenge, signature, signature_algorithm_oid="0.4.0.127.0.7.1.1.4.1.3"
    ).startswith("ECDSA/sha256")


def test_aa_needs_sm_and_8_bytes(demo_profile: CardProfile) -> None:
    chip = VirtualChip(demo_profile)
    chip.power_on()
    assert chip.process(bytes.fromhex("0088000008") + bytes(8) + b"\x00")[-2:] == b"\x69\x82"
    chip, sm = _pace(demo_profile)
    assert _aa(chip, sm, bytes(4))[1] == 0x6700


def test_aa_cloned_chip_fails(demo_profile: CardProfile) -> None:
    chip, sm = _pace(demo_profile, Faults(cloned=True))
    challenge = os.urandom(8)
    signature, sw = _aa(chip, sm, challenge)
    assert sw == 0x9000
    with pytest.raises(ActiveAuthError):
        verify_aa_signature(_dg15_key(demo_profile), challenge, signature)


def test_aa_replay_fault_returns_a_stale_signature(demo_profile: CardProfile) -> None:
    chip, sm = _pace(demo_profile, Faults(aa_replay=True))
    first, _ = _aa(chip, sm, b"\x01" * 8)
    second, _ = _aa(chip, sm, b"\x02" * 8)
    assert first == second
    with pytest.raises(ActiveAuthError):
        verify_aa_signature(_dg15_key(demo_profile), b"\x02" * 8, second)


def _ca_public_key(profile: CardProfile) -> ec.EllipticCurvePublicKey:
    key = serialization.load_der_private_key(profile.ca_private_key or b"", None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.public_key()


def _terminal_ca(public: ec.EllipticCurvePublicKey, cipher: str) -> tuple[bytes, bytes, bytes]:
    eph = ec.generate_private_key(public.curve)
    secret = eph.exchange(ec.ECDH(), public)
    point = eph.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return point, kdf(secret, 1, cipher=cipher), kdf(secret, 2, cipher=cipher)


def test_ca_aes_general_authenticate_then_new_keys(demo_profile: CardProfile) -> None:
    """§6.2 (CA v2 for AES): MSE:Set AT 41A4 + GENERAL AUTHENTICATE DO'80', answered 7C00 with the old keys."""
    chip, sm = _pace(demo_profile)
    oid = bytes.fromhex("04007F00070202030202")
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, encode_tlv(0x80, oid))))[1] == 0x9000
    point, ks_enc, ks_mac = _terminal_ca(_ca_public_key(demo_profile), "AES")
    body = encode_tlv(0x7C, encode_tlv(0x80, point))
    data, sw = sm.unwrap(chip.process(sm.wrap(0x00, 0x86, 0x00, 0x00, body, ne=256)))
    assert (data, sw) == (b"\x7c\x00", 0x9000)
    new = TermSM("AES", ks_enc, ks_mac, 0)
    assert new.unwrap(chip.process(new.wrap(0x00, 0xB0, 0x81, 0x00, ne=256)))[0] == demo_profile.files["DG1"]


def test_ca_3des_set_kat() -> None:
    """§6.2 (CA v1 for 3DES): MSE:Set KAT 41A6 with DO'91'; the chip restarts SM with SSC 0."""
    profile = issue_card("ca-3des", aa=None, ca_cipher="3DES")
    chip, sm = _pace(profile)
    point, ks_enc, ks_mac = _terminal_ca(_ca_public_key(profile), "3DES")
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA6, encode_tlv(0x91, point))))[1] == 0x9000
    new = TermSM("3DES", ks_enc, ks_mac, 0)
    assert new.unwrap(chip.process(new.wrap(0x00, 0xB0, 0x81, 0x00, ne=256)))[0] == profile.files["DG1"]
    assert chip.process(bytes.fromhex("0088000008") + bytes(8) + b"\x00")[-2:] == b"\x6d\x00"  # aa=None


def test_ca_errors(demo_profile: CardProfile) -> None:
    chip = VirtualChip(demo_profile)
    chip.power_on()
    assert chip.process(bytes.fromhex("002241A40C800A04007F00070202030202"))[-2:] == b"\x69\x82"  # no SM
    chip, sm = _pace(demo_profile)
    bad_oid = encode_tlv(0x80, bytes.fromhex("04007F00070202030203"))  # AES-192: not offered
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, bad_oid)))[1] == 0x6A80
    oid = encode_tlv(0x80, bytes.fromhex("04007F00070202030202"))
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, oid)))[1] == 0x9000
    not_a_point = encode_tlv(0x7C, encode_tlv(0x80, b"\x04" + bytes(64)))
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x86, 0x00, 0x00, not_a_point, ne=256)))[1] == 0x6A80
    assert chip.sm is not None  # the old session goes on


def test_ca_on_a_cloned_chip_breaks_the_new_session(demo_profile: CardProfile) -> None:
    """A clone lacks the DG14 private key: after CA the terminal's keys no longer match the chip's."""
    chip, sm = _pace(demo_profile, Faults(cloned=True))
    oid = bytes.fromhex("04007F00070202030202")
    sm.unwrap(chip.process(sm.wrap(0x00, 0x22, 0x41, 0xA4, encode_tlv(0x80, oid))))
    point, ks_enc, ks_mac = _terminal_ca(_ca_public_key(demo_profile), "AES")
    body = encode_tlv(0x7C, encode_tlv(0x80, point))
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0x86, 0x00, 0x00, body, ne=256)))[1] == 0x9000
    new = TermSM("AES", ks_enc, ks_mac, 0)
    assert chip.process(new.wrap(0x00, 0xB0, 0x81, 0x00, ne=256)) == b"\x69\x88"
