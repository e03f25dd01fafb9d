"""Forgery battery at the Passive Authentication level: every forged document is NOT_GENUINE with the
check that catches it (ICAO 9303-11 §5.1 steps; 9303-12 §7 certificate profiles). AA-level forgeries
(cloned chip, replayed signature) are in tests/auth/test_auth_active.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from asn1crypto import cms, core
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.lds.sod import build_sod, parse_sod
from chipid.report import CheckStatus, Verdict
from chipid.sim import pkigen
from tests.pki.pki_fixtures import SIGNED_AT, make_sod, pki, sample_dgs, store_for, verify

KINDS = ["ec", "rsa"]


def _failed(sod: bytes, dgs: dict[int, bytes], store: object, check: str) -> str:
    result, report = verify(sod, dgs, store)  # type: ignore[arg-type]
    assert report.verdict is Verdict.NOT_GENUINE, report.to_text()
    failed = {c.name: c for c in result.checks if c.status is CheckStatus.FAILED}
    assert check in failed, report.to_text()
    return failed[check].reason


def _patch_signer(sod: bytes, edit: Callable[[cms.SignerInfo], None]) -> bytes:
    info = cms.ContentInfo.load(core.Asn1Value.load(sod).contents)
    signer = info["content"]["signer_infos"][0]
    edit(signer)
    body = info.dump(force=True)
    return core.Asn1Value(class_="application", tag=23, method=1, contents=body).dump()


@pytest.mark.parametrize("kind", KINDS)
def test_genuine_baseline(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    result, report = verify(make_sod(p, dgs), dgs, store_for(p))
    assert result.passed
    assert report.verdict is Verdict.GENUINE, report.to_text()
    assert result.authenticated_dgs == frozenset(dgs)


@pytest.mark.parametrize("kind", KINDS)
def test_dg_bytes_altered(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs)
    dgs[2] = dgs[2][:100] + b"\xff" + dgs[2][101:]
    assert "do not match" in _failed(sod, dgs, store_for(p), "pa.dg_hash.DG2")


@pytest.mark.parametrize("kind", KINDS)
def test_dg_hash_replaced_without_resigning(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs)
    forged = dict(dgs)
    forged[1] = dgs[1].replace(b"NM01", b"NM99")
    old_hash = parse_sod(sod).dg_hashes[1]
    new_hash = pkigen.hashlib.sha256(forged[1]).digest()
    assert sod.count(old_hash) == 1
    tampered = sod.replace(old_hash, new_hash)
    reason = _failed(tampered, forged, store_for(p), "pa.message_digest")
    assert "messageDigest" in reason


@pytest.mark.parametrize("kind", KINDS)
def test_ds_not_issued_by_csca(kind: str) -> None:
    p = pki(kind)
    other = pkigen.issue_csca(b"other-state-same-name", kind=kind, country="VN")
    rogue = pkigen.issue_ds(other, b"rogue", kind=kind)
    dgs = sample_dgs()
    sod = build_sod(dgs, rogue.key, rogue.der, signing_time=SIGNED_AT)
    # The DS names (AKI) a CSCA key the store lacks: never GENUINE; INCOMPLETE with what to add (issue 10 pt 8).
    result, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.INCOMPLETE, report.to_text()
    chain = next(c for c in result.checks if c.name == "pa.ds_chain")
    assert chain.status is CheckStatus.NOT_PERFORMED
    assert "not in the trust store" in chain.reason and "Country: VN" in chain.reason


def test_self_signed_csca_not_in_store() -> None:
    p = pki("ec")
    fake_root = pkigen.issue_csca(b"attacker", cn="Fake CSCA", country="VN")
    rogue = pkigen.issue_ds(fake_root, b"attacker-ds")
    dgs = sample_dgs()
    sod = build_sod(dgs, rogue.key, rogue.der, signing_time=SIGNED_AT)
    result, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.INCOMPLETE, report.to_text()
    assert "Fake CSCA" in next(c for c in result.checks if c.name == "pa.ds_chain").reason
    assert result.csca is None and not result.passed


def test_unknown_country_is_incomplete_not_genuine() -> None:
    p = pki("ec")
    foreign = pkigen.generate_pki(b"fr", country="FR")
    dgs = sample_dgs()
    dgs[1] = dgs[1].replace(b"IDVNM", b"IDFRA")
    sod = build_sod(dgs, foreign.ds.key, foreign.ds.der, signing_time=SIGNED_AT)
    _, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.INCOMPLETE
    # The same French DS on a Vietnamese document is a country mismatch: FAILED even without a French CSCA.
    dgs = sample_dgs()
    sod = build_sod(dgs, foreign.ds.key, foreign.ds.der, signing_time=SIGNED_AT)
    assert "FR" in _failed(sod, dgs, store_for(p), "pa.country")


@pytest.mark.parametrize("kind", KINDS)
def test_ds_expired_at_signing(kind: str) -> None:
    p = pki(kind)
    short = pkigen.issue_ds(p.csca, b"short", label="short-ds", kind=kind, days=10)
    dgs = sample_dgs()
    sod = build_sod(dgs, short.key, short.der, signing_time=SIGNED_AT)
    assert "not valid at signing time" in _failed(sod, dgs, store_for(p), "pa.ds_validity_signing")


@pytest.mark.parametrize("kind", KINDS)
def test_ds_revoked_by_crl(kind: str) -> None:
    p = pki(kind)
    serial = p.ds.certificate.serial_number
    crl = pkigen.make_crl(p.csca, (serial,))
    dgs = sample_dgs()
    assert "revoked" in _failed(make_sod(p, dgs), dgs, store_for(p, crl=crl), "pa.ds_revocation")


def test_crl_signed_by_someone_else_is_ignored() -> None:
    p = pki("ec")
    impostor = pkigen.issue_csca(b"impostor", country="VN")
    # Same issuer name as the real CSCA, but signed with another key: must not be trusted.
    crl = pkigen.make_crl(pkigen.Issued(impostor.key, p.csca.der), (p.ds.certificate.serial_number,))
    dgs = sample_dgs()
    result, report = verify(make_sod(p, dgs), dgs, store_for(p, crl=crl))
    check = next(c for c in result.checks if c.name == "pa.ds_revocation")
    assert check.status is CheckStatus.NOT_PERFORMED
    assert "signature" in check.reason
    assert report.verdict is Verdict.GENUINE


def test_ds_without_digital_signature_usage() -> None:
    p = pki("ec")
    bad = pkigen.issue_ds(p.csca, b"ku", label="ku-ds", key_usage=False)
    dgs = sample_dgs()
    sod = build_sod(dgs, bad.key, bad.der, signing_time=SIGNED_AT)
    assert "digitalSignature" in _failed(sod, dgs, store_for(p), "pa.ds_key_usage")


@pytest.mark.parametrize("kind", KINDS)
def test_message_digest_mismatch(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs, message_digest=bytes(32))
    _failed(sod, dgs, store_for(p), "pa.message_digest")


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_content_type(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs, content_type="1.2.840.113549.1.7.1")
    _failed(sod, dgs, store_for(p), "pa.content_type")


@pytest.mark.parametrize("kind", KINDS)
def test_data_group_missing_from_sod(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, {n: d for n, d in dgs.items() if n != 15})
    result, _ = verify(sod, dgs, store_for(p))
    assert 15 not in result.authenticated_dgs
    assert "not covered" in _failed(sod, dgs, store_for(p), "pa.dg_uncovered.DG15")


@pytest.mark.parametrize("kind", KINDS)
def test_truncated_sod(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs)
    assert "cannot be parsed" in _failed(sod[: len(sod) // 2], dgs, store_for(p), "pa.sod_parse")


def _protected_ranges(sod: bytes, ds_der: bytes) -> list[tuple[int, int]]:
    parsed = parse_sod(sod)
    signer = parsed.signer_info
    ranges = []
    for part in (
        parsed.econtent,
        ds_der,
        signer["signed_attrs"].dump()[2:],
        bytes(signer["signature"].native),
    ):
        start = sod.find(part)
        assert start > 0
        ranges.append((start, start + len(part)))
    return ranges


@given(cut=st.integers(min_value=0, max_value=5000), region=st.integers(0, 3), bit=st.integers(0, 7))
@settings(max_examples=40, deadline=None)
def test_any_truncation_or_signed_bit_flip_never_genuine(cut: int, region: int, bit: int) -> None:
    """Every truncation, and every bit flip inside the LDS object, the DS certificate, the signedAttrs
    or the signature, is detected (never GENUINE, never an exception)."""
    p = pki("ec")
    dgs = sample_dgs()
    sod = make_sod(p, dgs)
    _, report = verify(sod[: cut % len(sod)], dgs, store_for(p))
    assert report.verdict is not Verdict.GENUINE
    start, end = _protected_ranges(sod, p.ds.der)[region]
    flipped = bytearray(sod)
    flipped[start + cut % (end - start)] ^= 1 << bit
    _, report = verify(bytes(flipped), dgs, store_for(p))
    assert report.verdict is not Verdict.GENUINE


def test_signature_algorithm_unusable_with_ds_key() -> None:
    """An EC Document Signer key claimed to have made an RSA signature must fail, not crash."""
    p = pki("ec")
    dgs = sample_dgs()

    def to_rsa(signer: cms.SignerInfo) -> None:
        signer["signature_algorithm"] = {"algorithm": "sha256_rsa"}

    sod = _patch_signer(make_sod(p, dgs), to_rsa)
    _failed(sod, dgs, store_for(p), "pa.sod_signature")


def test_weak_digest_algorithm_refused() -> None:
    p = pki("rsa")
    dgs = sample_dgs()

    def to_md5(signer: cms.SignerInfo) -> None:
        signer["digest_algorithm"] = {"algorithm": "md5"}
        signer["signature_algorithm"] = {"algorithm": "md5_rsa"}

    sod = _patch_signer(make_sod(p, dgs), to_md5)
    assert "not usable" in _failed(sod, dgs, store_for(p), "pa.sod_signature")


@pytest.mark.parametrize("kind", KINDS)
def test_signature_bit_flipped(kind: str) -> None:
    p = pki(kind)
    dgs = sample_dgs()

    def flip(signer: cms.SignerInfo) -> None:
        sig = bytearray(signer["signature"].native)
        sig[len(sig) // 2] ^= 0x40
        signer["signature"] = bytes(sig)

    sod = _patch_signer(make_sod(p, dgs), flip)
    _failed(sod, dgs, store_for(p), "pa.sod_signature")


def test_embedded_ds_swapped() -> None:
    """SOD signed by one DS but carrying another genuine DS certificate of the same CSCA."""
    p = pki("ec")
    other = pkigen.issue_ds(p.csca, b"other-ds", label="other")
    dgs = sample_dgs()
    sod = build_sod(dgs, p.ds.key, other.der, signing_time=SIGNED_AT)
    _failed(sod, dgs, store_for(p), "pa.sod_signature")


def test_signing_time_in_future_of_ds_start() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    sod = make_sod(p, dgs, signing_time=pkigen.EPOCH - timedelta(days=1))
    _failed(sod, dgs, store_for(p), "pa.ds_validity_signing")
