"""Chip-level forgery battery (issue 5): forged virtual cards read END TO END through DocumentReader over
SimTransport(VirtualChip(...)) with a trust store holding the genuine test CSCA.

Every forgery must be NOT_GENUINE with the check that catches it FAILED, by name, with a reason saying why.
The checks follow ICAO 9303-11 §5.1 (Passive Authentication), §6.1 (Active Authentication), §6.2 (Chip
Authentication), §4.2 (access control; downgrade) and ICAO 9303-12 §7 (certificate profiles).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipid.errors import ChipIDError, SecureMessagingError
from chipid.lds.sod import parse_sod
from chipid.reader import ReadResult
from chipid.report import CheckStatus, Verdict
from chipid.sim import Faults
from tests.pki.pki_fixtures import pki, store_for
from tests.verification import forgery_cards as fc
from tests.verification.forgery_cards import KINDS, ForgedCard, read_card

Builder = Callable[[str], ForgedCard]

# scenario id -> (builder, check that must FAIL, words its reason must contain)
BATTERY: dict[str, tuple[Builder, str, str]] = {
    "01-dg-bytes-altered": (fc.dg_altered, "pa.dg_hash.DG2", "do not match"),
    "02-dg-hash-replaced-not-resigned": (fc.hash_replaced, "pa.message_digest", "messageDigest"),
    "04-ds-expired-at-signing": (fc.ds_expired_at_signing, "pa.ds_validity_signing", "not valid at signing"),
    "05-ds-revoked": (fc.ds_revoked, "pa.ds_revocation", "revoked"),
    "07-message-digest-mismatch": (fc.message_digest_mismatch, "pa.message_digest", "does not match"),
    "08-wrong-content-type": (fc.wrong_content_type, "pa.content_type", "1.2.840.113549.1.7.1"),
    "09-dg-missing-from-sod": (fc.dg_uncovered, "pa.dg_uncovered.DG15", "not covered"),
    "10-cloned-chip": (fc.cloned, "chip_authentication", "did not prove"),
    "11a-ca-key-not-dg14": (fc.ca_key_mismatch, "chip_authentication", "did not prove its DG14 key"),
    "11b-ca-unsupported": (fc.ca_unsupported, "chip_authentication", "Chip Authentication failed"),
    "12-downgrade-bac-only": (fc.downgrade, "access.downgrade", "downgrade"),
    "13-aa-replay": (fc.aa_replay, "active_authentication", "did not prove the DG15 key"),
    "14-truncated-sod": (fc.truncated_sod, "pa.sod_parse", "cannot be parsed"),
    "15-sig-alg-contradicts-key": (fc.signature_algorithm_contradicts_key, "pa.sod_signature", "does not verify"),
    "16-sod-from-another-card": (fc.sod_swapped, "pa.dg_hash.DG1", "do not match"),
    "17-dg15-attacker-key": (fc.dg15_replaced, "pa.dg_hash.DG15", "do not match"),
}


def _failed_check(result: ReadResult, name: str) -> str:
    report = result.report
    assert report.verdict is Verdict.NOT_GENUINE, report.to_text()
    check = report.get(name)
    assert check is not None, report.to_text()
    assert check.status is CheckStatus.FAILED and check.required, report.to_text()
    return check.reason


@pytest.mark.parametrize("kind", KINDS)
def test_genuine_baseline(kind: str) -> None:
    """The untouched card is GENUINE with every PA, CA and AA check passed (the battery is not vacuous)."""
    result = read_card(fc.genuine_card(kind))
    report = result.report
    assert report.verdict is Verdict.GENUINE, report.to_text()
    assert result.protocol == "PACE"
    for name in (
        "pa.sod_signature",
        "pa.ds_chain",
        "pa.ds_revocation",
        "pa.dg_hash.DG1",
        "pa.dg_hash.DG15",
        "chip_authentication",
        "active_authentication",
        "access.downgrade",
    ):
        check = report.get(name)
        assert check is not None and check.passed, report.to_text()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scenario", sorted(BATTERY))
def test_forgery_is_not_genuine(scenario: str, kind: str) -> None:
    """Each forged card is NOT_GENUINE and the named check FAILED with its reason."""
    builder, check, words = BATTERY[scenario]
    reason = _failed_check(read_card(builder(kind)), check)
    assert words in reason, reason


# scenario id -> builder: the attacker's own CSCA (or a DS naming a CSCA key the store lacks). No trusted anchor
# vouches for the DS, and a missing anchor is not evidence of forgery (issue 10 point 8): INCOMPLETE, naming the DS's
# issuer and AKI so the clerk knows which CSCA is missing; never GENUINE, and no chip key it vouches for is used.
UNANCHORED: dict[str, Builder] = {
    "03-ds-not-issued-by-csca": fc.rogue_ds,
    "06-self-signed-csca": fc.self_signed_csca,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scenario", sorted(UNANCHORED))
def test_forgery_under_an_unknown_csca_is_incomplete_never_genuine(scenario: str, kind: str) -> None:
    report = read_card(UNANCHORED[scenario](kind)).report
    assert report.verdict is Verdict.INCOMPLETE, report.to_text()
    chain = report.get("pa.ds_chain")
    assert chain is not None and chain.status is CheckStatus.NOT_PERFORMED, report.to_text()
    assert "not in the trust store" in chain.reason and "authorityKeyIdentifier" in chain.reason, chain.reason
    for key_check in ("chip_authentication", "active_authentication"):
        check = report.get(key_check)
        assert check is not None and check.status is CheckStatus.NOT_PERFORMED, report.to_text()


@pytest.mark.parametrize("dg", [1, 2, 13, 14, 15])
def test_any_read_data_group_altered(dg: int) -> None:
    """ICAO 9303-11 §5.1.1 step 3: every data group read is hashed; altering any one fails its hash."""
    reason = _failed_check(read_card(fc.dg_altered("ec", dg)), f"pa.dg_hash.DG{dg}")
    assert f"DG{dg} bytes do not match" in reason


@pytest.mark.parametrize("kind", KINDS)
def test_hash_replaced_is_caught_by_the_signature_not_the_hash(kind: str) -> None:
    """The forged DG1 matches its (replaced) hash: only the signed messageDigest betrays it."""
    report = read_card(fc.hash_replaced(kind)).report
    dg1 = report.get("pa.dg_hash.DG1")
    assert dg1 is not None and dg1.passed, report.to_text()
    _failed_check(read_card(fc.hash_replaced(kind)), "pa.message_digest")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "builder",
    [fc.self_signed_csca, fc.rogue_ds, fc.dg15_replaced, fc.sod_swapped],
    ids=["self-signed-csca", "rogue-ds", "dg15-attacker", "sod-swapped"],
)
def test_untrusted_keys_are_never_used_for_aa_or_ca(kind: str, builder: Builder) -> None:
    """ICAO 9303-11 §6.1/§6.2: the DG15 / DG14 key is used only once Passive Authentication vouched for it.
    With the attacker's DG15 the attacker's chip would pass AA: it must not even be run."""
    report = read_card(builder(kind)).report
    aa = report.get("active_authentication")
    assert aa is not None and aa.status is CheckStatus.NOT_PERFORMED, report.to_text()
    assert "not authenticated" in aa.reason
    assert report.verdict is not Verdict.GENUINE
    # an unknown CSCA is INCOMPLETE (issue 10 point 8); edited data under the genuine CSCA is NOT_GENUINE
    expected = Verdict.INCOMPLETE if builder in (fc.self_signed_csca, fc.rogue_ds) else Verdict.NOT_GENUINE
    assert report.verdict is expected, report.to_text()


@pytest.mark.parametrize("kind", KINDS)
def test_cloned_chip_fails_both_aa_and_ca(kind: str) -> None:
    """Faults.cloned replaces both chip keys: CA (§6.2) fails; the failed CA ends the secure channel, access control
    runs again and AA (§6.1) fails on the new session; read without CA, AA fails on its own too."""
    from chipid.reader import DocumentReader
    from chipid.sim import SimTransport, VirtualChip

    result = read_card(fc.cloned(kind))
    _failed_check(result, "chip_authentication")
    _failed_check(result, "active_authentication")
    assert result.report.verdict is Verdict.NOT_GENUINE
    card = fc.cloned(kind)
    chip = VirtualChip(card.profile, faults=card.faults)
    alone = DocumentReader(SimTransport(chip), card.profile.can_key(), trust=card.trust, at=card.at,
                           chip_auth=False).read()
    _failed_check(alone, "active_authentication")


@pytest.mark.parametrize("kind", KINDS)
def test_cloned_chip_still_shows_the_holder_data_and_photo(kind: str) -> None:
    """Issue 11 point 1: after the failed CA the clone's DG1, DG13 and photo are read on a new session and shown;
    the verdict stays NOT_GENUINE with chip_authentication FAILED (the copied data is no evidence for the chip)."""
    card = fc.cloned(kind)
    genuine = read_card(fc.genuine_card(kind))
    result = read_card(card)
    assert result.report.verdict is Verdict.NOT_GENUINE, result.report.to_text()
    _failed_check(result, "chip_authentication")
    for name in ("DG1", "DG2", "DG13"):
        assert result.document.raw.get(name) == genuine.document.raw[name], name
        assert result.report.get(f"read.{name}") is None, result.report.to_text()
    assert result.document.mrz is not None and result.document.mrz == genuine.document.mrz
    assert result.document.dg13 is not None and result.document.holder() == genuine.document.holder()
    assert result.document.face_image() is not None and result.document.face_image() == genuine.document.face_image()
    again = [s for s in result.steps if s.name == "access control again"]
    assert len(again) == 1 and again[0].status == "ok"


@pytest.mark.parametrize("kind", KINDS)
def test_raw_truncated_sod_file_is_not_verified(kind: str) -> None:
    """A SOD shorter than its own TLV header: the other files are still read, nothing is verified (never GENUINE).

    A file that cannot be read whole is no evidence of forgery (issue 11): INCOMPLETE with the read error.
    """
    sod = fc.genuine(kind).files["EF.SOD"]
    card = ForgedCard(fc.genuine(kind).with_files(EF_SOD=sod[: len(sod) // 2]), store_for(pki(kind)))
    result = read_card(card)
    assert result.report.verdict is Verdict.INCOMPLETE
    check = result.report.get("pa.sod_present")
    assert check is not None and check.status is CheckStatus.NOT_PERFORMED
    assert "file shorter than its TLV length" in check.reason
    assert "EF.SOD" not in result.document.raw and "DG1" in result.document.raw


@pytest.mark.parametrize("kind", KINDS)
def test_expired_genuine_card_stays_genuine_with_a_warning(kind: str) -> None:
    """Expiry does not make a chip less genuine: GENUINE, document.expiry an informational FAILED (WARN)."""
    report = read_card(fc.expired_genuine(kind)).report
    assert report.verdict is Verdict.GENUINE, report.to_text()
    expiry = report.get("document.expiry")
    assert expiry is not None and expiry.failed and not expiry.required, report.to_text()
    assert "expired on" in expiry.reason


def test_dg1_dg13_id_disagreement_is_a_soft_finding() -> None:
    """DG13's ID number differs from DG1's, both signed by the genuine DS: PA cannot object (the issuer
    signed it), chipid keeps the verdict GENUINE and shows the disagreement as an informational FAILED
    check (a WARN at the desk), from Document.id_number_check()."""
    result = read_card(fc.id_mismatch("ec"))
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    check = result.document.id_number_check()
    assert check is not None
    assert "DG13 ID number differs from the MRZ optional data" in check.findings
    warn = result.report.get("document.id_consistency")
    assert warn is not None and warn.failed and not warn.required
    assert "differs from the MRZ" in warn.reason


@pytest.mark.parametrize("kind", KINDS)
def test_clone_hiding_dg14_dg15_in_ef_com(kind: str) -> None:
    """EF.COM is not covered by the SOD (ICAO 9303-10 §4.6.1); the SOD lists DG14 and DG15, so the chip
    supports CA/AA and a clone must not verify as GENUINE."""
    report = read_card(fc.com_stripped_clone(kind)).report
    assert report.verdict is not Verdict.GENUINE, report.to_text()


def test_downgrade_hidden_by_stripping_card_access() -> None:
    """PACEInfo removed from EF.CardAccess, chip BAC-only; DG14 (signed) still advertises PACE."""
    result = read_card(fc.card_access_stripped_downgrade("ec"))
    assert result.protocol == "BAC"
    _failed_check(result, "access.downgrade")


@pytest.mark.parametrize("kind", KINDS)
def test_altered_embedded_ds_certificate_is_not_genuine(kind: str) -> None:
    """ICAO 9303-10 §4.6.2.2: the DS certificate is in SignedData.certificates; one that was altered (its
    serial number) is tampering, not a missing anchor."""
    _failed_check(read_card(fc.ds_certificate_altered(kind)), "pa.ds_certificate")


@pytest.mark.parametrize("when", ["once", "always"])
def test_responses_tampered_in_transit_are_a_typed_error(when: str) -> None:
    """A man in the middle altering secure-messaging responses (ICAO 9303-11 §9.8: DO'8E' MAC) stops the
    read with SecureMessagingError; nothing half-read is reported."""
    card = dataclasses.replace(fc.genuine_card("ec"), faults=Faults(wrong_mac=when))  # type: ignore[arg-type]
    with pytest.raises(SecureMessagingError, match="MAC"):
        read_card(card)


# --------------------------------------------------------------------------- property
_READ_DGS = ("DG1", "DG2", "DG13", "DG14", "DG15")


def _protected_sod_ranges(kind: str) -> list[tuple[int, int]]:
    """eContent, the DS certificate, signedAttrs and the signature value inside EF.SOD (the bytes PA
    authenticates; the CMS envelope around them, e.g. SignedData.version, is not signed)."""
    sod = fc.genuine(kind).files["EF.SOD"]
    parsed = parse_sod(sod)
    signer = parsed.signer_info
    parts = (parsed.econtent, pki(kind).ds.der, signer["signed_attrs"].dump()[2:], bytes(signer["signature"].native))
    return [(sod.find(p), sod.find(p) + len(p)) for p in parts]


def _read_corrupted(kind: str, target: str, offset: int, xor: int) -> ReadResult | None:
    """Read the genuine card with one byte of ``target`` XORed; ``None`` when the reader raised a typed error."""
    profile = fc.genuine(kind)
    data = bytearray(profile.files[target])
    data[offset] ^= xor
    card = ForgedCard(profile.with_files(**{target.replace(".", "_"): bytes(data)}), store_for(pki(kind)))
    try:
        return read_card(card)
    except ChipIDError:
        return None


_PROPERTY = settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@given(kind=st.sampled_from(KINDS), target=st.sampled_from(_READ_DGS), where=st.integers(0), xor=st.integers(1, 255))
@_PROPERTY
def test_data_group_byte_corruption_is_not_genuine(kind: str, target: str, where: int, xor: int) -> None:
    """ICAO 9303-11 §5.1.1: any single-byte change to a data group read is NOT_GENUINE or a typed
    ChipIDError (e.g. a length byte pointing past the end of the file): never GENUINE, never another
    exception."""
    result = _read_corrupted(kind, target, where % len(fc.genuine(kind).files[target]), xor)
    assert result is None or result.report.verdict is Verdict.NOT_GENUINE, result.report.to_text()


@given(kind=st.sampled_from(KINDS), part=st.integers(0, 3), where=st.integers(0), xor=st.integers(1, 255))
@_PROPERTY
def test_signed_sod_byte_corruption_is_never_genuine(kind: str, part: int, where: int, xor: int) -> None:
    """Any single-byte change inside the signed parts of EF.SOD (eContent, DS certificate, signedAttrs,
    signature) is NOT_GENUINE or a typed ChipIDError; INCOMPLETE only where the change makes the DS
    certificate unfindable (see test_altered_embedded_ds_certificate_is_not_genuine)."""
    start, end = _protected_sod_ranges(kind)[part]
    result = _read_corrupted(kind, "EF.SOD", start + where % (end - start), xor)
    if result is None:
        return
    report = result.report
    assert report.verdict is not Verdict.GENUINE, report.to_text()
    if report.verdict is Verdict.INCOMPLETE:
        ds = report.get("pa.ds_certificate")
        assert ds is not None and ds.status is CheckStatus.NOT_PERFORMED, report.to_text()
