"""examples/desk_face.py: the desk flow (read, verify, match the live photo) on a virtual card whose portrait
is a real photo (in-process chip; through pcscd in tests/e2e/test_e2e_face.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import DATA, ROOT

EXAMPLE = ROOT / "examples" / "desk_face.py"


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLE), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False)


def test_examples_desk_face_demo_same_person() -> None:
    proc = _run("--demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "portrait image/jp2" in proc.stdout
    assert "Face: PASSED" in proc.stdout and "RESULT: OK" in proc.stdout


def test_examples_desk_face_demo_other_person_and_crowd() -> None:
    other = _run("--demo", "--live-photo", DATA / "faces" / "alex_lacamoire_1.jpg")
    assert other.returncode == 1, other.stdout + other.stderr
    assert "Face: FAILED" in other.stdout and "RESULT: REFER" in other.stdout
    crowd = _run("--demo", "--live-photo", DATA / "faces" / "multi_two_people.jpg")
    assert crowd.returncode == 2, crowd.stdout + crowd.stderr
    assert "RESULT: NEW PHOTO — ask the customer to stand alone" in crowd.stdout
