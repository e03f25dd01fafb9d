"""Run the conformance suite against the virtual chip (or a real reader) and write JUnit XML + HTML reports.

    python examples/run_conformance.py --out reports/              # the built-in virtual CCCD
    python examples/run_conformance.py --out reports/ --fault corrupt_dgs=2   # a faulty chip: PA must fail
    chipid conformance --reader 0 --can 123456 --junit r.xml --html r.html    # the same from the CLI, real card
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chipid.cli._sim import parse_faults
from chipid.conformance.html import write_html
from chipid.conformance.junit import write_junit
from chipid.conformance.runner import run_suite
from chipid.conformance.summary import format_summary
from chipid.sim import SimTransport, VirtualChip
from chipid.sim.personalize import default_profile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("conformance-report"))
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()

    profile = default_profile()
    chip = VirtualChip(profile, faults=parse_faults(args.fault))
    trust = profile.trust_store()  # the virtual card's test CSCA and CRL
    result = run_suite(lambda: SimTransport(chip), [profile.mrz_key(), profile.can_key()], trust=trust,
                       sessions=args.sessions, reader="in-process virtual chip")
    print(format_summary(result))
    args.out.mkdir(parents=True, exist_ok=True)
    write_junit(result, args.out / "conformance.xml")
    write_html(result, args.out / "conformance.html")
    print(f"reports: {args.out / 'conformance.xml'}, {args.out / 'conformance.html'}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
