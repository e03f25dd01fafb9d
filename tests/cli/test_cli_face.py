"""``chipid match face --image``, ``chipid sim issue --photo`` and ``chipid verify --live-photo`` (subprocesses,
in-process virtual chip; the same desk flow through pcscd is in tests/e2e/test_e2e_face.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT
from tests.schemas import validate

FACES = DATA / "faces"


def chipid(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipid", "--no-color", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False)


def test_cli_match_face_images_exit_codes() -> None:
    same = chipid("match", "face", "--image", FACES / "kit_harington_1.jpg", "--image", FACES / "kit_harington_3.jpg")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "same person" in same.stdout and "FMR 1/1,000" in same.stdout
    other = chipid("match", "face", "--image", FACES / "kit_harington_1.jpg", "--image", FACES / "rose_leslie_1.jpg",
                   "--json")
    assert other.returncode == 1, other.stdout + other.stderr
    payload = json.loads(other.stdout)
    assert payload["same_person"] is False and payload["threshold"] == 0.54 and payload["fmr"] == 0.001
    assert payload["score"] > 0.54 and len(payload["images"]) == 2


def test_cli_match_face_images_errors(tmp_path: Path) -> None:
    two = chipid("match", "face", "--image", FACES / "obama_1.jpg", "--image", FACES / "multi_two_people.jpg")
    assert two.returncode == 3 and "stand alone" in two.stderr
    garbage = tmp_path / "photo.jpg"
    garbage.write_bytes(b"\xff\xd8 not really a JPEG")
    unreadable = chipid("match", "face", "--image", FACES / "obama_1.jpg", "--image", garbage)
    assert unreadable.returncode == 3 and "UnreadableImageError" in unreadable.stderr
    missing = chipid("match", "face", "--image", FACES / "obama_1.jpg", "--image", FACES / "nobody.jpg")
    assert missing.returncode == 64 and "nobody.jpg: no such file or folder" in missing.stderr
    one = chipid("match", "face", "--image", FACES / "obama_1.jpg")
    assert one.returncode == 64


@pytest.fixture(scope="module")
def photo_card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card") / "card"
    proc = chipid("sim", "issue", "--seed", "face-cli", "--photo", FACES / "biden_2.jpg", "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_cli_sim_issue_photo_stores_a_chip_size_jp2(photo_card: Path) -> None:
    from chipid.document import Document
    from chipid.sim.profile import CardProfile

    profile = CardProfile.load(photo_card)
    face = Document.from_files({"DG2": profile.files["DG2"]}).faces[0]
    assert face.image_format == "jp2" and len(face.image) <= 15_000
    assert face.width is not None and face.height is not None and face.width <= 480 and face.height <= 640


def test_cli_verify_live_photo_exit_code_follows_the_face(photo_card: Path) -> None:
    ok = chipid("verify", "--sim", photo_card, "--live-photo", FACES / "biden_1.jpg", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    payload = json.loads(ok.stdout)
    validate(payload, "read.schema.json")
    checks = {c["name"]: c for c in payload["report"]["checks"]}
    face = checks["biometric.face"]
    assert face["status"] == "PASSED" and face["required"] is True
    assert {"score", "threshold", "fmr"} <= set(face["details"])
    other = chipid("verify", "--sim", photo_card, "--live-photo", FACES / "obama_1.jpg")
    assert other.returncode == 1, other.stdout + other.stderr
    assert "FAIL biometric.face" in other.stdout and "NOT_GENUINE" in other.stdout
    crowd = chipid("verify", "--sim", photo_card, "--live-photo", FACES / "multi_two_people.jpg")
    assert crowd.returncode == 2, crowd.stdout + crowd.stderr
    assert "stand alone" in crowd.stdout
    missing = chipid("verify", "--sim", photo_card, "--live-photo", FACES / "nobody.jpg")
    assert missing.returncode == 3 and "UnreadableImageError" in missing.stderr


def test_cli_verify_dump_with_live_photo(photo_card: Path, tmp_path: Path) -> None:
    """Offline (a dump): the face check still runs against the dumped DG2; AA/CA cannot, so INCOMPLETE."""
    read = chipid("read", "--sim", photo_card, "--out", tmp_path / "dump")
    assert read.returncode == 0, read.stdout + read.stderr
    offline = chipid("verify", tmp_path / "dump", "--live-photo", FACES / "biden_1.jpg")
    assert offline.returncode == 2, offline.stdout + offline.stderr
    assert "ok   biometric.face" in offline.stdout
