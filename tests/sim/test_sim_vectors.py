"""The virtual chip replays the ICAO 9303-11 worked examples byte for byte."""

from __future__ import annotations

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.ecc.arith import Curve
from chipid.sim import VirtualChip
from chipid.sim._apdu import parse_command
from chipid.sim._pace import point_encode, pseudo_random
from chipid.sim._sm import SMSession
from tests.conftest import load_vector
from tests.sim.conftest import hand_profile, scripted


def _app_d_chip(d3: dict[str, str]) -> VirtualChip:
    """The App. D specimen chip (L898902C, 690806, 940623), powered, drawing RND.IC and K.IC of App. D.3."""
    chip = VirtualChip(
        hand_profile("L898902C", "690806", "940623"),
        rng=scripted(bytes.fromhex(d3["rnd_ic"]), bytes.fromhex(d3["k_ic"])),
    )
    chip.power_on()
    return chip


def test_bac_app_d3_mutual_authentication() -> None:
    """App. D.3: GET CHALLENGE returns RND.IC, EXTERNAL AUTHENTICATE answers E_IC || M_IC."""
    v = load_vector("bac_9303p11_appD.json")
    d3 = v["D3_mutual_auth"]
    chip = _app_d_chip(d3)
    assert chip.process(bytes.fromhex(d3["get_challenge_capdu"])).hex().upper() == d3["get_challenge_rapdu"]
    out = chip.process(bytes.fromhex(d3["external_authenticate_capdu"]))
    assert out.hex().upper() == d3["external_authenticate_rapdu"]
    assert chip.sm is not None
    assert chip.sm.ks_enc.hex().upper() == d3["ks_enc"]
    assert chip.sm.ks_mac.hex().upper() == d3["ks_mac"]
    assert chip.sm.ssc == int(d3["ssc"], 16)


def test_sm_app_d4_transcript() -> None:
    """App. D.4: the chip unwraps the three protected commands and answers the printed responses."""
    v = load_vector("bac_9303p11_appD.json")
    d3 = v["D3_mutual_auth"]
    chip = _app_d_chip(d3)
    chip.process(bytes.fromhex("00A4040C07A0000002471001"))
    chip.process(bytes.fromhex(d3["get_challenge_capdu"]))
    chip.process(bytes.fromhex(d3["external_authenticate_capdu"]))
    for step in v["D4_secure_messaging"]:
        out = chip.process(bytes.fromhex(step["protected_capdu"]))
        assert out.hex().upper() == step["protected_rapdu"], step["step"]


def test_sm_session_unwrap_d4_first_command() -> None:
    """App. D.4 SELECT EF.COM: the chip-side unwrap recovers the plain command."""
    v = load_vector("bac_9303p11_appD.json")
    d3, step = v["D3_mutual_auth"], v["D4_secure_messaging"][0]
    session = SMSession("3DES", bytes.fromhex(d3["ks_enc"]), bytes.fromhex(d3["ks_mac"]), int(d3["ssc"], 16))
    inner = session.unwrap(parse_command(bytes.fromhex(step["protected_capdu"])))
    assert (inner.ins, inner.p1, inner.p2, inner.data) == (0xA4, 0x02, 0x0C, bytes.fromhex("011E"))
    assert session.ssc == int(step["ssc_for_command"], 16)


def _replay_pace(name: str) -> None:
    v = load_vector(name)
    m = v["mrz"]
    card_access = bytes.fromhex(v["ef_card_access"])
    chip = VirtualChip(
        hand_profile(m["document_number"], m["date_of_birth"], m["date_of_expiry"], card_access),
        rng=scripted(
            bytes.fromhex(v["nonce_s"]),
            bytes.fromhex(v["mapping"]["chip_private_key"]),
            bytes.fromhex(v["key_agreement"]["chip_ephemeral_private_key"]),
        ),
    )
    chip.power_on()
    for apdu in v["apdus"]:
        if "capdu" not in apdu:
            continue
        out = chip.process(bytes.fromhex(apdu["capdu"]))
        expected = apdu.get("rapdu") or apdu["rapdu_data_no_sw"] + "9000"
        if "rapdu_data_no_sw" in apdu:  # App. G.2 prints a CAR (DO'87') that only TA chips add
            assert out[2:12] == bytes.fromhex(expected[4:24])  # the T_IC DO'86'
            assert out[-2:] == b"\x90\x00"
        else:
            assert out.hex().upper() == expected
    assert chip.sm is not None
    assert chip.sm.ks_enc.hex().upper() == v["key_agreement"]["ks_enc"]
    assert chip.sm.ks_mac.hex().upper() == v["key_agreement"]["ks_mac"]
    assert chip.sm.ssc == 0


def test_pace_ecdh_gm_app_g1() -> None:
    """App. G.1: PACE ECDH-GM AES-128 on brainpoolP256r1, chip side, every APDU."""
    _replay_pace("pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json")


def test_pace_dh_gm_app_g2() -> None:
    """App. G.2: PACE DH-GM AES-128 on the RFC 5114 1024-bit group, chip side."""
    _replay_pace("pace_dh_gm_rfc5114_1024_9303p11_appG2.json")


def test_pace_im_app_h1_pseudo_random_and_point_encoding() -> None:
    """App. H.1: R_p(s, t) and f_G on brainpoolP256r1 with AES-128 (ECDH-IM)."""
    h1 = load_vector("pace_im_partial_9303p11_appH.json")["H1_ecdh_brainpoolP256r1_aes128"]
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    r = pseudo_random(bytes.fromhex(h1["s"]), bytes.fromhex(h1["t"]), curve.p)
    assert r == int(h1["Rp_s_t"], 16)
    assert point_encode(curve, r) == (int(h1["mapped_generator_x"], 16), int(h1["mapped_generator_y"], 16))


def test_pace_im_app_h2_dh_mapping() -> None:
    """App. H.2: R_p(s, t) and g~ = R_p^((p-1)/q) mod p on the RFC 5114 1024-bit group (DH-IM)."""
    h2 = load_vector("pace_im_partial_9303p11_appH.json")["H2_dh_rfc5114_1024_aes128"]
    group = domain_parameters(0)
    assert isinstance(group, DHGroup)
    r = pseudo_random(bytes.fromhex(h2["s"]), bytes.fromhex(h2["t"]), group.p)
    assert r == int(h2["Rp_s_t"], 16)
    assert pow(r, (group.p - 1) // group.q, group.p) == int(h2["mapped_generator"], 16)
