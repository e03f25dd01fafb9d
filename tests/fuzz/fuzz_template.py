"""atheris harness: the minutiae template parser and the native matcher fed broken input.

The first byte picks the target, the rest is its input:
  0: parse_template (ISO 19794-2 / ANSI 378); only ParseError / UnsupportedError may escape.
  1: parse_template, then prepare + compare + search with real templates (whole pipeline).
  2: a structurally valid blob with arbitrary cylinder bytes (passes the header check, so the C comparison
     runs on garbage bits, coordinates and angles); only ParseError may escape, the score must be in [0, 1].
  3: raw minutiae (6 bytes each: x, y, angle) straight into prepare (duplicates, collinear, far points).
A crash of the C core kills the process and libFuzzer records the input.

  python tests/fuzz/fuzz_template.py --make-corpus /tmp/corpus_template
  python tests/fuzz/fuzz_template.py /tmp/corpus_template -max_total_time=300
"""

from __future__ import annotations

import math
import struct
import sys
import warnings
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from chipid.biometrics import match
    from chipid.biometrics.template import Minutia, MinutiaType, parse_template
    from chipid.errors import DataQuirkWarning, ParseError, UnsupportedError

DATA = Path(__file__).resolve().parents[1] / "data" / "fvc2002-iso-templates"
warnings.simplefilter("ignore", DataQuirkWarning)

_REAL: list[bytes] = []


def _real() -> list[bytes]:
    if not _REAL:
        for path in sorted(DATA.glob("DB1_B/10[12]_[12].iso")):
            _REAL.append(match.prepare(parse_template(path.read_bytes())))
    return _REAL


def _check_score(score: float) -> None:
    if not (0.0 <= score <= 1.0) or math.isnan(score):
        raise AssertionError(f"score out of range: {score}")


def _pipeline(data: bytes) -> None:
    try:
        record = parse_template(data)
    except (ParseError, UnsupportedError):
        return
    for view in record.views[:4]:
        try:
            blob = match.prepare(view)
        except ParseError:
            continue
        for other in _real():
            _check_score(match.compare(blob, other))
        match.search(blob, match.Gallery([blob, *_real()]), top_k=3)


def _raw_blob(data: bytes) -> None:
    n = data[0] % 64 if data else 0
    body = (data[1:] * (64 * n // max(len(data) - 1, 1) + 1))[: 64 * n] if len(data) > 1 else bytes(64 * n)
    blob = b"MCC4" + struct.pack("<HH", n, n) + bytes(8) + body
    try:
        _check_score(match.compare(blob, blob))
        for other in _real():
            _check_score(match.compare(blob, other))
        match.search(_real()[0], match.Gallery([*_real(), blob]), top_k=2, threads=2)
    except ParseError:
        pass


def _raw_minutiae(data: bytes) -> None:
    pts = []
    for i in range(0, min(len(data), 6 * 255) - 5, 6):
        x, y, a = struct.unpack_from(">HHH", data, i)
        pts.append(Minutia(MinutiaType.RIDGE_ENDING, x & 0x3FFF, y & 0x3FFF, (a % 65536) * 360 / 65536))
    blob = match.prepare(pts)
    _check_score(match.compare(blob, blob))
    for other in _real():
        _check_score(match.compare(blob, other))


def test_one_input(data: bytes) -> None:
    if not data:
        return
    target, rest = data[0] % 4, data[1:]
    if target == 0:
        try:
            parse_template(rest)
        except (ParseError, UnsupportedError):
            pass
    elif target == 1:
        _pipeline(rest)
    elif target == 2:
        _raw_blob(rest)
    else:
        _raw_minutiae(rest)


def make_corpus(out: Path) -> None:
    """Seeds: every FVC template under targets 0 and 1, a few real blobs under 2, minutiae under 3."""
    out.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted(DATA.glob("DB*_B/*_[12].iso"))):
        data = path.read_bytes()
        (out / f"t0_{i}").write_bytes(b"\x00" + data)
        (out / f"t1_{i}").write_bytes(b"\x01" + data)
        if i % 10 == 0:
            blob = match.prepare(parse_template(data))
            (out / f"t2_{i}").write_bytes(b"\x02" + bytes([blob[4]]) + blob[16:])
            view = parse_template(data).views[0]
            xs, ys, angles = match.quantize(view.minutiae)
            (out / f"t3_{i}").write_bytes(
                b"\x03" + b"".join(struct.pack(">HHH", x, y, a) for x, y, a in zip(xs, ys, angles))
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make-corpus":
        make_corpus(Path(sys.argv[2]))
    else:
        atheris.Setup(sys.argv, test_one_input)
        atheris.Fuzz()
