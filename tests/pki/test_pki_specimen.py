"""Passive Authentication of the BSI 2008 specimen passport (JMRTD test resources, see tests/data/README.md)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chipid.lds.sod import parse_sod
from chipid.pki.keys import ExplicitECKey
from chipid.pki.passive import passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.report import CheckStatus, Verdict, VerificationReport
from tests.conftest import DATA

SPECIMEN = DATA / "specimen-bsi2008"
WHEN = datetime(2008, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in SPECIMEN.iterdir()}


def _dgs(files: dict[str, bytes]) -> dict[int, bytes]:
    return {1: files["DG1.bin"], 2: files["DG2.bin"], 14: files["DG14.bin"]}


def test_specimen_sod_parses(files: dict[str, bytes]) -> None:
    """ICAO 9303-10 §4.6.2: LDSSecurityObject v0, SHA-1 hashes of DG1, DG2, DG3, DG14."""
    sod = parse_sod(files["EF_SOD.bin"])
    assert sod.version == 0
    assert sod.hash_algorithm == "sha1"
    assert sorted(sod.dg_hashes) == [1, 2, 3, 14]
    assert sod.lds_version is None


def test_specimen_signature_and_hashes_pass_chain_incomplete(files: dict[str, bytes]) -> None:
    """SOD signature (ecdsa-with-SHA1, explicit brainpoolP224r1 DS key) and all hashes verify; the CSCA
    is not public, so the chain is NOT_PERFORMED and the verdict INCOMPLETE."""
    result = passive_authenticate(files["EF_SOD.bin"], _dgs(files), TrustStore(), at=WHEN)
    report = VerificationReport(result.checks)
    status = {c.name: c.status for c in result.checks}
    assert status["pa.sod_signature"] is CheckStatus.PASSED
    assert status["pa.message_digest"] is CheckStatus.PASSED
    assert status["pa.content_type"] is CheckStatus.PASSED
    for dg in (1, 2, 14):
        assert status[f"pa.dg_hash.DG{dg}"] is CheckStatus.PASSED
    assert status["pa.dg_hash.DG3"] is CheckStatus.NOT_PERFORMED
    assert status["pa.ds_chain"] is CheckStatus.NOT_PERFORMED
    assert isinstance(result.ds_certificate.public_key, ExplicitECKey)  # type: ignore[union-attr]
    assert result.ds_certificate.public_key.curve.name == "brainpoolP224r1"  # type: ignore[union-attr]
    assert not result.passed
    assert result.authenticated_dgs == frozenset()  # no CSCA vouches for the DS: its keys are not used
    assert status["pa.country"] is CheckStatus.PASSED  # MRZ issuing State "D" <-> DS issuer C=DE
    assert report.verdict is Verdict.INCOMPLETE


def test_specimen_dg15_flagged_not_covered(files: dict[str, bytes]) -> None:
    dgs = _dgs(files) | {15: files["DG15_not_in_SOD.bin"]}
    result = passive_authenticate(files["EF_SOD.bin"], dgs, None, at=WHEN)
    check = next(c for c in result.checks if c.name == "pa.dg_uncovered.DG15")
    assert check.status is CheckStatus.FAILED
    assert "not covered" in check.reason
    assert 15 not in result.authenticated_dgs
    assert VerificationReport(result.checks).verdict is Verdict.NOT_GENUINE


def test_specimen_altered_dg1_fails(files: dict[str, bytes]) -> None:
    dgs = _dgs(files)
    dgs[1] = dgs[1][:-1] + b"X"
    result = passive_authenticate(files["EF_SOD.bin"], dgs, None, at=WHEN)
    status = {c.name: c.status for c in result.checks}
    assert status["pa.dg_hash.DG1"] is CheckStatus.FAILED
    assert VerificationReport(result.checks).verdict is Verdict.NOT_GENUINE
