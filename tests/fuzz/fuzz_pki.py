"""atheris harness for the pki/auth parsers and verifiers (not collected by pytest: the name starts with fuzz_).

The first input byte picks the target, the rest is its input: EF.SOD, certificate, CRL, master list,
SubjectPublicKeyInfo, LDIF, a whole Passive Authentication, an AA signature. Any exception that is not a
ChipIDError is a finding. Run: ``python tests/fuzz/fuzz_pki.py -max_total_time=300``.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime, timezone

import atheris

with atheris.instrument_imports():
    from chipid.auth.active import verify_aa_signature
    from chipid.errors import ChipIDError
    from chipid.lds.sod import parse_sod
    from chipid.pki.certs import load_certificate, load_crl
    from chipid.pki.keys import load_public_key
    from chipid.pki.ldif import parse_ldif
    from chipid.pki.masterlist import parse_master_list
    from chipid.pki.passive import passive_authenticate
    from chipid.pki.trust import TrustStore
    from chipid.sim import pkigen

_PKI = pkigen.generate_pki(b"fuzz")
_STORE = TrustStore()
_STORE.add_certificate(_PKI.csca.der)
_DGS = {1: b"\x61\x03abc", 2: b"\x75\x01x"}
_AT = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _pa(data: bytes) -> object:
    return passive_authenticate(data, _DGS, _STORE, at=_AT)


def _aa(data: bytes) -> object:
    return verify_aa_signature(_PKI.ds.key.public_key(), b"12345678", data)  # type: ignore[arg-type]


def _ldif(data: bytes) -> object:
    return list(parse_ldif(data))


TARGETS = (parse_sod, load_certificate, load_crl, parse_master_list, load_public_key, _ldif, _pa, _aa)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    with contextlib.suppress(ChipIDError):
        target(data[1:])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
