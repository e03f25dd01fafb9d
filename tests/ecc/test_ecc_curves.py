"""The chip's own curve arithmetic against ``cryptography`` (ICAO 9303-11 §9.5.1 domain parameters)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.sim._domain import DHDomain, ECDomain, domain_by_id

CURVES = {
    10: ec.SECP224R1,
    12: ec.SECP256R1,
    13: ec.BrainpoolP256R1,
    15: ec.SECP384R1,
    16: ec.BrainpoolP384R1,
    17: ec.BrainpoolP512R1,
    18: ec.SECP521R1,
}


@pytest.mark.parametrize("parameter_id", sorted(CURVES))
@settings(max_examples=5, deadline=None)
@given(k=st.integers(min_value=1, max_value=2**520))
def test_scalar_multiplication_matches_cryptography(parameter_id: int, k: int) -> None:
    domain = domain_by_id(parameter_id)
    assert isinstance(domain, ECDomain)
    k = k % (domain.n - 1) + 1
    expected = (
        ec.derive_private_key(k, CURVES[parameter_id]())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    assert domain.encode(domain.mul(k, domain.generator)) == expected


@pytest.mark.parametrize("parameter_id", [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18])
def test_generator_has_order_n(parameter_id: int) -> None:
    domain = domain_by_id(parameter_id)
    assert isinstance(domain, ECDomain)
    assert domain.on_curve(domain.generator)
    assert domain.mul(domain.n - 1, domain.generator) == domain.add(None, (domain.gx, -domain.gy % domain.p))


@pytest.mark.parametrize("parameter_id", [0, 1, 2])
def test_modp_groups(parameter_id: int) -> None:
    group = domain_by_id(parameter_id)
    assert isinstance(group, DHDomain)
    assert pow(group.g, group.q, group.p) == 1
    with pytest.raises(ValueError):
        group.decode(group.encode(group.p - 1))


def test_point_decoding_rejects_garbage() -> None:
    domain = domain_by_id(13)
    assert isinstance(domain, ECDomain)
    with pytest.raises(ValueError):
        domain.decode(b"\x04" + bytes(64))
    with pytest.raises(ValueError):
        domain.decode(b"\x02" + bytes(32))
    with pytest.raises(KeyError):
        domain_by_id(7)
