"""The one verdict policy (chipid.policy): its decision table, enumerated exhaustively against an oracle
written from the table in docs/verification.md, plus the live reader and offline verify calling it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from chipid import policy
from chipid.policy import CCCD, EMRTD, Evidence, decide
from chipid.report import CheckResult, CheckStatus, Verdict, VerificationReport

P, W, F, N = CheckStatus.PASSED, CheckStatus.WARN, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED
ABSENT = None
STATUSES = (P, W, F, N, ABSENT)
RELEVANT = ("pa.sod_signature", "pa.ds_chain", "pa.dg_hash.DG1", "pa.dg_hash.DG13",
            "chip_authentication", "active_authentication")
SOD_LISTS = (frozenset({1, 2, 13}), frozenset({1, 2, 13, 14}), frozenset({1, 2, 13, 15}),
             frozenset({1, 2, 13, 14, 15}))


def _oracle(statuses: dict[str, CheckStatus | None], ev: Evidence) -> Verdict:
    """docs/verification.md, "Verdict decision table", read literally."""
    held = {name: s in (P, W) for name, s in statuses.items()}
    if not ev.sod_present:
        return Verdict.NOT_GENUINE
    if F in statuses.values():
        return Verdict.NOT_GENUINE
    if any(s is N for name, s in statuses.items() if name not in ("chip_authentication", "active_authentication")):
        return Verdict.INCOMPLETE
    if not (held["pa.sod_signature"] and held["pa.ds_chain"]):
        return Verdict.INCOMPLETE
    if ev.sod_dgs is None:  # a report built without evidence: only "some data-group hash verified"
        if not (held["pa.dg_hash.DG1"] or held["pa.dg_hash.DG13"]):
            return Verdict.INCOMPLETE
    elif not held["pa.dg_hash.DG1"] or (ev.document_type == CCCD and not held["pa.dg_hash.DG13"]):
        return Verdict.INCOMPLETE
    if not ev.live and ev.sod_dgs is not None and {14, 15} & ev.sod_dgs:
        return Verdict.INCOMPLETE
    if ev.chip_auth and not (held["chip_authentication"] or held["active_authentication"]):
        return Verdict.INCOMPLETE
    return Verdict.GENUINE


def _evidences() -> Iterator[Evidence]:
    yield Evidence(sod_present=False, sod_dgs=None, document_type=policy.UNKNOWN)
    yield Evidence(sod_dgs=None, chip_auth=False)  # a report built by hand (VerificationReport(checks))
    yield Evidence(sod_dgs=None, chip_auth=True)
    for sod, live, doc in itertools.product(SOD_LISTS, (True, False), (CCCD, EMRTD)):
        for chip_auth in {policy.chip_auth_expected(sod, True), policy.chip_auth_expected(sod, False)}:
            yield Evidence(sod_present=True, sod_dgs=sod, document_type=doc, live=live, chip_auth=chip_auth)


EVIDENCES = tuple(_evidences())


def _checks(combo: tuple[CheckStatus | None, ...]) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(name, s, "why") for name, s in zip(RELEVANT, combo, strict=True) if s is not None)


@pytest.mark.parametrize("evidence", EVIDENCES, ids=lambda e: (
    f"sod={sorted(e.sod_dgs) if e.sod_dgs else e.sod_present}-live={e.live}-{e.document_type}-ca={e.chip_auth}"))
def test_decision_table_is_exhaustive(evidence: Evidence) -> None:
    """All 5^6 status combinations (PASSED, WARN, FAILED, NOT_PERFORMED, absent) of the six checks the policy
    reads, under every kind of evidence (SOD absent; SOD listing DG14/DG15 or not; live or offline; CCCD or
    not; chip authentication expected or not), agree with the oracle."""
    mismatches = []
    for combo in itertools.product(STATUSES, repeat=len(RELEVANT)):
        statuses = dict(zip(RELEVANT, combo, strict=True))
        got = decide(_checks(combo), evidence).verdict
        want = _oracle(statuses, evidence)
        if got is not want:
            mismatches.append((statuses, got, want))
    assert not mismatches, mismatches[:5]


def test_every_rule_is_reached() -> None:
    """The enumeration above reaches every rule of the policy (no dead rule, no untested one)."""
    rules = set()
    for evidence in EVIDENCES:
        for combo in itertools.product((P, F, N, ABSENT), repeat=len(RELEVANT)):
            rules.add(decide(_checks(combo), evidence).rule)
    assert rules == set(range(1, 10))


def test_informational_checks_never_change_the_verdict() -> None:
    base = _checks((P, P, P, P, P, ABSENT))
    ev = Evidence(sod_dgs=frozenset({1, 2, 13, 14}), document_type=CCCD, chip_auth=True)
    assert decide(base, ev).verdict is Verdict.GENUINE
    for status in (F, N, W):
        extra = CheckResult("document.expiry", status, "x", required=False)
        assert decide((*base, extra), ev).verdict is Verdict.GENUINE


def test_other_required_checks_count() -> None:
    """Any required check (not only the six above) that FAILED gives NOT_GENUINE; NOT_PERFORMED INCOMPLETE."""
    base = _checks((P, P, P, P, ABSENT, ABSENT))
    ev = Evidence(sod_dgs=frozenset({1, 2, 13}), document_type=CCCD)
    assert decide((*base, CheckResult("read.DG1", F, "refused")), ev).verdict is Verdict.NOT_GENUINE
    assert decide((*base, CheckResult("pa.ds_revocation", N, "no CRL")), ev).verdict is Verdict.INCOMPLETE
    assert decide((*base, CheckResult("pa.card_security", F, "x")), ev).verdict is Verdict.NOT_GENUINE


def test_missing_sod_reason_and_missing_anchor() -> None:
    assert decide((), Evidence(sod_present=False)).reason == "EF.SOD absent: the data is not signed"
    no_anchor = (CheckResult("pa.sod_signature", P), CheckResult("pa.ds_chain", N, "no CSCA (issuer X, AKI 01)"),
                 CheckResult("pa.dg_hash.DG1", P))
    decision = decide(no_anchor, Evidence(sod_dgs=frozenset({1}), document_type=EMRTD))
    assert decision.verdict is Verdict.INCOMPLETE and "AKI 01" in decision.reason


def test_document_type_and_required_groups() -> None:
    assert policy.document_type("VNM", "ID") == CCCD
    assert policy.document_type("VNM", "P") == EMRTD
    assert policy.document_type("D", "ID") == EMRTD
    assert policy.document_type(None, None) == policy.UNKNOWN
    assert policy.required_data_groups(CCCD) == (1, 13)
    assert policy.required_data_groups(EMRTD) == (1,)


def test_chip_auth_expected_comes_from_the_sod() -> None:
    assert policy.chip_auth_expected({1, 15}, None)
    assert policy.chip_auth_expected({1, 14}, None)
    assert policy.chip_auth_expected({1, 14}, True)
    assert not policy.chip_auth_expected({1, 14}, False)
    assert not policy.chip_auth_expected({1, 2, 13}, None)


def test_a_report_without_evidence_keeps_the_old_rules() -> None:
    core = _checks((P, P, P, ABSENT, ABSENT, ABSENT))
    assert VerificationReport(core).verdict is Verdict.GENUINE
    assert VerificationReport(core, chip_auth_supported=True).verdict is Verdict.INCOMPLETE


def test_report_uses_the_policy() -> None:
    ev = Evidence(sod_dgs=frozenset({1, 14}), live=False, document_type=EMRTD, chip_auth=True)
    report = VerificationReport.from_checks(_checks((P, P, P, ABSENT, N, ABSENT)), chip_auth_supported=True,
                                            evidence=ev)
    assert report.decision == decide(report.checks, ev)
    assert report.to_dict()["verdict"] == "INCOMPLETE" and report.decision.rule == 7
