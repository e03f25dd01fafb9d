"""Accuracy of face verification on the labelled photos in tests/data/faces; prints tables.

Run: ``python benchmarks/accuracy_face.py`` (needs ``pip install 'chipid[face]'``).

The thresholds come from chipid.biometrics.face_verify.FMR_THRESHOLDS (dlib's published LFW operating point
and a published all-pairs LFW study): nothing here is tuned, so every figure below is held out.

Protocols (15 single-face photos of 6 people; the two-face photo is the refusal case):
  photo vs photo: every unordered pair, genuine = same person (16 pairs), impostor = different people (89);
  chip vs photo: each photo stored as the chip would store it (cropped, JPEG 2000 <= 15 KB, <= 480x640)
  against every *other* photo, both orders kept (genuine 32, impostor 178): the desk's real comparison.
Embedding time: decode + detect + landmarks + quality checks + descriptor, median of 3 per photo, and
the chip-portrait encoding time.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from pathlib import Path

from chipid.biometrics.face_verify import FMR_THRESHOLDS, FaceTemplate, FaceVerifier
from chipid.sim._face import portrait_jp2

FACES = Path(__file__).resolve().parent.parent / "tests" / "data" / "faces"


def person(name: str) -> str:
    return name.split(".", maxsplit=1)[0].removesuffix("_small").removesuffix("_partial_face").rstrip("0123456789_")


def rates(pairs: list[tuple[bool, float]], threshold: float) -> tuple[float, float, int, int]:
    gen = [d for same, d in pairs if same]
    imp = [d for same, d in pairs if not same]
    fnmr = sum(d > threshold for d in gen) / len(gen)
    fmr = sum(d <= threshold for d in imp) / len(imp)
    return fnmr, fmr, len(gen), len(imp)


def table(title: str, pairs: list[tuple[bool, float]]) -> None:
    gen = [d for same, d in pairs if same]
    imp = [d for same, d in pairs if not same]
    print(f"\n{title}: {len(gen)} genuine, {len(imp)} impostor pairs")
    print(f"  genuine distance   max {max(gen):.3f}  mean {statistics.fmean(gen):.3f}")
    print(f"  impostor distance  min {min(imp):.3f}  mean {statistics.fmean(imp):.3f}")
    print("  target FMR   threshold   FNMR            FMR")
    for p in FMR_THRESHOLDS:
        fnmr, fmr, g, i = rates(pairs, p.threshold)
        print(f"  {p.fmr:<10g}   {p.threshold:.2f}        {fnmr:6.2%} ({round(fnmr * g)}/{g})   "
              f"{fmr:6.2%} ({round(fmr * i)}/{i})")
    upper = 1 - 0.05 ** (1 / len(imp))  # one-sided 95% upper bound on FMR with zero false matches
    print(f"  (0 false matches in {len(imp)} impostor pairs bounds FMR <= {upper:.1%} at 95% confidence only)")


def main() -> None:
    verifier = FaceVerifier()
    names = sorted(p.name for p in FACES.iterdir() if p.name != "multi_two_people.jpg")
    photos = {n: (FACES / n).read_bytes() for n in names}
    verifier.embed(photos[names[0]])  # load the models
    templates: dict[str, FaceTemplate] = {}
    embed_ms: list[float] = []
    embed_cpu_ms: list[float] = []
    for n in names:
        times, cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            templates[n] = verifier.embed(photos[n])
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        embed_ms.append(statistics.median(times) * 1e3)
        embed_cpu_ms.append(statistics.median(cpu) * 1e3)
        t = templates[n]
        print(f"{n:28s} {t.image_size[0]}x{t.image_size[1]:<5} eyes {t.eye_distance:5.1f} px  "
              f"sharpness {t.sharpness:7.1f}  embed {embed_ms[-1]:6.0f} ms wall, {embed_cpu_ms[-1]:5.0f} ms CPU")
    chips: dict[str, FaceTemplate] = {}
    chip_ms, chip_bytes = [], []
    for n in names:
        t0 = time.perf_counter()
        chip = portrait_jp2(photos[n], face_box=templates[n].box)
        chip_ms.append((time.perf_counter() - t0) * 1e3)
        chip_bytes.append(len(chip))
        chips[n] = verifier.embed(chip)
    print(f"\nembedding time per photo: median {statistics.median(embed_ms):.0f} ms, "
          f"min {min(embed_ms):.0f}, max {max(embed_ms):.0f} wall; "
          f"CPU median {statistics.median(embed_cpu_ms):.0f} ms, min {min(embed_cpu_ms):.0f}, "
          f"max {max(embed_cpu_ms):.0f} (photos of 0.08 to 3.3 MP)")
    print(f"chip portrait (JPEG 2000) encoding: median {statistics.median(chip_ms):.0f} ms, "
          f"{min(chip_bytes):,} to {max(chip_bytes):,} bytes")

    pairs = [(person(a) == person(b), math.dist(templates[a].vector, templates[b].vector))
             for a, b in itertools.combinations(names, 2)]
    table("photo vs photo", pairs)
    chip_pairs = [(person(a) == person(b), math.dist(chips[a].vector, templates[b].vector))
                  for a, b in itertools.permutations(names, 2)]
    table("chip portrait (JPEG 2000, <= 15 KB) vs other photo", chip_pairs)


if __name__ == "__main__":
    main()
