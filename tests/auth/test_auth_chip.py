"""Chip Authentication (ICAO 9303-11 §6.2): ECDH and DH, 3DES (MSE:Set KAT) and AES (MSE:Set AT +
GENERAL AUTHENTICATE), SM restarted with SSC 0 and proven by a read; a clone without the key fails."""

from __future__ import annotations

import os

import pytest
from asn1crypto import core
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.auth.ca_keys import ephemeral_key_agreement
from chipid.auth.chip import ca_cipher, perform_chip_auth, verify_by_read
from chipid.ecc.curves import curve_by_name
from chipid.errors import ChipAuthError
from chipid.lds.security_infos import (
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    SecurityInfos,
    parse_security_infos,
)
from chipid.report import CHECK_CA, CheckStatus
from chipid.sim._sm import SMSession
from chipid.sim.pkigen import explicit_ec_spki, generate_key
from chipid.sm.channel import SecureChannel, SMKeys
from tests.auth.ca_chip import CAChip, StaticKey
from tests.conftest import DATA

ID_CA = "0.4.0.127.0.7.2.2.3"
ID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
ID_PK_DH = "0.4.0.127.0.7.2.2.1.1"
K_ENC = bytes(range(16))
K_MAC = bytes(range(16, 32))


def _pair(cipher: str, key: StaticKey) -> tuple[SecureChannel, CAChip]:
    session_cipher = "AES" if cipher == "AES" else "3DES"
    chip_cipher, key_len = ("AES", 16) if cipher == "AES" else ("3DES", 16)
    chip = CAChip(SMSession(session_cipher, K_ENC, K_MAC, 0), key, chip_cipher, key_len)
    channel = SecureChannel(chip, SMKeys(session_cipher, K_ENC, K_MAC), 0)
    return channel, chip


def _ec_static(seed: bytes) -> tuple[StaticKey, bytes]:
    key = generate_key(seed, "ca", "ec", curve="brainpoolP256r1")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return StaticKey(ec_key=key), spki


@pytest.mark.parametrize(("protocol", "cipher"), [(f"{ID_CA}.2.1", "3DES"), (f"{ID_CA}.2.2", "AES")])
def test_ecdh_end_to_end(protocol: str, cipher: str) -> None:
    static, spki = _ec_static(b"chip")
    channel, chip = _pair(cipher, static)
    infos = SecurityInfos(
        chip_authentication_infos=(ChipAuthenticationInfo(protocol, 1, 7),),
        chip_authentication_public_key_infos=(ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, 7),),
    )
    result = perform_chip_auth(channel, infos)
    assert result.check.status is CheckStatus.PASSED, result.reason
    assert result.check.name == CHECK_CA and result.channel is channel
    assert result.keys is not None and result.keys.cipher == cipher
    assert chip.log[0] == ("22 41A6" if cipher == "3DES" else "22 41A4")
    assert chip.log[-2:] == ["A4 020C", "B0 0000"]
    assert channel.ssc == 4  # restarted at 0: SELECT + READ, command and response each


def test_explicit_info_pair_and_injected_ephemeral_are_deterministic() -> None:
    static, spki = _ec_static(b"chip")
    ca = ChipAuthenticationInfo(f"{ID_CA}.2.2", 1, None)
    pk = ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None)
    keys = []
    for _ in range(2):
        channel, _chip = _pair("AES", static)
        result = perform_chip_auth(channel, ca, pk, ephemeral_private_key=0x1234567890ABCDEF)
        assert result.passed
        keys.append(result.keys)
    assert keys[0] == keys[1]


def test_cloned_chip_without_key_fails() -> None:
    _, spki = _ec_static(b"chip")
    clone, _ = _ec_static(b"clone")
    channel, _chip = _pair("AES", clone)
    infos = SecurityInfos(
        chip_authentication_infos=(ChipAuthenticationInfo(f"{ID_CA}.2.2", 1, None),),
        chip_authentication_public_key_infos=(ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),),
    )
    result = perform_chip_auth(channel, infos)
    assert result.check.status is CheckStatus.FAILED
    assert "did not prove" in result.reason


def test_dh_3des() -> None:
    group = domain_parameters(0)
    assert isinstance(group, DHGroup)
    x = int.from_bytes(os.urandom(20), "big") % (group.q - 2) + 2
    spki = asn1_keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "dh", "parameters": {"p": group.p, "g": group.g, "q": group.q}},
            "public_key": core.Integer(pow(group.g, x, group.p)),
        }
    ).dump()
    channel, _chip = _pair("3DES", StaticKey(dh=(group.p, x)))
    result = perform_chip_auth(
        channel,
        ChipAuthenticationInfo(f"{ID_CA}.1.1", 1, None),
        ChipAuthenticationPublicKeyInfo(ID_PK_DH, spki, None),
    )
    assert result.passed, result.reason


