"""Document Signer certificate validation against the trust store (ICAO 9303-11 §5.1.1 step 2, 9303-12 §7).

The path is short by design: CSCA (or a link certificate verified against one) -> Document Signer. Checked
separately so a report says exactly what failed:

* ``pa.ds_chain``: a trusted CSCA key verifies the DS certificate. No CSCA with the key the DS's
  authorityKeyIdentifier names (while the store may hold other CSCAs of that country, e.g. before a key
  rollover was loaded) is NOT_PERFORMED with the DS's issuer and AKI, so the clerk knows which CSCA to add;
  a CSCA with that key (or name, without AKI) whose signature does not verify is FAILED. With a strict store,
  a CSCA that rests only on a self-consistent master list is NOT_PERFORMED.
* ``pa.csca_trust``: where the CSCA's trust comes from (WARN: a self-consistent master list only).
* ``pa.country``: the CSCA belongs to the document's issuing State (:mod:`chipid.pki.country`); FAILED
  otherwise, also when the CSCA is missing and the DS's issuer names another country.
* ``pa.csca_validity``: the chain model (not RFC 5280's shell model): the DS was issued inside its CSCA's
  validity. A CSCA that expired after issuing the DS is not a failure (documents outlive CSCA keys).
* ``pa.ds_validity_signing``: with a signingTime, the DS was valid then; without one (it is optional,
  9303-10 §4.6.2.2) the check is NOT_PERFORMED and informational, and the verification time is never used
  as if it were the signing time. A DS not yet valid now fails either way.
* ``pa.ds_validity_now``: the DS expired now is a WARN (documents outlive their DS's private key period).
* ``pa.ds_key_usage`` and ``pa.ds_profile``: the 9303-12 §7.1.1 DS profile (keyUsage digitalSignature only,
  no basicConstraints cA, no extendedKeyUsage). A CA certificate or a Master List / Deviation List Signer
  used as DS is FAILED; another extendedKeyUsage or keyCertSign beside digitalSignature is a WARN.
* ``pa.ds_revocation``: the CRLs of the CSCA, verified with any of its trusted keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chipid.pki.certs import Certificate, signed_by
from chipid.pki.country import csca_countries, normalize_issuing_state
from chipid.pki.trust import MASTER_LIST_SIGNER_EKU, RevocationStatus, TrustStore, country_of
from chipid.report import CHECK_DS_CHAIN, CheckResult, CheckStatus

__all__ = ["chain_checks"]

_P, _W, _F, _N = CheckStatus.PASSED, CheckStatus.WARN, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED
_COUNTRY_OID = "2.5.4.6"
_CLOCK_SKEW = timedelta(days=1)
_DEVIATION_LIST_SIGNER_EKU = "2.23.136.1.1.8"
_SIGNER_EKUS = {MASTER_LIST_SIGNER_EKU: "Master List Signer", _DEVIATION_LIST_SIGNER_EKU: "Deviation List Signer"}


def _issuer_country(ds: Certificate) -> str | None:
    value = next((v for oid, v in ds.issuer if oid == _COUNTRY_OID), None)
    return value.upper() if value is not None else None


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _aki_text(ds: Certificate) -> str:
    return ds.aki.hex() if ds.aki is not None else "none"


def _chain(ds: Certificate, trust: TrustStore | None) -> tuple[CheckResult, Certificate | None]:
    if trust is None:
        return CheckResult(CHECK_DS_CHAIN, _N, "no trust store given"), None
    candidates = trust.issuers_of(ds)
    issuer = next((c for c in candidates if signed_by(ds, c)), None)
    details = {"ds_issuer": ds.issuer_text, "ds_aki": _aki_text(ds)}
    if issuer is not None:
        info = trust.anchor_info(issuer)
        details["csca"] = issuer.subject_text
        if trust.strict and (info is None or not info.independent):
            reason = (
                f"DS issued by CSCA {issuer.subject_text}, which rests only on a self-consistent master list; "
                "strict trust demands an independently trusted CSCA"
            )
            return CheckResult(CHECK_DS_CHAIN, _N, reason, details), None
        return CheckResult(CHECK_DS_CHAIN, _P, f"DS issued by trusted CSCA {issuer.subject_text}", details), issuer
    keyed = [c for c in candidates if ds.aki is not None and c.ski == ds.aki]
    if keyed:
        reason = f"DS signature does not verify with the key of trusted CSCA {keyed[0].subject_text} its AKI names"
        return CheckResult(CHECK_DS_CHAIN, _F, reason, details), None
    if candidates and ds.aki is None:
        reason = "DS signature does not verify with the key of the trusted CSCA of the same name"
        return CheckResult(CHECK_DS_CHAIN, _F, reason, details), None
    country = _issuer_country(ds)
    others = sum(1 for a in trust.anchors if country_of(a) == country) if country else 0
    also = f" ({others} other CSCA(s) of country {country} are)" if others else ""
    reason = (
        f"the CSCA that issued the DS is not in the trust store{also}: issuer {ds.issuer_text}, "
        f"authorityKeyIdentifier {_aki_text(ds)}; add that CSCA (or its link certificate)"
    )
    return CheckResult(CHECK_DS_CHAIN, _N, reason, details), None


def _trust_check(csca: Certificate, trust: TrustStore) -> CheckResult:
    info = trust.anchor_info(csca)
    if info is None:  # cannot happen for an issuer the store returned; reported rather than assumed
        return CheckResult("pa.csca_trust", _N, "provenance of the CSCA unknown", required=False)
    details = {"trust": info.trust.value, "source": info.source}
    if info.independent:
        return CheckResult("pa.csca_trust", _P, f"CSCA independently trusted: {info.basis}", details)
    reason = f"CSCA rests only on a self-consistent master list ({info.basis}); no independent anchor vouches for it"
    return CheckResult("pa.csca_trust", _W, reason, details)


def _country_check(ds: Certificate, csca: Certificate | None, issuing_state: str | None) -> CheckResult:
    if issuing_state is None:
        return CheckResult("pa.country", _N, "issuing State unknown (DG1 not read): country not bound", required=False)
    state = normalize_issuing_state(issuing_state)
    # Without the CSCA: the DS's issuer country, else its own (9303-12 §7.1.1: the DS and its CSCA share C).
    country = country_of(csca) if csca is not None else (_issuer_country(ds) or country_of(ds))
    whose = "CSCA" if csca is not None else "DS"
    details = {"issuing_state": state, "csca_country": country or ""}
    if country is None:
        if csca is None:
            return CheckResult("pa.country", _N, "no CSCA and no DS country: country not bound", details, False)
        return CheckResult("pa.country", _F, f"the CSCA names no country; document of {state}", details)
    allowed = csca_countries(state)
    if country in allowed:
        return CheckResult("pa.country", _P, f"{whose} country {country} issues documents of {state}", details)
    if not allowed:
        reason = f"issuing State {state!r} is not a known issuing State or organisation code"
    else:
        reason = f"{whose} country {country} does not issue documents of {state} (expects {'/'.join(sorted(allowed))})"
    return CheckResult("pa.country", _F, reason, details)


def _validity_checks(
    ds: Certificate, csca: Certificate | None, signing_time: datetime | None, now: datetime
) -> list[CheckResult]:
    checks: list[CheckResult] = []
    if csca is not None:
        inside = csca.valid_at(ds.not_before)
        reason = (
            f"DS issued {_iso(ds.not_before)} within its CSCA's validity"
            if inside
            else f"DS issued {_iso(ds.not_before)} outside its CSCA's validity "
            f"({_iso(csca.not_before)}..{_iso(csca.not_after)})"
        )
        checks.append(CheckResult("pa.csca_validity", _P if inside else _F, reason))
    if signing_time is None:
        if ds.not_before > now + _CLOCK_SKEW:
            reason = f"DS certificate not valid before {_iso(ds.not_before)}, after the verification time"
            checks.append(CheckResult("pa.ds_validity_signing", _F, reason))
        else:
            reason = "the SOD has no signingTime: DS validity judged by the chain model (issued within its CSCA)"
            checks.append(CheckResult("pa.ds_validity_signing", _N, reason, required=False))
    elif signing_time > now + _CLOCK_SKEW:
        reason = f"signingTime {_iso(signing_time)} is after the verification time {_iso(now)}"
        checks.append(CheckResult("pa.ds_validity_signing", _F, reason))
    elif ds.valid_at(signing_time):
        reason = f"DS valid at signing time {_iso(signing_time)} (signingTime)"
        checks.append(CheckResult("pa.ds_validity_signing", _P, reason))
    else:
        reason = (
            f"DS not valid at signing time {_iso(signing_time)} (signingTime; valid "
            f"{_iso(ds.not_before)}..{_iso(ds.not_after)})"
        )
        checks.append(CheckResult("pa.ds_validity_signing", _F, reason))
    if ds.valid_at(now):
        checks.append(CheckResult("pa.ds_validity_now", _P, "DS certificate valid now", required=False))
    else:
        reason = f"DS certificate not valid now (valid {_iso(ds.not_before)}..{_iso(ds.not_after)})"
        checks.append(CheckResult("pa.ds_validity_now", _W, reason, required=False))
    return checks


def _profile_checks(ds: Certificate) -> list[CheckResult]:
    usage = ds.key_usage
    if usage is None:
        usage_check = CheckResult("pa.ds_key_usage", _P, "no keyUsage extension (any usage allowed)")
    elif "digital_signature" in usage:
        usage_check = CheckResult("pa.ds_key_usage", _P, "keyUsage includes digitalSignature")
    else:
        reason = f"keyUsage {sorted(usage)} lacks digitalSignature: not a Document Signer key"
        usage_check = CheckResult("pa.ds_key_usage", _F, reason)
    eku = ds.extended_key_usage or frozenset()
    signer_roles = sorted(_SIGNER_EKUS[oid] for oid in eku if oid in _SIGNER_EKUS)
    if ds.is_ca:
        profile = CheckResult("pa.ds_profile", _F, "the DS certificate is a CA (basicConstraints cA): not a DS")
    elif signer_roles:
        reason = f"a {', '.join(signer_roles)} certificate (extendedKeyUsage) used as Document Signer"
        profile = CheckResult("pa.ds_profile", _F, reason)
    elif eku:
        reason = f"DS certificate carries extendedKeyUsage {sorted(eku)}; the 9303-12 DS profile has none"
        profile = CheckResult("pa.ds_profile", _W, reason)
    elif usage is not None and "key_cert_sign" in usage:
        profile = CheckResult("pa.ds_profile", _W, "DS keyUsage also allows keyCertSign (9303-12: digitalSignature)")
    else:
        profile = CheckResult("pa.ds_profile", _P, "DS certificate profile: not a CA, no extendedKeyUsage")
    return [usage_check, profile]


def chain_checks(
    ds: Certificate,
    trust: TrustStore | None,
    signing_time: datetime | None,
    now: datetime,
    *,
    require_crl: bool = False,
    issuing_state: str | None = None,
) -> tuple[list[CheckResult], Certificate | None]:
    """All certificate checks of the Document Signer; returns them and the issuing CSCA (if found and usable).

    Args:
        ds: the Document Signer certificate.
        trust: the trust store, or ``None``.
        signing_time: signingTime of the SOD, ``None`` if it has none (never the verification time).
        now: the verification time.
        require_crl: a missing or unusable CRL is required (INCOMPLETE) instead of informational.
        issuing_state: the document's issuing State (DG1), to bind the CSCA's country; ``None``: unknown.
    """
    chain, csca = _chain(ds, trust)
    checks = [chain]
    if csca is not None and trust is not None:
        checks.append(_trust_check(csca, trust))
    checks.append(_country_check(ds, csca, issuing_state))
    checks += _validity_checks(ds, csca, signing_time, now)
    checks += _profile_checks(ds)
    if csca is None or trust is None:
        checks.append(CheckResult("pa.ds_revocation", _N, "no issuing CSCA: revocation not checked", required=False))
    else:
        revocation = trust.revocation(ds, csca, at=now)
        status = {RevocationStatus.GOOD: _P, RevocationStatus.REVOKED: _F, RevocationStatus.UNKNOWN: _N}
        required = require_crl or revocation.status is RevocationStatus.REVOKED
        checks.append(CheckResult("pa.ds_revocation", status[revocation.status], revocation.reason, required=required))
    return checks, csca
