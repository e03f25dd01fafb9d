"""PACE Generic Mapping worked examples: ICAO 9303-11 Appendix G.1 (ECDH) and G.2 (DH)."""

from __future__ import annotations

from typing import Any

import pytest

from chipid.access import pace_crypto as pc
from chipid.access.kdf import session_keys
from chipid.access.keys import MRZKey
from chipid.access.pace import perform_pace
from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.ecc.arith import Curve
from chipid.sm.channel import SecureChannel
from tests.access.access_fakes import ScriptedCard, h
from tests.conftest import load_vector

G1 = "pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json"
G2 = "pace_dh_gm_rfc5114_1024_9303p11_appG2.json"


def _key(v: dict[str, Any]) -> MRZKey:
    m = v["mrz"]
    return MRZKey(m["document_number"], m["date_of_birth"], m["date_of_expiry"])


def _pub(v: dict[str, Any], section: str, name: str) -> pc.PublicKey:
    part = v[section]
    if f"{name}_x" in part:
        return (int(part[f"{name}_x"], 16), int(part[f"{name}_y"], 16))
    return int(part[name], 16)


@pytest.mark.parametrize("name", [G1, G2])
def test_password_key_and_nonce(name: str) -> None:
    """App. G.1/G.2: K_pi = KDF(SHA-1(MRZ_information), 3); s = D(K_pi, z)."""
    v = load_vector(name)
    alg = pc.pace_algorithm(v["oid"])
    k_pi = pc.password_key(_key(v), alg)
    assert k_pi == h(v["k_pi"])
    if "k_password_sha1_mrz" in v:
        assert _key(v).pace_password() == h(v["k_password_sha1_mrz"])
    s = pc.decrypt_nonce(k_pi, h(v["encrypted_nonce_z"]), alg)
    assert s == h(v["nonce_s"])
    assert pc.encrypt_nonce(k_pi, s, alg) == h(v["encrypted_nonce_z"])


@pytest.mark.parametrize("name", [G1, G2])
def test_mapping_agreement_and_tokens(name: str) -> None:
    """App. G.1/G.2: mapping keys, H, mapped generator, ephemeral keys, K, KSenc/KSmac, tokens."""
    v = load_vector(name)
    alg = pc.pace_algorithm(v["oid"])
    domain = domain_parameters(v["parameter_id"])
    m = v["mapping"]
    sk_t, sk_c = int(m["terminal_private_key"], 16), int(m["chip_private_key"], 16)
    assert pc.public_key(domain, sk_t) == _pub(v, "mapping", "terminal_public_key")
    assert pc.public_key(domain, sk_c) == _pub(v, "mapping", "chip_public_key")
    shared = pc.agree(domain, sk_t, _pub(v, "mapping", "chip_public_key"))
    assert shared == pc.agree(domain, sk_c, _pub(v, "mapping", "terminal_public_key"))
    mapped = pc.map_generic(domain, h(v["nonce_s"]), shared)
    if isinstance(domain, Curve):
        assert shared == _pub(v, "mapping", "shared_point_h")
        assert isinstance(mapped, Curve)
        assert mapped.generator == _pub(v, "mapping", "mapped_generator")
    else:
        assert shared == int(m["shared_secret_h"], 16)
        assert isinstance(mapped, DHGroup)
        assert mapped.g == int(m["mapped_generator"], 16)
    ka = v["key_agreement"]
    sk_t2 = int(ka["terminal_ephemeral_private_key"], 16)
    sk_c2 = int(ka["chip_ephemeral_private_key"], 16)
    pk_t2 = pc.public_key(mapped, sk_t2)
    pk_c2 = pc.public_key(mapped, sk_c2)
    assert pk_t2 == _pub(v, "key_agreement", "terminal_ephemeral_public_key")
    assert pk_c2 == _pub(v, "key_agreement", "chip_ephemeral_public_key")
    k = pc.shared_secret(mapped, sk_t2, pk_c2)
    assert k == h(ka["shared_secret_k"]) == pc.shared_secret(mapped, sk_c2, pk_t2)
    ks_enc, ks_mac = session_keys(k, alg.cipher, alg.key_bits)
    assert (ks_enc, ks_mac) == (h(ka["ks_enc"]), h(ka["ks_mac"]))
    ma = v["mutual_auth"]
    assert pc.public_key_do(alg.oid, mapped, pk_c2) == h(ma["t_ifd_input_chip_pubkey_do"])
    assert pc.public_key_do(alg.oid, mapped, pk_t2) == h(ma["t_ic_input_terminal_pubkey_do"])
    assert pc.auth_token(ks_mac, alg, mapped, pk_c2) == h(ma["t_ifd"])
    assert pc.auth_token(ks_mac, alg, mapped, pk_t2) == h(ma["t_ic"])


def _transcript(v: dict[str, Any], *, alt_mse: bool) -> list[tuple[bytes | None, bytes]]:
    script: list[tuple[bytes | None, bytes]] = []
    for step in v["apdus"]:
        if "capdu" not in step:
            if alt_mse:
                script[0] = (h(step["capdu_alt"]), h(step["rapdu"]))
            continue
        response = step["rapdu"] if "rapdu" in step else step["rapdu_data_no_sw"] + "9000"
        script.append((h(step["capdu"]), h(response)))
    return script


@pytest.mark.parametrize(("name", "send_id"), [(G1, False), (G1, True), (G2, False)])
def test_perform_pace_transcript(name: str, send_id: bool) -> None:
    """App. G.1/G.2: the whole APDU exchange, byte for byte, through perform_pace.

    G.1 is replayed with and without DO'84' (parameter id) in MSE:Set AT.
    """
    v = load_vector(name)
    card = ScriptedCard(_transcript(v, alt_mse=send_id))
    m, ka = v["mapping"], v["key_agreement"]
    result = perform_pace(
        card, _key(v), protocol=v["oid"], parameter_id=v["parameter_id"],
        ephemeral_keys=[int(m["terminal_private_key"], 16), int(ka["terminal_ephemeral_private_key"], 16)],
        send_parameter_id=send_id,
        rng=lambda n: pytest.fail("no randomness needed"),
    )
    assert card.done
    assert isinstance(result.channel, SecureChannel)
    assert result.protocol == v["oid"] and result.parameter_id == v["parameter_id"]
    domain = domain_parameters(v["parameter_id"])
    expected_map = pc.encode_public_key(domain, _pub(v, "mapping", "chip_public_key"))
    assert result.chip_mapping_key == expected_map
    assert result.cam_data is None
    if name == G2:
        assert result.cars == (b"DETESTCVCA00003",)
    assert "MRZ" not in repr(result) and v["k_pi"] not in repr(result)
