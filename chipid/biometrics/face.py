"""Face vectors: L2-normalised float32 embeddings, cosine 1:1 and 1:N, pluggable extraction.

Matching works on any float vectors and never depends on an extractor.  Extraction is a
:class:`FaceEmbedder` protocol; :class:`DlibEmbedder` is an optional adapter over dlib's ResNet
descriptor (``pip install chipid[face]``: ``face-recognition-models`` + ``dlib-bin``), imported lazily
so that chipid itself never needs dlib.
"""

from __future__ import annotations

import array
import importlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from chipid.biometrics import match
from chipid.biometrics.match import SearchHit
from chipid.errors import ParseError

__all__ = ["DlibEmbedder", "FaceEmbedder", "FaceGallery", "cosine", "normalize"]


@runtime_checkable
class FaceEmbedder(Protocol):
    """Turns an encoded face image (JPEG, JPEG 2000, PNG...) into one embedding vector."""

    dim: int

    def embed(self, image: bytes) -> Sequence[float]:
        """The embedding of the (single, largest) face in the image."""
        ...


def normalize(vector: Iterable[float]) -> array.array[float]:
    """An L2-normalised float32 copy of a vector (a zero vector stays zero).

    Raises:
        ValueError: empty vector, NaN or infinity.
    """
    out = array.array("f", vector)
    if not out:
        raise ValueError("empty face vector")
    match.face_normalize(out, len(out))
    return out


def cosine(a: Iterable[float], b: Iterable[float]) -> float:
    """Cosine similarity in [-1, 1] of two vectors (normalised here first)."""
    return match.face_cosine(normalize(a), normalize(b))


class FaceGallery:
    """Normalised embeddings of one dimension in one contiguous float32 buffer, for 1:N search."""

    def __init__(self, dim: int, vectors: Iterable[Iterable[float]] = ()) -> None:
        if dim < 1:
            raise ValueError("dim must be >= 1")
        self.dim = dim
        self.rows: array.array[float] = array.array("f")
        for v in vectors:
            self.add(v)

    @classmethod
    def from_buffer(cls, rows: Any, dim: int) -> FaceGallery:
        """Adopt a float32 buffer of whole rows (copied once, then normalised in place)."""
        view = memoryview(rows)
        if view.format not in ("f", "<f", "=f") or not view.c_contiguous:
            raise TypeError(f"rows must be a contiguous float32 buffer, got format {view.format!r}")
        gallery = cls(dim)
        gallery.rows = array.array("f", view.cast("B").cast("f"))
        if len(gallery.rows) % dim:
            raise ValueError(f"buffer of {len(gallery.rows)} floats is not a whole number of {dim}-d rows")
        match.face_normalize(gallery.rows, dim)
        return gallery

    def __len__(self) -> int:
        return len(self.rows) // self.dim

    def add(self, vector: Iterable[float]) -> int:
        """Append a vector (normalised); returns its index."""
        v = normalize(vector)
        if len(v) != self.dim:
            raise ValueError(f"vector has {len(v)} values, the gallery holds {self.dim}-d vectors")
        self.rows.extend(v)
        return len(self) - 1

    def search(self, query: Iterable[float], top_k: int = 10, *, threads: int | None = None) -> list[SearchHit]:
        """The ``top_k`` most similar rows (cosine descending, index ascending on ties)."""
        q = normalize(query)
        if len(q) != self.dim:
            raise ValueError(f"query has {len(q)} values, the gallery holds {self.dim}-d vectors")
        if not len(self):
            return []
        return match.face_search(q, self.rows, top_k, threads=threads)

    def search_batch(
        self, queries: Iterable[Iterable[float]], top_k: int = 10, *, threads: int | None = None
    ) -> list[list[SearchHit]]:
        """:meth:`search` for many queries at once (one hit list per query, in order): the native core reads
        the gallery once per block of 16 queries instead of once per query."""
        flat = array.array("f")
        for q in queries:
            v = normalize(q)
            if len(v) != self.dim:
                raise ValueError(f"query has {len(v)} values, the gallery holds {self.dim}-d vectors")
            flat.extend(v)
        if not flat:
            return []
        if not len(self):
            return [[] for _ in range(len(flat) // self.dim)]
        return match.face_search_batch(flat, self.rows, self.dim, top_k, threads=threads)


class DlibEmbedder:
    """dlib's 128-d ResNet face descriptor with its 5-point landmark model (optional extra).

    The 5-point model is used because the 68-point model's training data excludes commercial use.
    """

    dim = 128

    def __init__(self) -> None:
        from chipid.biometrics.face_verify import load_dlib

        _, self._dlib, shape_model, net_model = load_dlib()
        self._detector = self._dlib.get_frontal_face_detector()
        self._shape = self._dlib.shape_predictor(shape_model)
        self._net = self._dlib.face_recognition_model_v1(net_model)

    def embed(self, image: bytes) -> Sequence[float]:
        """Decode with Pillow, detect the largest face, return its 128-d descriptor.

        Raises:
            ParseError: the image cannot be decoded or holds no face.
        """
        import io

        from PIL import Image

        np: Any = importlib.import_module("numpy")
        try:
            pixels = np.asarray(Image.open(io.BytesIO(image)).convert("RGB"))
        except Exception as err:  # Pillow raises many types for bad data
            raise ParseError(f"cannot decode the face image: {err}", path="face image") from err
        faces = self._detector(pixels, 1)
        if not faces:
            raise ParseError("no face found in the image", path="face image")
        face = max(faces, key=lambda r: r.width() * r.height())
        shape = self._shape(pixels, face)
        return [float(x) for x in self._net.compute_face_descriptor(pixels, shape)]
