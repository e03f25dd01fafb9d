"""Face vectors: normalisation, cosine, FaceGallery 1:N, the embedder protocol."""

from __future__ import annotations

import array
import math
import random
from pathlib import Path

import pytest

from chipid.biometrics.face import DlibEmbedder, FaceEmbedder, FaceGallery, cosine, normalize
from chipid.errors import UnsupportedError


def test_face_normalize_unit_length() -> None:
    v = normalize([3.0, 4.0])
    assert list(v) == pytest.approx([0.6, 0.8])
    assert math.fsum(x * x for x in normalize([1.0] * 128)) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError):
        normalize([])
    with pytest.raises(ValueError):
        normalize([math.inf, 1.0])


def test_face_cosine_values() -> None:
    assert cosine([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert cosine([1.0, 1.0], [2.0, 2.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [-5.0, 0.0]) == pytest.approx(-1.0)


def test_face_gallery_search_finds_noisy_copy() -> None:
    rng = random.Random(11)
    people = [[rng.gauss(0, 1) for _ in range(64)] for _ in range(200)]
    gallery = FaceGallery(64, people)
    assert len(gallery) == 200
    probe = [x + rng.gauss(0, 0.2) for x in people[123]]
    hits = gallery.search(probe, top_k=3)
    assert hits[0].index == 123 and hits[0].score > 0.9 > hits[1].score
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    with pytest.raises(ValueError):
        gallery.search([1.0] * 10)
    with pytest.raises(ValueError):
        gallery.add([1.0] * 63)
    assert FaceGallery(4).search([1.0, 0, 0, 0]) == []


def test_face_gallery_from_buffer() -> None:
    flat = array.array("f", [3.0, 4.0, 0.0, 2.0])
    g = FaceGallery.from_buffer(flat, 2)
    assert len(g) == 2 and list(g.rows) == pytest.approx([0.6, 0.8, 0.0, 1.0])
    assert list(flat) == [3.0, 4.0, 0.0, 2.0]  # the caller's buffer is not touched
    with pytest.raises(TypeError):
        FaceGallery.from_buffer(array.array("d", [1.0, 2.0]), 2)  # float64 is never reinterpreted


def test_face_embedder_protocol() -> None:
    class Fake:
        dim = 2

        def embed(self, image: bytes) -> list[float]:
            return [float(len(image)), 1.0]

    assert isinstance(Fake(), FaceEmbedder)


def test_face_dlib_embedder_needs_extra(no_dlib: None) -> None:
    with pytest.raises(UnsupportedError, match="chipid\\[face\\]"):
        DlibEmbedder()


def test_face_dlib_embedder_embeds_a_photo(data_dir: Path) -> None:
    """The extra is installed in CI (tests/run.sh installs chipid[face]): this never skips."""
    embedder = DlibEmbedder()
    vector = embedder.embed((data_dir / "faces" / "obama_1.jpg").read_bytes())
    assert embedder.dim == 128 == len(vector)
    assert 1.0 < math.sqrt(math.fsum(x * x for x in vector)) < 2.0  # dlib descriptors are not unit length
