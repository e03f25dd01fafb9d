"""1:N at scale: in-process search of an on-disk gallery vs the same gallery sharded on a local Ray cluster.

Galleries are synthetic and built once under CHIPID_BENCH_DIST_DIR (default /tmp/chipid-bench-dist):
CHIPID_BENCH_DIST_FINGERS prepared fingerprint templates (default 1,000,000; perturbed impressions of the
320 real FVC2002 templates, as in bench_match.py) and CHIPID_BENCH_DIST_FACES 128-d face vectors (default
10,000,000 = 5.1 GB on disk; rows are noisy copies of 10,000 random identity vectors).  Chunks are mapped
read-only, so the in-process searcher and every worker share one copy in the page cache.

Two ways to run:
- ``python -m benchmarks.bench_distributed [finger|face]``: the comparison of docs/scale.md.  The
  configurations stay loaded together and take turns probe by probe (the machine is shared: interleaving
  keeps the load the same for each), and the medians are printed as JSON.
- ``python -m pytest benchmarks/bench_distributed.py --benchmark-enable``: pytest-benchmark timings of one
  probe in process and on 1 and 2 workers (sizes from the same variables).

No wall-clock limit is asserted anywhere: speed goes here, never into tests.
"""

from __future__ import annotations

import array
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_match import _views, perturb
from chipid.biometrics import match
from chipid.biometrics.gallery_store import GalleryStore, ShardSearcher

ROOT = Path(os.environ.get("CHIPID_BENCH_DIST_DIR", "/tmp/chipid-bench-dist"))
FINGERS = int(os.environ.get("CHIPID_BENCH_DIST_FINGERS", "1000000"))
FACES = int(os.environ.get("CHIPID_BENCH_DIST_FACES", "10000000"))
PROBES = int(os.environ.get("CHIPID_BENCH_DIST_PROBES", "5"))
BATCH = int(os.environ.get("CHIPID_BENCH_DIST_BATCH", "8"))
DIM = 128


def _ready(path: Path, kind: str, n: int) -> GalleryStore | None:
    """The gallery built by an earlier run, if it holds n entries; otherwise None, its folder emptied."""
    try:
        store = GalleryStore(path)
        if store.count(kind) == n:  # type: ignore[arg-type]
            return store
    except Exception:  # no or broken gallery: rebuild it
        pass
    if path.exists():
        for f in path.iterdir():
            f.unlink()
    return None


def finger_gallery(n: int = FINGERS) -> GalleryStore:
    """Build (once) a gallery of n perturbed impressions of the FVC2002 templates."""
    path = ROOT / f"finger-{n}"
    store = _ready(path, "finger", n)
    if store is not None:
        return store
    store = GalleryStore.create(path)
    views, rng = _views(), random.Random(2024)

    def entries() -> Iterator[tuple[str, bytes]]:
        with ThreadPoolExecutor(2) as pool:  # prepare releases the GIL
            for start in range(0, n, 8192):
                batch = [perturb(views[i % len(views)], rng) for i in range(start, min(n, start + 8192))]
                for j, blob in enumerate(pool.map(match.prepare, batch)):
                    yield f"F{start + j:09d}", blob

    store.append_fingers(entries())
    return store


def face_gallery(n: int = FACES) -> GalleryStore:
    """Build (once) a gallery of n face vectors around 10,000 random identities (numpy for speed)."""
    import numpy as np

    path = ROOT / f"face-{n}"
    store = _ready(path, "face", n)
    if store is not None:
        return store
    store = GalleryStore.create(path, face_dim=DIM)
    rng = np.random.default_rng(2024)
    centers = rng.standard_normal((10_000, DIM), dtype=np.float32)

    def entries() -> Iterator[tuple[str, Any]]:
        for start in range(0, n, 65536):
            m = min(n, start + 65536) - start
            rows = centers[rng.integers(0, len(centers), m)] + 0.35 * rng.standard_normal((m, DIM), dtype=np.float32)
            for j in range(m):
                yield f"P{start + j:09d}", rows[j]

    store.append_faces(entries())
    return store


def finger_probes(k: int) -> list[bytes]:
    """New impressions (other seed) of real fingers: each has mates in the gallery."""
    views, rng = _views(), random.Random(99)
    return [match.prepare(perturb(views[(37 * i) % len(views)], rng)) for i in range(k)]


def face_probes(k: int) -> list[array.array[float]]:
    rng = random.Random(99)
    return [array.array("f", [rng.gauss(0, 1) for _ in range(DIM)]) for _ in range(k)]


