"""Typed wrapper of the native matcher (chipid._native), with a visible pure-Python fallback.

This is the only module that imports ``chipid._native``.  It checks types, passes buffers with
``ffi.from_buffer`` (the out-of-line cffi calls release the GIL) and maps status codes to exceptions.
When the extension is missing, :data:`BACKEND` is ``"python"`` and a :class:`~chipid.errors.ChipIDWarning`
is issued; with ``CHIPID_REQUIRE_NATIVE=1`` a missing extension raises
:class:`~chipid.errors.NativeBuildError` at import time instead.

Fingerprints: :func:`prepare` turns a minutiae view into a blob (Minutia Cylinder-Code cylinders), then
:func:`compare` (1:1) or :func:`search` over a :class:`Gallery` (1:N) score blobs in [0, 1].  The score
is normalised for the number of minutiae the two prints share, so one threshold serves every sensor:
:data:`FMR_THRESHOLDS` maps a target false match rate to its threshold (calibrated on FVC2002
DB1..4_B; protocol and uncertainty in docs/biometrics.md) and :func:`verify` makes the decision,
reporting templates below :data:`MIN_MINUTIAE` minutiae / :data:`MIN_CYLINDERS` cylinders as unusable.
"""

from __future__ import annotations

import array
import importlib
import math
import os
import struct
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from chipid.biometrics import _match_ref as _ref
from chipid.biometrics.template import FingerView, Minutia, MinutiaeRecord
from chipid.errors import ChipIDWarning, InvalidArgumentError, NativeBuildError, ParseError

__all__ = [
    "BACKEND",
    "FMR_THRESHOLDS",
    "MIN_CYLINDERS",
    "MIN_MINUTIAE",
    "THRESHOLD_FMR_10K",
    "FingerDecision",
    "FingerMatch",
    "Gallery",
    "SearchHit",
    "TemplateQuality",
    "assess",
    "compare",
    "face_cosine",
    "face_normalize",
    "face_scan",
    "face_search",
    "face_search_batch",
    "prepare",
    "quantize",
    "search",
    "threshold_for_fmr",
    "verify",
]

_ABI = 4
_OK, _EINVAL, _ENOMEM, _EPARSE = 0, -1, -2, -3

#: Target false match rate -> score threshold, calibrated with the shipped parameters on FVC2002 DB1..4_B:
#: per database (one sensor, 2,880 impostor pairs) the smallest score, rounded up to 0.001, that at most
#: FMR x 2,880 impostors reach; the table holds the highest of the four, so the rate holds on every sensor
#: seen.  Uncertainty, held-out checks and the FNMR at each threshold: docs/biometrics.md (produced by
#: benchmarks/accuracy_fvc.py).
FMR_THRESHOLDS: dict[float, float] = {1e-2: 0.027, 1e-3: 0.045, 1e-4: 0.061}

#: The FMR 1/10,000 threshold (kept for callers of the earlier API; prefer :func:`threshold_for_fmr`).
THRESHOLD_FMR_10K = FMR_THRESHOLDS[1e-4]

#: Template quality policy: fewer minutiae than this and a template is unusable (too little to tell
#: fingers apart: impostor scores of small templates spread wide).
MIN_MINUTIAE = 12
#: ... or fewer valid cylinders than this (the LSS-R score needs at least 6 minutia pairs).
MIN_CYLINDERS = 6


def _load_native() -> Any:
    """The cffi module, None when missing (NativeBuildError when CHIPID_REQUIRE_NATIVE=1)."""
    required = os.environ.get("CHIPID_REQUIRE_NATIVE", "") == "1"
    try:
        _native: Any = importlib.import_module("chipid._native")  # the one import of the extension
        abi = _native.lib.chipid_abi_version()
        if abi != _ABI:
            raise ImportError(f"chipid._native has ABI {abi}, this chipid needs {_ABI}: rebuild it")
    except ImportError as err:
        if required:
            raise NativeBuildError(f"chipid._native unusable and CHIPID_REQUIRE_NATIVE=1: {err}") from err
        warnings.warn(
            f"chipid._native unusable ({err}): using the slow pure-Python matcher", ChipIDWarning, stacklevel=2
        )
        return None
    return _native


_NATIVE = _load_native()
BACKEND: str = "native" if _NATIVE is not None else "python"


@dataclass(frozen=True)
class SearchHit:
    """One 1:N result: gallery index and similarity score."""

    index: int
    score: float


