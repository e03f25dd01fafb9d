"""Issue 10, the PKI half: Passive Authentication and trust files attacked as an attacker would, with his own
PKI (:mod:`chipid.sim.pkigen`, :mod:`tests.pki.attack_pki`), hostile trust files and edited SODs.

Every ``test_attack_*`` is one named attack that must never be GENUINE (each failed on the code before the
fix); every ``test_control_*`` is a genuine document that must stay GENUINE, so that refusing everything
cannot pass. ICAO 9303-11 §5.1 (PA), 9303-12 §5 (PKI, link certificates), §7.1 (certificate profiles),
§8 (master lists, CRLs); 9303-3 §5 (issuing State codes).
"""

from __future__ import annotations

import base64
import contextlib
from datetime import datetime, timedelta, timezone

import pytest

from chipid.errors import ChipIDError
from chipid.lds.sod import build_sod
from chipid.pki.certs import load_certificate
from chipid.pki.passive import PassiveAuthResult, passive_authenticate
from chipid.pki.trust import AnchorTrust, TrustStore
from chipid.report import CheckStatus, Verdict, VerificationReport
from chipid.sim import pkigen
from tests.pki import attack_pki as atk
from tests.pki.pki_fixtures import NOW, SIGNED_AT, fresh_crl, make_sod, pki, sample_dgs, store_for

_P, _W, _F, _N = CheckStatus.PASSED, CheckStatus.WARN, CheckStatus.FAILED, CheckStatus.NOT_PERFORMED


def _run(
    sod: bytes, dgs: dict[int, bytes], store: TrustStore | None, **kw: object
) -> tuple[PassiveAuthResult, Verdict]:
    at = kw.pop("at", NOW)
    result = passive_authenticate(sod, dgs, store, at=at, **kw)  # type: ignore[arg-type]
    return result, VerificationReport(result.checks, chip_auth_supported=False).verdict


def _status(result: PassiveAuthResult, name: str) -> CheckStatus:
    check = next((c for c in result.checks if c.name == name), None)
    assert check is not None, [c.name for c in result.checks]
    return check.status


def _reason(result: PassiveAuthResult, name: str) -> str:
    return next(c.reason for c in result.checks if c.name == name)


def _text(result: PassiveAuthResult) -> str:
    return VerificationReport(result.checks).to_text()


def _signed_by(ds: pkigen.Issued, dgs: dict[int, bytes], **kw: object) -> bytes:
    options: dict[str, object] = {"signing_time": SIGNED_AT}
    options.update(kw)
    return build_sod(dgs, ds.key, ds.der, **options)  # type: ignore[arg-type]


def _french() -> pkigen.TestPKI:
    return pkigen.generate_pki(b"attack-fr", country="FR")


def _two_country_store() -> TrustStore:
    store = store_for(pki("ec"))
    store.add_certificate(_french().csca.der)
    store.add_crl(fresh_crl(_french()))
    return store


# ---------------------------------------------------------------- point 4: country binding
def test_attack_foreign_csca_signs_vietnamese_card() -> None:
    """A DS of another *trusted* country's CSCA signs a Vietnamese (VNM) card."""
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(_french().ds, dgs), dgs, _two_country_store())
    assert verdict is Verdict.NOT_GENUINE, _text(result)
    assert _status(result, "pa.ds_chain") is _P  # the French chain itself is sound
    assert _status(result, "pa.country") is _F and "FR" in _reason(result, "pa.country")
    assert not result.authenticated_dgs


def test_attack_foreign_csca_with_issuing_state_from_caller() -> None:
    """The caller passes DG1's issuing State (the live reader); DG1 itself is not among the hashed files."""
    dgs = sample_dgs()
    sod = _signed_by(_french().ds, dgs)
    del dgs[1]
    result, verdict = _run(sod, dgs, _two_country_store(), issuing_state="VNM")
    assert verdict is Verdict.NOT_GENUINE and _status(result, "pa.country") is _F
    result, verdict = _run(sod, dgs, _two_country_store(), issuing_state="FRA")
    assert verdict is Verdict.GENUINE, _text(result)  # the control: a French document under the French CSCA


