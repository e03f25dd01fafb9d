"""Face verification at the desk: read and verify the card, then compare the customer with the chip portrait.

    python examples/desk_face.py --demo
    python examples/desk_face.py --reader "Virtual PCD 00 00" --can 123456 --trust csca/ --live-photo customer.jpg

1. Read the card (PACE with the CAN) and verify it: Passive Authentication, Chip/Active Authentication.
2. Compare the live photo of the customer with the portrait in DG2 (dlib's descriptor, threshold for a
   false-match rate of 1/1,000): the ``biometric.face`` check joins the report, so the one verdict covers
   both the card and the person.
3. One answer for the clerk: OK only if the verdict is GENUINE (card genuine and the holder is present).
   An unusable photo (two people, no face, too small or blurred) says what to do: take a new photo.

``--demo`` issues a virtual card whose portrait is a real photo from tests/data/faces (stored as an ICAO-size
JPEG 2000, as ``chipid sim issue --photo`` does) and matches another photo of the same person.
Needs the face extra: ``pip install 'chipid[face]'``.  Exit code: 0 OK, 1 refer, 2 new photo needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chipid import CANKey, FaceVerifier, read_document
from chipid.biometrics.face_check import CHECK_FACE, face_check, with_check
from chipid.pki.trust import TrustStore
from chipid.report import CheckStatus, Verdict
from chipid.transport import Transport

FACES = Path(__file__).resolve().parent.parent / "tests" / "data" / "faces"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--can", help="the card access number (CCCD: last 6 digits of the ID number)")
    parser.add_argument("--reader", help="PC/SC reader name (default: the first with a card)")
    parser.add_argument("--trust", action="append", default=[], type=Path, help="CSCA certificates")
    parser.add_argument("--live-photo", type=Path, help="photo of the customer at the desk")
    parser.add_argument("--portrait", type=Path, default=FACES / "obama_2.jpg", help="--demo: the card's photo")
    parser.add_argument("--fmr", type=float, default=1e-3, help="target false-match rate (default 1/1,000)")
    parser.add_argument("--demo", action="store_true", help="in-process virtual card with a real photo")
    args = parser.parse_args()

    transport: Transport
    if args.demo:
        from chipid.sim import SimTransport, VirtualChip
        from chipid.sim.personalize import issue_card

        profile = issue_card("desk-face", photo=args.portrait.read_bytes())
        transport, key, trust = SimTransport(VirtualChip(profile)), profile.can_key(), profile.trust_store()
        live_path = args.live_photo or FACES / "obama_3.jpg"
    else:
        from chipid.transport.pcsc import PCSCTransport

        if not args.can or not args.live_photo:
            parser.error("--can and --live-photo are needed without --demo")
        transport, key = PCSCTransport.open(args.reader, wait=10.0), CANKey(args.can)
        trust = TrustStore.from_paths(*args.trust) if args.trust else None
        live_path = args.live_photo

    verifier = FaceVerifier(args.fmr)
    live = live_path.read_bytes()
    with transport:
        result = read_document(transport, key, trust=trust)
    document = result.document
    holder = document.holder()
    portrait = document.face_image() or b""
    print(f"Card: {holder.full_name if holder else '?'} ({holder.id_number if holder else '?'}); "
          f"portrait {document.face_mime_type()} {len(portrait):,} bytes")

    check = face_check(document, live, verifier=verifier, report=result.report)
    report = with_check(result.report, check)
    print(f"Face: {check.status.value}: {check.reason}")
    print(f"Verdict: {report.verdict.value} — {report.verdict_reason}")
    if report.verdict is Verdict.GENUINE:
        print("RESULT: OK — genuine card, holder present")
        return 0
    if report.get(CHECK_FACE) is not None and check.status is CheckStatus.NOT_PERFORMED:
        print(f"RESULT: NEW PHOTO — {check.details.get('advice', 'take a new photo')}")
        return 2
    print("RESULT: REFER — do not accept without further checks")
    return 1


if __name__ == "__main__":
    sys.exit(main())
