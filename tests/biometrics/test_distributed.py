"""Sharded 1:N on a local Ray cluster: the single-machine results in the same order, lost shards reported,
corrupt chunks refused by the workers, reload on restart.  Needs the scale extra (Ray); CI sets
CHIPID_REQUIRE_SCALE=1 so that a missing Ray fails instead of skipping."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipid.biometrics import Gallery, parse_template, prepare, search
from chipid.biometrics.gallery_store import GalleryStore
from chipid.errors import GalleryCorruptError, GalleryError, ShardLostError, UnsupportedError
from tests.biometrics._samples import FVC

if os.environ.get("CHIPID_REQUIRE_SCALE") != "1":
    pytest.importorskip("ray")

from chipid.biometrics import distributed


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    distributed.connect(num_cpus=2)
    yield
    distributed.shutdown()


@pytest.fixture(scope="module")
def blobs() -> list[tuple[str, bytes]]:
    paths = sorted(FVC.rglob("*.iso"))
    return [(f"{p.parent.name}/{p.stem}", prepare(parse_template(p.read_bytes()))) for p in paths]


@pytest.fixture(scope="module")
def finger_dir(tmp_path_factory: pytest.TempPathFactory, blobs: list[tuple[str, bytes]]) -> Path:
    path = tmp_path_factory.mktemp("fg") / "gallery"
    store = GalleryStore.create(path, chunk_size=40)
    # the same template enrolled again in a later chunk: a tie that must come back in enrolment order
    store.append_fingers([*blobs, ("again/1_1", blobs[0][1]), ("again/3_2", blobs[42][1])])
    return path


def _ref(blobs: list[tuple[str, bytes]], probe: bytes, k: int) -> list[tuple[str, float]]:
    entries = [*blobs, ("again/1_1", blobs[0][1]), ("again/3_2", blobs[42][1])]
    return [(entries[h.index][0], h.score) for h in search(probe, Gallery(b for _, b in entries), k)]


def test_finger_results_identical_to_single_machine(cluster: None, finger_dir: Path,
                                                    blobs: list[tuple[str, bytes]]) -> None:
    probes = [blobs[i][1] for i in (0, 7, 42, 99, 250, 319)]
    single = GalleryStore(finger_dir).searcher("finger")
    with distributed.DistributedGallery(finger_dir, "finger", shards=2) as dist:
        assert dist.plan == distributed.plan_shards([c.live for c in GalleryStore(finger_dir).chunks("finger")], 2)
        assert all(dist.plan) and sorted(p for shard in dist.plan for p in shard) == list(range(9))
        results = dist.search_batch(probes, 15)
        one = dist.search(probes[2], 15)
    for probe, res in zip(probes, results, strict=True):
        assert not res.partial and res.answered == (0, 1)
        got = [(h.id, h.score) for h in res.hits]
        assert got == [(h.id, h.score) for h in single.search(probe, 15)] == _ref(blobs, probe, 15)
        assert all(h.chunk in dist.plan[h.shard] for h in res.hits)
    assert {h.shard for r in results for h in r.hits} == {0, 1}
    assert [h.id for h in results[0].hits[:2]] == [blobs[0][0], "again/1_1"]  # tie: enrolment order
    assert one == results[2]


def test_face_results_identical_to_single_machine(cluster: None, tmp_path: Path) -> None:
    rng = random.Random(11)
    faces = [(f"p{i:04d}", [rng.gauss(0, 1) for _ in range(32)]) for i in range(500)]
    faces.append(("p0003-again", faces[3][1]))
    store = GalleryStore.create(tmp_path / "g", face_dim=32, face_chunk_size=64)
    store.append_faces(faces)
    single = store.searcher("face")
    probes = [faces[3][1], faces[200][1], [1.0] * 32]
    with distributed.DistributedGallery(store.path, "face", shards=2) as dist:
        results = dist.search_batch(probes, 20)
    for probe, res in zip(probes, results, strict=True):
        assert [(h.id, h.score) for h in res.hits] == [(h.id, h.score) for h in single.search(probe, 20)]
    assert [h.id for h in results[0].hits[:2]] == ["p0003", "p0003-again"]


def _pids(dist: distributed.DistributedGallery) -> dict[int, int]:
    return {s: i["pid"] for s, i in dist.health().items() if i is not None}


def _wait_all_back(dist: distributed.DistributedGallery, old: dict[int, int]) -> dict[int, int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = _pids(dist)
        if len(pids) == dist.shards:
            return pids
        time.sleep(0.5)
    raise AssertionError(f"shards did not come back: {old}")


def test_killed_worker_is_reported_then_reloaded(cluster: None, finger_dir: Path,
                                                 blobs: list[tuple[str, bytes]]) -> None:
    probe = blobs[42][1]
    with distributed.DistributedGallery(finger_dir, "finger", shards=2) as dist:
        pids = _pids(dist)
        os.kill(pids[1], signal.SIGKILL)
        with pytest.raises(ShardLostError) as err:
            dist.search(probe, 10)
        assert err.value.missing == (1,) and err.value.answered == (0,)

        pids = _wait_all_back(dist, pids)
        dist.allow_partial = True
        os.kill(pids[0], signal.SIGKILL)
        res = dist.search(probe, 10)
        assert res.partial and res.missing == (0,) and res.answered == (1,)
        assert res.hits and all(h.shard == 1 and h.chunk in dist.plan[1] for h in res.hits)

        new = _wait_all_back(dist, pids)  # Ray restarted the worker; it reloaded its chunks from disk
        assert new[0] != pids[0]
        full = dist.search(probe, 10)
        assert not full.partial and [(h.id, h.score) for h in full.hits] == _ref(blobs, probe, 10)


def test_slow_shards_are_reported_not_waited_for(cluster: None, finger_dir: Path,
                                                 blobs: list[tuple[str, bytes]]) -> None:
    with distributed.DistributedGallery(finger_dir, "finger", shards=2, timeout_s=1e-6) as dist:
        with pytest.raises(ShardLostError) as err:  # no shard can answer within a microsecond
            dist.search(blobs[1][1], 5)
        assert err.value.missing == (0, 1) and err.value.answered == ()
        dist.allow_partial = True
        res = dist.search(blobs[1][1], 5)
        assert res.partial and res.hits == () and res.missing == (0, 1)
        dist.timeout_s = None
        assert [(h.id, h.score) for h in dist.search(blobs[1][1], 5).hits] == _ref(blobs, blobs[1][1], 5)


def test_corrupt_chunk_refused_by_the_worker(cluster: None, finger_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(finger_dir, copy)
    store = GalleryStore(copy)
    victim = copy / store.chunks("finger")[5].file
    data = bytearray(victim.read_bytes())
    data[-100] ^= 1
    victim.write_bytes(bytes(data))
    with pytest.raises(GalleryCorruptError, match="SHA-256") as err:
        distributed.DistributedGallery(copy, "finger", shards=2)
    assert err.value.file == victim.name


def test_restarted_worker_refuses_a_changed_gallery(cluster: None, finger_dir: Path, tmp_path: Path,
                                                    blobs: list[tuple[str, bytes]]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(finger_dir, copy)
    with distributed.DistributedGallery(copy, "finger", shards=1) as dist:
        pids = _pids(dist)
        GalleryStore(copy).delete("finger", [blobs[0][0]])  # a new generation behind the workers' back
        os.kill(pids[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:  # the restarted shard answers with a typed error, never with stale results
            try:
                dist.search(blobs[0][1], 5)
            except ShardLostError:
                assert time.monotonic() < deadline
                time.sleep(0.5)
                continue
            except GalleryError as e:
                assert "generation" in str(e)
                break
            raise AssertionError("a restarted worker served a changed gallery")
    with distributed.DistributedGallery(copy, "finger", shards=1) as fresh:  # reload: the new generation
        assert fresh.search(blobs[0][1], 1).hits[0].id == "again/1_1"


def test_bad_arguments_are_typed(cluster: None, finger_dir: Path) -> None:
    with distributed.DistributedGallery(finger_dir, "finger", shards=1) as dist:
        with pytest.raises(GalleryError):
            dist.search(b"MCC3", 0)
        with pytest.raises(GalleryError):
            dist.search_batch([], 0)
        assert dist.search_batch([], 3) == []
    with pytest.raises(GalleryError, match="closed"):
        dist.search(b"", 3)
    with pytest.raises(GalleryError):
        distributed.plan_shards([1, 2], 0)
    with pytest.raises(ShardLostError, match="free CPUs"):  # the 2-CPU cluster cannot place 3 CPUs
        distributed.DistributedGallery(finger_dir, "finger", shards=1, threads_per_shard=3, load_timeout_s=2)


def test_importing_chipid_never_imports_ray() -> None:
    code = ("import sys, chipid, chipid.cli, chipid.biometrics.distributed, chipid.biometrics.gallery_store; "
            "assert 'ray' not in sys.modules, 'ray imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(UnsupportedError, match=r"chipid\[scale\]"):
        distributed.connect()


def test_plan_balances_live_entries() -> None:
    plan = distributed.plan_shards([100, 100, 50, 50, 10], 2)
    loads = [sum([100, 100, 50, 50, 10][p] for p in shard) for shard in plan]
    assert sorted(p for shard in plan for p in shard) == [0, 1, 2, 3, 4] and max(loads) - min(loads) <= 10
    assert distributed.plan_shards([5], 3) == [[0], [], []]
