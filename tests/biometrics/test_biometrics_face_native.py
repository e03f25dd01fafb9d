"""Batch face 1:N in the native core (chipid_face_search_batch) against the single-probe search and the
pure-Python reference.  Named *native* so that .ci/asan.sh runs them under AddressSanitizer + UBSan."""

from __future__ import annotations

import array
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.biometrics import _match_ref as ref
from chipid.biometrics import match
from chipid.biometrics.face import FaceGallery


def _oracle(queries: array.array[float], rows: array.array[float], dim: int, k: int) -> list[list[int]]:
    gallery = [rows[r * dim : (r + 1) * dim] for r in range(len(rows) // dim)]
    return [[i for i, _ in ref.face_search(queries[q * dim : (q + 1) * dim], gallery, k)]
            for q in range(len(queries) // dim)]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    dim=st.integers(1, 40),
    n=st.integers(0, 70),
    nq=st.integers(1, 35),
    k=st.integers(1, 12),
    threads=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_native_face_batch_exact_on_integer_vectors(dim: int, n: int, nq: int, k: int, threads: int, seed: int) -> None:
    """Small integer values make every dot product exact in float32 (with or without FMA), so the
    batch, the single-probe search and the reference must agree exactly, ties (index ascending) included."""
    rng = random.Random(seed)
    rows = array.array("f", (rng.randint(-3, 3) for _ in range(n * dim)))
    queries = array.array("f", (rng.randint(-3, 3) for _ in range(nq * dim)))
    got = match.face_search_batch(queries, rows, dim, k, threads=threads)
    assert len(got) == nq
    expected = _oracle(queries, rows, dim, k) if n else [[] for _ in range(nq)]
    assert [[h.index for h in hits] for hits in got] == expected
    for q in range(min(nq, 3)):
        single = match.face_search(queries[q * dim : (q + 1) * dim], rows, top_k=k, threads=threads) if n else []
        assert [(h.index, h.score) for h in single] == [(h.index, h.score) for h in got[q]]


def test_native_face_batch_gaussian_agrees_with_single() -> None:
    rng = random.Random(5)
    dim, n, nq = 128, 2000, 37
    rows = array.array("f", (rng.gauss(0, 1) for _ in range(dim * n)))
    match.face_normalize(rows, dim)
    queries = array.array("f")
    for q in range(nq):  # noisy copies of known rows
        queries.extend(x + rng.gauss(0, 0.05) for x in rows[(q * 41) * dim : (q * 41 + 1) * dim])
    match.face_normalize(queries, dim)
    batch = match.face_search_batch(queries, rows, dim, 5, threads=2)
    for q in range(nq):
        single = match.face_search(queries[q * dim : (q + 1) * dim], rows, top_k=5, threads=2)
        assert batch[q][0].index == single[0].index == q * 41
        assert [h.score for h in batch[q]] == pytest.approx([h.score for h in single], abs=1e-5)


def test_native_face_batch_rejects_bad_input() -> None:
    rows = array.array("f", [1.0, 0.0, 0.0, 1.0])
    with pytest.raises(ValueError):
        match.face_search_batch(array.array("f", [1.0, 0.0]), rows, 2, 0)
    with pytest.raises(ValueError):
        match.face_search_batch(array.array("f", [1.0, 0.0, 1.0]), rows, 2, 1)  # not whole queries
    with pytest.raises(ValueError):
        match.face_search_batch(array.array("f"), rows, 2, 1)
    with pytest.raises(TypeError):
        match.face_search_batch(array.array("d", [1.0, 0.0]), rows, 2, 1)


def test_native_face_gallery_search_batch() -> None:
    rng = random.Random(9)
    people = [[rng.gauss(0, 1) for _ in range(64)] for _ in range(300)]
    gallery = FaceGallery(64, people)
    probes = [[x + rng.gauss(0, 0.2) for x in people[i]] for i in (3, 150, 299)]
    hits = gallery.search_batch(probes, top_k=2)
    assert [h[0].index for h in hits] == [3, 150, 299]
    assert [[h.index for h in one] for one in hits] == [[h.index for h in gallery.search(p, 2)] for p in probes]
    assert gallery.search_batch([]) == []
    assert FaceGallery(4).search_batch([[1.0, 0, 0, 0]]) == [[]]
    with pytest.raises(ValueError):
        gallery.search_batch([[1.0] * 10])