def test_attack_unknown_issuing_state_code() -> None:
    """A document claiming a nationality-only code (XXA, stateless) as its issuing State matches no CSCA."""
    dgs = sample_dgs()
    dgs[1] = dgs[1].replace(b"IDVNM", b"IDXXA")
    result, verdict = _run(make_sod(pki("ec"), dgs), dgs, store_for(pki("ec")))
    assert verdict is Verdict.NOT_GENUINE and "not a known issuing State" in _reason(result, "pa.country")


def test_control_germany_d_and_organisation_codes() -> None:
    """ICAO special cases: 'D<<' is Germany (CSCA C=DE); EUE is the EU (C=EU)."""
    for code, country in ((b"D<<", "DE"), (b"EUE", "EU")):
        p = pkigen.generate_pki(b"special-" + code, country=country)
        dgs = sample_dgs()
        dgs[1] = dgs[1].replace(b"IDVNM", b"ID" + code)
        result, verdict = _run(make_sod(p, dgs), dgs, store_for(p))
        assert verdict is Verdict.GENUINE, _text(result)
        assert _status(result, "pa.country") is _P


# ---------------------------------------------------------------- point 5: hostile trust files
def _listed_ds(seed: bytes) -> tuple[pkigen.TestPKI, bytes, dict[int, bytes]]:
    p = pkigen.generate_pki(seed)
    dgs = sample_dgs()
    return p, make_sod(p, dgs), dgs


def test_attack_master_list_with_broken_signature() -> None:
    """A master list whose CMS signature does not verify (content edited after signing) adds nothing."""
    p, sod, dgs = _listed_ds(b"ml-broken")
    ml = pkigen.master_list(pkigen.master_list_signer(p.csca, b"ml"), [p.csca.der, pki("ec").csca.der], tamper=True)
    store = TrustStore()
    load = store.load_master_list(ml)
    assert load.added == 0 and not load.signature_valid and len(store) == 0
    result, verdict = _run(sod, dgs, store)
    assert verdict is Verdict.INCOMPLETE, _text(result)


def test_attack_master_list_signed_by_self_signed_non_csca() -> None:
    """The attacker signs a list of his own CSCA with a self-signed, non-CA "signer"."""
    p, sod, dgs = _listed_ds(b"ml-selfsigned")
    signer = atk.self_signed(b"ml-self", label="self-signer")
    store = TrustStore()
    load = store.load_master_list(pkigen.master_list(signer, [p.csca.der]))
    assert load.added == 0 and len(store) == 0 and "CA certificate" in load.reason
    assert _run(sod, dgs, store)[1] is Verdict.INCOMPLETE


def test_attack_master_list_signed_by_a_csca_directly() -> None:
    """The list is signed by the (self-signed) CSCA it lists, not by a Master List Signer it issued."""
    p, sod, dgs = _listed_ds(b"ml-csca-signs")
    store = TrustStore()
    assert store.load_master_list(pkigen.master_list(p.csca, [p.csca.der])).added == 0
    assert _run(sod, dgs, store)[1] is Verdict.INCOMPLETE


def test_attack_master_list_signer_of_another_country() -> None:
    """The signer says C=VN but was issued by a French CSCA in the list: not a CSCA of the signer's country."""
    p = pkigen.generate_pki(b"ml-country")
    fr = _french()
    signer = atk.mls_under(fr.csca, b"mls-vn", country="VN")
    store = TrustStore()
    load = store.load_master_list(pkigen.master_list(signer, [fr.csca.der, p.csca.der]))
    assert load.added == 0 and "of its country VN" in load.reason


