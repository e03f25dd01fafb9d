"""Parse a whole CCCD-sized document (EF.COM, DG1, DG2 with a ~17 KB JPEG, DG13, DG14, DG15, EF.SOD).

Run: ``python -m pytest benchmarks/bench_lds.py --benchmark-enable``. The goal is well under 5 ms per
document; figures depend on the (shared, noisy) machine.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

from PIL import Image

from chipid.document import Document
from chipid.lds.com import COM, encode_com
from chipid.lds.dg1 import encode_dg1
from chipid.lds.dg2 import build_face, encode_dg2
from chipid.lds.mrz import MRZ

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _noisy_jpeg(target: int = 17_000) -> bytes:
    rng = random.Random(7)
    w, h = 240, 320
    img = Image.new("L", (w, h))
    img.putdata([128 + rng.randint(-60, 60) for _ in range(w * h)])
    img = img.convert("RGB")
    for quality in range(95, 5, -5):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        if len(buf.getvalue()) <= target:
            return buf.getvalue()
    return buf.getvalue()


def _cccd_files() -> dict[str, bytes]:
    vec = json.loads((DATA / "cccd" / "synthetic_cccd_vector.json").read_text())
    bsi = DATA / "specimen-bsi2008"
    jpeg = _noisy_jpeg()
    return {
        "EF.COM": encode_com(COM("0107", "040000", (0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F))),
        "EF.SOD": (bsi / "EF_SOD.bin").read_bytes(),
        "DG1": encode_dg1(MRZ.parse("".join(vec["mrz_td1"]))),
        "DG2": encode_dg2([build_face(jpeg)]),
        "DG13": bytes.fromhex(vec["dg13_hex"]),
        "DG14": (bsi / "DG14.bin").read_bytes(),
        "DG15": (bsi / "DG15_not_in_SOD.bin").read_bytes(),
    }


def test_bench_parse_cccd_document(benchmark: Any) -> None:
    files = _cccd_files()
    assert 15_000 <= len(files["DG2"]) <= 21_000
    doc = benchmark(Document.from_files, files)
    assert not doc.errors and doc.dg13 is not None and doc.faces


def test_bench_to_json(benchmark: Any) -> None:
    doc = Document.from_files(_cccd_files())
    text = benchmark(doc.to_json, photo="base64")
    assert "Nguyễn" in text
