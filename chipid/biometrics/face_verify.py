"""Face verification at the desk: the chip's portrait (DG2) against a live photo of the customer.

:class:`FaceVerifier` turns an encoded image (JPEG, JPEG 2000 as read from DG2, PNG; EXIF orientation
honoured; grayscale accepted) into a :class:`FaceTemplate` and compares two templates into a
:class:`FaceMatch` at a threshold chosen by target false-match rate (FMR) from :data:`FMR_THRESHOLDS`.

Extraction is dlib's 128-d ResNet descriptor (``pip install 'chipid[face]'``: ``dlib-bin`` +
``face-recognition-models``) with its 5-point landmark model (the 68-point model's training data excludes
commercial use).  dlib is imported on first use only, so ``import chipid`` never needs it.  Descriptors are
compared by Euclidean distance (dlib's convention; they are not unit length): the *score* of a
:class:`FaceMatch` is that distance, lower is more alike, and ``same_person`` is ``score <= threshold``.

Image quality is checked before any comparison, with typed errors carrying advice for the clerk
(:class:`~chipid.errors.FaceImageError` and its subclasses): no face, more than one face, a face too small
(inter-eye distance under the minimum) or too blurred (variance of the Laplacian of the aligned face crop
under the minimum), an unreadable image.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chipid.errors import (
    FaceExtraMissingError,
    FaceTooBlurredError,
    FaceTooSmallError,
    MultipleFacesError,
    NoFaceError,
    UnreadableImageError,
    UnsupportedError,
)

__all__ = [
    "DEFAULT_FMR",
    "FMR_THRESHOLDS",
    "MODEL",
    "FaceMatch",
    "FaceTemplate",
    "FaceVerifier",
    "FmrOperatingPoint",
    "default_verifier",
    "load_dlib",
    "threshold_for_fmr",
    "verify_face",
]

MODEL = "dlib_face_recognition_resnet_model_v1+shape_predictor_5_face_landmarks"
"""The extractor a :class:`FaceTemplate` comes from (templates of different models never compare)."""

DEFAULT_FMR = 1e-3
"""Default target false-match rate: 1 in 1,000."""


@dataclass(frozen=True)
class FmrOperatingPoint:
    """One row of the FMR -> threshold table.

    Attributes:
        fmr: the false-match rate the threshold is expected to give (impostor pairs accepted).
        threshold: the Euclidean distance threshold on dlib descriptors (same person if ``<=``).
        fnmr: the false non-match rate measured at that threshold in the source, when known.
        source: where the figures come from.
    """

    fmr: float
    threshold: float
    fnmr: float | None
    source: str


_LFW_ALL_PAIRS = (
    "dlib ResNet on LFW, all 81,875,206 pairs of 12,797 images of 5,467 people (J. Grimes, 'Face recognition "
    "distances investigation', precision/recall per cutoff); FMR = recall x G x (1 - precision) / precision / "
    "impostor pairs with G ~ 2.4e5 genuine pairs, interpolated log-linearly between published cutoffs"
)

FMR_THRESHOLDS: tuple[FmrOperatingPoint, ...] = (
    FmrOperatingPoint(
        1e-2,
        0.60,
        0.01,
        "dlib's published operating point (D. King, dlib 19.3 release notes: 0.6 gives 99.38% accuracy on the "
        "LFW benchmark); " + _LFW_ALL_PAIRS + " gives FMR ~ 5.7e-3 and recall 0.99 at 0.60",
    ),
    FmrOperatingPoint(1e-3, 0.54, 0.06, _LFW_ALL_PAIRS + ": FMR ~ 1.2e-3 at 0.55, ~ 2.5e-4 at 0.50"),
    FmrOperatingPoint(1e-4, 0.47, 0.30, _LFW_ALL_PAIRS + ": FMR ~ 2.5e-4 at 0.50, ~ 3.6e-5 at 0.45"),
    FmrOperatingPoint(1e-5, 0.40, 0.71, _LFW_ALL_PAIRS + ": precision 1.00 and recall 0.29 at 0.40"),
)
"""FMR -> threshold table (loosest first).  None of it is tuned on chipid's own test photos, which are held
out for the measurement reported in docs/face-verification.md."""


def threshold_for_fmr(fmr: float) -> FmrOperatingPoint:
    """The loosest documented operating point whose FMR does not exceed ``fmr``.

    Raises:
        UnsupportedError: ``fmr`` is below the strictest documented point (or not a probability).
    """
    if not 0.0 < fmr < 1.0:
        raise UnsupportedError(f"target FMR must be in (0, 1), got {fmr!r}")
    for point in FMR_THRESHOLDS:
        if point.fmr <= fmr * (1 + 1e-9):
            return point
    raise UnsupportedError(f"no documented threshold reaches FMR {fmr:g}; the strictest is {FMR_THRESHOLDS[-1].fmr:g}")


@dataclass(frozen=True)
class FaceTemplate:
    """One face's descriptor and the quality facts measured while extracting it.

    Attributes:
        vector: the 128 descriptor values.
        model: the extractor (:data:`MODEL`).
        eye_distance: distance between the eye centres in the original image, in pixels.
        sharpness: variance of the Laplacian over the aligned 150x150 grayscale face crop.
        box: the face rectangle (left, top, right, bottom) in the original (EXIF-rotated) image.
        image_size: (width, height) of the original (EXIF-rotated) image.
    """

    vector: tuple[float, ...]
    model: str = MODEL
    eye_distance: float = 0.0
    sharpness: float = 0.0
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    image_size: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class FaceMatch:
    """The outcome of one 1:1 face comparison.

    Attributes:
        score: Euclidean distance between the two descriptors (lower is more alike).
        threshold: the distance at or under which the faces are declared the same person.
        same_person: ``score <= threshold``.
        fmr: the target false-match rate the threshold was chosen for.
    """

    score: float
    threshold: float
    same_person: bool
    fmr: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (score rounded to 4 decimals)."""
        return {
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "same_person": self.same_person,
            "fmr": self.fmr,
            "metric": "euclidean_distance",
        }


