"""Trust store: master lists, ICAO PKD LDIF, PEM/DER folders, CRLs, link certificates, name matching
(ICAO 9303-12 §5.5.1 link certificates, §8 distribution)."""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.lds.sod import build_sod
from chipid.pki.certs import load_certificate
from chipid.pki.names import normalize_name, same_name
from chipid.pki.trust import RevocationStatus, TrustStore
from chipid.report import CheckStatus, Verdict
from chipid.sim import pkigen
from tests.pki.pki_fixtures import NOW, SIGNED_AT, fresh_crl, make_sod, pki, sample_dgs, store_for, verify


def _ldif(entries: list[tuple[str, bytes]]) -> str:
    lines = ["version: 1", ""]
    for i, (attribute, value) in enumerate(entries):
        encoded = base64.b64encode(value).decode()
        folded = [encoded[:60]] + [" " + encoded[j : j + 76] for j in range(60, len(encoded), 76)]
        lines += [
            f"dn: cn=entry{i},o=test",
            "objectClass: top",
            f"{attribute}:: " + folded[0],
            *folded[1:],
            "",
        ]
    return "\n".join(lines)


def test_master_list_signed_by_trusted_csca() -> None:
    p = pki("ec")
    signer = pkigen.master_list_signer(p.csca, b"ml")
    other = pkigen.issue_csca(b"de", country="DE")
    ml = pkigen.master_list(signer, [p.csca.der, other.der])
    store = TrustStore()
    store.add_certificate(p.csca.der)
    load = store.load_master_list(ml, require_trusted_signer=True)
    assert load.signature_valid and load.signer_trusted
    assert load.added == 1
    assert len(store) == 2


def test_master_list_untrusted_signer_reported() -> None:
    p = pki("ec")
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [p.csca.der])
    strict = TrustStore()
    load = strict.load_master_list(ml, require_trusted_signer=True)
    assert load.signature_valid and not load.signer_trusted and load.added == 0
    lenient = TrustStore()
    load = lenient.load_master_list(ml)
    assert load.added == 1
    assert "inside the list itself" in lenient.notes[-1]
    foreign = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [pkigen.issue_csca(b"zz").der])
    other = TrustStore()
    assert other.load_master_list(foreign).added == 0  # signer's CSCA neither trusted nor in the list
    assert "was not issued by a CSCA" in other.notes[-1] and len(other) == 0


def test_master_list_tampered_signature() -> None:
    p = pki("ec")
    other = pkigen.issue_csca(b"fr", country="FR")
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [p.csca.der, other.der], tamper=True)
    store = TrustStore()
    store.add_certificate(p.csca.der)
    load = store.load_master_list(ml, require_trusted_signer=True)
    assert not load.signature_valid
    assert load.added == 0


def test_ldif_certificates_crls_and_master_lists() -> None:
    p = pki("rsa")
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml", label="mls-rsa"), [p.csca.der])
    text = _ldif(
        [
            ("CscaMasterListData", ml),
            ("userCertificate;binary", p.ds.der),
            ("certificateRevocationList;binary", p.crl),
        ]
    )
    store = TrustStore()
    assert store.load_ldif(text) == 3
    assert len(store) == 1 and len(store.document_signers) == 1 and len(store.crls) == 1
    # A SOD without the embedded DS certificate verifies with the DS from the PKD.
    dgs = sample_dgs()
    sod = make_sod(p, dgs, include_certificate=False)
    _result, report = verify(sod, dgs, store)
    assert report.verdict is Verdict.GENUINE, report.to_text()


def test_ldif_bad_base64() -> None:
    with pytest.raises(ParseError) as info:
        TrustStore().load_ldif("dn: x\nuserCertificate;binary:: !!!notbase64\n")
    assert "line 2" in info.value.path


def test_folder_of_pem_der_crl(tmp_path: Path) -> None:
    p = pki("ec")
    (tmp_path / "csca.pem").write_bytes(p.csca.certificate.public_bytes(Encoding.PEM))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ds.cer").write_bytes(p.ds.der)
    (tmp_path / "csca.crl").write_bytes(pkigen.make_crl(p.csca, (p.ds.certificate.serial_number,)))
    (tmp_path / "junk.der").write_bytes(b"not a certificate")
    other = pkigen.issue_csca(b"fr-folder", country="FR")
    ml = pkigen.master_list(pkigen.master_list_signer(other, b"fr-ml"), [other.der])
    (tmp_path / "sub" / "fr.ml").write_bytes(ml)
    (tmp_path / "pkd.ldif").write_text(_ldif([("userCertificate;binary", p.ds.der)]))
    store = TrustStore.from_paths(tmp_path)
    assert len(store) == 2 and len(store.crls) == 1 and len(store.document_signers) == 1
    assert any("junk.der" in note for note in store.notes)
    ds = load_certificate(p.ds.der)
    issuer = store.issuers_of(ds)[0]
    assert store.revocation(ds, issuer).status is RevocationStatus.REVOKED


def test_link_certificate_extends_trust() -> None:
    """9303-12 §5.5.1: a DS issued under the new CSCA key verifies through the link certificate."""
    old = pki("ec").csca
    new = pkigen.issue_csca(b"new-csca", label="csca-2", cn="CSCA")
    link = pkigen.link_certificate(old, new)
    ds = pkigen.issue_ds(new, b"ds-2", label="ds-2")
    dgs = sample_dgs()
    sod = build_sod(dgs, ds.key, ds.der, signing_time=SIGNED_AT)
    store = TrustStore()
    store.add_certificate(old.der)
    _, report = verify(sod, dgs, store)
    assert report.verdict is Verdict.INCOMPLETE  # the new key is not in the store: missing anchor, not forgery
    store.add_certificate(link)
    assert len(store.links) == 1
    _result, report = verify(sod, dgs, store)
    assert report.verdict is Verdict.GENUINE, report.to_text()
    # A link certificate signed by nobody we trust extends nothing.
    rogue = TrustStore()
    rogue.add_certificate(pkigen.issue_csca(b"other", cn="CSCA").der)
    rogue.add_certificate(link)
    _, report = verify(sod, dgs, rogue)
    assert report.verdict is Verdict.INCOMPLETE