def _threads(threads: int | None) -> int:
    if threads is None:
        return max(
            1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
    if threads < 1:
        raise InvalidArgumentError("threads must be >= 1")
    return threads


def _check(rc: int, what: str) -> None:
    if rc == _OK or rc > 0:
        return
    if rc == _ENOMEM:
        raise MemoryError(f"{what}: out of memory")
    if rc == _EPARSE:
        raise ParseError("not a prepared template blob (bad magic, counts or length)", path=what)
    raise InvalidArgumentError(f"{what}: invalid argument (status {rc})")


def quantize(minutiae: Sequence[Minutia]) -> tuple[list[int], list[int], list[int]]:
    """Matcher input: x, y and angle in 65536 units per turn (rounded half up)."""
    angles = [math.floor(m.angle * 65536 / 360 + 0.5) % 65536 for m in minutiae]
    return [m.x for m in minutiae], [m.y for m in minutiae], angles


def prepare(template: MinutiaeRecord | FingerView | Sequence[Minutia], *, view: int = 0) -> bytes:
    """Preprocess one finger view into a matcher blob (do it once per template, reuse the blob).

    Args:
        template: a parsed record (``view`` selects the finger view), a view or a minutiae list.
        view: index of the finger view in a record.

    Raises:
        ParseError: more than 255 minutiae or a coordinate beyond 14 bits.
        IndexError: no such view.
    """
    if isinstance(template, MinutiaeRecord):
        template = template.views[view]
    minutiae = template.minutiae if isinstance(template, FingerView) else template
    if len(minutiae) > 255:
        raise ParseError(f"{len(minutiae)} minutiae; at most 255 are allowed", path="minutiae")
    xs, ys, angles = quantize(minutiae)
    if any(not 0 <= v <= 0x3FFF for v in xs + ys):
        raise ParseError("minutia coordinate outside 0..16383", path="minutiae")
    qualities = [m.quality for m in minutiae]
    if any(not 0 <= q <= 100 for q in qualities):
        raise ParseError("minutia quality outside 0..100", path="minutiae")
    if _NATIVE is None:
        return _ref.prepare(xs, ys, angles, qualities)
    ffi, lib = _NATIVE.ffi, _NATIVE.lib
    n = len(xs)
    out = ffi.new("unsigned char[]", lib.chipid_blob_size(n))
    rc = lib.chipid_prepare(
        ffi.new("int[]", xs or [0]),
        ffi.new("int[]", ys or [0]),
        ffi.new("int[]", angles or [0]),
        ffi.new("int[]", qualities or [0]),
        n,
        out,
        len(out),
    )
    _check(rc, "prepare")
    return bytes(ffi.buffer(out, rc))


def _bytes(data: bytes, what: str) -> bytes:
    if data.__class__ is bytes:
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"{what} must be bytes, not {type(data).__name__}")
    return bytes(data)


def _blob(data: bytes, what: str) -> bytes:
    data = _bytes(data, what)
    if not _ref.blob_check(data):
        raise ParseError("not a prepared template blob (bad magic, counts or length)", path=what)
    return data


_ROT_ANY = 32768  # _rotation_units(180.0): any rotation


def _rotation_units(max_rotation: float) -> int:
    """Degrees (0..180) to the native angle units; 180 means any rotation."""
    if not isinstance(max_rotation, int | float) or not 0.0 <= max_rotation <= 180.0:
        raise InvalidArgumentError(f"max_rotation must be a number of degrees in 0..180, not {max_rotation!r}")
    return min(32768, math.floor(max_rotation * 65536 / 360 + 0.5))


def _compare_isa(probe: bytes, candidate: bytes, isa: int, *, max_rotation: float = 180.0) -> float | None:
    """compare() through one native code path (0 C, 1 POPCNT, 2 AVX2, 3 AVX-512, 4 AVX-512 + sqrt); None if unavailable.

    For tests: every path must give the same bits.
    """
    a, b = _blob(probe, "probe"), _blob(candidate, "candidate")
    if _NATIVE is None:
        return None
    out = _NATIVE.ffi.new("double *")
    rc = _NATIVE.lib.chipid_compare_isa(a, len(a), b, len(b), isa, _rotation_units(max_rotation), out)
    return float(out[0]) if rc == _OK else None


