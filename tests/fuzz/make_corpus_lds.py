"""Write a seed corpus for fuzz_lds.py from the specimen files in tests/data (selector byte + file)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SEEDS = {
    0: ["card-access/DE_eID_EF_CardAccess.bin", "card-access/DE_passport_EF_CardAccess_GM_and_CAM.bin",
        "specimen-bsi2008/DG14.bin"],
    1: ["specimen-bsi2008/EF_COM.bin"],
    2: ["specimen-bsi2008/DG1.bin"],
    3: ["specimen-bsi2008/DG2.bin"],
    9: ["specimen-bsi2008/DG15_not_in_SOD.bin"],
}  # fmt: skip


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for selector, names in SEEDS.items():
        for name in names:
            data = (DATA / name).read_bytes()
            (out / f"{selector:02d}-{Path(name).stem}").write_bytes(bytes([selector]) + data)
    import json

    vec = json.loads((DATA / "cccd" / "synthetic_cccd_vector.json").read_text())
    (out / "08-dg13").write_bytes(b"\x08" + bytes.fromhex(vec["dg13_hex"]))
    (out / "13-mrz").write_bytes(b"\x0d" + "".join(vec["mrz_td1"]).encode())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus_lds")
