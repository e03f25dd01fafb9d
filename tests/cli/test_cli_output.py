"""What the clerk reads: the summary line first ("GENUINE — name, ID"), and ``--lang vi`` (Vietnamese labels,
dd/mm/yyyy dates)."""

from __future__ import annotations

from datetime import date

import pytest

from chipid.cli import main
from chipid.cli._labels import Labels
from chipid.lds.holder import Holder
from chipid.sim.personalize import default_profile


@pytest.fixture(autouse=True)
def _empty_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPID_TRUST_DIR", str(tmp_path_factory.mktemp("store")))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--no-color", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_line_comes_first(capsys: pytest.CaptureFixture[str]) -> None:
    holder = default_profile().holder
    code, out, err = run(capsys, "read", "--sim")
    assert code == 0
    assert out.splitlines()[0] == f"GENUINE — {holder['full_name']}, {holder['id_number']}"
    assert "Reading from" in err  # progress information stays off stdout


def test_demo_starts_with_the_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--in-process")
    assert code == 0
    assert out.splitlines()[0].startswith("GENUINE — ")


def test_lang_vi_labels_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    holder = default_profile().holder
    code, out, _ = run(capsys, "read", "--sim", "--lang", "vi")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"HỢP LỆ — {holder['full_name']}, {holder['id_number']}"
    assert "Chủ thẻ (từ DG13)" in out and "Kết luận: GENUINE" in out
    birth = next(line for line in lines if line.strip().startswith("Ngày sinh"))
    assert birth.split()[-1].count("/") == 2
    day, month, year = birth.split()[-1].split("/")
    assert len(day) == 2 and len(month) == 2 and len(year) == 4
    assert "Họ, chữ đệm và tên" in out and "Nơi thường trú" in out


def test_labels_unit() -> None:
    vi, en = Labels("vi"), Labels("en")
    assert vi.value(date(1990, 1, 2)) == "02/01/1990" and en.value(date(1990, 1, 2)) == "1990-01-02"
    holder = Holder(source="DG13", id_number="001090000001", full_name="Đặng Thu Dung")
    assert en.summary("GENUINE", holder) == "GENUINE — Đặng Thu Dung, 001090000001"
    assert en.summary("NOT_GENUINE", Holder(source="DG1", document_number="C01X00T47")) == "NOT GENUINE — C01X00T47"
    assert vi.summary("INCOMPLETE", None) == "CHƯA XÁC MINH ĐỦ — không rõ chủ thẻ"