def _compare_tuned(
    probe: bytes, candidate: bytes, params: Sequence[float], *, max_rotation: float = 180.0
) -> tuple[float, list[float]]:
    """(score, components) with explicit score parameters: for the cross-validation tool and the tests.

    The components are LSS-R score, matched weight, overlap A, overlap B, cylinders A, cylinders B,
    rotation (angle units) and candidate pairs (see ``chipid_compare_tuned``).
    """
    a, b = _blob(probe, "probe"), _blob(candidate, "candidate")
    if len(params) != len(_ref.DEFAULT_PARAMS):
        raise InvalidArgumentError(f"need {len(_ref.DEFAULT_PARAMS)} score parameters")
    if not all(0.0 <= v <= 1e6 for v in params) or params[5] > 12 or params[7] > 64:
        raise InvalidArgumentError("score parameters must be finite, >= 0, ROTWIN <= 12 and MINME <= 64")
    rot = _rotation_units(max_rotation)
    if _NATIVE is None:
        return _ref.compare_detail(a, b, rot, params)
    ffi = _NATIVE.ffi
    out, detail = ffi.new("double *"), ffi.new("double[8]")
    prm = ffi.new("double[]", [float(v) for v in params])
    _check(_NATIVE.lib.chipid_compare_tuned(a, len(a), b, len(b), rot, prm, out, detail), "compare")
    return float(out[0]), list(detail)


def compare(probe: bytes, candidate: bytes, *, max_rotation: float = 180.0) -> float:
    """1:1 similarity in [0, 1] of two prepared blobs; symmetric.

    Args:
        probe: a blob from :func:`prepare`.
        candidate: another blob.
        max_rotation: the largest rotation (degrees) between the two prints that is considered.  180
            (the default) matches prints at any orientation; an upright sensor (a finger guide) can pass
            60 to exclude implausible alignments (faster, slightly fewer false matches).

    Raises:
        ParseError: a blob is malformed.
        InvalidArgumentError: ``max_rotation`` outside 0..180.
    """
    if _NATIVE is None:
        a, b = _blob(probe, "probe"), _blob(candidate, "candidate")
        return _ref.compare(a, b, _rotation_units(max_rotation))
    # the native call checks both blobs itself (chipid_blob_check, the same test as _blob's): the Python
    # check runs only to name the bad argument, so a valid pair pays for the type checks alone
    a, b = _bytes(probe, "probe"), _bytes(candidate, "candidate")
    rot = _ROT_ANY if max_rotation.__class__ is float and max_rotation == 180.0 else _rotation_units(max_rotation)
    out = _NATIVE.ffi.new("double *")
    rc = _NATIVE.lib.chipid_compare(a, len(a), b, len(b), rot, out)
    if rc == _EPARSE:
        _blob(a, "probe"), _blob(b, "candidate")
    _check(rc, "compare")
    return float(out[0])


class FingerDecision(Enum):
    """Outcome of :func:`verify`."""

    MATCH = "match"
    NO_MATCH = "no match"
    UNUSABLE_TEMPLATE = "unusable template"


@dataclass(frozen=True)
class TemplateQuality:
    """What a prepared blob holds and whether the quality policy accepts it."""

    minutiae: int
    cylinders: int

    @property
    def usable(self) -> bool:
        """At least :data:`MIN_MINUTIAE` minutiae and :data:`MIN_CYLINDERS` valid cylinders."""
        return self.minutiae >= MIN_MINUTIAE and self.cylinders >= MIN_CYLINDERS

    @property
    def reason(self) -> str:
        """Why the template is unusable ("" when usable)."""
        if self.minutiae < MIN_MINUTIAE:
            return f"{self.minutiae} minutiae (at least {MIN_MINUTIAE} needed)"
        if self.cylinders < MIN_CYLINDERS:
            return f"{self.cylinders} usable minutia neighbourhoods (at least {MIN_CYLINDERS} needed)"
        return ""


@dataclass(frozen=True)
class FingerMatch:
    """A 1:1 decision: the score (None when a template is unusable) against the threshold of ``fmr``."""

    decision: FingerDecision
    score: float | None
    threshold: float
    fmr: float
    probe: TemplateQuality
    candidate: TemplateQuality

    @property
    def matched(self) -> bool:
        return self.decision is FingerDecision.MATCH


def assess(blob: bytes) -> TemplateQuality:
    """Minutiae and valid-cylinder counts of a prepared blob (the quality policy's input).

    Raises:
        ParseError: the blob is malformed.
    """
    data = _blob(blob, "blob")
    cylinders, minutiae = struct.unpack_from("<HH", data, 4)
    return TemplateQuality(minutiae, cylinders)


def threshold_for_fmr(fmr: float) -> float:
    """The calibrated threshold of a target false match rate (one of :data:`FMR_THRESHOLDS`).

    Raises:
        InvalidArgumentError: no calibrated threshold for that rate (FVC2002 supports 1e-2..1e-4).
    """
    for rate, threshold in FMR_THRESHOLDS.items():
        if isinstance(fmr, int | float) and math.isclose(fmr, rate, rel_tol=1e-9):
            return threshold
    known = ", ".join(f"{r:g}" for r in FMR_THRESHOLDS)
    raise InvalidArgumentError(f"no calibrated threshold for FMR {fmr!r}; calibrated rates: {known}")


