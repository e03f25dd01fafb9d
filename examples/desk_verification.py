"""Desk verification: read and verify the card, then check that the person present is its holder.

    python examples/desk_verification.py --demo
    python examples/desk_verification.py --can 123456 --live-finger scan.iso --enrolled-finger ref.iso
    python examples/desk_verification.py --can 123456 --live-face live.f32 --chip-face-vector chip.f32

The fingerprint check compares a live minutiae template (ISO 19794-2 / ANSI 378, from the desk's scanner)
with the holder's enrolled template (DG3 is EAC-protected on the CCCD, so agencies use their own enrolment
records). The face check compares L2-normalised embeddings (any extractor: see chipid.biometrics.face).
The clerk gets one answer: OK only if the card is GENUINE and the biometric matches.
"""

from __future__ import annotations

import argparse
import array
import sys
from pathlib import Path

from chipid import CANKey, read_document
from chipid.biometrics import THRESHOLD_FMR_10K, compare, parse_template, prepare
from chipid.biometrics.face import cosine
from chipid.pki.trust import TrustStore
from chipid.transport import Transport

FVC = Path(__file__).resolve().parent.parent / "tests" / "data" / "fvc2002-iso-templates" / "DB1_B"
FACE_THRESHOLD = 0.6  # cosine; depends on the embedder: calibrate it for yours


def _floats(path: Path) -> array.array[float]:
    values = array.array("f")
    values.frombytes(path.read_bytes())
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--can")
    parser.add_argument("--reader")
    parser.add_argument("--trust", action="append", default=[], type=Path)
    parser.add_argument("--live-finger", type=Path)
    parser.add_argument("--enrolled-finger", type=Path)
    parser.add_argument("--live-face", type=Path)
    parser.add_argument("--chip-face-vector", type=Path)
    parser.add_argument("--demo", action="store_true", help="virtual CCCD + FVC2002 sample templates")
    args = parser.parse_args()

    transport: Transport
    if args.demo:
        from chipid.sim import SimTransport, VirtualChip
        from chipid.sim.personalize import default_profile

        profile = default_profile()
        transport, key = SimTransport(VirtualChip(profile)), profile.can_key()
        trust = profile.trust_store()  # the virtual card's test CSCA and CRL
        args.live_finger = args.live_finger or FVC / "101_2.iso"
        args.enrolled_finger = args.enrolled_finger or FVC / "101_1.iso"
    else:
        from chipid.transport.pcsc import PCSCTransport

        transport, key = PCSCTransport.open(args.reader, wait=10.0), CANKey(args.can)
        trust = TrustStore.from_paths(*args.trust)

    with transport:
        result = read_document(transport, key, trust=trust)
    holder = result.document.holder()
    print(f"Card: {holder.full_name if holder else '?'} ({holder.id_number if holder else '?'}) — "
          f"{result.report.verdict.value}: {result.report.verdict_reason}")
    genuine = result.report.verdict.value == "GENUINE"

    matched = None
    if args.live_finger and args.enrolled_finger:
        score = compare(prepare(parse_template(args.live_finger.read_bytes())),
                        prepare(parse_template(args.enrolled_finger.read_bytes())))
        matched = score >= THRESHOLD_FMR_10K
        print(f"Fingerprint: score {score:.4f} (threshold {THRESHOLD_FMR_10K:.4f}) -> "
              f"{'MATCH' if matched else 'NO MATCH'}")
    if args.live_face and args.chip_face_vector:
        score = cosine(_floats(args.live_face), _floats(args.chip_face_vector))
        matched = score >= FACE_THRESHOLD if matched is None else matched and score >= FACE_THRESHOLD
        print(f"Face: cosine {score:.4f} (threshold {FACE_THRESHOLD}) -> "
              f"{'MATCH' if score >= FACE_THRESHOLD else 'NO MATCH'}")
    ok = genuine and matched is True
    print("RESULT:", "OK — genuine card, holder present" if ok else "REFER — do not accept without further checks")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
