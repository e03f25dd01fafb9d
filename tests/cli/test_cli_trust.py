"""Trust anchors on the command line: ``--trust`` recognises files by content (a CRL named ``.der`` is a CRL),
lists every skipped file, and ``chipid trust add|list|check`` keep a default store that read/verify use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipid.cli import main
from chipid.cli._trust import classify, load_trust
from chipid.sim import pkigen
from chipid.sim.personalize import default_profile
from tests.cli._run import run


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store"
    monkeypatch.setenv("CHIPID_TRUST_DIR", str(path))
    return path


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dump")
    assert main(["--no-color", "read", "--sim", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The virtual card's CSCA and CRL (the CRL saved as .der), and two master lists."""
    root = tmp_path_factory.mktemp("trustfiles")
    profile = default_profile()
    (root / "csca.der").write_bytes(profile.csca_certificates[0])
    (root / "crl_0.der").write_bytes(profile.crls[0])
    de = pkigen.issue_csca(b"de-test", country="DE")
    fr = pkigen.issue_csca(b"fr-test", country="FR")
    # an ICAO-style list signed by a signer of the VN test CSCA: verified once that CSCA is trusted on its own
    vn_csca = pkigen.Issued(profile_key(), profile.csca_certificates[0])
    (root / "icao.ml").write_bytes(pkigen.master_list(pkigen.master_list_signer(vn_csca, b"ml"), [de.der]))
    # a list whose signer chains only to a CSCA inside the list
    (root / "self.ml").write_bytes(pkigen.master_list(pkigen.master_list_signer(fr, b"ml2"), [fr.der]))
    (root / "notes.txt").write_text("not a certificate")
    return {p.stem: p for p in root.iterdir()}


def profile_key() -> pkigen.PrivateKey:
    """The default virtual card's CSCA private key (the sim's deterministic test PKI, default seed)."""
    return pkigen.generate_pki("chipid-sim-VN", kind="ec").csca.key


def test_files_are_recognised_by_content(files: dict[str, Path]) -> None:
    assert classify(files["csca"].read_bytes()) == "certificate"
    assert classify(files["crl_0"].read_bytes()) == "crl"
    assert classify(files["icao"].read_bytes()) == "masterlist"
    assert classify(files["notes"].read_bytes()) is None


def test_a_crl_file_named_der_is_loaded_and_used(capsys: pytest.CaptureFixture[str], dump: Path,
                                                  files: dict[str, Path], store_dir: Path) -> None:
    code, out, err = run(capsys, "verify", dump, "--trust", files["csca"], "--json")
    checks = {c["name"]: c for c in json.loads(out)["report"]["checks"]}
    assert checks["pa.ds_chain"]["status"] == "PASSED"
    assert checks["pa.ds_revocation"]["status"] != "PASSED"  # no CRL given: revocation unknown
    code, out, err = run(capsys, "verify", dump, "--trust", files["csca"], "--trust", files["crl_0"], "--json")
    assert code == 2, err  # offline: AA/CA need the chip
    checks = {c["name"]: c for c in json.loads(out)["report"]["checks"]}
    assert checks["pa.ds_revocation"]["status"] == "PASSED", checks["pa.ds_revocation"]


def test_a_crl_in_a_folder_is_loaded_and_every_skipped_file_listed(capsys: pytest.CaptureFixture[str], dump: Path,
                                                                   files: dict[str, Path], store_dir: Path) -> None:
    folder = files["csca"].parent
    _, out, err = run(capsys, "verify", dump, "--trust", folder, "--json")
    checks = {c["name"]: c for c in json.loads(out)["report"]["checks"]}
    assert checks["pa.ds_revocation"]["status"] == "PASSED"
    assert f"Trust: skipped {files['notes']}: not a certificate, CRL, CSCA master list or LDIF" in err


def test_master_list_signer_provenance(files: dict[str, Path]) -> None:
    load = load_trust([files["csca"], files["icao"], files["self"]])
    by_country = {a.country: a for a in load.anchors}
    assert by_country["VN"].how == "certificate file" and by_country["VN"].list_signer is None
    assert by_country["DE"].list_signer == "verified"
    assert by_country["FR"].list_signer == "self-consistent"
    alone = load_trust([files["icao"]])  # its signer chains to no CSCA the store has: nothing becomes an anchor
    assert alone.anchors == [] and len(alone.store.anchors) == 0
    assert alone.loaded and "0 new CSCA(s)" in alone.loaded[0][1]


def test_trust_add_list_check_and_the_default_store(capsys: pytest.CaptureFixture[str], dump: Path,
                                                   files: dict[str, Path], store_dir: Path) -> None:
    code, out, err = run(capsys, "trust", "list")
    assert code == 3 and "empty" in err and "chipid trust add" in err
    code, out, err = run(capsys, "trust", "check", files["icao"], files["csca"], "--json")
    assert code == 0
    assert not store_dir.exists()  # check copies nothing
    code, out, err = run(capsys, "trust", "add", files["csca"].parent)
    assert code == 0, err
    assert f"skipped {files['notes']}" in err
    code, out, err = run(capsys, "trust", "list", "--json")
    assert code == 0
    listing = json.loads(out)
    rows = {r["country"]: r for r in listing["anchors"]}
    assert set(rows) == {"VN", "DE", "FR"}
    assert rows["VN"]["source"] == str(files["csca"].resolve()) and rows["VN"]["how"] == "certificate file"
    assert rows["DE"]["list_signer"] == "verified" and rows["FR"]["list_signer"] == "self-consistent"
    assert rows["VN"]["not_after"] > rows["VN"]["not_before"]
    assert len(listing["crls"]) == 1
    code, out, _ = run(capsys, "trust", "list")
    assert "list signer NOT independently verified" in out and "list signer verified" in out
    # read/verify use the default store when no --trust is given
    code, out, err = run(capsys, "verify", dump, "--json")
    assert f"Trust: default store {store_dir}" in err
    checks = {c["name"]: c["status"] for c in json.loads(out)["report"]["checks"]}
    assert checks["pa.ds_chain"] == "PASSED" and checks["pa.ds_revocation"] == "PASSED"
    code, _, err = run(capsys, "trust", "add", files["csca"])
    assert code == 0 and "already in the store" in err + _


def test_trust_add_refuses_a_file_it_cannot_use(capsys: pytest.CaptureFixture[str], files: dict[str, Path],
                                                store_dir: Path) -> None:
    code, _, err = run(capsys, "trust", "add", files["notes"])
    assert code == 3 and "nothing to add" in err
    assert not store_dir.exists()