def test_explicit_brainpool_p224_pure_python_ecdh() -> None:
    """brainpoolP224r1 (cryptography lacks it) with explicit parameters, as in the BSI 2008 DG14."""
    curve = curve_by_name("brainpoolP224r1")
    d = 0xC0FFEE1234567
    point = curve.multiply(d, curve.generator)
    assert point is not None
    spki = explicit_ec_spki(curve, point)
    channel, _chip = _pair("3DES", StaticKey(curve=curve, scalar=d))
    result = perform_chip_auth(
        channel,
        ChipAuthenticationInfo(f"{ID_CA}.2.1", 1, None),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),
    )
    assert result.passed, result.reason


def test_bsi_specimen_dg14_key_agreement() -> None:
    path = DATA / "specimen-bsi2008" / "DG14.bin"
    infos = parse_security_infos(path.read_bytes())
    pk = infos.chip_authentication_public_key_infos[0]
    public, secret = ephemeral_key_agreement(pk.public_key, ephemeral_private_key=12345, rng=os.urandom)
    curve = curve_by_name("brainpoolP224r1")
    assert curve.decode_point(public) == curve.multiply(12345, curve.generator)
    assert len(secret) == 28


def test_chip_refuses_mse() -> None:
    static, spki = _ec_static(b"chip")
    channel, chip = _pair("AES", static)
    result = perform_chip_auth(
        channel,
        ChipAuthenticationInfo(f"{ID_CA}.9.9", 1, None),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),
    )
    assert result.check.status is CheckStatus.FAILED
    assert chip.log == []


def test_ca_cipher_table() -> None:
    assert ca_cipher(f"{ID_CA}.2.4") == ("AES", 256)
    assert ca_cipher(f"{ID_CA}.1.1") == ("3DES", 112)
    with pytest.raises(ChipAuthError):
        ca_cipher("1.2.3")


def test_deferred_verification() -> None:
    static, spki = _ec_static(b"chip")
    channel, _chip = _pair("AES", static)
    result = perform_chip_auth(
        channel,
        ChipAuthenticationInfo(f"{ID_CA}.2.2", 1, None),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),
        verify_fid=None,
    )
    assert result.check.status is CheckStatus.NOT_PERFORMED
    verify_by_read(result.channel)


def test_unauthenticated_dg14_not_performed() -> None:
    static, spki = _ec_static(b"chip")
    channel, chip = _pair("AES", static)
    result = perform_chip_auth(
        channel,
        ChipAuthenticationInfo(f"{ID_CA}.2.2", 1, None),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, spki, None),
        dg14_authenticated=False,
    )
    assert result.check.status is CheckStatus.NOT_PERFORMED
    assert chip.log == []


class _ProofChip:
    """Answers every protected command with a MAC-verified reply (``data``, ``sw``) under the session keys."""

    atr = b""

    def __init__(self, keys: SMKeys, data: bytes, sw: int) -> None:
        self.keys, self.data, self.sw, self.ssc = keys, data, sw, 0

    def transmit(self, apdu: bytes) -> bytes:
        from tests.sm.sm_chip_side import chip_unwrap, chip_wrap

        self.ssc += 1
        chip_unwrap(self.keys, self.ssc, apdu)
        self.ssc += 1
        return chip_wrap(self.keys, self.ssc, self.data, self.sw)

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("data", "sw"), [(b"", 0x9000), (b"\x60\x16", 0x9000), (b"", 0x6282), (b"\x60\x16\x5f\x01", 0x6282)]
)
def test_ca_proof_read_needs_9000_and_the_data_asked_for(data: bytes, sw: int) -> None:
    """Issue 10 point 1: even MAC-verified, a warning or a short answer proves nothing."""
    keys = SMKeys("AES", K_ENC, K_MAC)
    channel = SecureChannel(_ProofChip(keys, data, sw), keys, 0)
    with pytest.raises(ChipAuthError, match="needs 9000"):
        verify_by_read(channel)


def test_ca_proof_read_accepts_9000_with_the_data() -> None:
    keys = SMKeys("AES", K_ENC, K_MAC)
    verify_by_read(SecureChannel(_ProofChip(keys, b"\x60\x16\x5f\x01", 0x9000), keys, 0))
