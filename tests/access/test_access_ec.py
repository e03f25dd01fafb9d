"""Curve and MODP group arithmetic of the PACE domains (9303-11 §9.5.1), checked against cryptography."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.ecc.arith import Curve
from chipid.errors import ParseError, UnsupportedError
from tests.access.access_fakes import h
from tests.conftest import load_vector

# standardised parameter id -> the same curve in cryptography (where it has it)
CRYPTOGRAPHY_CURVES: dict[int, ec.EllipticCurve] = {
    8: ec.SECP192R1(), 10: ec.SECP224R1(), 12: ec.SECP256R1(), 13: ec.BrainpoolP256R1(),
    15: ec.SECP384R1(), 16: ec.BrainpoolP384R1(), 17: ec.BrainpoolP512R1(), 18: ec.SECP521R1(),
}
CURVE_IDS = list(range(8, 19))


def _curve(pid: int) -> Curve:
    domain = domain_parameters(pid)
    assert isinstance(domain, Curve)
    return domain


def _reference(pid: int, k: int) -> tuple[int, int]:
    numbers = ec.derive_private_key(k, CRYPTOGRAPHY_CURVES[pid]).public_key().public_numbers()
    return (numbers.x, numbers.y)


@pytest.mark.parametrize("pid", CURVE_IDS)
def test_curve_constants(pid: int) -> None:
    """Every standardised curve: G on the curve, n·G = O, (n-1)·G = -G, and cryptography agrees."""
    curve = _curve(pid)
    assert curve.is_on_curve(curve.generator)
    assert curve.multiply(curve.n) is None
    assert curve.multiply(curve.n - 1) == curve.negate(curve.generator)
    if pid in CRYPTOGRAPHY_CURVES:
        k = 0x1234567890ABCDEF1234567890ABCDEF % curve.n
        assert curve.multiply(k, curve.generator) == _reference(pid, k) == curve.multiply(k)
        assert curve.multiply(curve.n - 2, curve.generator) == _reference(pid, curve.n - 2)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1), st.sampled_from(sorted(CRYPTOGRAPHY_CURVES)))
def test_scalar_multiplication_matches_cryptography(k: int, pid: int) -> None:
    """s·G by wNAF/Jacobian equals the public key cryptography derives for the same scalar.

    The generator is passed explicitly so the pure-Python path runs (``multiply(k)`` alone
    delegates standard generators to cryptography).
    """
    curve = _curve(pid)
    k = k % (curve.n - 1) + 1
    assert curve.multiply(k, curve.generator) == _reference(pid, k)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 2**256), st.integers(1, 2**256), st.integers(1, 2**256))
def test_group_laws(a: int, b: int, c: int) -> None:
    """brainpoolP256r1: commutativity, associativity, distributivity, inverse, doubling."""
    curve = _curve(13)
    g = curve.generator
    p, q, r = curve.multiply(a, g), curve.multiply(b, g), curve.multiply(c, g)
    assert curve.add(p, q) == curve.add(q, p) == curve.multiply(a + b, g) == curve.multiply(a + b)
    assert curve.add(curve.add(p, q), r) == curve.add(p, curve.add(q, r))
    assert curve.add(p, curve.negate(p)) is None
    assert curve.add(p, p) == curve.multiply(2 * a, g)
    assert curve.add(p, None) == p and curve.add(None, p) == p
    assert curve.multiply(b, p) == curve.multiply(a, q)


def test_point_validation() -> None:
    curve = _curve(13)
    gx, gy = curve.generator
    encoded = curve.encode_point(curve.generator)
    assert curve.decode_point(encoded) == curve.generator
    bad = [
        None,  # infinity
        (gx, (gy + 1) % curve.p),  # off the curve
        (gx + curve.p, gy),  # coordinate out of range
        (0, 0),
    ]
    for point in bad:
        with pytest.raises(ParseError):
            curve.validate(point)
    for data in (b"", b"\x00", encoded[:-1], b"\x02" + encoded[1:], b"\x04" + bytes(64), encoded + b"\x00"):
        with pytest.raises(ParseError):
            curve.decode_point(data)


def test_small_subgroup_check_on_cofactor_curve() -> None:
    """A toy curve with cofactor 2: a point of order 2 must be refused."""
    # y^2 = x^3 + x over GF(23) has order 24; use the point (0, 0) of order 2 with n = 3, h = 8
    toy = Curve("toy", 23, 1, 0, 0, 0, 3, 8)
    with pytest.raises(ParseError, match="subgroup"):
        toy.validate((0, 0))


def test_dh_groups() -> None:
    """RFC 5114 groups: g of order q; id 0 equals the App. G.2 group."""
    v = load_vector("pace_dh_gm_rfc5114_1024_9303p11_appG2.json")["group"]
    g0 = domain_parameters(0)
    assert isinstance(g0, DHGroup)
    assert (g0.p, g0.g, g0.q) == (int(v["p"], 16), int(v["g"], 16), int(v["q"], 16))
    for pid, bits in ((0, (1024, 160)), (1, (2048, 224)), (2, (2048, 256))):
        group = domain_parameters(pid)
        assert isinstance(group, DHGroup)
        assert (group.p.bit_length(), group.q.bit_length()) == bits
        assert pow(group.g, group.q, group.p) == 1 and (group.p - 1) % group.q == 0


def test_dh_validation() -> None:
    group = domain_parameters(0)
    assert isinstance(group, DHGroup)
    for y in (0, 1, group.p - 1, group.p, group.p + 5):
        with pytest.raises(ParseError):
            group.validate(y)
    with pytest.raises(ParseError, match="subgroup"):
        group.validate(2)  # 2 is not in the order-q subgroup of this group
    with pytest.raises(ParseError):
        group.decode(b"")
    with pytest.raises(ParseError):
        group.decode(bytes(129))
    assert group.decode(h(group.encode(group.g).hex())) == group.g


@pytest.mark.parametrize("pid", [-1, 3, 7, 19, 31])
def test_reserved_ids(pid: int) -> None:
    with pytest.raises(UnsupportedError):
        domain_parameters(pid)


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1), st.integers(min_value=1), st.sampled_from([13, 14, 12]))
def test_shared_x_matches_python_path(k: int, m: int, pid: int) -> None:
    """ECKA x-coordinate via cryptography (native curves) equals the pure-Python product, mapped G too."""
    curve = _curve(pid)
    mapped = curve.with_generator(curve.multiply(m % (curve.n - 1) + 1))
    point = mapped.multiply(7, mapped.generator)
    k = k % (curve.n - 1) + 1
    product = mapped.multiply(k, point)
    assert product is not None and mapped.shared_x(k, point) == product[0]
    with pytest.raises(ParseError):
        mapped.shared_x(k, (1, 1))
