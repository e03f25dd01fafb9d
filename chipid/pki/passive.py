"""Passive Authentication (ICAO 9303-11 §5.1; 9303-12 §9 and §7 certificate profiles).

§5.1.1 "Inspection System": (1) read EF.SOD and verify its signature with the Document Signer certificate;
(2) build and validate a certification path from a trust anchor (CSCA) to the DS certificate; (3) read the
data groups and compare their hashes with the dataGroupHashValues of the SOD. Each step is reported as its
own :class:`~chipid.report.CheckResult`; a failed step never hides the others.

Decisions (see also ``docs/report-json.md``):

* A data group read from the chip but not listed in the SOD is FAILED (required): ICAO 9303-10 §4.6.2 says
  the SOD holds the hash of every data group present, so its content is unauthenticated; it is excluded
  from :attr:`PassiveAuthResult.authenticated_dgs`, and AA with such a DG15 must not be trusted.
* A data group listed in the SOD but not read (e.g. DG3 without EAC) is NOT_PERFORMED and informational.
* The certificate path is checked before any signature made with the DS key (issue 10, CPU exhaustion): a
  DS that a trusted CSCA key does not verify, or that fails its profile, is never used to verify anything
  (``pa.sod_signature`` NOT_PERFORMED). When the CSCA is simply missing (NOT_PERFORMED), the SOD signature
  is still checked so that the report tells a damaged SOD from an unknown CSCA; the key has then passed the
  same cost limits as every key (:mod:`chipid.pki.keys`, :mod:`chipid.pki.curves`).
* The DS's CSCA is not in the store -> NOT_PERFORMED (verdict INCOMPLETE) with the DS's issuer and AKI, even
  when other CSCAs of that country are; a CSCA with the key (or name) the DS names whose signature does not
  verify -> FAILED. The CSCA's country must match the document's issuing State (``pa.country``), else FAILED.
* Validity by the chain model (:mod:`chipid.pki.chain`): the DS issued within its CSCA's validity, valid at
  the signingTime when there is one; expiry *now* is a WARN; the verification time is never reported as the
  signing time.
* CRL: REVOKED fails; no usable CRL is NOT_PERFORMED (required only with ``require_crl=True``).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import x509 as asn1_x509

from chipid.errors import ASN1_ERRORS, ChipIDError, ParseError, UnsupportedError
from chipid.lds._tlv import single_tlv
from chipid.lds.dg1 import parse_dg1
from chipid.lds.sod import LDS_SECURITY_OBJECT_OID, SOD, parse_sod
from chipid.pki.certs import Certificate, load_certificate
from chipid.pki.chain import chain_checks
from chipid.pki.cms_signer import SignerCheck, find_signer_certificate, signing_time_of, verify_signer_info
from chipid.pki.keys import digest
from chipid.pki.trust import TrustStore
from chipid.report import CHECK_SOD_SIGNATURE, DG_HASH_PREFIX, CheckResult, CheckStatus

__all__ = ["PassiveAuthResult", "passive_authenticate"]

_P, _F, _N = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED


@dataclass(frozen=True)
class PassiveAuthResult:
    """Outcome of Passive Authentication.

    Attributes:
        checks: every check, in order.
        passed: all required checks passed (SOD signature, attributes, chain, DS validity, every hash).
        sod: the parsed SOD, ``None`` if it could not be parsed.
        ds_certificate: the Document Signer certificate used.
        csca: the CSCA (or link certificate) that issued it, when found.
        authenticated_dgs: data groups whose bytes match a hash of a correctly signed SOD whose DS
            certificate a trusted CSCA issued and that failed no check; only these may be used, e.g. DG15
            for AA, DG14 for CA. Empty when the CSCA is missing: an unknown CSCA is indistinguishable from an
            attacker's own, so the keys it vouches for are never used (the verdict is INCOMPLETE anyway).
    """

    checks: tuple[CheckResult, ...]
    passed: bool
    sod: SOD | None = None
    ds_certificate: Certificate | None = None
    csca: Certificate | None = None
    authenticated_dgs: frozenset[int] = frozenset()

    def is_authenticated(self, dg: int) -> bool:
        return dg in self.authenticated_dgs


_SIGNER_CHECKS = ("pa.country", "pa.csca_validity")
"""Besides every ``pa.ds_*`` check: failures that mean the DS vouches for nothing."""


def issuing_state_of(dg1: bytes) -> str | None:
    """The issuing State (MRZ characters 3-5 in every format) of DG1, ``None`` if DG1 has no MRZ."""
    try:
        return parse_dg1(dg1).issuing_state
    except ChipIDError:
        pass
    try:  # a malformed MRZ line (bad length) still names its issuing State at the same place
        text = single_tlv(single_tlv(bytes(dg1), 0x61, path="DG1"), 0x5F1F, path="DG1").decode("ascii")
    except (ChipIDError, UnicodeDecodeError):
        return None
    state = text[2:5].replace("<", "")
    return state if state.isalpha() and state.isascii() else None


def _check(name: str, status: CheckStatus, reason: str, required: bool = True, **details: str) -> CheckResult:
    return CheckResult(name, status, reason, details, required)


def _signer(sod: SOD, trust: TrustStore | None) -> Certificate | None:
    """The DS certificate the SignerInfo names: embedded ones are matched on a lazy parse (serial, issuer, SKI)
    and only the match is parsed whole, so a SOD stuffed with certificates costs little (issue 10 point 11).

    Raises:
        ParseError: an embedded certificate that cannot even be read that far, or a malformed sid.
    """
    try:
        sid = sod.signer_info["sid"]
        by_serial = sid.name == "issuer_and_serial_number"
        wanted_serial = int(sid.chosen["serial_number"].native) if by_serial else None
        wanted_ski = b"" if by_serial else bytes(sid.chosen.native)
    except ASN1_ERRORS as err:
        raise ParseError(f"malformed SignerIdentifier: {err}", path="SOD > signerInfos[0] > sid") from err
    embedded: list[Certificate] = []
    for i, der in enumerate(sod.certificates):
        try:
            lazy = asn1_x509.Certificate.load(der, strict=True)
            serial = int(lazy["tbs_certificate"]["serial_number"].native)
        except ASN1_ERRORS as err:
            raise ParseError(f"not an X.509 certificate: {err}", path=f"SOD > certificates[{i}]") from err
        # only plausible signers are read further (an SKI must appear in the DER of the certificate it names)
        if (serial == wanted_serial) if by_serial else (wanted_ski in der):
            embedded.append(Certificate(der, lazy))
    known = tuple(trust.document_signers) if trust is not None else ()
    match = find_signer_certificate(sod.signer_info, (*embedded, *known))
    if match is None or any(match is k for k in known):
        return match
    return load_certificate(match.der, path="SOD > certificates")


def _signature_checks(sod: SOD, ds: Certificate) -> tuple[list[CheckResult], SignerCheck | None]:
    try:
        result = verify_signer_info(sod.signer_info, sod.econtent, sod.content_type, ds)
    except (UnsupportedError, ParseError) as err:
        return [_check(CHECK_SOD_SIGNATURE, _F, f"signature algorithm not usable: {err}")], None
    checks = [
        _check(
            CHECK_SOD_SIGNATURE,
            _P if result.signature else _F,
            "SOD signature verifies with the DS key" if result.signature else result.reason,
            algorithm=result.algorithm,
        )
    ]
    type_ok = sod.content_type == LDS_SECURITY_OBJECT_OID and result.content_type is not False
    checks.append(
        _check(
            "pa.content_type",
            _P if type_ok else _F,
            "eContentType and contentType are id-icao-mrtd-security-ldsSecurityObject"
            if type_ok
            else f"content type {sod.content_type} is not the LDS object or differs from signedAttrs",
        )
    )
    if result.message_digest is None:
        checks.append(_check("pa.message_digest", _P, "no signedAttrs: the signature covers eContent directly"))
    else:
        checks.append(
            _check(
                "pa.message_digest",
                _P if result.message_digest else _F,
                "messageDigest matches eContent"
                if result.message_digest
                else "messageDigest attribute does not match the hash of eContent",
            )
        )
    return checks, result


def _hash_checks(sod: SOD, data_groups: Mapping[int, bytes]) -> tuple[list[CheckResult], set[int]]:
    checks: list[CheckResult] = []
    matched: set[int] = set()
    try:
        digest(sod.hash_algorithm, b"")
    except UnsupportedError as err:
        return [_check(f"{DG_HASH_PREFIX}all", _F, str(err))], matched
    for number in sorted(set(sod.dg_hashes) | set(data_groups)):
        name = f"DG{number}"
        if number not in sod.dg_hashes:
            checks.append(
                _check(
                    f"pa.dg_uncovered.{name}",
                    _F,
                    f"{name} was read but is not covered by the SOD: its content is unauthenticated",
                )
            )
        elif number not in data_groups:
            checks.append(
                _check(f"{DG_HASH_PREFIX}{name}", _N, f"{name} listed in the SOD but not read", required=False)
            )
        elif hmac.compare_digest(digest(sod.hash_algorithm, data_groups[number]), sod.dg_hashes[number]):
            matched.add(number)
            checks.append(_check(f"{DG_HASH_PREFIX}{name}", _P, f"{sod.hash_algorithm} hash matches the SOD"))
        else:
            checks.append(
                _check(
                    f"{DG_HASH_PREFIX}{name}",
                    _F,
                    f"{name} bytes do not match the {sod.hash_algorithm} hash in the SOD",
                )
            )
    return checks, matched


def passive_authenticate(
    sod: bytes,
    data_groups: Mapping[int, bytes],
    trust: TrustStore | None,
    *,
    at: datetime | None = None,
    require_crl: bool = False,
    issuing_state: str | None = None,
) -> PassiveAuthResult:
    """Run Passive Authentication over EF.SOD and the exact data-group bytes read.

    Args:
        sod: EF.SOD as read (tag 77; DER or BER).
        data_groups: data-group number -> exact file bytes as read from the chip.
        trust: the CSCA trust store; ``None`` leaves the chain NOT_PERFORMED (verdict INCOMPLETE).
        at: the verification time ("now"), injected for reproducible tests; default: the clock.
        require_crl: make a missing/unusable CRL an INCOMPLETE rather than informational result.
        issuing_state: the document's issuing State (ICAO three-letter code, e.g. DG1's ``"VNM"``) that the
            CSCA must belong to; default: taken from ``data_groups[1]`` when given (``pa.country``).

    Returns:
        A :class:`PassiveAuthResult`; bad input never raises, it gives FAILED checks.
    """
    now = at or datetime.now(timezone.utc)
    try:
        parsed = parse_sod(sod)
    except ChipIDError as err:
        check = _check("pa.sod_parse", _F, f"EF.SOD cannot be parsed: {err}")
        return PassiveAuthResult((check,), False)
    checks = [_check("pa.sod_parse", _P, f"LDSSecurityObject v{parsed.version}, {parsed.hash_algorithm}")]
    try:
        ds = _signer(parsed, trust)
    except ParseError as err:
        ds = None
        checks.append(_check("pa.ds_certificate", _F, f"embedded certificate cannot be parsed: {err}"))
    signer_result: SignerCheck | None = None
    csca: Certificate | None = None
    if issuing_state is None and 1 in data_groups:
        issuing_state = issuing_state_of(data_groups[1])
    if ds is not None:
        checks.append(_check("pa.ds_certificate", _P, f"DS {ds.subject_text}", serial=f"{ds.serial_number:x}"))
        signing_time = signing_time_of(parsed.signer_info)
        chain, csca = chain_checks(
            ds, trust, signing_time, now, require_crl=require_crl, issuing_state=issuing_state
        )
        refused = [c for c in chain if c.failed and c.required]
        if refused:
            reason = f"not checked: the DS certificate is not trusted ({refused[0].name}: {refused[0].reason})"
            checks.append(_check(CHECK_SOD_SIGNATURE, _N, reason))
        else:
            sig_checks, signer_result = _signature_checks(parsed, ds)
            checks += sig_checks
        checks += chain
    elif not any(c.name == "pa.ds_certificate" for c in checks):  # an unparseable one was reported above
        if parsed.certificates:
            # ICAO 9303-10 §4.6.2.2: the SOD carries its DS certificate. One that is there but does not match
            # the SignerInfo's sid was altered or substituted: tampering, not a missing trust anchor.
            checks.append(_check("pa.ds_certificate", _F, f"the SOD embeds {len(parsed.certificates)} "
                                 "certificate(s) but none is the signer its SignerInfo names (altered or substituted)"))
        else:
            checks.append(_check("pa.ds_certificate", _N, "no Document Signer certificate in the SOD or store"))
    hash_checks, matched = _hash_checks(parsed, data_groups)
    checks += hash_checks
    sod_ok = all(c.passed for c in checks if c.name in (CHECK_SOD_SIGNATURE, "pa.content_type", "pa.message_digest"))
    # A DS that failed a certificate check (rogue issuer, revoked, expired) vouches for nothing.
    signer_ok = not any(
        c.failed and c.required for c in checks if c.name.startswith("pa.ds_") or c.name in _SIGNER_CHECKS
    )
    vouched = ds is not None and csca is not None and signer_result is not None and sod_ok and signer_ok
    authenticated = frozenset(matched) if vouched else frozenset()
    passed = all(c.passed for c in checks if c.required) and bool(authenticated) and csca is not None
    return PassiveAuthResult(tuple(checks), passed, parsed, ds, csca, authenticated)