def test_explicit_params_and_negative_serial_ds() -> None:
    p = pki("ec")
    ds = pkigen.issue_ds(p.csca, b"explicit", label="explicit", explicit_params=True, negative_serial=True)
    cert = load_certificate(ds.der)
    assert cert.serial_number < 0
    assert cert.asn1.public_key["algorithm"]["parameters"].name == "specified"
    dgs = sample_dgs()
    sod = build_sod(dgs, ds.key, ds.der, signing_time=SIGNED_AT)
    store = TrustStore()
    store.add_certificate(p.csca.der)
    store.add_crl(fresh_crl(p, (abs(cert.serial_number),)))
    result, report = verify(sod, dgs, store)
    status = {c.name: c.status for c in result.checks}
    assert status["pa.sod_signature"] is CheckStatus.PASSED
    assert status["pa.ds_chain"] is CheckStatus.PASSED
    assert status["pa.ds_revocation"] is CheckStatus.PASSED  # |serial| revoked, the negative one is not
    assert report.verdict is Verdict.GENUINE, report.to_text()


def test_name_matching_tolerates_order_type_case_and_spaces() -> None:
    a = asn1_x509.Name.build({"country_name": "VN", "common_name": "CSCA  Viet Nam"}, use_printable=True)
    b = asn1_x509.Name.build({"common_name": "csca viet nam", "country_name": "vn"})
    c = asn1_x509.Name.build({"common_name": "CSCA Lao", "country_name": "VN"})
    assert same_name(a, b)
    assert not same_name(a, c)
    assert normalize_name(a) == (("2.5.4.3", "csca viet nam"), ("2.5.4.6", "vn"))


def test_outdated_crl_gives_unknown_and_current_crl_good() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    sod = make_sod(p, dgs)
    result, report = verify(sod, dgs, store_for(p, crl=p.crl))  # nextUpdate EPOCH + 90 days < NOW
    check = next(c for c in result.checks if c.name == "pa.ds_revocation")
    assert check.status is CheckStatus.NOT_PERFORMED and "outdated" in check.reason
    assert report.verdict is Verdict.GENUINE  # a missing CRL is informational by default
    result, _ = verify(sod, dgs, store_for(p))
    assert next(c for c in result.checks if c.name == "pa.ds_revocation").passed


def test_require_crl_makes_missing_crl_incomplete() -> None:
    from chipid.pki.passive import passive_authenticate
    from chipid.report import VerificationReport

    p = pki("ec")
    dgs = sample_dgs()
    store = TrustStore()
    store.add_certificate(p.csca.der)
    result = passive_authenticate(make_sod(p, dgs), dgs, store, at=NOW, require_crl=True)
    assert VerificationReport(result.checks).verdict is Verdict.INCOMPLETE


def test_ds_neither_embedded_nor_known_is_incomplete() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    result, report = verify(make_sod(p, dgs, include_certificate=False), dgs, store_for(p))
    assert next(c for c in result.checks if c.name == "pa.ds_certificate").status is CheckStatus.NOT_PERFORMED
    assert report.verdict is Verdict.INCOMPLETE
    assert not result.authenticated_dgs


def test_pkd_master_list_attribute_and_links_cached() -> None:
    p = pki("ec")
    new = pkigen.issue_csca(b"new-csca-2", label="csca-3", cn="CSCA")
    link = pkigen.link_certificate(p.csca, new)
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [p.csca.der, new.der, link])
    store = TrustStore()
    assert store.load_ldif(_ldif([("pkdMasterListContent", ml)])) == 1
    assert len(store.anchors) == 2 and len(store.links) == 1
    ds = load_certificate(pkigen.issue_ds(new, b"d3", label="d3").der)
    first = store.issuers_of(ds)
    assert store.issuers_of(ds) == first
    assert any(c.der == link for c in first)


def test_ds_certificate_signed_with_rsassa_pss() -> None:
    """RSASSA-PSS certificate signatures with RFC 4055 parameters (ICAO 9303-12 §4.4.2)."""
    p = pki("rsa")
    ds = pkigen.issue_ds(p.csca, b"pss", label="pss-ds", kind="rsa", pss=True)
    assert load_certificate(ds.der).asn1["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    dgs = sample_dgs()
    sod = build_sod(dgs, ds.key, ds.der, signing_time=SIGNED_AT, pss=True)
    _result, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.GENUINE, report.to_text()


@given(st.text(max_size=300))
@settings(max_examples=60, deadline=None)
def test_ldif_garbage_only_parse_errors(text: str) -> None:
    store = TrustStore()
    for prefix in ("", "userCertificate;binary:: ", "pkdMasterListContent:: "):
        with contextlib.suppress(ParseError):
            store.load_ldif(prefix + text)


def test_master_list_skips_an_unparsable_certificate() -> None:
    p = pki("ec")
    bogus = b"\x30\x03\x02\x01\x00"
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [p.csca.der, bogus])
    store = TrustStore()
    store.add_certificate(p.csca.der)
    load = store.load_master_list(ml, require_trusted_signer=True)
    assert load.signature_valid and load.signer_trusted
    assert "1 unparsable certificate(s) skipped" in load.reason
