"""Document Signer certificate validation against the trust store (ICAO 9303-11 §5.1.1 step 2, 9303-12 §7).

The path is short by design: CSCA (or a link certificate verified against one) -> Document Signer. Checked
separately so a report says exactly what failed: the DS signature by a trusted CSCA and the CSCA's validity
at signing time (``pa.ds_chain``), the DS validity at signing time and now, its keyUsage
(digitalSignature, 9303-12 §7.1.2) and its revocation by the CSCA's CRL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chipid.pki.certs import Certificate, signed_by
from chipid.pki.trust import RevocationStatus, TrustStore
from chipid.report import CHECK_DS_CHAIN, CheckResult, CheckStatus

__all__ = ["chain_checks"]

_P, _F, _N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED
_COUNTRY_OID = "2.5.4.6"
_CLOCK_SKEW = timedelta(days=1)


def _country(name: tuple[tuple[str, str], ...]) -> str | None:
    return next((value for oid, value in name if oid == _COUNTRY_OID), None)


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _chain(ds: Certificate, trust: TrustStore | None, signing_time: datetime) -> tuple[CheckResult, Certificate | None]:
    if trust is None:
        return CheckResult(CHECK_DS_CHAIN, _N, "no trust store given"), None
    candidates = trust.issuers_of(ds)
    issuer = next((c for c in candidates if signed_by(ds, c)), None)
    if issuer is not None:
        details = {"csca": issuer.subject_text}
        if not issuer.valid_at(signing_time):
            reason = f"issuing CSCA was not valid at signing time {_iso(signing_time)}"
            return CheckResult(CHECK_DS_CHAIN, _F, reason, details), issuer
        return CheckResult(CHECK_DS_CHAIN, _P, f"DS issued by trusted CSCA {issuer.subject_text}", details), issuer
    country = _country(ds.issuer)
    same_country = [a for a in trust.anchors if _country(a.subject) == country]
    details = {"ds_issuer": ds.issuer_text}
    if candidates:
        reason = "DS signature does not verify with the key of the trusted CSCA of the same name"
        return CheckResult(CHECK_DS_CHAIN, _F, reason, details), None
    if same_country:
        reason = f"DS not issued by any of the {len(same_country)} trusted CSCA(s) of country {country}"
        return CheckResult(CHECK_DS_CHAIN, _F, reason, details), None
    where = f"of country {country}" if country else f"named {ds.issuer_text}"
    return CheckResult(CHECK_DS_CHAIN, _N, f"no CSCA {where} in the trust store", details), None


def chain_checks(
    ds: Certificate,
    trust: TrustStore | None,
    signing_time: datetime,
    now: datetime,
    *,
    require_crl: bool = False,
) -> tuple[list[CheckResult], Certificate | None]:
    """All certificate checks of the Document Signer; returns them and the issuing CSCA (if found).

    Args:
        ds: the Document Signer certificate.
        trust: the trust store, or ``None``.
        signing_time: signingTime of the SOD, else the verification time.
        now: the verification time.
        require_crl: a missing or unusable CRL is required (INCOMPLETE) instead of informational.
    """
    chain, csca = _chain(ds, trust, signing_time)
    checks = [chain]
    valid_then = ds.valid_at(signing_time)
    if signing_time > now + _CLOCK_SKEW:
        reason = f"signingTime {_iso(signing_time)} is after the verification time {_iso(now)}"
        checks.append(CheckResult("pa.ds_validity_signing", _F, reason))
    else:
        checks.append(
            CheckResult(
                "pa.ds_validity_signing",
                _P if valid_then else _F,
                f"DS valid at signing time {_iso(signing_time)}"
                if valid_then
                else f"DS not valid at signing time {_iso(signing_time)} "
                f"(valid {_iso(ds.not_before)}..{_iso(ds.not_after)})",
            )
        )
    valid_now = ds.valid_at(now)
    checks.append(
        CheckResult(
            "pa.ds_validity_now",
            _P if valid_now else _F,
            "DS certificate valid now" if valid_now else f"DS certificate not valid now ({_iso(now)})",
            required=False,
        )
    )
    usage = ds.key_usage
    if usage is None:
        checks.append(CheckResult("pa.ds_key_usage", _P, "no keyUsage extension (any usage allowed)"))
    elif "digital_signature" in usage:
        checks.append(CheckResult("pa.ds_key_usage", _P, "keyUsage includes digitalSignature"))
    else:
        reason = f"keyUsage {sorted(usage)} lacks digitalSignature: not a Document Signer key"
        checks.append(CheckResult("pa.ds_key_usage", _F, reason))
    if csca is None or trust is None:
        checks.append(CheckResult("pa.ds_revocation", _N, "no issuing CSCA: revocation not checked", required=False))
    else:
        revocation = trust.revocation(ds, csca, at=now)
        status = {RevocationStatus.GOOD: _P, RevocationStatus.REVOKED: _F, RevocationStatus.UNKNOWN: _N}
        required = require_crl or revocation.status is RevocationStatus.REVOKED
        checks.append(CheckResult("pa.ds_revocation", status[revocation.status], revocation.reason, required=required))
    return checks, csca
