"""Verification results: one :class:`CheckResult` per check and the overall :class:`VerificationReport`.

The verdict is decided by :func:`chipid.policy.decide` (the one verdict policy, shared by the live reader and
offline verification; its rules are listed there and in ``docs/verification.md``). In short:

* ``NOT_GENUINE`` if EF.SOD is absent or any *required* check FAILED.
* ``INCOMPLETE`` if nothing required failed but something required could not be performed (no trust
  anchor, DG1 not verified ...), or the chip must prove a key (the signed SOD lists DG14/DG15) and did not:
  never possible offline.
* ``GENUINE`` otherwise.

A check with ``required=False`` is informational: a FAILED one is a warning that never makes a document
NOT_GENUINE by itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipid.policy import Decision, Evidence

__all__ = [
    "CHECK_AA",
    "CHECK_CA",
    "CHECK_DOWNGRADE",
    "CHECK_DS_CHAIN",
    "CHECK_SOD_PRESENT",
    "CHECK_SOD_SIGNATURE",
    "DG_HASH_PREFIX",
    "REPORT_SCHEMA",
    "CheckResult",
    "CheckStatus",
    "Verdict",
    "VerificationReport",
    "downgrade_check",
]

REPORT_SCHEMA = "chipid.report/1"
"""Identifier of the JSON layout produced by :meth:`VerificationReport.to_json`."""

CHECK_SOD_PRESENT = "pa.sod_present"
"""FAILED (required) when the chip has no EF.SOD or an empty one: nothing on it is signed."""
CHECK_SOD_SIGNATURE = "pa.sod_signature"
CHECK_DS_CHAIN = "pa.ds_chain"
DG_HASH_PREFIX = "pa.dg_hash."
CHECK_AA = "active_authentication"
CHECK_CA = "chip_authentication"
CHECK_DOWNGRADE = "access.downgrade"


class CheckStatus(str, Enum):
    """Outcome of one check."""

    PASSED = "PASSED"
    WARN = "WARN"
    """The check held, with a finding the clerk must see (e.g. DS certificate expired now, valid at signing)."""
    FAILED = "FAILED"
    NOT_PERFORMED = "NOT_PERFORMED"


class Verdict(str, Enum):
    """Overall verdict of a verification."""

    GENUINE = "GENUINE"
    NOT_GENUINE = "NOT_GENUINE"
    INCOMPLETE = "INCOMPLETE"


@dataclass(frozen=True)
class CheckResult:
    """The result of one named check.

    Attributes:
        name: stable dotted identifier (``"pa.sod_signature"``, ``"pa.dg_hash.DG2"``...).
        status: PASSED, WARN (held, with a finding to show), FAILED or NOT_PERFORMED.
        reason: one human sentence explaining the status (never contains secrets).
        details: extra string facts for audit (algorithm, certificate subject...).
        required: whether the check counts towards the verdict (see module docstring).
    """

    name: str
    status: CheckStatus
    reason: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    required: bool = True

    @property
    def passed(self) -> bool:
        """PASSED or WARN: the check held (a WARN carries a finding to show, never a failure)."""
        return self.status in (CheckStatus.PASSED, CheckStatus.WARN)

    @property
    def failed(self) -> bool:
        return self.status is CheckStatus.FAILED

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this check (schema ``chipid.report/1``)."""
        return {
            "name": self.name,
            "status": self.status.value,
            "required": self.required,
            "reason": self.reason,
            "details": {k: self.details[k] for k in sorted(self.details)},
        }


def downgrade_check(pace_advertised: bool, protocol_used: str) -> CheckResult:
    """Flag the access-control downgrade "PACE advertised in EF.CardAccess but BAC used".

    ICAO 9303-11 §4.2: a chip supporting PACE may also offer BAC, but a terminal that saw PACEInfo in
    EF.CardAccess and still ran BAC has been (or chose to be) downgraded.

    Args:
        pace_advertised: whether EF.CardAccess listed a PACEInfo.
        protocol_used: ``"PACE"`` or ``"BAC"``.
    """
    if pace_advertised and protocol_used.upper() == "BAC":
        return CheckResult(
            CHECK_DOWNGRADE,
            CheckStatus.FAILED,
            "PACE advertised in EF.CardAccess but BAC used",
            {"protocol": "BAC", "pace_advertised": "true"},
            required=False,
        )
    return CheckResult(
        CHECK_DOWNGRADE,
        CheckStatus.PASSED,
        f"{protocol_used} used; PACE advertised: {'yes' if pace_advertised else 'no'}",
        {"protocol": protocol_used, "pace_advertised": "true" if pace_advertised else "false"},
        required=False,
    )


@dataclass(frozen=True)
class VerificationReport:
    """All checks of one document and the overall verdict.

    Attributes:
        checks: every check in the order performed.
        chip_auth_supported: whether the chip must prove a key (the signed SOD lists DG15, or DG14 with a
            CA key); then at least one of AA/CA must pass for GENUINE.
        evidence: what the verdict rests on besides the checks (:class:`chipid.policy.Evidence`); ``None``
            for a report built by hand (then only ``chip_auth_supported`` is known).
    """

    checks: tuple[CheckResult, ...]
    chip_auth_supported: bool = False
    evidence: Evidence | None = field(default=None, compare=False)

    @classmethod
    def from_checks(
        cls, checks: Iterable[CheckResult], *, chip_auth_supported: bool, evidence: Evidence | None = None
    ) -> VerificationReport:
        """A report of ``checks``; ``evidence`` (what the signed SOD lists, live or offline) feeds the policy."""
        return cls(tuple(checks), chip_auth_supported, evidence)

    @property
    def decision(self) -> Decision:
        """The policy's decision (:func:`chipid.policy.decide`): verdict, reason and the rule that gave it."""
        from chipid.policy import Evidence, decide

        evidence = self.evidence or Evidence(chip_auth=self.chip_auth_supported)
        return decide(self.checks, evidence)

    def get(self, name: str) -> CheckResult | None:
        """The check called ``name``, or ``None``."""
        return next((c for c in self.checks if c.name == name), None)

    @property
    def verdict(self) -> Verdict:
        return self._evaluate()[0]

    @property
    def verdict_reason(self) -> str:
        return self._evaluate()[1]

    def _evaluate(self) -> tuple[Verdict, str]:
        decision = self.decision
        return decision.verdict, decision.reason

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the report (schema ``chipid.report/1``, see docs/report-json.md)."""
        verdict, reason = self._evaluate()
        return {
            "schema": REPORT_SCHEMA,
            "verdict": verdict.value,
            "verdict_reason": reason,
            "chip_auth_supported": self.chip_auth_supported,
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Stable JSON for audit logs: sorted keys, ASCII only, checks in order performed."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=True, indent=indent)

    def to_text(self) -> str:
        """A human-readable multi-line summary."""
        verdict, reason = self._evaluate()
        width = max((len(c.name) for c in self.checks), default=10)
        lines = [f"Verdict: {verdict.value} ({reason})"]
        for c in self.checks:
            flag = "" if c.required else " (info)"
            lines.append(f"  {c.status.value:<13} {c.name:<{width}}  {c.reason}{flag}")
        return "\n".join(lines)
