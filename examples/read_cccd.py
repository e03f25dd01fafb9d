"""Read a CCCD (or any ICAO 9303 document) and print the holder and the verdict.

    python examples/read_cccd.py --can 123456                 # a card on the first PC/SC reader
    python examples/read_cccd.py --sim                        # the built-in virtual CCCD (no reader needed)
    python examples/read_cccd.py --id-card 001090000001 --dob 900101 --doe 300101 --reader 0
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from chipid import CANKey, MRZKey, read_document
from chipid.transport import Transport


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--can")
    parser.add_argument("--id-card")
    parser.add_argument("--dob")
    parser.add_argument("--doe")
    parser.add_argument("--reader", default=None)
    parser.add_argument("--sim", action="store_true", help="use the built-in virtual CCCD")
    args = parser.parse_args()

    trust = None
    transport: Transport
    if args.sim:
        from chipid.sim import SimTransport, VirtualChip
        from chipid.sim.personalize import default_profile

        profile = default_profile()
        transport = SimTransport(VirtualChip(profile))
        trust = profile.trust_store()  # the virtual card's test CSCA and CRL
        key = profile.can_key()
    else:
        from chipid.transport.pcsc import PCSCTransport

        transport = PCSCTransport.open(args.reader, wait=10.0)
        key = CANKey(args.can) if args.can else MRZKey.for_cccd(args.id_card, args.dob, args.doe)

    with transport:
        result = read_document(transport, key, trust=trust)
    holder = result.document.holder()
    print(f"Access control: {result.protocol}")
    if holder is not None:
        for field in dataclasses.fields(holder):
            value = getattr(holder, field.name)
            if value not in (None, "", ()):
                print(f"{field.name:>20}: {value}")
    print(result.report.to_text())
    return 0 if result.report.verdict.value == "GENUINE" else 1


if __name__ == "__main__":
    sys.exit(main())