def test_attack_list_signer_trusted_only_through_another_unverified_list() -> None:
    """List A is self-consistent (the attacker's CSCA signs it); list B is signed under A's CSCA. B must not be
    "signer trusted", and strict trust refuses documents under either."""
    attacker = pkigen.generate_pki(b"attacker-lists")
    list_a = pkigen.master_list(pkigen.master_list_signer(attacker.csca, b"a"), [attacker.csca.der])
    victim = pkigen.generate_pki(b"listed-in-b")
    list_b = pkigen.master_list(pkigen.master_list_signer(attacker.csca, b"b", label="mls-b"), [victim.csca.der])
    store = TrustStore()
    assert store.load_master_list(list_a).trust is AnchorTrust.SELF_CONSISTENT
    load_b = store.load_master_list(list_b)
    assert not load_b.signer_trusted and load_b.trust is AnchorTrust.SELF_CONSISTENT
    assert all(not a.independent for a in store.trust_anchors())
    assert store.load_master_list(list_b, require_trusted_signer=True).added == 0
    dgs = sample_dgs()
    sod = make_sod(victim, dgs)
    result, verdict = _run(sod, dgs, store)
    assert verdict is Verdict.GENUINE and _status(result, "pa.csca_trust") is _W  # lenient: shown as a finding
    store.strict = True
    result, verdict = _run(sod, dgs, store)
    assert verdict is Verdict.INCOMPLETE and "strict trust" in _reason(result, "pa.ds_chain")


def test_attack_ldif_self_signed_ca_as_user_certificate() -> None:
    """An LDIF whose userCertificate;binary is the attacker's self-signed CSCA: never an anchor."""
    p, _sod, dgs = _listed_ds(b"ldif-anchor")

    text = "\n".join(
        [f"dn: cn=x{i},o=pkd\n{attr}:: {base64.b64encode(der).decode()}\n" for i, (attr, der) in enumerate(
            [("userCertificate;binary", p.csca.der), ("cACertificate;binary", p.csca.der),
             ("userCertificate;binary", p.ds.der)])]
    )
    store = TrustStore()
    store.load_ldif(text)
    assert len(store) == 0 and store.trust_anchors() == ()
    assert len(store.document_signers) == 1  # the DS entry: only to find a SOD's signer
    result, verdict = _run(make_sod(p, dgs, include_certificate=False), dgs, store)
    assert verdict is Verdict.INCOMPLETE, _text(result)


def test_control_master_list_under_an_independent_csca() -> None:
    """The ICAO PKD way: the operator trusts one CSCA, whose signer's list brings the others (independent)."""
    home = pki("ec")
    other = pkigen.generate_pki(b"listed-under-home", country="FR")
    store = TrustStore()
    store.add_certificate(home.csca.der, source="operator")
    load = store.load_master_list(pkigen.master_list(atk.mls_under(home.csca, b"mls"), [other.csca.der]))
    assert load.signer_trusted and load.trust is AnchorTrust.INDEPENDENT and load.added == 1
    assert {a.country: a.trust for a in store.trust_anchors()} == {"VN": AnchorTrust.INDEPENDENT,
                                                                    "FR": AnchorTrust.INDEPENDENT}
    dgs = sample_dgs()
    dgs[1] = dgs[1].replace(b"IDVNM", b"IDFRA")
    store.strict = True
    result, verdict = _run(make_sod(other, dgs), dgs, store)
    assert verdict is Verdict.GENUINE, _text(result)
    assert _status(result, "pa.csca_trust") is _P


# ---------------------------------------------------------------- point 6: revocation after rollover
def _rollover() -> tuple[pkigen.Issued, pkigen.Issued, bytes]:
    old = pki("ec").csca
    new = pkigen.issue_csca(b"rollover-new", label="csca-new", cn="CSCA", not_before=pkigen.EPOCH + timedelta(days=5))
    return old, new, pkigen.link_certificate(old, new)


