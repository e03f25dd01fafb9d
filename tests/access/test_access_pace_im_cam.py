"""PACE Integrated Mapping (9303-11 §4.4.3.3.2, App. H) and Chip Authentication Mapping (§4.4.3.5)."""

from __future__ import annotations

import pytest

from chipid.access import pace_crypto as pc
from chipid.access.keys import CANKey, MRZKey
from chipid.access.pace import perform_pace
from chipid.access.pace_cam import decrypt_cam_data, encrypt_cam_data, verify_cam, verify_cam_encoded
from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.access.pace_im import map_integrated, point_encode, pseudo_random
from chipid.ecc.arith import Curve
from chipid.errors import PACEError, ParseError, UnsupportedError
from tests.access.access_chip import PaceChip
from tests.access.access_fakes import h
from tests.conftest import load_vector

IM_VECTOR = "pace_im_partial_9303p11_appH.json"
ECDH_IM_AES128 = "0.4.0.127.0.7.2.2.4.4.2"
DH_IM_AES128 = "0.4.0.127.0.7.2.2.4.3.2"
ECDH_CAM_AES128 = "0.4.0.127.0.7.2.2.4.6.2"


def test_appendix_h1_ecdh() -> None:
    """App. H.1: R_p(s, t) and the point encoding f_G on brainpoolP256r1 with AES-128."""
    v = load_vector(IM_VECTOR)["H1_ecdh_brainpoolP256r1_aes128"]
    alg = pc.pace_algorithm(ECDH_IM_AES128)
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    s, t = h(v["s"]), h(v["t"])
    assert pseudo_random(s, t, alg, curve.p) == int(v["Rp_s_t"], 16)
    assert int(v["R_s_t_from_jmrtd_comment"], 16) % curve.p == int(v["Rp_s_t"], 16)
    expected = (int(v["mapped_generator_x"], 16), int(v["mapped_generator_y"], 16))
    assert point_encode(curve, int(v["Rp_s_t"], 16)) == expected
    mapped = map_integrated(curve, s, t, alg)
    assert isinstance(mapped, Curve) and mapped.generator == expected


def test_appendix_h2_dh() -> None:
    """App. H.2: R_p(s, t) and ĝ = R_p^((p-1)/q) mod p on the RFC 5114 1024-bit group with AES-128."""
    v = load_vector(IM_VECTOR)["H2_dh_rfc5114_1024_aes128"]
    alg = pc.pace_algorithm(DH_IM_AES128)
    group = domain_parameters(0)
    assert isinstance(group, DHGroup)
    assert pseudo_random(h(v["s"]), h(v["t"]), alg, group.p) == int(v["Rp_s_t"], 16)
    mapped = map_integrated(group, h(v["s"]), h(v["t"]), alg)
    assert isinstance(mapped, DHGroup) and mapped.g == int(v["mapped_generator"], 16)


def test_point_encoding_lands_on_every_p3mod4_curve() -> None:
    alg = pc.pace_algorithm(ECDH_IM_AES128)
    for pid in (8, 9, 11, 12, 13, 14, 15, 16, 17, 18):
        curve = domain_parameters(pid)
        assert isinstance(curve, Curve)
        for seed in range(3):
            mapped = map_integrated(curve, bytes([seed]) * 16, bytes([seed + 1]) * 16, alg)
            assert isinstance(mapped, Curve) and mapped.is_on_curve(mapped.generator)
    p224 = domain_parameters(10)
    assert isinstance(p224, Curve)
    with pytest.raises(UnsupportedError):
        point_encode(p224, 5)


def test_im_nonce_sizes() -> None:
    alg = pc.pace_algorithm(ECDH_IM_AES128)
    with pytest.raises(ParseError):
        pseudo_random(bytes(16), bytes(15), alg, 2**255 - 19)
    with pytest.raises(ParseError):
        pseudo_random(bytes(15), bytes(16), alg, 2**255 - 19)


@pytest.mark.parametrize("oid", [
    ECDH_IM_AES128, DH_IM_AES128, "0.4.0.127.0.7.2.2.4.4.1", "0.4.0.127.0.7.2.2.4.4.4",
    "0.4.0.127.0.7.2.2.4.3.3",
])
def test_perform_pace_im_against_chip(oid: str) -> None:
    """Full IM runs (ECDH and DH; 3DES, AES-128/192/256) against the test chip."""
    pid = 13 if ".4.4." in oid else 0
    chip = PaceChip(CANKey("123456"), oid, pid)
    result = perform_pace(chip, CANKey("123456"), protocol=oid, parameter_id=pid, rng=chip.rng)
    assert result.chip_mapping_key is None and result.cam_data is None


def test_cam_round_trip_and_verification() -> None:
    """CAM: the chip's CA_IC = SK_IC^-1 · SK_Map,IC decrypts and verifies against PK_IC."""
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    static = 0x1D2C3B4A5968778695A4B3C2D1E0F
    chip = PaceChip(MRZKey("T22000129", "640812", "101031"), ECDH_CAM_AES128, 13, static_key=static)
    result = perform_pace(chip, MRZKey("T22000129", "640812", "101031"), protocol=ECDH_CAM_AES128,
                          parameter_id=13, rng=chip.rng)
    assert result.cam_data is not None and result.chip_mapping_key is not None
    mapping_key = curve.decode_point(result.chip_mapping_key)
    static_pub = curve.multiply(static)
    assert static_pub is not None
    assert verify_cam(curve, result.cam_data, static_pub, mapping_key)
    other = curve.multiply(static + 1)
    assert other is not None
    assert not verify_cam(curve, result.cam_data, other, mapping_key)
    assert not verify_cam(curve, bytes(32), static_pub, mapping_key)
    assert not verify_cam(curve, result.cam_data, (1, 2), mapping_key)
    static_enc = curve.encode_point(static_pub)
    assert verify_cam_encoded(13, result.cam_data, result.chip_mapping_key, static_enc)
    assert not verify_cam_encoded(13, result.cam_data, result.chip_mapping_key, curve.encode_point(other))
    assert not verify_cam_encoded(13, result.cam_data, result.chip_mapping_key, b"\x04garbage")
    assert not verify_cam_encoded(0, result.cam_data, result.chip_mapping_key, static_enc)
    assert not verify_cam_encoded(99, result.cam_data, result.chip_mapping_key, static_enc)


def test_cam_missing_or_bad_data() -> None:
    key = CANKey("654321")
    chip = PaceChip(key, ECDH_CAM_AES128, 13)  # no static key: DO'8A' left out
    with pytest.raises(PACEError, match="8A"):
        perform_pace(chip, key, protocol=ECDH_CAM_AES128, parameter_id=13, rng=chip.rng)
    ks = bytes(range(16))
    assert decrypt_cam_data(ks, encrypt_cam_data(ks, b"\x01\x02")) == b"\x01\x02"
    for bad in (b"", bytes(15), bytes(16)):
        with pytest.raises(ParseError):
            decrypt_cam_data(ks, bad)
