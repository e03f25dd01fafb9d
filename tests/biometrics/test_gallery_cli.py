"""``chipid match finger|face --gallery DIR [--ray ADDRESS]``: the same hits in process and on Ray."""

from __future__ import annotations

import array
import importlib.util
import os
import random
from pathlib import Path
from typing import Any

import pytest

from chipid.biometrics import parse_template, prepare
from chipid.biometrics.gallery_store import GalleryStore
from chipid.cli import main
from tests.biometrics._samples import FVC, fvc_path
from tests.cli._run import run_json


@pytest.fixture(scope="module")
def finger_gallery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "g"
    paths = sorted((FVC / "DB1_B").glob("*.iso")) + sorted((FVC / "DB2_B").glob("*.iso"))
    GalleryStore.create(path, chunk_size=25).append_fingers(
        (f"{p.parent.name}/{p.stem}", prepare(parse_template(p.read_bytes()))) for p in paths)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    return run_json(capsys, "match", *argv)


def test_finger_gallery_in_process(capsys: pytest.CaptureFixture[str], finger_gallery: Path) -> None:
    code, out = _run(capsys, "finger", str(fvc_path("DB2_B", 104, 3)), "--gallery", str(finger_gallery), "--top", "3")
    hits = out["hits"]
    assert code == 0 and out["match"] is True and out["partial"] is False
    assert isinstance(hits, list) and len(hits) == 3 and hits[0]["id"] == "DB2_B/104_3"
    assert hits[1]["id"].startswith("DB2_B/104_")  # another impression of the same finger


def test_finger_gallery_no_match_and_usage(capsys: pytest.CaptureFixture[str], finger_gallery: Path) -> None:
    # a finger of another sensor, enrolled nowhere in the gallery: no match at the calibrated FMR 1/10,000
    code, out = _run(capsys, "finger", str(fvc_path("DB3_B", 101, 1)), "--gallery", str(finger_gallery),
                     "--fmr", "1e-4")
    assert code == 1 and out["match"] is False
    assert main(["match", "finger", str(fvc_path("DB3_B", 101, 1)), "--gallery", str(finger_gallery),
                 "--fmr", "0.5"]) == 64  # no calibrated threshold for that FMR
    assert main(["match", "finger", str(fvc_path("DB3_B", 101, 1))]) == 64
    assert main(["match", "finger", str(fvc_path("DB3_B", 101, 1)), "--gallery", "/nonexistent/g"]) == 64


@pytest.mark.skipif(os.environ.get("CHIPID_REQUIRE_SCALE") != "1" and importlib.util.find_spec("ray") is None,
                    reason="needs the scale extra (Ray); CI sets CHIPID_REQUIRE_SCALE=1")
def test_finger_and_face_gallery_on_ray_match_in_process(capsys: pytest.CaptureFixture[str], finger_gallery: Path,
                                                         tmp_path: Path) -> None:
    probe = str(fvc_path("DB1_B", 105, 2))
    _, local = _run(capsys, "finger", probe, "--gallery", str(finger_gallery), "--top", "8")
    code, dist = _run(capsys, "finger", probe, "--gallery", str(finger_gallery), "--top", "8", "--ray", "local",
                      "--shards", "2")
    assert code == 0 and dist["partial"] is False
    assert [(h["id"], h["score"]) for h in dist["hits"]] == [(h["id"], h["score"]) for h in local["hits"]]
    assert {h["shard"] for h in dist["hits"]} <= {0, 1}

    rng = random.Random(5)
    store = GalleryStore.create(tmp_path / "faces", face_dim=16, face_chunk_size=30)
    vectors = [[rng.gauss(0, 1) for _ in range(16)] for _ in range(100)]
    store.append_faces((f"person{i}", v) for i, v in enumerate(vectors))
    qfile = tmp_path / "q.f32"
    qfile.write_bytes(array.array("f", vectors[42]).tobytes())
    _, local = _run(capsys, "face", str(qfile), "--gallery", str(store.path))
    code, dist = _run(capsys, "face", str(qfile), "--gallery", str(store.path), "--ray", "local", "--shards", "2")
    assert code == 0 and [(h["id"], h["score"]) for h in dist["hits"]] == [(h["id"], h["score"]) for h in local["hits"]]
    assert dist["hits"][0]["id"] == "person42"