def verify(probe: bytes, candidate: bytes, *, fmr: float = 1e-4, max_rotation: float = 180.0) -> FingerMatch:
    """1:1 decision at a target false match rate, with the template quality policy applied.

    A template under :data:`MIN_MINUTIAE` minutiae or :data:`MIN_CYLINDERS` cylinders gives
    :attr:`FingerDecision.UNUSABLE_TEMPLATE` (and no score) rather than a meaningless low score.

    Raises:
        ParseError: a blob is malformed.
        InvalidArgumentError: ``fmr`` has no calibrated threshold, or ``max_rotation`` is out of range.
    """
    threshold = threshold_for_fmr(fmr)
    qa, qb = assess(probe), assess(candidate)
    if not (qa.usable and qb.usable):
        return FingerMatch(FingerDecision.UNUSABLE_TEMPLATE, None, threshold, fmr, qa, qb)
    score = compare(probe, candidate, max_rotation=max_rotation)
    decision = FingerDecision.MATCH if score >= threshold else FingerDecision.NO_MATCH
    return FingerMatch(decision, score, threshold, fmr, qa, qb)


class Gallery:
    """Prepared blobs packed once into one contiguous buffer plus offsets, for :func:`search`."""

    def __init__(self, blobs: Iterable[bytes]) -> None:
        parts = [_blob(b, f"gallery[{i}]") for i, b in enumerate(blobs)]
        self.buffer = b"".join(parts)
        self.offsets = array.array("q", [0])
        for p in parts:
            self.offsets.append(self.offsets[-1] + len(p))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def blob(self, index: int) -> bytes:
        """The blob of one gallery entry."""
        return self.buffer[self.offsets[index] : self.offsets[index + 1]]


def search(
    probe: bytes,
    gallery: Gallery,
    top_k: int = 10,
    *,
    threads: int | None = None,
    max_rotation: float = 180.0,
) -> list[SearchHit]:
    """1:N: the ``top_k`` best gallery entries (score descending, index ascending on ties).

    ``max_rotation`` as in :func:`compare`.

    Raises:
        ParseError: the probe blob is malformed.
        InvalidArgumentError: ``top_k`` < 1, ``threads`` < 1 or ``max_rotation`` out of range.
    """
    if top_k < 1:
        raise InvalidArgumentError("top_k must be >= 1")
    p = _blob(probe, "probe")
    n, nt, rot = len(gallery), _threads(threads), _rotation_units(max_rotation)
    if _NATIVE is None:
        return [SearchHit(i, s) for i, s in _ref.search(p, [gallery.blob(i) for i in range(n)], top_k, rot)]
    ffi, lib = _NATIVE.ffi, _NATIVE.lib
    k = min(top_k, max(n, 1))
    idx, scores = ffi.new("int[]", k), ffi.new("double[]", k)
    gbuf, offs = ffi.from_buffer(gallery.buffer), ffi.from_buffer("long long[]", gallery.offsets)
    rc = lib.chipid_search(p, len(p), gbuf, len(gallery.buffer), offs, n, k, nt, rot, idx, scores)
    _check(rc, "search")
    return [SearchHit(int(idx[j]), float(scores[j])) for j in range(k) if idx[j] >= 0]


def _floats(data: Any, what: str) -> memoryview[float]:
    try:
        view = memoryview(data)
    except TypeError as err:
        raise TypeError(f"{what} must be a float32 buffer (array('f'), numpy float32...)") from err
    if view.format not in ("f", "<f", "=f") or not view.c_contiguous:
        raise TypeError(f"{what} must be a contiguous float32 buffer, got format {view.format!r}")
    floats: memoryview[float] = view.cast("B").cast("f")
    return floats


