"""Shared builders for the pki tests: a generated PKI, a CCCD-like document and a verification helper."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache

from chipid.lds.sod import build_sod
from chipid.pki.passive import PassiveAuthResult, passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.report import VerificationReport
from chipid.sim import pkigen

SIGNED_AT = pkigen.EPOCH + timedelta(days=30)
NOW = pkigen.EPOCH + timedelta(days=400)


def sample_dgs() -> dict[int, bytes]:
    """Data groups shaped like a CCCD: DG1, DG2 (~20 KB), DG13, DG14, DG15 (contents are placeholders)."""
    return {
        1: bytes.fromhex("615b5f1f58") + b"IDVNM0123456789<<<<<<<<<<<<<<<".ljust(88, b"<"),
        2: b"\x75\x82\x4e\x20" + bytes(range(256)) * 78 + bytes(32),
        13: b"\x6d\x10" + b"\x30\x0e\x02\x01\x01\x0c\x09NGUYEN VA",
        14: b"\x6e\x06\x31\x04\x30\x02\x05\x00",
        15: b"\x6f\x04\x30\x02\x05\x00",
    }


@cache
def pki(kind: str = "ec", curve: str = "brainpoolP256r1") -> pkigen.TestPKI:
    return pkigen.generate_pki(f"tests-{kind}-{curve}", kind=kind, curve=curve)


def fresh_crl(p: pkigen.TestPKI, revoked: tuple[int, ...] = ()) -> bytes:
    """A CRL of ``p``'s CSCA that is current at :data:`NOW`."""
    return pkigen.make_crl(p.csca, revoked, this_update=NOW - timedelta(days=10))


def store_for(p: pkigen.TestPKI, *, crl: bytes | None = None) -> TrustStore:
    store = TrustStore()
    store.add_certificate(p.csca.der)
    store.add_crl(crl if crl is not None else fresh_crl(p))
    return store


def make_sod(p: pkigen.TestPKI, dgs: Mapping[int, bytes], **kwargs: object) -> bytes:
    options: dict[str, object] = {"signing_time": SIGNED_AT}
    options.update(kwargs)
    return build_sod(dgs, p.ds.key, p.ds.der, **options)  # type: ignore[arg-type]


def verify(
    sod: bytes, dgs: Mapping[int, bytes], store: TrustStore | None, *, at: datetime = NOW
) -> tuple[PassiveAuthResult, VerificationReport]:
    result = passive_authenticate(sod, dgs, store, at=at)
    return result, VerificationReport(result.checks, chip_auth_supported=False)
