"""VerificationReport: verdict rules, text and the stable JSON schema (docs/report.schema.json)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.report import (
    CHECK_AA,
    CHECK_CA,
    CheckResult,
    CheckStatus,
    Verdict,
    VerificationReport,
    downgrade_check,
)
from tests.pki.pki_fixtures import make_sod, pki, sample_dgs, store_for, verify
from tests.schemas import validate

P, F, N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED
CORE = (CheckResult("pa.sod_signature", P), CheckResult("pa.ds_chain", P), CheckResult("pa.dg_hash.DG1", P))


def _validate(document: object) -> None:
    validate(document, "report.schema.json")


@pytest.mark.parametrize(
    ("extra", "supported", "verdict"),
    [
        ((), False, Verdict.GENUINE),
        ((), True, Verdict.INCOMPLETE),
        ((CheckResult(CHECK_AA, P),), True, Verdict.GENUINE),
        ((CheckResult(CHECK_AA, N), CheckResult(CHECK_CA, P)), True, Verdict.GENUINE),
        ((CheckResult(CHECK_AA, F), CheckResult(CHECK_CA, P)), True, Verdict.NOT_GENUINE),
        ((CheckResult("pa.ds_revocation", N, required=False),), False, Verdict.GENUINE),
        ((CheckResult("pa.ds_validity_now", F, required=False),), False, Verdict.GENUINE),
        ((CheckResult("pa.something", N),), False, Verdict.INCOMPLETE),
        ((CheckResult("pa.dg_hash.DG2", F), CheckResult("pa.x", N)), False, Verdict.NOT_GENUINE),
    ],
)
def test_verdict_rules(extra: tuple[CheckResult, ...], supported: bool, verdict: Verdict) -> None:
    report = VerificationReport(CORE + extra, chip_auth_supported=supported)
    assert report.verdict is verdict
    _validate(json.loads(report.to_json()))


def test_missing_core_checks_incomplete() -> None:
    assert VerificationReport(CORE[:2]).verdict is Verdict.INCOMPLETE
    assert VerificationReport(CORE[1:]).verdict is Verdict.INCOMPLETE
    assert VerificationReport(()).verdict is Verdict.INCOMPLETE


def test_downgrade_hook() -> None:
    check = downgrade_check(True, "BAC")
    assert check.status is F and not check.required
    assert "PACE advertised" in check.reason
    assert downgrade_check(True, "PACE").passed
    report = VerificationReport((*CORE, check))
    assert report.verdict is Verdict.GENUINE
    assert "PACE advertised in EF.CardAccess but BAC used" in report.to_text()


def test_json_of_real_pa_is_valid_and_stable() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    _, report = verify(make_sod(p, dgs), dgs, store_for(p))
    text = report.to_json()
    document = json.loads(text)
    _validate(document)
    assert document["schema"] == "chipid.report/1"
    assert document["verdict"] == "GENUINE"
    assert [c["name"] for c in document["checks"]][:3] == [
        "pa.sod_parse",
        "pa.ds_certificate",
        "pa.sod_signature",
    ]
    assert report.to_json() == text
    assert text.isascii()


def test_schema_rejects_unknown_status() -> None:
    document = json.loads(VerificationReport(CORE).to_json())
    document["checks"][0]["status"] = "MAYBE"
    jsonschema = pytest.importorskip("jsonschema")
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)


_STATUSES = st.sampled_from([P, F, N])
_CHECK = st.builds(
    CheckResult,
    name=st.sampled_from(["pa.x", "pa.dg_hash.DG2", CHECK_AA, CHECK_CA, "access.downgrade"]),
    status=_STATUSES,
    reason=st.text(max_size=20),
    required=st.booleans(),
)


@given(extra=st.lists(_CHECK, max_size=6), supported=st.booleans())
@settings(max_examples=80, deadline=None)
def test_verdict_properties(extra: list[CheckResult], supported: bool) -> None:
    """NOT_GENUINE iff a required check failed; GENUINE never with a required gap; JSON always valid."""
    report = VerificationReport(CORE + tuple(extra), chip_auth_supported=supported)
    failed = any(c.required and c.failed for c in extra)
    assert (report.verdict is Verdict.NOT_GENUINE) is failed
    if report.verdict is Verdict.GENUINE:
        assert all(c.passed for c in extra if c.required and c.name not in (CHECK_AA, CHECK_CA))
        assert not supported or any(c.passed and c.name in (CHECK_AA, CHECK_CA) for c in extra)
    _validate(json.loads(report.to_json()))