def face_normalize(rows: Any, dim: int) -> None:
    """L2-normalise, in place, the float32 rows (``dim`` values each) of a writable buffer."""
    view = _floats(rows, "rows")
    if dim < 1 or len(view) % dim:
        raise ValueError(f"buffer of {len(view)} floats is not a whole number of {dim}-d rows")
    if view.readonly:
        raise TypeError("rows must be writable")
    if _NATIVE is None:
        for r in range(len(view) // dim):
            view[r * dim : (r + 1) * dim] = array.array(
                "f", _ref.face_normalize(view[r * dim : (r + 1) * dim])
            )
        return
    rc = _NATIVE.lib.chipid_face_normalize(_NATIVE.ffi.from_buffer("float[]", view), len(view) // dim, dim)
    if rc == _EINVAL:
        raise ValueError("face vector holds NaN or infinity")
    _check(rc, "face_normalize")


def face_cosine(a: Any, b: Any) -> float:
    """Dot product of two float32 vectors (the cosine similarity when both are normalised)."""
    va, vb = _floats(a, "a"), _floats(b, "b")
    if len(va) != len(vb) or not va:
        raise ValueError("vectors must be non-empty and of equal length")
    if _NATIVE is None:
        return _ref.face_cosine(va, vb)
    ffi = _NATIVE.ffi
    out = ffi.new("float *")
    abuf, bbuf = ffi.from_buffer("float[]", va), ffi.from_buffer("float[]", vb)
    _check(_NATIVE.lib.chipid_face_cosine(abuf, bbuf, len(va), out), "face_cosine")
    return float(out[0])


def face_search(query: Any, rows: Any, top_k: int = 10, *, threads: int | None = None) -> list[SearchHit]:
    """1:N top-k dot products of a query against the rows of a float32 buffer (row length = query length)."""
    q, flat = _floats(query, "query"), _floats(rows, "rows")
    dim = len(q)
    if top_k < 1 or dim < 1 or len(flat) % dim:
        raise ValueError("need top_k >= 1 and a buffer of whole rows of the query's length")
    n, nt = len(flat) // dim, _threads(threads)
    if _NATIVE is None:
        found = _ref.face_search(q, [flat[r * dim : (r + 1) * dim] for r in range(n)], top_k)
        return [SearchHit(i, s) for i, s in found]
    ffi, lib = _NATIVE.ffi, _NATIVE.lib
    k = min(top_k, max(n, 1))
    idx, scores = ffi.new("long long[]", k), ffi.new("float[]", k)
    qbuf, rbuf = ffi.from_buffer("float[]", q), ffi.from_buffer("float[]", flat)
    rc = lib.chipid_face_search(qbuf, rbuf, n, dim, k, nt, idx, scores)
    _check(rc, "face_search")
    return [SearchHit(int(idx[j]), float(scores[j])) for j in range(k) if idx[j] >= 0]


def face_search_batch(
    queries: Any, rows: Any, dim: int, top_k: int = 10, *, threads: int | None = None
) -> list[list[SearchHit]]:
    """1:N for many queries at once: the top-k dot products of each ``dim``-float query (rows of the
    ``queries`` float32 buffer) against the rows of ``rows``, the gallery read once per block of queries.

    Returns one hit list per query, in query order (score descending, index ascending on ties).
    """
    qs, flat = _floats(queries, "queries"), _floats(rows, "rows")
    if top_k < 1 or dim < 1 or len(flat) % dim or len(qs) % dim or not qs:
        raise ValueError("need top_k >= 1, at least one query and buffers of whole dim-float rows")
    nq, n, nt = len(qs) // dim, len(flat) // dim, _threads(threads)
    if _NATIVE is None:
        gallery = [flat[r * dim : (r + 1) * dim] for r in range(n)]
        return [
            [SearchHit(i, s) for i, s in _ref.face_search(qs[q * dim : (q + 1) * dim], gallery, top_k)]
            for q in range(nq)
        ]
    ffi, lib = _NATIVE.ffi, _NATIVE.lib
    k = min(top_k, max(n, 1))
    idx, scores = ffi.new("long long[]", nq * k), ffi.new("float[]", nq * k)
    qbuf, rbuf = ffi.from_buffer("float[]", qs), ffi.from_buffer("float[]", flat)
    _check(lib.chipid_face_search_batch(qbuf, nq, rbuf, n, dim, k, nt, idx, scores), "face_search_batch")
    return [
        [SearchHit(int(idx[q * k + j]), float(scores[q * k + j])) for j in range(k) if idx[q * k + j] >= 0]
        for q in range(nq)
    ]


def face_scan(rows: Any, *, threads: int | None = None) -> float:
    """Sum every float of the buffer with the search's threading: the memory-bandwidth yardstick."""
    flat = _floats(rows, "rows")
    if _NATIVE is None:
        return math.fsum(flat)
    out = _NATIVE.ffi.new("double *")
    buf = _NATIVE.ffi.from_buffer("float[]", flat)
    _check(_NATIVE.lib.chipid_face_scan(buf, len(flat), _threads(threads), out), "face_scan")
    return float(out[0])
