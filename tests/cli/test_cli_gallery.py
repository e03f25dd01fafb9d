"""``chipid gallery create|add|remove|compact|info``: a 1:N gallery built from the shell, searched by
``chipid match ... --gallery DIR`` (the search side itself: tests/biometrics/test_gallery_cli.py)."""

from __future__ import annotations

import array
import shutil
from pathlib import Path
from typing import Any

import pytest

from chipid.biometrics.template import encode_template
from tests.biometrics._samples import FVC, few_minutiae, fvc_path, record
from tests.cli._run import run, run_json


def _create(capsys: pytest.CaptureFixture[str], gallery: Path, *options: str) -> None:
    code, out, err = run(capsys, "gallery", "create", gallery, *options)
    assert code == 0, err
    assert (gallery / "manifest.json").is_file() and f"created an empty gallery in {gallery}" in out


def _info(capsys: pytest.CaptureFixture[str], gallery: Path) -> dict[str, Any]:
    code, info = run_json(capsys, "gallery", "info", gallery)
    assert code == 0
    return dict(info)


def test_built_from_fvc_folders_the_gallery_finds_the_right_finger(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    gallery = tmp_path / "g"
    _create(capsys, gallery, "--chunk-size", "25")
    monkeypatch.chdir(FVC)  # --id-from path: the ids are the paths as given, DB1_B/101_1.iso ...
    code, added = run_json(capsys, "gallery", "add", gallery, "--finger", "DB1_B", "DB2_B", "--id-from", "path")
    assert code == 0 and added["errors"] == [] and added["skipped"] == []
    assert added["added"] == 160 and added["count"] == {"finger": 160, "face": 0}
    assert added["ids"][:2] == ["DB1_B/101_1.iso", "DB1_B/101_2.iso"] and added["ids"][-1] == "DB2_B/110_8.iso"
    # the probe itself leaves the gallery: the genuine match must be another impression of the same finger
    code, removed = run_json(capsys, "gallery", "remove", gallery, "DB2_B/104_3.iso")
    assert code == 0 and removed["removed"] == 1 and removed["count"] == 159

    code, found = run_json(capsys, "match", "finger", fvc_path("DB2_B", 104, 3), "--gallery", gallery,
                           "--fmr", "1e-4", "--top", "3")
    assert code == 0 and found["match"] is True
    assert found["hits"][0]["id"].startswith("DB2_B/104_") and found["hits"][0]["id"] != "DB2_B/104_3.iso"
    assert found["hits"][0]["score"] >= found["threshold"]
    # impostor control: a finger of another sensor, enrolled nowhere
    code, impostor = run_json(capsys, "match", "finger", fvc_path("DB3_B", 101, 1), "--gallery", gallery,
                              "--fmr", "1e-4")
    assert code == 1 and impostor["match"] is False and impostor["hits"][0]["score"] < impostor["threshold"]

    info = _info(capsys, gallery)
    assert info["finger"] == {"count": 159, "deleted": 1, "chunks": 7}  # 160 in chunks of 25
    assert info["face"] == {"count": 0, "deleted": 0, "chunks": 0}
    assert info["template_format"]["searchable"] is True


def test_unusable_template_skipped_unparsable_file_an_error_the_rest_added(capsys: pytest.CaptureFixture[str],
                                                                          tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for n in (1, 2):
        shutil.copy(fvc_path("DB1_B", 101, n), batch / f"citizen-{n}.iso")
    (batch / "small.iso").write_bytes(encode_template(record(few_minutiae(5))))
    (batch / "junk.iso").write_bytes(b"FMR\x00 20\x00" + b"\x00" * 20)
    (batch / ".DS_Store").write_bytes(b"ignored: hidden")
    (batch / "sub").mkdir()
    shutil.copy(fvc_path("DB1_B", 102, 1), batch / "sub" / "nested.iso")  # not recursive
    gallery = tmp_path / "g"
    _create(capsys, gallery)

    code, out, err = run(capsys, "gallery", "add", gallery, "--finger", batch)
    assert code == 3
    assert err.count("chipid: error:") == 1 and f"{batch / 'junk.iso'}: ParseError" in err
    assert f"skipped {batch / 'small.iso'} (small): unusable template: 5 minutiae (at least 12 needed)" in out
    assert "added 2 finger entries" in out
    code, listed = run_json(capsys, "gallery", "info", gallery)
    assert listed["finger"]["count"] == 2

    other = tmp_path / "g2"
    _create(capsys, other)
    code, report = run_json(capsys, "gallery", "add", other, "--finger", batch)
    assert code == 3 and report["added"] == 2 and report["ids"] == ["citizen-1", "citizen-2"]
    assert [(s["id"], s["reason"]) for s in report["skipped"]] == [
        ("small", "unusable template: 5 minutiae (at least 12 needed)")]
    assert [e["file"] for e in report["errors"]] == [str(batch / "junk.iso")]
    assert report["errors"][0]["error"].startswith("ParseError: ")


def test_duplicate_ids_are_errors_and_the_others_are_added(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    gallery = tmp_path / "g"
    _create(capsys, gallery)
    code, first = run_json(capsys, "gallery", "add", gallery, "--finger", FVC / "DB1_B")
    assert code == 0 and first["added"] == 80 and first["ids"][0] == "101_1"  # default ids: the file stems
    for folder, name, source in (("a", "x", fvc_path("DB3_B", 101, 1)), ("b", "x", fvc_path("DB3_B", 102, 1)),
                                 ("a", "y", fvc_path("DB3_B", 103, 1))):
        (tmp_path / folder).mkdir(exist_ok=True)
        shutil.copy(source, tmp_path / folder / f"{name}.iso")
    enrolled = fvc_path("DB2_B", 101, 1)  # stem 101_1, already in the gallery (DB1_B/101_1.iso)
    code, again = run_json(capsys, "gallery", "add", gallery, "--finger", enrolled, tmp_path / "a", tmp_path / "b")
    assert code == 3 and again["added"] == 1 and again["ids"] == ["y"] and again["count"]["finger"] == 81
    errors = {e["file"]: e["error"] for e in again["errors"]}
    assert sorted(errors) == sorted([str(enrolled), str(tmp_path / "a" / "x.iso"), str(tmp_path / "b" / "x.iso")])
    assert "'101_1' is already enrolled" in errors[str(enrolled)]
    assert f"chipid gallery remove {gallery} 101_1" in errors[str(enrolled)]
    assert "'x' is given 2 times in this batch: none of them is added" in errors[str(tmp_path / "a" / "x.iso")]


def test_remove_compact_and_info_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gallery = tmp_path / "g"
    _create(capsys, gallery, "--chunk-size", "25")
    assert run_json(capsys, "gallery", "add", gallery, "--finger", FVC / "DB1_B")[0] == 0
    before = _info(capsys, gallery)
    assert before["finger"] == {"count": 80, "deleted": 0, "chunks": 4}

    code, _, err = run(capsys, "gallery", "remove", gallery, "101_1", "no-such-id")
    assert code == 3 and "not enrolled as finger" in err and "no-such-id" in err and "nothing was removed" in err
    assert _info(capsys, gallery)["finger"] == {"count": 80, "deleted": 0, "chunks": 4}

    code, out, _ = run(capsys, "gallery", "remove", gallery, "101_1", "101_2", "110_8")
    assert code == 0 and "removed 3 finger entries" in out and "(77 left)" in out
    assert _info(capsys, gallery)["finger"] == {"count": 77, "deleted": 3, "chunks": 4}

    code, compacted = run_json(capsys, "gallery", "compact", gallery, "--kind", "finger")
    assert code == 0 and compacted["finger"] == {"dropped": 3, "chunks": 4, "count": 77}
    assert compacted["bytes"] < compacted["bytes_before"]
    after = _info(capsys, gallery)
    assert after["finger"] == {"count": 77, "deleted": 0, "chunks": 4}
    assert after["bytes"] == compacted["bytes"] and after["files"] == 6  # manifest, lock, 4 chunks
    code, found = run_json(capsys, "match", "finger", fvc_path("DB1_B", 101, 1), "--gallery", gallery)
    assert code == 0 and found["hits"][0]["id"] in {f"101_{n}" for n in range(3, 9)}

    code, out, _ = run(capsys, "gallery", "info", gallery)
    assert code == 0 and "finger: 77 live, 0 deleted, 4 chunk(s)" in out and "on disk:" in out


def test_face_vectors_with_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gallery = tmp_path / "faces"
    _create(capsys, gallery, "--face-dim", "4", "--chunk-size", "2")
    rows = [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 0], [float("nan"), 0, 0, 0], [0, 0, 3, 1], [0, 0, 0, 5]]
    (tmp_path / "v.f32").write_bytes(array.array("f", [x for r in rows for x in r]).tobytes())
    (tmp_path / "ids.txt").write_text("alice\nbob\nzero\nnan\ncarol\nbob\n", encoding="utf-8")
    code, report = run_json(capsys, "gallery", "add", gallery, "--face-vectors", tmp_path / "v.f32",
                            "--ids", tmp_path / "ids.txt")
    assert code == 3 and report["ids"] == ["alice", "carol"] and report["count"] == {"finger": 0, "face": 2}
    assert [e["file"].rsplit(" ", 1)[1] for e in report["errors"]] == ["3", "4", "2", "6"]
    (tmp_path / "q.f32").write_bytes(array.array("f", [0, 0.1, 1, 0.2]).tobytes())
    code, found = run_json(capsys, "match", "face", tmp_path / "q.f32", "--gallery", gallery)
    assert code == 0 and [h["id"] for h in found["hits"]] == ["carol", "alice"]

    (tmp_path / "short.txt").write_text("a\nb\n", encoding="utf-8")
    code, _, err = run(capsys, "gallery", "add", gallery, "--face-vectors", tmp_path / "v.f32",
                       "--ids", tmp_path / "short.txt")
    assert code == 3 and "holds 2 id(s)" in err and "6 row(s)" in err
    assert _info(capsys, gallery)["face"] == {"count": 2, "deleted": 0, "chunks": 1}


def test_create_refuses_a_non_empty_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "gallery", "create", busy)
    assert code == 64 and "not empty" in err and sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    gallery = tmp_path / "g"
    _create(capsys, gallery)
    code, _, err = run(capsys, "gallery", "create", gallery)
    assert code == 64 and "already holds a gallery" in err
    code, _, err = run(capsys, "gallery", "create", busy / "notes.txt")
    assert code == 64 and "not a folder" in err
    _create(capsys, tmp_path / "empty-but-there")  # an existing empty folder is fine


@pytest.mark.parametrize("argv", [
    ["gallery"],
    ["gallery", "add", "{g}"],                                           # nothing to add
    ["gallery", "add", "{g}", "--finger", "{g}/missing.iso"],            # a path that does not exist
    ["gallery", "add", "{g}", "--finger", "{fvc}", "--id-from", "name"],
    ["gallery", "add", "{g}", "--face-vectors", "{fvc}"],                 # without --ids
    ["gallery", "add", "{g}", "--finger", "{fvc}", "--face-vectors", "v.f32", "--ids", "i.txt"],
    ["gallery", "create", "{g}/new", "--chunk-size", "0"],
    ["gallery", "create", "{g}/new", "--face-dim", "-3"],
    ["gallery", "remove", "{g}"],                                         # no id
    ["gallery", "remove", "{g}", "x", "--kind", "iris"],
    ["gallery", "info", "{g}/nowhere"],                                   # no such folder
])  # fmt: skip
def test_usage_errors_exit_64_and_change_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 argv: list[str]) -> None:
    gallery = tmp_path / "g"
    _create(capsys, gallery)
    code, _, err = run(capsys, *(a.format(g=gallery, fvc=FVC / "DB1_B") for a in argv))
    assert code == 64 and "error:" in err
    assert _info(capsys, gallery)["generation"] == 0 and not (gallery / "new").exists()


def test_a_folder_without_a_gallery_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "gallery", "info", tmp_path)
    assert code == 3 and out == ""
    assert err.splitlines() == [f"chipid: error: GalleryError: no gallery at {tmp_path} (no manifest.json)"]
