"""The CLI's exit-code contract, one test per error class: 0-2 are verdicts only; 3 error; 4 no reader / no
card; 5 wrong key; 6 removed; 7 in use; 64 usage. No traceback and no "Warning" ever reaches stderr.

These drive :func:`chipid.cli.main` in-process (fast); PC/SC is replaced by fakes where a reader is involved.
The same contract through the real pcscd + vpcd stack is in tests/cli/test_cli_pcscd.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chipid.cli import main
from chipid.errors import CardInUseError, NoCardError
from chipid.sim.personalize import default_profile, issue_card
from tests.cli._run import run
from tests.conftest import DATA

_FVC = str(DATA / "fvc2002-iso-templates" / "DB1_B" / "101_1.iso")


@pytest.fixture(autouse=True)
def _empty_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPID_TRUST_DIR", str(tmp_path_factory.mktemp("store")))


# ------------------------------------------------------------------------------------------- 64: usage
@pytest.mark.parametrize("argv", [
    ("read", "--bogus"),
    ("read", "--sim", "--can", "12a456"),
    ("read", "--sim", "--id-card", "12345", "--dob", "900101", "--doe", "300101"),
    ("read", "--sim", "--id-card", "001090000001", "--dob", "90-01-01", "--doe", "300101"),
    ("read", "--sim", "--id-card", "001090000001"),
    ("read", "--sim", "--doc-number", "C01X00T47", "--dob", "900101"),
    ("read", "--sim", "--can", "123456", "--id-card", "001090000001", "--dob", "900101", "--doe", "300101"),
    ("read", "--sim", "--wait", "-1"),
    ("read", "--sim", "--wait", "abc"),
    ("read", "--sim", "--reader", "0"),
    ("read", "--sim", "/nonexistent/profile"),
    ("read", "--sim", "--trust", "/nonexistent/csca.der"),
    ("read", "--can", "123456", "--trust", "/nonexistent/folder/"),
    ("verify", "/nonexistent/dump"),
    ("read", "--reader", "0"),  # a live read without a key
    ("sim", "serve", "--fault", "delay_ms=abc"),
    ("sim", "serve", "--fault", "delay_ms=99999999"),
    ("sim", "serve", "--fault", "tear_after=-3"),
    ("sim", "serve", "--fault", "corrupt_dgs=2,99"),
    ("sim", "serve", "--fault", "wrong_mac=sometimes"),
    ("sim", "serve", "--fault", "no_such_fault"),
    ("sim", "serve", "--seconds", "-5"),
    ("conformance", "--sim", "--fault", "delay_ms=abc"),
    ("conformance", "--reader", "0", "--fault", "cloned"),
    ("conformance", "--reader", "0", "--sim"),
    ("conformance", "--sim", "--sessions", "0"),
    ("trust", "add", "/nonexistent/ml.ml"),
    ("match", "finger", "/nonexistent/probe.iso", _FVC),
    ("match", "finger", _FVC, "/nonexistent/candidates/"),
    ("match", "finger", _FVC, "--gallery", "/nonexistent/g"),
    ("match", "face", "--image", "/nonexistent/a.jpg", "--image", "/nonexistent/b.jpg"),
    ("match", "face", "/nonexistent/probe.f32", "/nonexistent/gallery.f32"),
    ("gallery", "add", "/nonexistent/g", "--finger", _FVC),
])
def test_usage_errors_exit_64(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 64, err
    assert "error" in err


def test_mrz_check_digit_error_is_a_usage_error_not_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    td1 = "IDVNM0900000015001090000001<<<|9001011M3001019VNM<<<<<<<<<<<4|DANG<<THU<DUNG<<<<<<<<<<<<<<<<"
    code, _, err = run(capsys, "read", "--sim", "--mrz", td1)
    assert code == 64, err
    assert "check digit" in err


def test_missing_dump_directory_names_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", "/nonexistent/dump")
    assert code == 64
    assert "/nonexistent/dump" in err and "no such directory" in err


# ------------------------------------------------------------------------------------------- 3: error
def test_an_unusable_trust_file_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x03\x02\x01\x01")
    code, _, err = run(capsys, "read", "--sim", "--trust", junk)
    assert code == 3, err
    assert "junk.der" in err


def test_a_dump_directory_without_raw_files_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "verify", tmp_path)
    assert code == 3
    assert "chipid read --out" in err


def test_os_error_is_one_line_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "read", "--sim", "--out", blocker / "sub")
    assert code == 3, err
    assert str(blocker) in err


def test_an_unexpected_exception_is_one_line_exit_3(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise ValueError("something nobody expected")

    monkeypatch.setattr("chipid.reader.DocumentReader.read", boom)
    code, _, err = run(capsys, "read", "--sim")
    assert code == 3
    assert "ValueError: something nobody expected" in err and "report" in err


# ------------------------------------------------------------------------------------------- 4: reader / card
class _FakePCSC:
    def __init__(self, names: list[str], error: Exception | None = None) -> None:
        self.names, self.error = names, error

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from chipid.transport import pcsc

        monkeypatch.setattr(pcsc, "list_readers", lambda: list(self.names))

        def open_(reader: Any = None, **_: Any) -> Any:
            raise self.error or NoCardError("no card")

        monkeypatch.setattr(pcsc.PCSCTransport, "open", staticmethod(open_))


def test_no_reader_exits_4_and_says_plug_one_in(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC([]).install(monkeypatch)
    code, _, err = run(capsys, "read", "--can", "123456")
    assert code == 4
    assert "plug one in" in err


def test_reader_index_out_of_range_says_how_many_without_plug_one_in(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC(["Virtual PCD 00 00", "Virtual PCD 00 01"]).install(monkeypatch)
    code, _, err = run(capsys, "read", "--reader", "5", "--can", "123456")
    assert code == 4
    assert "no reader #5" in err and "2 reader(s)" in err and "--reader 0..1" in err
    assert "plug one in" not in err


def test_reader_name_without_match_lists_the_readers(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC(["ACS ACR1252", "Virtual PCD 00 01"]).install(monkeypatch)
    code, _, err = run(capsys, "read", "--reader", "omnikey", "--can", "123456")
    assert code == 4
    assert "ACS ACR1252" in err and "Virtual PCD 00 01" in err and "plug one in" not in err


def test_no_card_names_every_empty_reader(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC(["Virtual PCD 00 00", "Virtual PCD 00 01"]).install(monkeypatch)
    code, _, err = run(capsys, "read", "--can", "123456")
    assert code == 4
    assert "'Virtual PCD 00 00', 'Virtual PCD 00 01' are empty" in err


def test_readers_command_without_readers_exits_4(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC([]).install(monkeypatch)
    code, _, err = run(capsys, "readers")
    assert code == 4
    assert "pcscd" in err


# ------------------------------------------------------------------------------------------- 5: key
def test_wrong_can_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "read", "--sim", "--can", "999999")
    assert code == 5
    assert "CAN" in err


def test_wrong_mrz_key_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "read", "--sim", "--id-card", "001090000001", "--dob", "900101", "--doe", "300101")
    assert code == 5
    assert "date of birth" in err


def test_a_can_on_a_bac_only_card_says_it_accepts_only_the_mrz_key(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    profile = issue_card("bac-only", pace=False)
    path = profile.save(tmp_path / "bac")
    code, _, err = run(capsys, "read", "--sim", path, "--can", profile.can)
    assert code == 5, err
    assert "this card accepts only the MRZ key" in err
    assert "check the key material" not in err


# ------------------------------------------------------------------------------------------- 6, 7
def test_card_removed_exits_6(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from chipid.sim import Faults, SimTransport, VirtualChip

    profile = default_profile()

    def torn(_: Any) -> Any:
        return SimTransport(VirtualChip(profile, faults=Faults(tear_after=12))), "torn card", profile

    monkeypatch.setattr("chipid.cli._read.open_transport", torn)
    code, _, err = run(capsys, "read", "--sim")
    assert code == 6
    assert "put it back" in err


def test_card_in_use_exits_7(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _FakePCSC(["Virtual PCD 00 00"], CardInUseError("sharing violation", hresult=0x8010000B)).install(monkeypatch)
    code, _, err = run(capsys, "read", "--can", "123456")
    assert code == 7
    assert "another application" in err


# ------------------------------------------------------------------------------------------- 0, 1, 2: verdicts
def test_verdicts_keep_0_1_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "read", "--sim", "--out", tmp_path / "dump")
    assert code == 0 and out.startswith("GENUINE — ")
    code, out, _ = run(capsys, "verify", tmp_path / "dump")
    assert code == 2, out  # no trust anchors offline: INCOMPLETE
    dg13 = bytearray((tmp_path / "dump" / "DG13.bin").read_bytes())
    dg13[-1] ^= 1
    (tmp_path / "dump" / "DG13.bin").write_bytes(bytes(dg13))
    code, out, _ = run(capsys, "verify", tmp_path / "dump")
    assert code == 1 and out.startswith("NOT GENUINE — ")


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for line in ("0  GENUINE", "3  error", "4  no reader", "5  access denied", "6  card removed", "7  card in use",
                 "64  usage error"):
        assert line in out
