"""Trust store: master lists, ICAO PKD LDIF, PEM/DER folders, CRLs, link certificates, name matching
(ICAO 9303-12 §5.5.1 link certificates, §8 distribution)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding

from chipid.errors import ParseError
from chipid.lds.sod import build_sod
from chipid.pki.certs import load_certificate
from chipid.pki.names import normalize_name, same_name
from chipid.pki.trust import RevocationStatus, TrustStore
from chipid.report import CheckStatus, Verdict
from chipid.sim import pkigen
from tests.pki.pki_fixtures import SIGNED_AT, make_sod, pki, sample_dgs, verify


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
    assert "does not chain" in lenient.notes[-1]


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
    store = TrustStore.from_paths(tmp_path)
    assert len(store) == 1 and len(store.crls) == 1
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
    assert report.verdict is Verdict.NOT_GENUINE  # same country, unknown key
    store.add_certificate(link)
    assert len(store.links) == 1
    _result, report = verify(sod, dgs, store)
    assert report.verdict is Verdict.GENUINE, report.to_text()
    # A link certificate signed by nobody we trust extends nothing.
    rogue = TrustStore()
    rogue.add_certificate(pkigen.issue_csca(b"other", cn="CSCA").der)
    rogue.add_certificate(link)
    _, report = verify(sod, dgs, rogue)
    assert report.verdict is Verdict.NOT_GENUINE


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
    store.add_crl(pkigen.make_crl(p.csca, (abs(cert.serial_number),)))
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
