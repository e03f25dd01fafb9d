"""The one curve table and point arithmetic against ``cryptography`` (SEC 2 v2 §2, RFC 5639 §3)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.ecc import KNOWN_CURVES, Curve, curve_by_name, curve_by_oid, curve_by_params, ecdsa_verify
from chipid.errors import ParseError, UnsupportedError

NATIVE = [c for c in KNOWN_CURVES if c.native is not None]


@pytest.mark.parametrize("curve", NATIVE, ids=lambda c: c.name)
@settings(max_examples=5, deadline=None)
@given(k=st.integers(min_value=1, max_value=2**520))
def test_scalar_multiplication_matches_cryptography(curve: Curve, k: int) -> None:
    """The Python wNAF path (explicit base point) gives OpenSSL's k·G on every native curve."""
    named = curve.cryptography_curve()
    assert named is not None and named.name == curve.name
    k = k % (curve.n - 1) + 1
    expected = (
        ec.derive_private_key(k, named)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    assert curve.encode_point(curve.multiply(k, curve.generator)) == expected


@pytest.mark.parametrize("curve", KNOWN_CURVES, ids=lambda c: c.name)
def test_generator_has_order_n(curve: Curve) -> None:
    assert curve.is_on_curve(curve.generator)
    assert curve.multiply(curve.n - 1, curve.generator) == curve.add(None, (curve.gx, -curve.gy % curve.p))
    assert curve.multiply(curve.n, curve.generator) is None


@pytest.mark.parametrize("curve", KNOWN_CURVES, ids=lambda c: c.name)
def test_lookup_by_name_oid_and_params(curve: Curve) -> None:
    assert curve_by_name(curve.name.upper()) is curve
    assert curve.oid is not None and curve_by_oid(curve.oid) is curve
    explicit = Curve("explicit", curve.p, curve.a, curve.b, curve.gx, curve.gy, curve.n)
    assert curve_by_params(explicit) is curve


def test_lookup_aliases_and_unknown() -> None:
    assert curve_by_name("prime256v1") is curve_by_name("NIST P-256") is curve_by_name("secp256r1")
    assert curve_by_oid("1.3.36.3.3.2.8.1.1.5").name == "brainpoolP224r1"
    with pytest.raises(UnsupportedError):
        curve_by_name("curve25519")
    with pytest.raises(UnsupportedError):
        curve_by_oid("1.2.3")
    base = curve_by_name("brainpoolP256r1")
    assert curve_by_params(base.with_generator(base.multiply(2, base.generator))) is None


def test_pace_ids_use_the_table() -> None:
    """ICAO 9303-11 §9.5.1 table 30: ids 8-18 are the table's curves, not copies."""
    names = ["secp192r1", "brainpoolP192r1", "secp224r1", "brainpoolP224r1", "secp256r1", "brainpoolP256r1",
             "brainpoolP320r1", "secp384r1", "brainpoolP384r1", "brainpoolP512r1", "secp521r1"]
    for pid, name in zip(range(8, 19), names, strict=True):
        assert domain_parameters(pid) is curve_by_name(name)


@pytest.mark.parametrize("parameter_id", [0, 1, 2])
def test_modp_groups(parameter_id: int) -> None:
    group = domain_parameters(parameter_id)
    assert isinstance(group, DHGroup)
    assert pow(group.g, group.q, group.p) == 1
    with pytest.raises(ParseError):
        group.decode(group.encode(group.p - 1))


def test_point_decoding_rejects_garbage() -> None:
    curve = curve_by_name("brainpoolP256r1")
    with pytest.raises(ParseError):
        curve.decode_point(b"\x04" + bytes(64))
    with pytest.raises(ParseError):
        curve.decode_point(b"\x02" + bytes(32))
    with pytest.raises(ParseError):
        curve.encode_point(None)
    with pytest.raises(UnsupportedError):
        domain_parameters(7)


@settings(max_examples=10, deadline=None)
@given(message=st.binary(max_size=32), flip=st.booleans())
def test_ecdsa_verify_on_a_curve_cryptography_lacks_the_generator_path(message: bytes, flip: bool) -> None:
    """BSI TR-03111 §4.2.1.4: a P-384 signature (digest longer than n is truncated) verifies, a changed one fails."""
    key = ec.derive_private_key(0x1234567, ec.SECP384R1())
    der = key.sign(message, ec.ECDSA(hashes.SHA512()))
    r, s = decode_dss_signature(der)
    numbers = key.public_key().public_numbers()
    curve = curve_by_name("secp384r1")
    data = message + b"!" if flip else message
    assert ecdsa_verify(curve, (numbers.x, numbers.y), hashlib.sha512(data).digest(), r, s) is not flip
    assert not ecdsa_verify(curve, (numbers.x, numbers.y), hashlib.sha512(message).digest(), 0, s)
