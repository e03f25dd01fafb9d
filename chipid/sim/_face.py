"""A simple deterministic synthetic face for DG2, drawn with Pillow (no real person).

ICAO 9303-9 / ISO 19794-5 full-frontal proportions, loosely: a head filling about 60 % of
the image height on a plain light background. Colours and features are chosen from the seed.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

from chipid.errors import ParseError

__all__ = [
    "PORTRAIT_MAX_SIZE",
    "PORTRAIT_TARGET_BYTES",
    "draw_face",
    "encode_face",
    "icao_crop",
    "photo_portrait",
    "portrait_jp2",
]

_SKIN = ((241, 194, 160), (224, 172, 130), (198, 145, 105), (234, 190, 150))
_HAIR = ((20, 15, 10), (45, 30, 20), (60, 40, 25))
_BACKGROUNDS = ((232, 236, 242), (240, 240, 236), (225, 232, 240))


def draw_face(seed: int | str, *, width: int = 360, height: int = 480) -> Image.Image:
    """Draw the synthetic face of ``seed`` (RGB)."""
    rng = random.Random(f"chipid-face|{seed}")
    img = Image.new("RGB", (width, height), rng.choice(_BACKGROUNDS))
    d = ImageDraw.Draw(img)
    skin, hair = rng.choice(_SKIN), rng.choice(_HAIR)
    cx, cy = width // 2, int(height * 0.47)
    hw, hh = int(width * rng.uniform(0.26, 0.31)), int(height * rng.uniform(0.28, 0.32))
    # shoulders and neck
    d.ellipse((cx - int(width * 0.48), height - 110, cx + int(width * 0.48), height + 140), fill=(40, 60, 110))
    d.rectangle((cx - hw // 3, cy + hh - 30, cx + hw // 3, height - 80), fill=skin)
    # hair behind, head, ears
    d.ellipse((cx - hw - 12, cy - hh - 22, cx + hw + 12, cy + hh // 3), fill=hair)
    d.ellipse((cx - hw - 14, cy - 20, cx - hw + 14, cy + 40), fill=skin)
    d.ellipse((cx + hw - 14, cy - 20, cx + hw + 14, cy + 40), fill=skin)
    d.ellipse((cx - hw, cy - hh, cx + hw, cy + hh), fill=skin)
    d.chord((cx - hw, cy - hh, cx + hw, cy - hh // 4), 180, 360, fill=hair)
    # eyes, brows, nose, mouth
    ey, ex = cy - hh // 8, int(hw * 0.42)
    for side in (-1, 1):
        x = cx + side * ex
        d.ellipse((x - 16, ey - 8, x + 16, ey + 8), fill=(250, 250, 250))
        d.ellipse((x - 7, ey - 7, x + 7, ey + 7), fill=(55, 35, 25))
        d.line((x - 20, ey - 22, x + 20, ey - 24 + rng.randint(-3, 3)), fill=hair, width=5)
    d.line((cx, ey + 10, cx - 8, cy + hh // 4, cx + 6, cy + hh // 4 + 4), fill=(150, 100, 80), width=3)
    mouth_y = cy + int(hh * 0.52)
    d.arc(
        (cx - 30, mouth_y - 16, cx + 30, mouth_y + 10 + rng.randint(0, 8)),
        20,
        160,
        fill=(160, 70, 70),
        width=4,
    )
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    # a little deterministic sensor noise so the JPEG has realistic texture and size
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 0.035)


def encode_face(image: Image.Image, fmt: str = "jpeg") -> bytes:
    """Encode as baseline JPEG (quality 75) or JPEG 2000 (``fmt="jp2"``, lossy, ~15 KB)."""
    out = io.BytesIO()
    if fmt == "jp2":
        image.save(out, "JPEG2000", quality_mode="rates", quality_layers=[30], irreversible=True)
    else:
        image.save(out, "JPEG", quality=75, optimize=True)
    return out.getvalue()


PORTRAIT_MAX_SIZE = (480, 640)
"""Largest chip portrait stored by :func:`portrait_jp2` (width, height): ICAO 9303-9 / ISO 19794-5 sizes."""
PORTRAIT_TARGET_BYTES = 15_000
"""Target size of a chip portrait (JPEG 2000, like most passports' DG2: about 15 KB)."""


def icao_crop(face_box: tuple[int, int, int, int], image_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A 3:4 head-and-shoulders crop around a detected face (left, top, right, bottom), in the spirit of
    ICAO 9303-9 / ISO 19794-5 full frontal: the face about half the image width, room above the head,
    clamped inside the image."""
    left, top, right, bottom = face_box
    width, height = image_size
    face_w = max(1, right - left)
    crop_w = min(width, 2 * face_w)
    crop_h = crop_w * 4 // 3
    if crop_h > height:  # too short for 3:4 at that width: full height, narrower
        crop_h, crop_w = height, max(1, min(crop_w, height * 3 // 4))
    cx = (left + right) // 2
    x0 = min(max(0, cx - crop_w // 2), max(0, width - crop_w))
    y0 = min(max(0, top - (bottom - top) * 3 // 5), max(0, height - crop_h))
    return x0, y0, x0 + crop_w, y0 + crop_h


def portrait_jp2(
    photo: bytes,
    *,
    face_box: tuple[int, int, int, int] | None = None,
    max_size: tuple[int, int] = PORTRAIT_MAX_SIZE,
    target_bytes: int = PORTRAIT_TARGET_BYTES,
) -> bytes:
    """A real photo as a chip portrait: EXIF-rotated, RGB, cropped around ``face_box`` (see :func:`icao_crop`;
    in the EXIF-rotated image) when given, fitted within ``max_size``, JPEG 2000 (JP2) of at most
    ``target_bytes`` (rate-controlled: the compression ratio is corrected from the measured size, 2-4 encodes).

    Raises:
        ParseError: the photo cannot be decoded.
    """
    from PIL import ImageOps

    try:
        opened = Image.open(io.BytesIO(photo))
        opened.load()
        img = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception as err:  # Pillow raises many types for bad data
        raise ParseError(f"the photo cannot be decoded: {err}", path="photo") from err
    if face_box is not None:
        img = img.crop(icao_crop(face_box, img.size))
    img.thumbnail(max_size, Image.Resampling.LANCZOS)
    raw = img.width * img.height * 3

    def encode(ratio: float) -> bytes:
        out = io.BytesIO()
        img.save(out, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
        return out.getvalue()

    # JPEG 2000 file size is close to inversely proportional to the compression ratio: aim a little under
    # the target and correct with the measured size (2-4 encodes), keeping the largest encoding that fits.
    best: bytes | None = None
    ratio = max(1.0, raw / target_bytes)
    for _ in range(6):
        data = encode(ratio)
        if len(data) <= target_bytes:
            if best is None or len(data) > len(best):
                best = data
            if len(data) >= 0.9 * target_bytes:
                break
        ratio = max(1.0, ratio * len(data) / (0.96 * target_bytes))
    if best is None:
        best = encode(max(2.0, raw / 1000))  # cannot reach the target any closer: the smallest sane encoding
    return best


def photo_portrait(photo: bytes) -> bytes:
    """A real photo as the chip portrait (:func:`portrait_jp2`), cropped around the face when the ``face``
    extra can find it; without the extra the whole photo is fitted.

    Raises:
        ParseError: the photo cannot be decoded.
        FaceImageError: the face extra finds no usable single face (e.g. two people in the photo).
    """
    from chipid.biometrics.face_verify import default_verifier, load_dlib
    from chipid.errors import FaceExtraMissingError

    try:
        load_dlib()
    except FaceExtraMissingError:
        return portrait_jp2(photo)
    return portrait_jp2(photo, face_box=default_verifier().embed(photo, source="photo").box)
