"""The one verdict decision: check results + what the signed SOD lists -> GENUINE / NOT_GENUINE / INCOMPLETE.

The live reader (:mod:`chipid.reader`) and offline verification (:mod:`chipid.verify`) both build a
:class:`Evidence` and let :func:`decide` turn their checks into the verdict; a
:class:`~chipid.report.VerificationReport` calls :func:`decide` for its ``verdict``. Nothing else turns checks
into GENUINE. What the chip must prove comes from the **signed** SOD (its ``dataGroupHashValues``), never from
the files present or from the unsigned EF.COM: deleting DG14/DG15 from a dump, or a clone hiding them, cannot
lower what is demanded.

The rules, first match wins (the table in ``docs/verification.md`` is this list):

1. ``NOT_GENUINE`` -- EF.SOD absent: the data is not signed.
2. ``NOT_GENUINE`` -- a *required* check FAILED (its name and reason are the verdict reason).
3. ``INCOMPLETE`` -- a required check other than AA/CA was NOT_PERFORMED (e.g. no trust anchor: the DS
   chain NOT_PERFORMED names the missing CSCA).
4. ``INCOMPLETE`` -- the SOD signature or the DS chain is not PASSED/WARN (absent counts as not passed).
5. ``INCOMPLETE`` -- a data group every document of this type must carry is not hash-verified: DG1 always,
   DG13 on a Vietnamese CCCD (only DG3/DG4, protected by EAC, may be left unread).
6. ``INCOMPLETE`` -- no data-group hash verified at all.
7. ``INCOMPLETE`` -- offline: the signed SOD lists DG14 or DG15, so only the chip can prove it holds the key
   (a copy of the files is not proof of a genuine chip).
8. ``INCOMPLETE`` -- live: the chip must support chip authentication (the SOD lists DG15, or DG14 with a CA
   key) and neither Active nor Chip Authentication PASSED.
9. ``GENUINE`` otherwise.

WARN counts as passed everywhere (the check held, with a finding to show). A check with ``required=False``
never changes the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chipid.report import CheckResult, Verdict

__all__ = [
    "CCCD",
    "EMRTD",
    "SOD_ABSENT_REASON",
    "UNKNOWN",
    "Decision",
    "Evidence",
    "chip_auth_expected",
    "decide",
    "document_type",
    "required_data_groups",
]

CCCD = "CCCD"
"""A Vietnamese chip ID card (TD1 ``I*`` document issued by VNM): DG13 is required."""
EMRTD = "eMRTD"
"""Any other ICAO 9303 document."""
UNKNOWN = "unknown"
"""No authenticated DG1 to tell the type from (DG1 is then missing, which rule 5 already refuses)."""

SOD_ABSENT_REASON = "EF.SOD absent: the data is not signed"

_CHECK_SOD_SIGNATURE = "pa.sod_signature"
_CHECK_DS_CHAIN = "pa.ds_chain"
_DG_HASH_PREFIX = "pa.dg_hash."
_CHIP_AUTH = frozenset({"active_authentication", "chip_authentication"})


@dataclass(frozen=True)
class Evidence:
    """What the verdict rests on besides the check results.

    Attributes:
        sod_present: EF.SOD was read (or is in the dump).
        sod_dgs: the data groups the signed SOD lists; ``None`` when unknown (SOD unparsable, or a report
            built by hand without evidence: then rules 5 and 7 cannot apply and ``chip_auth`` decides rule 8).
        document_type: :data:`CCCD`, :data:`EMRTD` or :data:`UNKNOWN` (see :func:`document_type`).
        live: the chip itself was read (False: offline verification of saved files).
        chip_auth: the chip must prove a key by AA or CA (see :func:`chip_auth_expected`).
    """

    sod_present: bool = True
    sod_dgs: frozenset[int] | None = None
    document_type: str = UNKNOWN
    live: bool = True
    chip_auth: bool = False


@dataclass(frozen=True)
class Decision:
    """The verdict, its one-sentence reason and the number of the rule (module docstring) that gave it."""

    verdict: Verdict
    reason: str
    rule: int


def document_type(issuing_state: str | None, document_code: str | None) -> str:
    """:data:`CCCD` for a TD1 identity card (``I*``) issued by VNM, :data:`EMRTD` for any other DG1."""
    if issuing_state is None or document_code is None:
        return UNKNOWN
    if issuing_state == "VNM" and document_code.startswith("I"):
        return CCCD
    return EMRTD


def required_data_groups(doc_type: str) -> tuple[int, ...]:
    """The data groups that must be hash-verified for GENUINE: DG1 always, DG13 on a CCCD."""
    return (1, 13) if doc_type == CCCD else (1,)


def chip_auth_expected(sod_dgs: Iterable[int], dg14_offers_ca: bool | None) -> bool:
    """Whether the chip must prove a key: the signed SOD lists DG15 (AA), or DG14 with a CA key.

    Args:
        sod_dgs: the data groups the signed SOD lists.
        dg14_offers_ca: whether the (authenticated) DG14 holds a ChipAuthenticationPublicKeyInfo; ``None``
            when DG14 could not be read or parsed (then a listed DG14 counts as offering CA).
    """
    listed = set(sod_dgs)
    return 15 in listed or (14 in listed and dg14_offers_ca is not False)


def _passed(checks: Sequence[CheckResult], name: str) -> bool:
    return any(c.name == name and c.passed for c in checks)


def decide(checks: Iterable[CheckResult], evidence: Evidence) -> Decision:
    """Apply the rules of the module docstring to ``checks`` and ``evidence``."""
    from chipid.report import Verdict  # chipid.report calls decide(): imported late to avoid a cycle

    done = tuple(checks)

    def incomplete(reason: str, rule: int) -> Decision:
        return Decision(Verdict.INCOMPLETE, reason, rule)

    if not evidence.sod_present:
        return Decision(Verdict.NOT_GENUINE, SOD_ABSENT_REASON, 1)
    failed = next((c for c in done if c.required and c.failed), None)
    if failed is not None:
        return Decision(Verdict.NOT_GENUINE, f"{failed.name}: {failed.reason}", 2)
    missing = next((c for c in done if c.required and c.name not in _CHIP_AUTH and not c.passed), None)
    if missing is not None:
        return incomplete(f"{missing.name} not performed: {missing.reason}", 3)
    for core in (_CHECK_SOD_SIGNATURE, _CHECK_DS_CHAIN):
        if not _passed(done, core):
            return incomplete(f"{core} not performed", 4)
    if evidence.sod_dgs is not None:
        for dg in required_data_groups(evidence.document_type):
            if not _passed(done, f"{_DG_HASH_PREFIX}DG{dg}"):
                why = "a signed DG1" if dg == 1 else "DG13 on a CCCD"
                return incomplete(f"DG{dg} not verified: GENUINE needs {why} (only DG3/DG4 may be skipped)", 5)
    if not any(c.name.startswith(_DG_HASH_PREFIX) and c.passed for c in done):
        return incomplete("no data-group hash verified", 6)
    if not evidence.live and evidence.sod_dgs is not None and {14, 15} & evidence.sod_dgs:
        listed = "/".join(f"DG{d}" for d in sorted({14, 15} & evidence.sod_dgs))
        return incomplete(f"offline verification: the signed SOD lists {listed}, so only the chip itself can "
                          "prove it is not a copy", 7)
    if evidence.chip_auth and not any(c.name in _CHIP_AUTH and c.passed for c in done):
        return incomplete("chip supports AA/CA but neither passed (clone not excluded)", 8)
    return Decision(Verdict.GENUINE, "all required checks passed", 9)