def load_dlib() -> tuple[Any, Any, str, str]:
    """numpy, dlib and the paths of the 5-point landmark and ResNet descriptor models.

    The weights are located inside the installed ``face_recognition_models`` package without importing it
    (its ``__init__`` needs ``pkg_resources``, which recent setuptools no longer ships).

    Raises:
        FaceExtraMissingError: a part of the ``face`` extra is missing.
    """
    try:
        np = importlib.import_module("numpy")
        dlib = importlib.import_module("dlib")
        spec = importlib.util.find_spec("face_recognition_models")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("No module named 'face_recognition_models'", name="face_recognition_models")
    except ImportError as err:
        raise FaceExtraMissingError(
            f"face verification needs the optional extra ({err.name} is missing): pip install 'chipid[face]'"
        ) from err
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    paths = (models / "shape_predictor_5_face_landmarks.dat", models / "dlib_face_recognition_resnet_model_v1.dat")
    for path in paths:
        if not path.is_file():
            raise FaceExtraMissingError(f"{path} is missing: pip install --force-reinstall 'chipid[face]'")
    return np, dlib, str(paths[0]), str(paths[1])


class PortraitSource(Protocol):
    """What :func:`verify_face` needs of a document: the portrait bytes from DG2 (``None`` if absent)."""

    def face_image(self) -> bytes | None: ...


