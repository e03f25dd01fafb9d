"""Offline verification of files read earlier (a dump): Passive Authentication only.

Active and Chip Authentication need the chip itself: offline they are NOT_PERFORMED, so a dump whose **signed
SOD** lists DG14 or DG15 verifies at best as INCOMPLETE -- a copy of the files is not proof of a genuine chip.
What is demanded comes from the SOD, never from the files present: deleting DG14.bin/DG15.bin from a dump
changes nothing (issue 10, point 3). The verdict is :func:`chipid.policy.decide`, as for the live reader.

:func:`load_dump` reads a directory written by ``chipid read --out``: ``DG1.bin`` .. ``DG16.bin`` (ASCII digits
only), ``EF_COM.bin``, ``EF_SOD.bin``, ``EF_CardAccess.bin``, ``EF_CardSecurity.bin``; regular files only, each
at most :data:`MAX_FILE_BYTES`. Anything else named ``*.bin`` is refused with a typed error.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from pathlib import Path

from chipid import policy
from chipid.document import Document
from chipid.errors import ParseError
from chipid.lds.security_infos import SecurityInfos, parse_card_security, parse_security_infos
from chipid.pki.card_security import verify_card_security
from chipid.pki.passive import passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.report import CHECK_AA, CHECK_CA, CheckResult, CheckStatus, VerificationReport

__all__ = [
    "CHECK_CONSISTENCY",
    "CHECK_EXPIRY",
    "CHECK_MRZ_CHECK_DIGITS",
    "CHECK_CS_CONSISTENCY",
    "MAX_FILE_BYTES",
    "card_security_checks",
    "consistency_check",
    "data_groups_of",
    "expiry_check",
    "load_dump",
    "mrz_check_digits_check",
    "verify",
]

CHECK_EXPIRY = "document.expiry"
CHECK_CONSISTENCY = "document.id_consistency"
CHECK_MRZ_CHECK_DIGITS = "document.mrz_check_digits"
CHECK_CS_CONSISTENCY = "cs.card_access_consistency"

MAX_FILE_BYTES = 1 << 20
"""Size cap of one dump file (1 MiB: an LDS file is at most 64 KiB with short READ BINARY offsets, and no
real DG2/DG3 comes near 1 MiB)."""

_DG_NAME = re.compile(r"DG([1-9]|1[0-6])", re.ASCII)
_EF_NAMES = ("EF.COM", "EF.SOD", "EF.CardAccess", "EF.CardSecurity")

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


def mrz_check_digits_check(document: Document) -> CheckResult:
    """DG1's MRZ check digits (ICAO 9303-3 §4.9). Wrong ones give WARN, never FAILED.

    DG1 is hash-verified against the signed SOD: wrong check digits in a signed DG1 are the issuer's
    personalisation error, not a forgery (a forger who alters DG1 fails ``pa.dg_hash.DG1``), so the verdict
    holds and the clerk is shown the finding.
    """
    mrz = document.mrz
    if mrz is None:
        return CheckResult(CHECK_MRZ_CHECK_DIGITS, CheckStatus.NOT_PERFORMED, "no readable DG1", required=False)
    wrong = sorted(name for name, ok in mrz.checks.items() if not ok)
    if wrong:
        return CheckResult(CHECK_MRZ_CHECK_DIGITS, CheckStatus.WARN,
                           f"MRZ check digit(s) wrong in the signed DG1: {', '.join(wrong)} (issuer error)",
                           {"wrong": ",".join(wrong)}, required=False)
    return CheckResult(CHECK_MRZ_CHECK_DIGITS, CheckStatus.PASSED, "all MRZ check digits correct", required=False)


def _pace_suites(data: bytes, parse: Callable[[bytes], SecurityInfos]) -> frozenset[tuple[str, int | None]]:
    infos = parse(data)
    return frozenset((p.protocol, p.parameter_id) for p in infos.pace_infos)


def card_security_checks(
    files: Mapping[str, bytes], trust: TrustStore | None, at: datetime | None = None
) -> list[CheckResult]:
    """EF.CardSecurity, when present: signature, DS chain (``cs.*``, :mod:`chipid.pki.card_security`) and
    consistency with EF.CardAccess.

    EF.CardAccess is not signed; EF.CardSecurity is, and repeats its SecurityInfos (BSI TR-03110-3 §A.1.2,
    ICAO 9303-11 §9.2.11). A PACEInfo of EF.CardAccess that the signed EF.CardSecurity lacks is FAILED (the file
    was edited: a clone steering the terminal); PACEInfos in EF.CardSecurity that EF.CardAccess no longer
    lists are a WARN (the terminal may have been steered to a weaker mapping; chip authentication still
    decides). Absent EF.CardSecurity gives no check (most CCCDs and passports have none).
    """
    data = files.get("EF.CardSecurity")
    if data is None:
        return []
    result = verify_card_security(bytes(data), trust, at=at)
    checks = list(result.checks)
    card_access = files.get("EF.CardAccess")
    if not result.passed or card_access is None:
        return checks
    try:
        signed = _pace_suites(bytes(data), parse_card_security)
        listed = _pace_suites(bytes(card_access), lambda b: parse_security_infos(b, name="EF.CardAccess"))
    except ParseError as err:
        checks.append(CheckResult(CHECK_CS_CONSISTENCY, CheckStatus.FAILED, f"cannot compare: {err}"))
        return checks
    added, hidden = sorted(map(str, listed - signed)), sorted(map(str, signed - listed))
    if added:
        checks.append(CheckResult(CHECK_CS_CONSISTENCY, CheckStatus.FAILED,
                                  f"EF.CardAccess lists PACE {', '.join(added)} that the signed EF.CardSecurity "
                                  "does not: EF.CardAccess was altered"))
    elif hidden:
        checks.append(CheckResult(CHECK_CS_CONSISTENCY, CheckStatus.WARN,
                                  f"the signed EF.CardSecurity lists PACE {', '.join(hidden)} that EF.CardAccess "
                                  "does not (EF.CardAccess stripped?)"))
    else:
        checks.append(CheckResult(CHECK_CS_CONSISTENCY, CheckStatus.PASSED,
                                  "EF.CardAccess PACE protocols match the signed EF.CardSecurity"))
    return checks


def data_groups_of(files: Mapping[str, bytes]) -> dict[int, bytes]:
    """The data groups of ``files`` keyed by number; names must be ``DG1``..``DG16`` in ASCII.

    Raises:
        ParseError: a key that starts with ``DG`` (any case) but is not one of those names (``"DG013"``,
            ``"DG17"``, Arabic-Indic or full-width digits): such a name could smuggle a second DG13 past the
            hash check while the document shows the other.
    """
    groups: dict[int, bytes] = {}
    for name, data in files.items():
        match = _DG_NAME.fullmatch(name)
        if match is None and name[:2].upper() != "DG":
            continue  # EF.COM, EF.SOD, EF.CardAccess ...: not a data group
        if match is None:
            raise ParseError(f"unknown file name {name!r}: data groups are DG1..DG16 (ASCII digits)",
                             path=ascii(name))
        groups[int(match.group(1))] = bytes(data)
    return groups


def _file_name(path: Path) -> str:
    stem = path.name[: -len(".bin")]
    name = "EF." + stem[3:] if stem.startswith("EF_") else stem
    if name not in _EF_NAMES and _DG_NAME.fullmatch(name) is None:
        raise ParseError(f"unknown dump file {path.name!r}: expected DG1.bin..DG16.bin or EF_COM.bin, EF_SOD.bin,"
                         " EF_CardAccess.bin, EF_CardSecurity.bin", path=ascii(path.name))
    return name


def load_dump(directory: str | os.PathLike[str]) -> dict[str, bytes]:
    """The files of a dump directory written by ``chipid read --out``, keyed like :attr:`Document.raw`.

    Raises:
        ParseError: not a directory, an unknown ``*.bin`` name (non-ASCII digits included), a ``*.bin`` that
            is not a regular file (symbolic link, FIFO, device, directory), or a file over
            :data:`MAX_FILE_BYTES`.
    """
    root = Path(directory)
    try:
        entries = sorted(root.iterdir())
    except OSError as err:
        raise ParseError(f"{root} is not a readable dump directory: {err.strerror}", path=str(root)) from err
    files: dict[str, bytes] = {}
    for path in entries:
        if not path.name.endswith(".bin"):
            continue
        name = _file_name(path)
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                raise ParseError(f"{path.name} is not a regular file", path=ascii(path.name))
            if info.st_size > MAX_FILE_BYTES:
                raise ParseError(f"{path.name} is {info.st_size} bytes, over the {MAX_FILE_BYTES}-byte cap",
                                 path=ascii(path.name))
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise ParseError(f"{path.name} cannot be read: {err.strerror}", path=ascii(path.name)) from err
        if len(data) > MAX_FILE_BYTES:
            raise ParseError(f"{path.name} grew over the {MAX_FILE_BYTES}-byte cap", path=ascii(path.name))
        files[name] = data
    return files


def verify(
    files: Mapping[str, bytes] | Document, trust: TrustStore | None, *, at: datetime | None = None
) -> VerificationReport:
    """Verify saved files (``{"EF.SOD": ..., "DG1": ...}`` or a :class:`Document`) against a trust store.

    Args:
        files: the exact bytes read of each file, keyed like :attr:`Document.raw`.
        trust: CSCA trust store; None leaves the certificate chain NOT_PERFORMED (INCOMPLETE).
        at: the verification time (default now).

    Raises:
        ParseError: a data-group name that is not ``DG1``..``DG16`` in ASCII (see :func:`data_groups_of`).
    """
    raw = files.raw if isinstance(files, Document) else files
    dgs = data_groups_of(raw)
    sod = raw.get("EF.SOD")
    result = passive_authenticate(sod or b"", dgs, trust, at=at)
    checks = list(result.checks)
    document = files if isinstance(files, Document) else Document.from_files(raw)
    checks += [expiry_check(document, at), consistency_check(document), mrz_check_digits_check(document)]
    checks += card_security_checks(raw, trust, at)
    sod_dgs = frozenset(result.sod.dg_hashes) if result.sod is not None else None
    listed = sod_dgs if sod_dgs is not None else frozenset(dgs)
    if 14 in listed:
        checks.append(CheckResult(CHECK_CA, CheckStatus.NOT_PERFORMED, _OFFLINE))
    if 15 in listed:
        checks.append(CheckResult(CHECK_AA, CheckStatus.NOT_PERFORMED, _OFFLINE))
    mrz = document.mrz if 1 in result.authenticated_dgs else None
    evidence = policy.Evidence(
        sod_present=sod is not None,
        sod_dgs=sod_dgs,
        document_type=policy.document_type(mrz.issuing_state, mrz.document_code) if mrz else policy.UNKNOWN,
        live=False,
        chip_auth=bool({14, 15} & listed),
    )
    return VerificationReport.from_checks(checks, chip_auth_supported=evidence.chip_auth, evidence=evidence)
