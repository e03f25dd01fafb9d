"""Personalisation: a deterministic, internally consistent synthetic CCCD (DESIGN.md CCCD facts)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from chipid.errors import ParseError
from chipid.lds.dg2 import parse_dg2
from chipid.lds.dg13_vn import parse_dg13
from chipid.lds.mrz import MRZ
from chipid.lds.security_infos import parse_security_infos
from chipid.lds.vn_id import validate_id_number
from chipid.pki.passive import passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.sim._citizen import make_citizen
from chipid.sim.personalize import default_profile, issue_card
from chipid.sim.profile import CardProfile
from tests.sim.conftest import CCCD_CARD_ACCESS

_DGS = {1: "DG1", 2: "DG2", 3: "DG3", 13: "DG13", 14: "DG14", 15: "DG15"}


def _groups(profile: CardProfile) -> dict[int, bytes]:
    return {n: profile.files[name] for n, name in _DGS.items() if name in profile.files}


def test_same_seed_same_card() -> None:
    a, b = issue_card(7, aa="ec"), issue_card(7, aa="ec")
    assert a == b
    assert issue_card(8, aa="ec").files["DG1"] != a.files["DG1"]


@pytest.mark.parametrize("seed", [0, 1, 2, "x", "Nguyễn", 10**12])
def test_citizen_id_mrz_and_keys_agree(seed: int | str) -> None:
    c = make_citizen(seed)
    assert len(c.id_number) == 12 and c.id_number.isdigit()
    check = validate_id_number(c.id_number, sex=c.sex, date_of_birth=c.date_of_birth, document_number=c.document_number)
    assert check.ok, check
    assert c.document_number == c.id_number[-9:] and c.can == c.id_number[-6:]
    assert c.date_of_issue < c.date_of_expiry


def test_demo_card_contents(demo_profile: CardProfile) -> None:
    p = demo_profile
    mrz = MRZ.parse(p.holder["mrz"])
    assert mrz.valid and mrz.document_type == "TD1" and mrz.issuing_state == "VNM"
    assert mrz.document_number == p.document_number == p.holder["id_number"][-9:]
    assert p.can == p.holder["id_number"][-6:]
    assert p.files["DG1"][5:] == p.holder["mrz"].encode()
    dg13 = parse_dg13(p.files["DG13"])
    assert dg13.id_number == p.holder["id_number"]
    assert dg13.full_name == p.holder["full_name"]
    assert len(dg13.parents) == 2
    face = parse_dg2(p.files["DG2"]).faces[0]
    assert 8_000 <= len(face.image) <= 20_000 and face.image[:2] == b"\xff\xd8"
    assert p.files["EF.CardAccess"] == CCCD_CARD_ACCESS
    dg14 = parse_security_infos(p.files["DG14"][3:], name="DG14")
    assert dg14.chip_authentication_public_key_infos and dg14.pace_infos
    assert p.files["EF.COM"][-8:] == bytes.fromhex("5C06617563 6D6E6F".replace(" ", ""))


def test_jp2_face_and_rsa_pki() -> None:
    p = issue_card("jp2", face="jp2", pki="rsa", aa=None, ca=False, pace=False)
    face = parse_dg2(p.files["DG2"]).faces[0]
    assert face.image[4:8] == b"jP  " or face.image[:4] == b"\xff\x4f\xff\x51"
    assert "DG15" not in p.files and p.aa_private_key is None and p.ca_private_key is None
    infos = parse_security_infos(p.files["EF.CardAccess"])
    assert not infos.pace_infos and not infos.chip_authentication_infos
    _passive_ok(p)


def _passive_ok(p: CardProfile, corrupt: int | None = None) -> bool:
    trust = TrustStore()
    for cert in p.csca_certificates:
        trust.add_certificate(cert)
    groups = _groups(p)
    if corrupt is not None:
        groups[corrupt] = groups[corrupt][:-1] + bytes([groups[corrupt][-1] ^ 1])
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    result = passive_authenticate(p.files["EF.SOD"], groups, trust, at=at)
    return result.passed


def test_sod_verifies_against_the_test_csca(demo_profile: CardProfile) -> None:
    assert _passive_ok(demo_profile)
    assert not _passive_ok(demo_profile, corrupt=13)


def test_save_load_round_trip(tmp_path: Path, demo_profile: CardProfile) -> None:
    root = demo_profile.save(tmp_path / "card")
    assert (root / "manifest.json").exists() and (root / "EF.ATR_INFO.bin").exists()
    assert CardProfile.load(root) == demo_profile


def test_load_rejects_garbage(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        CardProfile.load(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "chipid-card-profile/1", "files": {}}')
    with pytest.raises(ParseError):
        CardProfile.load(tmp_path)


def test_default_profile_is_cached() -> None:
    assert default_profile() is default_profile()


def test_same_seed_same_card_across_processes_rsa_pki_included() -> None:
    """Deterministic from the seed: two fresh interpreters issue byte-identical cards (RSA PKI too)."""
    import subprocess
    import sys

    code = (
        "import hashlib; from chipid.sim.personalize import issue_card; p = issue_card(11, pki='rsa'); "
        "print(hashlib.sha256(b''.join(p.files[k] for k in sorted(p.files)) + p.csca_certificates[0]).hexdigest())"
    )
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
