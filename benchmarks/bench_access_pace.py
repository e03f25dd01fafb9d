"""Host-side cost of access control: PACE ECDH-GM brainpoolP256r1 (App. G.1 replay) and BAC (App. D.3).

Run: python -m pytest benchmarks/bench_access_pace.py --benchmark-enable
The fake card answers instantly from the recorded transcript, so the figures are the
terminal's computation only (KDF, nonce decryption, three scalar multiplications on
brainpoolP256r1 plus one on G, tokens, 3DES/MAC for BAC).
"""

from __future__ import annotations

from typing import Any

import pytest

from chipid.access.bac import perform_bac
from chipid.access.keys import MRZKey
from chipid.access.pace import perform_pace
from chipid.access.pace_domain import domain_parameters
from chipid.ecc.arith import Curve
from tests.access.access_fakes import ListRNG, ScriptedCard, h
from tests.conftest import load_vector


def _g1_run(v: dict[str, Any]) -> None:
    script = [(None, h(step["rapdu"])) for step in v["apdus"] if "capdu" in step]
    m = v["mrz"]
    perform_pace(
        ScriptedCard(script), MRZKey(m["document_number"], m["date_of_birth"], m["date_of_expiry"]),
        protocol=v["oid"], parameter_id=v["parameter_id"], send_parameter_id=False,
        ephemeral_keys=[int(v["mapping"]["terminal_private_key"], 16),
                        int(v["key_agreement"]["terminal_ephemeral_private_key"], 16)],
    )


@pytest.mark.benchmark(group="access")
def test_bench_pace_ecdh_gm_brainpoolp256r1(benchmark: Any) -> None:
    v = load_vector("pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json")
    benchmark(_g1_run, v)


@pytest.mark.benchmark(group="access")
def test_bench_bac(benchmark: Any) -> None:
    d3 = load_vector("bac_9303p11_appD.json")["D3_mutual_auth"]
    key = MRZKey("L898902C", "690806", "940623")

    def run() -> None:
        script = [(None, h(d3["get_challenge_rapdu"])), (None, h(d3["external_authenticate_rapdu"]))]
        card = ScriptedCard(script)
        perform_bac(card, key, rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))

    benchmark(run)


_K = int("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595", 16)


@pytest.mark.benchmark(group="access")
def test_bench_scalar_mult_mapped_generator(benchmark: Any) -> None:
    """k·Ĝ in pure Python (Jacobian, width-5 wNAF) on a mapped brainpoolP256r1 generator."""
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    mapped = curve.with_generator(curve.multiply(12345))
    benchmark(mapped.multiply, _K)


@pytest.mark.benchmark(group="access")
def test_bench_scalar_mult_standard_generator(benchmark: Any) -> None:
    """k·G on the standard generator, delegated to cryptography."""
    curve = domain_parameters(13)
    assert isinstance(curve, Curve)
    benchmark(curve.multiply, _K)
