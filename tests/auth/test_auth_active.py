"""Active Authentication (ICAO 9303-11 §6.1): ISO/IEC 9796-2 RSA, ECDSA plain/DER, and the AA-level
forgeries: a cloned chip with another key, and a replayed old signature."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.auth.active import perform_active_auth, verify_aa_signature
from chipid.errors import ActiveAuthError
from chipid.lds.security_infos import ActiveAuthenticationInfo
from chipid.report import CHECK_AA, CheckStatus, Verdict, VerificationReport
from chipid.sim.pkigen import generate_key
from tests.auth.aa_chip import AAChip, dg15_for, ecdsa_plain_sign, iso9796_2_sign
from tests.conftest import DATA

RSA_KEY = generate_key(b"aa", "rsa-aa", "rsa", rsa_bits=1024)
EC_KEY = generate_key(b"aa", "ec-aa", "ec", curve="brainpoolP256r1")
PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"


def _rng() -> Callable[[int], bytes]:
    counter = count(1)
    return lambda n: next(counter).to_bytes(n, "big")


@pytest.mark.parametrize("hash_name", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_iso9796_2_trailers(hash_name: str) -> None:
    """ISO/IEC 9796-2 scheme 1: trailer BC (SHA-1) and xxCC with hash ids 33/34/35/36/38."""
    assert isinstance(RSA_KEY, rsa.RSAPrivateKey)
    challenge = bytes(range(8))
    signature = iso9796_2_sign(RSA_KEY, challenge, hash_name)
    assert verify_aa_signature(RSA_KEY.public_key(), challenge, signature) == "ISO/IEC 9796-2 RSA"
    with pytest.raises(ActiveAuthError):
        verify_aa_signature(RSA_KEY.public_key(), bytes(8), signature)


@pytest.mark.parametrize("der", [False, True])
def test_ecdsa_plain_and_der(der: bool) -> None:
    chip = AAChip(EC_KEY, der=der)
    info = ActiveAuthenticationInfo("2.23.136.1.1.5", 1, PLAIN_SHA256)
    result = perform_active_auth(chip, dg15_for(EC_KEY), aa_info=info)
    assert result.status is CheckStatus.PASSED, result.reason
    assert ("DER" in result.reason) is der


def test_ecdsa_without_aa_info_tries_hashes() -> None:
    chip = AAChip(EC_KEY, hash_name="sha1")
    assert perform_active_auth(chip, dg15_for(EC_KEY)).passed


def test_rsa_end_to_end() -> None:
    chip = AAChip(RSA_KEY, hash_name="sha1")
    result = perform_active_auth(chip, dg15_for(RSA_KEY))
    assert result.passed and result.name == CHECK_AA


def test_cloned_chip_with_other_key_fails() -> None:
    """A clone copies DG15 (and the SOD) but cannot have the original private key."""
    clone_key = generate_key(b"clone", "ec-aa", "ec", curve="brainpoolP256r1")
    result = perform_active_auth(AAChip(clone_key), dg15_for(EC_KEY))
    assert result.status is CheckStatus.FAILED
    assert "did not prove" in result.reason
    rsa_clone = generate_key(b"clone", "rsa-aa", "rsa", rsa_bits=1024)
    result = perform_active_auth(AAChip(rsa_clone, hash_name="sha1"), dg15_for(RSA_KEY))
    assert result.status is CheckStatus.FAILED
    report = VerificationReport((result,), chip_auth_supported=True)
    assert report.verdict is Verdict.NOT_GENUINE


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["rsa", "ec"])
def test_replayed_signature_fails(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> None:
    """A recorded answer to an earlier challenge fails: the challenge is fresh every time."""
    chip = AAChip(key, hash_name="sha1", replay=True)
    rng = _rng()
    first = perform_active_auth(chip, dg15_for(key), rng=rng)
    second = perform_active_auth(chip, dg15_for(key), rng=rng)
    assert first.passed
    assert second.status is CheckStatus.FAILED
    assert chip.challenges[0] != chip.challenges[1]


def test_default_rng_gives_distinct_challenges() -> None:
    chip = AAChip(EC_KEY)
    for _ in range(3):
        assert perform_active_auth(chip, dg15_for(EC_KEY)).passed
    assert len(set(chip.challenges)) == 3 and all(len(c) == 8 for c in chip.challenges)


def test_unauthenticated_dg15_not_performed() -> None:
    chip = AAChip(EC_KEY)
    result = perform_active_auth(chip, dg15_for(EC_KEY), dg15_authenticated=False)
    assert result.status is CheckStatus.NOT_PERFORMED
    assert chip.challenges == []


def test_chip_refuses_internal_authenticate() -> None:
    result = perform_active_auth(AAChip(EC_KEY, sw=b"\x6d\x00"), dg15_for(EC_KEY))
    assert result.status is CheckStatus.FAILED
    assert "INTERNAL AUTHENTICATE" in result.reason


@given(st.binary(max_size=140))
@settings(max_examples=50, deadline=None)
def test_garbage_signatures_fail_cleanly(signature: bytes) -> None:
    for key in (RSA_KEY, EC_KEY):
        with pytest.raises(ActiveAuthError):
            verify_aa_signature(key.public_key(), bytes(8), signature)


def test_malformed_dg15_is_failed_check() -> None:
    assert perform_active_auth(AAChip(EC_KEY), b"\x6f\x05\x30\x03\x02\x01\x00").status is CheckStatus.FAILED
    assert perform_active_auth(AAChip(EC_KEY), b"\x61\x00").status is CheckStatus.FAILED


def test_bsi_specimen_dg15_key_loads() -> None:
    """The BSI 2008 DG15 (RSA-1024 with a modulus encoded as negative) still gives a usable key."""
    path = DATA / "specimen-bsi2008" / "DG15_not_in_SOD.bin"
    with pytest.raises(ActiveAuthError):
        verify_aa_signature(path.read_bytes()[3:], bytes(8), bytes(128))


def test_ecdsa_plain_helper_roundtrip() -> None:
    assert isinstance(EC_KEY, ec.EllipticCurvePrivateKey)
    signature = ecdsa_plain_sign(EC_KEY, b"12345678")
    assert verify_aa_signature(EC_KEY.public_key(), b"12345678", signature, signature_algorithm_oid=PLAIN_SHA256)


def test_dg15_with_explicit_ec_parameters() -> None:
    """DG15 keys with explicit domain parameters (seen in national documents) are mapped and verified."""
    from chipid.sim.pkigen import explicit_spki

    assert isinstance(EC_KEY, ec.EllipticCurvePrivateKey)
    spki = explicit_spki(EC_KEY.public_key())
    dg15 = b"\x6f\x82" + len(spki).to_bytes(2, "big") + spki
    result = perform_active_auth(AAChip(EC_KEY), dg15)
    assert result.passed, result.reason