class FaceVerifier:
    """Embed face images and compare them at a threshold chosen by target FMR.

    Args:
        fmr: target false-match rate; the threshold is :func:`threshold_for_fmr` of it.
        min_eye_distance: smallest inter-eye distance accepted, in pixels of the original image.  ISO/IEC
            19794-5 token portraits have 60 px; 40 px still gives dlib's 150-px aligned crop real detail.
        min_sharpness: smallest variance of the Laplacian of the aligned face crop (sharp photos measure
            in the hundreds, a Gaussian blur of radius 4 px on a 1 MP photo under 15).
        detect_side: images are scaled down to this longest side for face detection only; landmarks and
            the descriptor use the full-resolution image.
        max_pixels: larger images are refused before decoding (memory bound; a desk photo is far smaller).
        cache_size: how many chip-portrait templates to keep (keyed by the portrait's SHA-256), so that a
            read's portrait is embedded once however many live photos are compared with it.

    Thread-safe: dlib calls are serialised by a lock.
    """

    def __init__(
        self,
        fmr: float = DEFAULT_FMR,
        *,
        min_eye_distance: float = 40.0,
        min_sharpness: float = 20.0,
        detect_side: int = 1024,
        cache_size: int = 64,
        max_pixels: int = 40_000_000,
    ) -> None:
        point = threshold_for_fmr(fmr)
        self.fmr = fmr
        self.threshold = point.threshold
        self.operating_point = point
        self.min_eye_distance = min_eye_distance
        self.min_sharpness = min_sharpness
        self.detect_side = detect_side
        self.max_pixels = max_pixels
        self._cache: OrderedDict[bytes, FaceTemplate] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._dlib: Any = None
        self._np: Any = None
        self._models: tuple[Any, Any, Any] | None = None
        self.embeddings_computed = 0
        """How many images this verifier has run through the network (cache hits excluded)."""

    # ------------------------------------------------------------------ models
    def _load(self) -> tuple[Any, Any, Any]:
        if self._models is None:
            self._np, self._dlib, shape_model, net_model = load_dlib()
            self._models = (
                self._dlib.get_frontal_face_detector(),
                self._dlib.shape_predictor(shape_model),
                self._dlib.face_recognition_model_v1(net_model),
            )
        return self._models

    # ------------------------------------------------------------------ decoding
    def _decode(self, image: bytes, source: str) -> Any:
        from PIL import Image, ImageOps

        if not isinstance(image, (bytes, bytearray, memoryview)):
            raise UnreadableImageError(f"expected image bytes, got {type(image).__name__}", source=source)
        try:
            opened = Image.open(io.BytesIO(bytes(image)))
            if opened.width * opened.height > self.max_pixels:
                raise UnreadableImageError(
                    f"the image is too large ({opened.width}x{opened.height} pixels, at most "
                    f"{self.max_pixels:,})",
                    advice="send a photo of at most 40 megapixels",
                    source=source,
                )
            opened.load()
            img = ImageOps.exif_transpose(opened)
            if img.mode in ("I;16", "I;16B", "I;16L", "I"):
                img = img.point(lambda v: v / 256).convert("L")
            rgb = img.convert("RGB")
        except UnreadableImageError:
            raise
        except Exception as err:  # Pillow's codecs raise many types (OSError, EOFError, DecompressionBomb...)
            raise UnreadableImageError(f"the image cannot be decoded ({err})", source=source) from err
        return rgb

    # ------------------------------------------------------------------ extraction
    def embed(self, image: bytes, *, source: str = "image") -> FaceTemplate:
        """The descriptor of the one face in ``image`` (JPEG, JPEG 2000, PNG).

        Args:
            image: the encoded image.
            source: named in errors: ``"live"``, ``"chip"`` or ``"image"``.

        Raises:
            UnreadableImageError, NoFaceError, MultipleFacesError, FaceTooSmallError, FaceTooBlurredError:
                the image cannot be used (each carries ``advice``).
            FaceExtraMissingError: the ``face`` extra is not installed.
        """
        detector, shaper, net = self._load()
        rgb = self._decode(image, source)
        np = self._np
        dlib = self._dlib
        width, height = rgb.size
        scale = min(1.0, self.detect_side / max(width, height))
        small = rgb if scale >= 1.0 else rgb.resize((max(1, round(width * scale)), max(1, round(height * scale))))
        pixels = np.asarray(rgb)
        with self._lock:
            small_px = np.asarray(small)
            faces = list(detector(small_px, 0))
            if not faces:
                faces = list(detector(small_px, 1))  # second try: finds faces down to ~40 px wide
            if not faces:
                raise NoFaceError("no face found in the image", source=source)
            if len(faces) > 1:
                raise MultipleFacesError(f"{len(faces)} faces in the image", count=len(faces), source=source)
            r = faces[0]
            box = (
                max(0, round(r.left() / scale)),
                max(0, round(r.top() / scale)),
                min(width - 1, round(r.right() / scale)),
                min(height - 1, round(r.bottom() / scale)),
            )
            shape = shaper(pixels, dlib.rectangle(*box))
            points = [(shape.part(i).x, shape.part(i).y) for i in range(5)]
            # 5-point model: parts 0-1 are one eye's corners, 2-3 the other's, 4 the base of the nose.
            eye_a = ((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2)
            eye_b = ((points[2][0] + points[3][0]) / 2, (points[2][1] + points[3][1]) / 2)
            eye_distance = math.dist(eye_a, eye_b)
            if eye_distance < self.min_eye_distance:
                raise FaceTooSmallError(
                    f"the face is too small (eyes {eye_distance:.0f} px apart, {self.min_eye_distance:.0f} needed)",
                    eye_distance=eye_distance,
                    minimum=self.min_eye_distance,
                    source=source,
                )
            chip = dlib.get_face_chip(pixels, shape, size=150, padding=0.25)
            sharpness = _laplacian_variance(np, chip)
            if sharpness < self.min_sharpness:
                raise FaceTooBlurredError(
                    f"the face is too blurred (sharpness {sharpness:.1f}, {self.min_sharpness:g} needed)",
                    sharpness=sharpness,
                    minimum=self.min_sharpness,
                    source=source,
                )
            vector = tuple(float(x) for x in net.compute_face_descriptor(chip))
            self.embeddings_computed += 1
        return FaceTemplate(vector, MODEL, eye_distance, sharpness, box, (width, height))

    def embed_portrait(self, image: bytes) -> FaceTemplate:
        """:meth:`embed` of a chip portrait, cached by the bytes' SHA-256 (one embedding per read)."""
        key = hashlib.sha256(bytes(image)).digest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        template = self.embed(image, source="chip")
        with self._lock:
            self._cache[key] = template
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return template

    # ------------------------------------------------------------------ comparison
    def compare(self, a: FaceTemplate, b: FaceTemplate) -> FaceMatch:
        """Compare two templates at this verifier's threshold.

        Raises:
            UnsupportedError: the templates come from different models or dimensions.
        """
        if a.model != b.model or len(a.vector) != len(b.vector):
            raise UnsupportedError(f"cannot compare templates of {a.model} ({len(a.vector)}-d) and {b.model}")
        score = math.dist(a.vector, b.vector)
        return FaceMatch(score, self.threshold, score <= self.threshold, self.fmr)

    def verify(self, reference: bytes, live: bytes) -> FaceMatch:
        """Compare a reference portrait (cached) with a live photo."""
        ref = self.embed_portrait(reference)
        return self.compare(ref, self.embed(live, source="live"))


def _laplacian_variance(np: Any, chip: Any) -> float:
    """Variance of the 4-neighbour Laplacian of the grayscale (ITU-R 601 luma) crop."""
    gray = chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lap = 4 * gray[1:-1, 1:-1] - gray[:-2, 1:-1] - gray[2:, 1:-1] - gray[1:-1, :-2] - gray[1:-1, 2:]
    return float(lap.var())


_DEFAULT: FaceVerifier | None = None
_DEFAULT_LOCK = threading.Lock()


def default_verifier() -> FaceVerifier:
    """The process-wide verifier at the default FMR (models loaded once, portrait cache shared)."""
    global _DEFAULT  # noqa: PLW0603 - one lazily built, shared instance
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = FaceVerifier()
        return _DEFAULT


def verify_face(document: PortraitSource, live_image: bytes, *, verifier: FaceVerifier | None = None) -> FaceMatch:
    """Compare the document's DG2 portrait with a live photo of the customer.

    The portrait's template is cached on the verifier (by content), so it is computed once per read.

    Raises:
        NoFaceError: the document holds no portrait (DG2 not read) or no face is found.
        FaceImageError: any other unusable image (see :meth:`FaceVerifier.embed`).
        FaceExtraMissingError: the ``face`` extra is not installed.
    """
    v = verifier if verifier is not None else default_verifier()
    portrait = document.face_image()
    if portrait is None:
        raise NoFaceError("the document holds no portrait", advice="read DG2 from the chip first", source="chip")
    return v.verify(portrait, live_image)
