"""Explicit EC domain parameters (ICAO 9303-12 §4.1.6.2, BSI TR-03111 §5.1.1) and pure-Python ECDSA."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.ecc.curves import KNOWN_CURVES, curve_by_name
from chipid.ecc.ecdsa import ecdsa_verify
from chipid.errors import ParseError, UnsupportedError
from chipid.pki.curves import from_specified_domain
from chipid.pki.keys import ExplicitECKey, SignatureSpec, load_public_key, verify_signature
from chipid.sim.pkigen import explicit_domain, explicit_spki


@pytest.mark.parametrize("curve", [c.name for c in KNOWN_CURVES if c.native is not None])
def test_explicit_params_map_to_named_curve(curve: str) -> None:
    cls = {
        c.name: c
        for c in (
            ec.SECP192R1,
            ec.SECP224R1,
            ec.SECP256R1,
            ec.SECP384R1,
            ec.SECP521R1,
            ec.BrainpoolP256R1,
            ec.BrainpoolP384R1,
            ec.BrainpoolP512R1,
        )
    }[curve]
    key = ec.generate_private_key(cls())
    loaded = load_public_key(explicit_spki(key.public_key()))
    assert isinstance(loaded, ec.EllipticCurvePublicKey)
    assert loaded.curve.name == curve
    assert loaded.public_numbers() == key.public_key().public_numbers()


def test_tweaked_params_are_refused() -> None:
    """Parameters equal to no named curve (here a different generator) are refused (issue 10: cost bound)."""
    base = curve_by_name("brainpoolP256r1")
    g2 = base.multiply(2, base.generator)
    assert g2 is not None
    with pytest.raises(UnsupportedError, match="another base point"):
        from_specified_domain(explicit_domain(base.with_generator(g2)))


def test_field_over_521_bits_refused_before_arithmetic() -> None:
    from tests.pki.attack_pki import huge_field_curve

    with pytest.raises(UnsupportedError, match="bits refused"):
        from_specified_domain(explicit_domain(huge_field_curve(600)))


def test_pure_python_matches_cryptography() -> None:
    curve = curve_by_name("brainpoolP256r1")
    key = ec.derive_private_key(123456789, ec.BrainpoolP256R1())
    numbers = key.public_key().public_numbers()
    assert curve.multiply(123456789, curve.generator) == (numbers.x, numbers.y)


@given(message=st.binary(max_size=64), flip=st.booleans(), brainpool=st.booleans())
@settings(max_examples=15, deadline=None)
def test_explicit_key_ecdsa_verify(message: bytes, flip: bool, brainpool: bool) -> None:
    """ExplicitECKey verification agrees with cryptography's signatures (BSI TR-03111 §4.2.1.4),
    on a curve with a = -3 (P-256) and one without (brainpoolP256r1)."""
    curve = ec.BrainpoolP256R1() if brainpool else ec.SECP256R1()
    key = ec.derive_private_key(987654321, curve)
    der = key.sign(message, ec.ECDSA(hashes.SHA256()))
    numbers = key.public_key().public_numbers()
    explicit = ExplicitECKey(curve_by_name(curve.name), (numbers.x, numbers.y))
    data = message + b"x" if flip else message
    assert verify_signature(explicit, der, data, SignatureSpec("ecdsa", "sha256")) is not flip
    r, s = decode_dss_signature(der)
    assert ecdsa_verify(explicit.curve, explicit.point, hashlib.sha256(data).digest(), r, s) is not flip


def test_point_not_on_curve_rejected() -> None:
    curve = curve_by_name("brainpoolP224r1")
    point = b"\x04" + curve.gx.to_bytes(curve.size, "big") + (curve.gy + 1).to_bytes(curve.size, "big")
    with pytest.raises(ParseError):
        curve.decode_point(point)