@pytest.mark.parametrize("with_link", [True, False], ids=["link", "no-link"])
def test_attack_ds_revoked_by_crl_of_the_new_csca_key(with_link: bool) -> None:
    """The DS (under the old key) is revoked on a CRL signed with the CSCA's new key."""
    old, new, link = _rollover()
    p = pki("ec")
    store = TrustStore()
    store.add_certificate(old.der)
    store.add_certificate(link if with_link else new.der)
    store.add_crl(pkigen.make_crl(new, (load_certificate(p.ds.der).serial_number,), this_update=NOW - timedelta(1)))
    dgs = sample_dgs()
    result, verdict = _run(make_sod(p, dgs), dgs, store)
    assert verdict is Verdict.NOT_GENUINE, _text(result)
    assert _status(result, "pa.ds_revocation") is _F


def test_control_card_after_rollover_with_link_certificate() -> None:
    """A DS under the new CSCA key; the store has the old CSCA and the link certificate; current CRL (new key)."""
    old, new, link = _rollover()
    ds = pkigen.issue_ds(new, b"ds-after-rollover", label="ds-new", not_before=pkigen.EPOCH + timedelta(days=6))
    store = TrustStore()
    store.add_certificate(old.der)
    store.add_certificate(link)
    store.add_crl(pkigen.make_crl(new, this_update=NOW - timedelta(days=1)))
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(ds, dgs), dgs, store)
    assert verdict is Verdict.GENUINE, _text(result)
    assert _status(result, "pa.ds_revocation") is _P and _status(result, "pa.csca_trust") is _P
    assert result.authenticated_dgs == frozenset(dgs)


# ---------------------------------------------------------------- points 7 and 8: false rejects
def test_control_expired_document_without_signing_time() -> None:
    """A real, expired passport: the SOD has no signingTime, the DS expired years ago. GENUINE, with a WARN;
    the verification time is never shown as a signing time."""
    p = pki("ec")
    ds = pkigen.issue_ds(p.csca, b"old-ds", label="old-ds", days=365)
    now = datetime(2035, 6, 1, 12, 34, 56, tzinfo=timezone.utc)
    dgs = sample_dgs()
    store = TrustStore()
    store.add_certificate(p.csca.der)
    result, verdict = _run(_signed_by(ds, dgs, signing_time=None), dgs, store, at=now)
    assert verdict is Verdict.GENUINE, _text(result)
    assert _status(result, "pa.ds_validity_now") is _W
    assert _status(result, "pa.ds_validity_signing") is _N
    assert _status(result, "pa.csca_validity") is _P
    assert "2035-06-01" not in _text(result)


def test_attack_ds_issued_outside_its_csca_validity() -> None:
    """Chain model: a DS dated before its CSCA existed (backdated by whoever holds the key) fails."""
    p = pki("ec")
    ds = atk.ds_under(p.csca, b"backdated", label="backdated", not_before=pkigen.EPOCH - timedelta(days=30))
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(ds, dgs, signing_time=None), dgs, store_for(p))
    assert verdict is Verdict.NOT_GENUINE and _status(result, "pa.csca_validity") is _F


def test_control_missing_anchor_is_incomplete_with_issuer_and_aki() -> None:
    """A genuine card whose CSCA (a second VN CSCA) the store lacks, while another VN CSCA is present."""
    second = pkigen.generate_pki(b"second-vn-csca")
    dgs = sample_dgs()
    result, verdict = _run(make_sod(second, dgs), dgs, store_for(pki("ec")))
    assert verdict is Verdict.INCOMPLETE, _text(result)
    reason = _reason(result, "pa.ds_chain")
    aki = load_certificate(second.ds.der).aki
    assert aki is not None and aki.hex() in reason and "Country: VN" in reason and "1 other CSCA" in reason


