"""PACE against the test chip: every GM/CAM variant, wrong passwords, invalid keys, garbage responses."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipid.access import pace_crypto as pc
from chipid.access.keys import CANKey, MRZKey
from chipid.access.pace import perform_pace
from chipid.access.pace_domain import domain_parameters
from chipid.ecc.arith import Curve
from chipid.errors import PACEError, UnsupportedError, WrongPasswordError
from chipid.iso7816.tlv import encode_tlv
from tests.access.access_chip import PaceChip

GM = "0.4.0.127.0.7.2.2.4.2.2"  # ECDH-GM-AES-128
CAN = CANKey("123456")


@pytest.mark.parametrize(("oid", "pid"), [
    (GM, 13), ("0.4.0.127.0.7.2.2.4.2.1", 13), ("0.4.0.127.0.7.2.2.4.2.3", 12),
    ("0.4.0.127.0.7.2.2.4.2.4", 18), (GM, 17), (GM, 9), ("0.4.0.127.0.7.2.2.4.1.1", 1),
    ("0.4.0.127.0.7.2.2.4.1.4", 2), ("0.4.0.127.0.7.2.2.4.6.4", 16),
])
def test_generic_mapping_variants(oid: str, pid: int) -> None:
    """GM and CAM on curves and MODP groups with 3DES and AES-128/192/256 (9303-11 §4.4.3 tables 2-3)."""
    chip = PaceChip(CAN, oid, pid, seed=pid, static_key=0xC0FFEE if ".4.6." in oid else None)
    result = perform_pace(chip, CAN, protocol=oid, parameter_id=pid, rng=chip.rng)
    assert result.protocol == oid and result.channel is not None
    assert (result.cam_data is not None) == (".4.6." in oid)


def test_wrong_can_refused_by_chip() -> None:
    """Wrong CAN: the chip's token check fails and it answers 6300 -> PACEError from WrongPasswordError."""
    chip = PaceChip(CANKey("654321"), GM, 13)
    with pytest.raises(PACEError) as info:
        perform_pace(chip, CAN, protocol=GM, parameter_id=13, rng=chip.rng)
    assert isinstance(info.value.__cause__, WrongPasswordError)
    assert info.value.step == "mutual authentication"


def test_wrong_password_token_mismatch() -> None:
    """A chip that answers anyway: T_IC does not verify."""
    chip = PaceChip(MRZKey("T22000129", "640812", "101031"), GM, 13, check_token=False)
    with pytest.raises(PACEError, match="T_IC"):
        perform_pace(chip, MRZKey("T22000129", "640812", "101032"), protocol=GM, parameter_id=13,
                     rng=chip.rng)


def test_6300_on_mse() -> None:
    chip = PaceChip(CAN, GM, 13, tamper=lambda step, r: r)
    chip.transmit = lambda apdu: b"\x6a\x80"  # type: ignore[method-assign]
    with pytest.raises(PACEError) as info:
        perform_pace(chip, CAN, protocol=GM, parameter_id=13, rng=chip.rng)
    assert info.value.step == "MSE:Set AT"


def _replace(step: int, tag: int, value: bytes):  # type: ignore[no-untyped-def]
    def tamper(at: int, response: bytes) -> bytes:
        return encode_tlv(0x7C, encode_tlv(tag, value)) + b"\x90\x00" if at == step else response
    return tamper


def _off_curve() -> bytes:
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    gx, gy = curve.generator
    return b"\x04" + gx.to_bytes(32, "big") + ((gy + 1) % curve.p).to_bytes(32, "big")


@pytest.mark.parametrize(("step", "tag", "value"), [
    (1, 0x82, _off_curve()),  # mapping key off the curve
    (1, 0x82, b"\x00"),  # point at infinity encoding
    (1, 0x82, b"\x04" + bytes(64)),
    (2, 0x84, _off_curve()),  # ephemeral key off the curve
    (2, 0x84, b"\x04" + (2**256 - 1).to_bytes(32, "big") * 2),  # coordinates >= p
    (0, 0x80, bytes(15)),  # nonce not whole blocks
    (0, 0x81, bytes(16)),  # wrong tag
    (3, 0x86, bytes(8)),  # wrong token
])
def test_invalid_chip_data(step: int, tag: int, value: bytes) -> None:
    chip = PaceChip(CAN, GM, 13, tamper=_replace(step, tag, value))
    with pytest.raises(PACEError):
        perform_pace(chip, CAN, protocol=GM, parameter_id=13, rng=chip.rng)


@pytest.mark.parametrize("value", [b"\x01", b"\x00", bytes(129), b"\x02"])
def test_invalid_dh_values(value: bytes) -> None:
    oid = "0.4.0.127.0.7.2.2.4.1.2"
    chip = PaceChip(CAN, oid, 0, tamper=_replace(1, 0x82, value))
    with pytest.raises(PACEError):
        perform_pace(chip, CAN, protocol=oid, parameter_id=0, rng=chip.rng)


def test_echoed_public_key_refused() -> None:
    """§4.4.1 3d: the chip's key-agreement public key must differ from ours."""
    chip = PaceChip(CAN, GM, 13)
    original = chip.transmit

    def echo(apdu: bytes) -> bytes:
        response = original(apdu)
        if chip.step == 3:
            return encode_tlv(0x7C, encode_tlv(0x84, apdu[9:9 + 65])) + b"\x90\x00"
        return response
    chip.transmit = echo  # type: ignore[method-assign]
    with pytest.raises(PACEError, match="echoed"):
        perform_pace(chip, CAN, protocol=GM, parameter_id=13, rng=chip.rng)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3), st.binary(max_size=80), st.booleans())
def test_garbage_responses_give_pace_error(step: int, garbage: bytes, wrap: bool) -> None:
    """Any malformed GENERAL AUTHENTICATE response is a PACEError, never IndexError and the like."""
    body = encode_tlv(0x7C, garbage) if wrap else garbage
    chip = PaceChip(CAN, GM, 13, tamper=lambda at, r: body + b"\x90\x00" if at == step else r)
    with pytest.raises(PACEError):
        perform_pace(chip, CAN, protocol=GM, parameter_id=13, rng=chip.rng)


@pytest.mark.parametrize(("oid", "pid"), [
    ("0.4.0.127.0.7.2.2.4.9.2", 13),  # unknown mapping
    ("0.4.0.127.0.7.2.2.4.6.1", 13),  # CAM with 3DES does not exist
    ("1.2.3", 13),
    (GM, 0),  # ECDH protocol with a DH group
    (GM, 5),  # reserved id
    (GM, None),
])
def test_unsupported(oid: str, pid: int | None) -> None:
    chip = PaceChip(CAN, GM, 13)
    with pytest.raises(UnsupportedError):
        perform_pace(chip, CAN, protocol=oid, parameter_id=pid)
    assert chip.commands == []


def test_algorithm_table() -> None:
    alg = pc.pace_algorithm(GM)
    assert (alg.agreement, alg.mapping, alg.cipher, alg.key_bits) == ("ECDH", "GM", "AES", 128)
    assert alg.oid_bytes == bytes.fromhex("04007F00070202040202")
