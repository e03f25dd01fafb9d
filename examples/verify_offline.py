"""Verify a dump written by ``chipid read --out DIR`` offline, against a CSCA trust store.

    python examples/verify_offline.py DUMP_DIR --trust csca/            # PEM/DER folder, master list, LDIF
    python examples/verify_offline.py --demo                            # dumps the virtual CCCD first

Offline, only Passive Authentication can run (the chip is needed for Active/Chip Authentication), so a
chip that supports them verifies as INCOMPLETE at best: a copy of the files is not proof of a genuine chip.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from chipid import TrustStore, verify


def _dump_virtual_card(directory: Path) -> TrustStore:
    """Read the built-in virtual CCCD into ``directory`` (what ``chipid read --sim --out`` does)."""
    from chipid import read_document
    from chipid.sim import SimTransport, VirtualChip
    from chipid.sim.personalize import default_profile

    profile = default_profile()
    with SimTransport(VirtualChip(profile)) as card:
        result = read_document(card, profile.can_key())
    for name, data in result.document.raw.items():
        (directory / f"{name.replace('.', '_')}.bin").write_bytes(data)
    trust = profile.trust_store()  # the virtual card's test CSCA and CRL
    return trust


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dump", nargs="?", type=Path)
    parser.add_argument("--trust", action="append", default=[], type=Path)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.demo:
            directory = Path(tmp)
            trust = _dump_virtual_card(directory)
        elif args.dump is not None:
            directory = args.dump
            trust = TrustStore.from_paths(*args.trust) if args.trust else TrustStore()
        else:
            parser.error("give a dump directory or --demo")
        files = {p.stem.replace("EF_", "EF.", 1): p.read_bytes() for p in directory.glob("*.bin")}
        report = verify(files, trust)
    print(report.to_text())
    return {"GENUINE": 0, "NOT_GENUINE": 1, "INCOMPLETE": 2}[report.verdict.value]


if __name__ == "__main__":
    sys.exit(main())