# --------------------------------------------------------------------------- the comparison (script)
def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compare(kind: str) -> dict[str, Any]:
    """Interleaved medians: in process (1 and 2 threads), Ray 1 worker (1 and 2 threads), Ray 2 workers."""
    from chipid.biometrics import distributed

    store = finger_gallery() if kind == "finger" else face_gallery()
    probes: list[Any] = finger_probes(PROBES + BATCH) if kind == "finger" else face_probes(PROBES + BATCH)
    single, batch = probes[:PROBES], probes[PROBES:]
    t0 = time.perf_counter()
    local = ShardSearcher(store, kind)  # type: ignore[arg-type]
    load_s = time.perf_counter() - t0
    distributed.connect(num_cpus=5)  # logical CPUs: every configuration stays loaded; they run in turn
    configs: dict[str, Callable[[Any], object]] = {
        "in_process_1t": lambda p: local.search(p, 10, threads=1),
        "in_process_2t": lambda p: local.search(p, 10, threads=2),
    }
    dists = {}
    try:
        for name, shards, threads in (("ray_1w_1t", 1, 1), ("ray_1w_2t", 1, 2), ("ray_2w_1t", 2, 1)):
            t0 = time.perf_counter()
            dists[name] = distributed.DistributedGallery(store.path, kind, shards=shards,  # type: ignore[arg-type]
                                                         threads_per_shard=threads)
            print(f"{name}: loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            configs[name] = lambda p, d=dists[name]: d.search(p, 10)
        want = {i: [(h.id, h.score) for h in local.search(p, 10)] for i, p in enumerate(single[:1])}
        for name, d in dists.items():  # same answers before timing anything
            assert [(h.id, h.score) for h in d.search(single[0], 10).hits] == want[0], name
        lat: dict[str, list[float]] = {c: [] for c in configs}
        cpu: dict[str, list[float]] = {c: [] for c in configs}  # driver + every shard, per probe
        worst: dict[str, list[float]] = {c: [] for c in configs}  # the busiest shard (the critical path)
        for p in single:
            for c, fn in configs.items():
                before = _shard_cpu(dists.get(c))
                t = time.process_time()
                lat[c].append(_timed(lambda fn=fn, p=p: fn(p)))
                driver = time.process_time() - t
                shard = [b - a for a, b in zip(before, _shard_cpu(dists.get(c)), strict=True)]
                cpu[c].append(driver + sum(shard))
                worst[c].append(max(shard) if shard else driver)
        thr: dict[str, float] = {}
        thr["in_process_2t"] = len(batch) / _timed(lambda: [local.search(p, 10, threads=2) for p in batch])
        for name, d in dists.items():
            thr[name] = len(batch) / _timed(lambda d=d: d.search_batch(batch, 10))
    finally:
        for d in dists.values():
            d.close()
        distributed.shutdown()
    med = {c: statistics.median(v) for c, v in lat.items()}
    cmed = {c: statistics.median(v) for c, v in cpu.items()}
    wmed = {c: statistics.median(v) for c, v in worst.items()}
    return {
        "kind": kind, "entries": store.count(kind), "chunks": len(store.chunks(kind)),  # type: ignore[arg-type]
        "bytes_on_disk": sum(c.size for c in store.chunks(kind)), "load_in_process_s": round(load_s, 2),  # type: ignore[arg-type]
        "probes": len(single), "batch": len(batch), "median_latency_s": {c: round(v, 4) for c, v in med.items()},
        "overhead_1w_1t_vs_in_process_1t": round(med["ray_1w_1t"] / med["in_process_1t"] - 1, 4),
        "overhead_1w_2t_vs_in_process_2t": round(med["ray_1w_2t"] / med["in_process_2t"] - 1, 4),
        "speedup_2w_vs_1w_1t": round(med["ray_1w_1t"] / med["ray_2w_1t"], 3),
        "batch_throughput_probes_per_s": {c: round(v, 3) for c, v in thr.items()},
        "median_cpu_s_per_probe": {c: round(v, 4) for c, v in cmed.items()},
        "median_busiest_shard_cpu_s": {c: round(v, 4) for c, v in wmed.items()},
        "cpu_overhead_1w_1t_vs_in_process_1t": round(cmed["ray_1w_1t"] / cmed["in_process_1t"] - 1, 4),
        "critical_path_speedup_2w_vs_1w_1t": round(wmed["ray_1w_1t"] / wmed["ray_2w_1t"], 3),
        "all_latencies_s": {c: [round(x, 4) for x in v] for c, v in lat.items()},
    }


def _shard_cpu(dist: Any) -> list[float]:
    """CPU seconds used so far by each shard's worker (empty in process)."""
    if dist is None:
        return []
    return [info["cpu_s"] for _, info in sorted(dist.health().items())]


# --------------------------------------------------------------------------- pytest-benchmark
@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from chipid.biometrics import distributed

    distributed.connect(num_cpus=2)
    yield distributed
    distributed.shutdown()


@pytest.mark.parametrize("kind", ["finger", "face"])
def test_bench_dist_in_process(benchmark, kind: str) -> None:
    store = finger_gallery() if kind == "finger" else face_gallery()
    searcher = store.searcher(kind)  # type: ignore[arg-type]
    probe = finger_probes(1)[0] if kind == "finger" else face_probes(1)[0]
    hits = benchmark(searcher.search, probe, 10, threads=2)
    assert len(hits) == 10
    benchmark.extra_info["entries"] = len(searcher)


@pytest.mark.parametrize("kind", ["finger", "face"])
@pytest.mark.parametrize(("shards", "threads"), [(1, 2), (2, 1)])
def test_bench_dist_ray(benchmark, cluster: Any, kind: str, shards: int, threads: int) -> None:
    store = finger_gallery() if kind == "finger" else face_gallery()
    probe = finger_probes(1)[0] if kind == "finger" else face_probes(1)[0]
    with cluster.DistributedGallery(store.path, kind, shards=shards, threads_per_shard=threads) as dist:
        result = benchmark(dist.search, probe, 10)
    assert not result.partial and len(result.hits) == 10
    benchmark.extra_info.update(entries=dist.count, shards=shards, threads_per_shard=threads)


if __name__ == "__main__":
    for k in sys.argv[1:] or ["finger", "face"]:
        print(json.dumps(compare(k), indent=1), flush=True)
