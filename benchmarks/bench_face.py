"""Face speed: batch 1:N in the C core against numpy's matrix product (one BLAS GEMM), single-probe 1:N
against a plain memory scan, and the embedding time of one photo (dlib, the ``face`` extra).

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE CHIPID_REQUIRE_NATIVE=1 python -m pytest
benchmarks/bench_face.py --benchmark-enable`` (on some processors OPENBLAS_CORETYPE is set to dodge bugs of
old OpenBLAS builds; it slows a current numpy, so unset both for this command alone: the kernel numpy then
runs is recorded in ``extra_info["blas"]`` when threadpoolctl is installed).

Shapes of the issue: 64 probes over 1,000,000 x 128 and 100,000 x 512 float32 rows, top-10, both cores.
numpy's side is the GEMM alone (``Q @ G.T``, a 64 x N score matrix, no top-k): the C batch also selects
the top 10 per probe.  No wall-clock limit is asserted: the machine is shared.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from chipid.biometrics import match

np: Any = pytest.importorskip("numpy")  # the ``face`` extra

ROWS_128 = int(os.environ.get("CHIPID_BENCH_FACES", "1000000"))
ROWS_512 = int(os.environ.get("CHIPID_BENCH_FACES_512", "100000"))
PROBES = 64
THREADS = 2
FACES = Path(__file__).resolve().parent.parent / "tests" / "data" / "faces"


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    return ", ".join(f"{i['internal_api']} {i.get('architecture', '?')} x{i['num_threads']}" for i in threadpool_info())


def _gallery(n: int, d: int) -> tuple[Any, Any]:
    rng = np.random.default_rng(7)
    rows = rng.standard_normal((n, d), dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    probes = rows[rng.choice(n, PROBES, replace=False)] + rng.standard_normal((PROBES, d), dtype=np.float32) * 0.01
    return rows, np.ascontiguousarray(probes, dtype=np.float32)


@pytest.fixture(scope="module", params=[(ROWS_128, 128), (ROWS_512, 512)], ids=["1Mx128", "100kx512"])
def gallery(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    return _gallery(*request.param)


def test_bench_face_batch_c(benchmark, gallery: tuple[Any, Any]) -> None:
    """64 probes, top-10 each, in one call of the C batch search."""
    rows, probes = gallery
    hits = benchmark.pedantic(
        match.face_search_batch, args=(probes, rows, rows.shape[1], 10), kwargs={"threads": THREADS}, rounds=5
    )
    best = (probes @ rows.T).argmax(axis=1)
    assert [h[0].index for h in hits] == best.tolist()
    benchmark.extra_info["shape"] = f"{PROBES} x {rows.shape}"


def test_bench_face_batch_numpy_gemm(benchmark, gallery: tuple[Any, Any]) -> None:
    """numpy's matrix product alone (one BLAS SGEMM), the yardstick of the issue."""
    rows, probes = gallery
    benchmark.pedantic(lambda: probes @ rows.T, rounds=5)
    benchmark.extra_info["blas"] = _blas()
    benchmark.extra_info["shape"] = f"{PROBES} x {rows.shape}"


def test_bench_face_batch_as_single_probes(benchmark, gallery: tuple[Any, Any]) -> None:
    """The old way: 64 single-probe searches, each rescanning the gallery."""
    rows, probes = gallery
    benchmark.pedantic(lambda: [match.face_search(q, rows, top_k=10, threads=THREADS) for q in probes], rounds=1)


def test_bench_face_single_probe(benchmark, gallery: tuple[Any, Any]) -> None:
    rows, probes = gallery
    benchmark.pedantic(match.face_search, args=(probes[0], rows), kwargs={"top_k": 10, "threads": THREADS}, rounds=9)


def test_bench_face_memory_scan(benchmark, gallery: tuple[Any, Any]) -> None:
    """Yardstick of the single probe: a plain threaded read (sum) of the same buffer."""
    rows, _ = gallery
    benchmark.pedantic(match.face_scan, args=(rows,), kwargs={"threads": THREADS}, rounds=9)
    benchmark.extra_info["megabytes"] = rows.nbytes / 1e6


@pytest.mark.parametrize("name", ["obama_1.jpg", "kit_harington_2.jpg", "biden_1.jpg"])
def test_bench_face_embed(benchmark, name: str) -> None:
    """Decode + detect + 5 landmarks + quality checks + 128-d descriptor of one photo."""
    from chipid.biometrics.face_verify import FaceVerifier

    verifier = FaceVerifier()
    data = (FACES / name).read_bytes()
    verifier.embed(data)  # load the models outside the timing
    benchmark.pedantic(verifier.embed, args=(data,), rounds=5)
    from PIL import Image

    benchmark.extra_info["pixels"] = "x".join(map(str, Image.open(FACES / name).size))
