"""Passive Authentication of a CCCD-sized document (SOD + DG1, DG2 ~20 KB, DG13, DG14, DG15).

Run: ``python -m pytest benchmarks/bench_pki.py --benchmark-enable``. Goal: under 5 ms per full PA
(parse SOD, CMS signature, DS chain + CRL, five hashes). Figures on a shared machine are noisy.
"""

from __future__ import annotations

import pytest

from chipid.lds.sod import build_sod
from chipid.pki.passive import passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.sim import pkigen
from tests.pki.pki_fixtures import NOW, SIGNED_AT, sample_dgs


@pytest.mark.parametrize(
    ("kind", "curve"),
    [("ec", "brainpoolP256r1"), ("ec", "secp256r1"), ("rsa", "brainpoolP256r1")],
    ids=["ec-brainpoolP256r1", "ec-P256", "rsa-2048"],
)
def test_bench_full_passive_authentication(benchmark, kind: str, curve: str) -> None:  # type: ignore[no-untyped-def]
    p = pkigen.generate_pki(f"bench-{kind}-{curve}", kind=kind, curve=curve)
    dgs = sample_dgs()
    assert 19_000 < len(dgs[2]) < 21_000
    sod = build_sod(dgs, p.ds.key, p.ds.der, signing_time=SIGNED_AT)
    store = TrustStore()
    store.add_certificate(p.csca.der)
    store.add_crl(p.crl)
    result = benchmark(passive_authenticate, sod, dgs, store, at=NOW)
    assert result.passed


def test_bench_explicit_brainpool_p224_specimen(benchmark) -> None:  # type: ignore[no-untyped-def]
    """The BSI 2008 specimen: pure-Python ECDSA over explicit brainpoolP224r1 (no trust anchor)."""
    from datetime import datetime, timezone

    from tests.conftest import DATA

    folder = DATA / "specimen-bsi2008"
    dgs = {n: (folder / f"DG{n}.bin").read_bytes() for n in (1, 2, 14)}
    sod = (folder / "EF_SOD.bin").read_bytes()
    when = datetime(2008, 6, 1, tzinfo=timezone.utc)
    result = benchmark(passive_authenticate, sod, dgs, None, at=when)
    assert result.authenticated_dgs == frozenset({1, 2, 14})
