"""Real photos for the face tests: a virtual card carrying one as its portrait, a fake-webcam clip of another."""

from __future__ import annotations

import io
from pathlib import Path

from chipid.sim.personalize import DEFAULT_SEED, issue_card
from chipid.sim.profile import CardProfile

__all__ = ["photo_card", "y4m_from_photo"]


def y4m_from_photo(photo: Path, out: Path, *, frames: int = 15) -> Path:
    """A 640x480 4:2:0 Y4M clip of a still photo, cropped around its face (BT.601 limited range)."""
    from PIL import Image, ImageOps

    from chipid.biometrics.face_verify import FaceVerifier

    data = photo.read_bytes()
    left, top, right, bottom = FaceVerifier().embed(data).box
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    size = int((right - left) * 2.6)
    cx, cy = (left + right) // 2, (top + bottom) // 2
    box = (cx - size // 2, cy - size * 3 // 8, cx + size // 2, cy + size * 3 // 8)
    frame = img.crop(box).resize((640, 480), Image.Resampling.LANCZOS)
    y, cb, cr = frame.convert("YCbCr").split()
    y = y.point(lambda v: 16 + v * 219 // 255)
    cb, cr = (c.resize((320, 240), Image.Resampling.BILINEAR).point(lambda v: 16 + v * 224 // 255) for c in (cb, cr))
    planes = y.tobytes() + cb.tobytes() + cr.tobytes()
    with out.open("wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)
    return out


def photo_card(photo: Path, directory: Path) -> CardProfile:
    """The built-in citizen's virtual card issued with ``photo`` as its DG2 portrait (ICAO-size JPEG 2000,
    ``chipid sim issue --photo``), saved to ``directory`` for ``chipid serve --sim DIR``."""
    profile = issue_card(DEFAULT_SEED, photo=photo.read_bytes())
    profile.save(directory)
    return profile
