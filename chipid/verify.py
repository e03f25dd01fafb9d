"""Offline verification of files read earlier (a dump): Passive Authentication only.

Active and Chip Authentication need the chip itself: offline they are NOT_PERFORMED, so a dump of a chip that
supports them verifies at best as INCOMPLETE — a copy of the files is not proof of a genuine chip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone

from chipid.document import Document
from chipid.pki.passive import passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.report import CHECK_AA, CHECK_CA, CheckResult, CheckStatus, VerificationReport

__all__ = ["CHECK_CONSISTENCY", "CHECK_EXPIRY", "consistency_check", "expiry_check", "verify"]

CHECK_EXPIRY = "document.expiry"
CHECK_CONSISTENCY = "document.id_consistency"

_OFFLINE = "offline verification of saved files: only the chip itself can prove it is not a copy"


def expiry_check(document: Document, at: datetime | None = None) -> CheckResult:
    """Informational: is the document past its date of expiry (DG13 for the CCCD, else DG1)?

    Expiry does not make a chip less genuine, so the check is not required for the verdict, but a desk must
    see it. Dates that cannot be read give NOT_PERFORMED.
    """
    today = (at or datetime.now(timezone.utc)).date()
    holder = document.holder(today=today)
    expiry = holder.date_of_expiry if holder is not None else None
    if not isinstance(expiry, date):
        return CheckResult(CHECK_EXPIRY, CheckStatus.NOT_PERFORMED, "no readable date of expiry", required=False)
    details = {"date_of_expiry": expiry.isoformat()}
    if expiry < today:
        return CheckResult(CHECK_EXPIRY, CheckStatus.FAILED, f"document expired on {expiry.isoformat()}", details,
                           required=False)
    return CheckResult(CHECK_EXPIRY, CheckStatus.PASSED, f"valid until {expiry.isoformat()}", details,
                       required=False)


def consistency_check(document: Document) -> CheckResult:
    """Informational: does the CCCD 12-digit ID agree with itself, DG13 and DG1 (sex, birth year, MRZ number)?

    The issuer signed whatever it signed, so a disagreement does not make the chip less genuine; a desk must
    still see it (a data-entry error at issuance, or a document to look at twice). NOT_PERFORMED without an ID.
    """
    check = document.id_number_check()
    if check is None:
        return CheckResult(CHECK_CONSISTENCY, CheckStatus.NOT_PERFORMED, "no 12-digit personal ID number",
                           required=False)
    details = {"province": check.province or "unknown"}
    if check.findings:
        return CheckResult(CHECK_CONSISTENCY, CheckStatus.FAILED, "; ".join(check.findings), details,
                           required=False)
    return CheckResult(CHECK_CONSISTENCY, CheckStatus.PASSED, "ID number consistent with DG13 and the MRZ",
                       details, required=False)


def verify(
    files: Mapping[str, bytes] | Document, trust: TrustStore | None, *, at: datetime | None = None
) -> VerificationReport:
    """Verify saved files (``{"EF.SOD": ..., "DG1": ...}`` or a :class:`Document`) against a trust store.

    Args:
        files: the exact bytes read of each file, keyed like :attr:`Document.raw`.
        trust: CSCA trust store; None leaves the certificate chain NOT_PERFORMED (INCOMPLETE).
        at: the verification time (default now).
    """
    raw = files.raw if isinstance(files, Document) else files
    dgs = {int(k[2:]): v for k, v in raw.items() if k.startswith("DG") and k[2:].isdigit()}
    result = passive_authenticate(raw.get("EF.SOD", b""), dgs, trust, at=at)
    checks = list(result.checks)
    document = files if isinstance(files, Document) else Document.from_files(raw)
    checks += [expiry_check(document, at), consistency_check(document)]
    if "DG14" in raw:
        checks.append(CheckResult(CHECK_CA, CheckStatus.NOT_PERFORMED, _OFFLINE))
    if "DG15" in raw:
        checks.append(CheckResult(CHECK_AA, CheckStatus.NOT_PERFORMED, _OFFLINE))
    return VerificationReport.from_checks(checks, chip_auth_supported="DG14" in raw or "DG15" in raw)