def test_attack_forged_aki_and_issuer_name_of_the_trusted_csca() -> None:
    """The attacker's DS copies the genuine CSCA's name and key identifier but is signed with his key."""
    p = pki("ec")
    attacker = pkigen.generate_key(b"attacker", "csca")
    ds = atk.forged_issuer_ds(p.csca, attacker, b"forged")
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(ds, dgs), dgs, store_for(p))
    assert verdict is Verdict.NOT_GENUINE and "does not verify" in _reason(result, "pa.ds_chain")
    assert _status(result, "pa.sod_signature") is _N  # nothing verified with a key no CSCA vouches for


# ---------------------------------------------------------------- hardening: 9303-12 DS profile
def test_attack_ds_certificate_is_a_ca() -> None:
    p = pki("ec")
    ds = atk.ds_under(p.csca, b"ca-ds", label="ca-ds", ca=True, key_cert_sign=True)
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(ds, dgs), dgs, store_for(p))
    assert verdict is Verdict.NOT_GENUINE and "is a CA" in _reason(result, "pa.ds_profile")


def test_attack_master_list_signer_used_as_document_signer() -> None:
    p = pki("ec")
    mls = atk.mls_under(p.csca, b"mls-as-ds")
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(mls, dgs), dgs, store_for(p))
    assert verdict is Verdict.NOT_GENUINE and "Master List Signer" in _reason(result, "pa.ds_profile")


def test_control_ds_with_other_eku_is_a_warning() -> None:
    p = pki("ec")
    ds = atk.ds_under(p.csca, b"eku-ds", label="eku-ds", eku=(atk.SERVER_AUTH,))
    dgs = sample_dgs()
    result, verdict = _run(_signed_by(ds, dgs), dgs, store_for(p))
    assert verdict is Verdict.GENUINE and _status(result, "pa.ds_profile") is _W


# ---------------------------------------------------------------- points 10 and 11: typed errors, cost
@pytest.mark.parametrize("edit", sorted(atk.PSS_EDITS))
def test_attack_malformed_pss_parameters_in_embedded_ds(edit: str) -> None:
    """RSASSA-PSS parameters with an unknown MGF, an unknown hash, or a wrong MGF OID: typed errors only."""
    p = pki("rsa")
    ds = pkigen.issue_ds(p.csca, b"pss-edit", label="pss-edit", kind="rsa", pss=True)
    bad = atk.edit_pss(ds.der, edit)
    with contextlib.suppress(ChipIDError):  # a typed refusal or a DS kept for lookup; nothing else may escape
        TrustStore().add_certificate(bad)
    dgs = sample_dgs()
    sod = build_sod(dgs, ds.key, bad, signing_time=SIGNED_AT)
    result, verdict = _run(sod, dgs, store_for(p))
    assert verdict is Verdict.NOT_GENUINE, _text(result)
    assert _status(result, "pa.ds_chain") is _F
    pss_sod = atk.edit_pss(build_sod(dgs, ds.key, ds.der, signing_time=SIGNED_AT, pss=True), edit)
    result, verdict = _run(pss_sod, dgs, store_for(p))
    assert verdict is not Verdict.GENUINE, _text(result)


@pytest.mark.parametrize("curve", ["huge", "tweaked"])
def test_attack_ds_key_with_hostile_explicit_curve(curve: str) -> None:
    """The SOD's DS key spells out a 4096-bit field (minutes of pure-Python arithmetic before the fix), or a
    256-bit curve that is no known curve: refused before any arithmetic, whoever issued the certificate."""
    hostile = atk.huge_field_curve() if curve == "huge" else atk.tweaked_curve()
    spki = pkigen.explicit_ec_spki(hostile, hostile.generator)
    attacker = pkigen.generate_pki(b"hostile-curve")
    dgs = sample_dgs()
    for store_pki in (attacker, pki("ec")):  # his own (trusted by a careless clerk) and the genuine store
        der = atk.resign_with_spki(attacker.ds.der, spki, attacker.csca.key)
        result, verdict = _run(build_sod(dgs, attacker.ds.key, der, signing_time=SIGNED_AT), dgs, store_for(store_pki))
        assert verdict is not Verdict.GENUINE, _text(result)
        assert "refused" in _text(result)
