"""Passive Authentication of EF.CardSecurity (ICAO 9303-11 §9.2.11, BSI TR-03110-3 §A.1.2.2)."""

from __future__ import annotations

from chipid.lds.security_infos import parse_card_security
from chipid.pki.card_security import SECURITY_OBJECT_OID, verify_card_security
from chipid.report import CheckStatus
from chipid.sim import pkigen
from tests.conftest import DATA
from tests.pki.pki_fixtures import NOW, pki, store_for


def _card_access() -> bytes:
    path = DATA / "card-access" / "DE_eID_EF_CardAccess.bin"
    return path.read_bytes() if path.exists() else bytes.fromhex("3100")


def test_genuine_card_security() -> None:
    p = pki("ec")
    infos = _card_access()
    data = pkigen.signed_data(p.ds, infos, SECURITY_OBJECT_OID)
    result = verify_card_security(data, store_for(p), at=NOW)
    assert result.passed, [c for c in result.checks if not c.passed]
    assert {c.name for c in result.checks} >= {"cs.signature", "cs.ds_chain", "cs.message_digest"}
    parse_card_security(data)  # the lds parser reads the same bytes


def test_tampered_content_and_wrong_type_fail() -> None:
    p = pki("ec")
    infos = _card_access()
    tampered = pkigen.signed_data(p.ds, infos[:-1] + b"\x00", SECURITY_OBJECT_OID, signed_econtent=infos)
    result = verify_card_security(tampered, store_for(p), at=NOW)
    assert not result.passed
    assert next(c for c in result.checks if c.name == "cs.message_digest").status is CheckStatus.FAILED
    wrong = pkigen.signed_data(p.ds, infos, "1.2.3.4")
    assert next(
        c for c in verify_card_security(wrong, store_for(p), at=NOW).checks if c.name == "cs.content_type"
    ).failed


def test_foreign_signer_and_garbage() -> None:
    p = pki("ec")
    rogue = pkigen.issue_ds(pkigen.issue_csca(b"rogue"), b"rogue")
    data = pkigen.signed_data(rogue, _card_access(), SECURITY_OBJECT_OID)
    result = verify_card_security(data, store_for(p), at=NOW)
    assert next(c for c in result.checks if c.name == "cs.ds_chain").status is CheckStatus.NOT_PERFORMED
    assert not result.passed
    for junk in (b"", b"\x30\x00", data[:100]):
        bad = verify_card_security(junk, store_for(p), at=NOW)
        assert not bad.passed and bad.checks[0].name == "cs.parse"
