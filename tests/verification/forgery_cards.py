"""Forged virtual cards for the chip-level forgery battery (issue 5).

Every builder takes the PKI kind (``"ec"`` or ``"rsa"``) and returns a :class:`ForgedCard`: a card profile,
the chip faults to inject, the trust store to verify with and the access key to use. :func:`read_card` reads
it end to end through :class:`~chipid.reader.DocumentReader` over
``SimTransport(VirtualChip(profile, faults=...))``.

The genuine cards are issued under the PKI of ``tests/pki/pki_fixtures.py`` (same seed, same CSCA and
Document Signer), so the trust stores and CRLs of those fixtures apply; issued profiles are cached per kind.
The attacks follow ICAO 9303-11 §5.1 (Passive Authentication), §6.1 (Active Authentication), §6.2 (Chip
Authentication) and §4.2 (PACE / BAC), and ICAO 9303-12 §7 (certificate profiles).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Literal

from asn1crypto import cms, core
from cryptography.hazmat.primitives import serialization

from chipid.lds.com import COM, encode_com, parse_com
from chipid.lds.dg13_vn import encode_dg13, parse_dg13
from chipid.lds.security_infos import encode_security_infos, parse_security_infos
from chipid.lds.sod import build_sod
from chipid.pki.trust import TrustStore
from chipid.reader import DocumentReader, ReadResult
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip, pkigen
from chipid.sim.personalize import issue_card
from tests.auth.aa_chip import dg15_for
from tests.pki.pki_fixtures import NOW, SIGNED_AT, fresh_crl, pki, store_for

__all__ = [
    "KINDS",
    "NOW",
    "SEED",
    "ForgedCard",
    "aa_replay",
    "ca_key_mismatch",
    "ca_unsupported",
    "card_access_stripped_downgrade",
    "cloned",
    "com_stripped_clone",
    "ds_certificate_altered",
    "data_groups",
    "dg15_replaced",
    "dg_altered",
    "dg_uncovered",
    "downgrade",
    "ds_expired_at_signing",
    "ds_revoked",
    "edit_signer_info",
    "expired_genuine",
    "genuine",
    "genuine_card",
    "hash_replaced",
    "id_mismatch",
    "message_digest_mismatch",
    "other_genuine",
    "private_der",
    "read_card",
    "resign",
    "rogue_ds",
    "self_signed_csca",
    "signature_algorithm_contradicts_key",
    "sod_swapped",
    "truncated_sod",
    "wrong_content_type",
]

KINDS = ("ec", "rsa")
SEED = "forgery-battery"
"""Seed of the genuine card (date of expiry 2028-04-03: before the test Document Signer expires)."""


@dataclass(frozen=True)
class ForgedCard:
    """One card to read: profile, chip faults, verifier trust store, access key and verification time."""

    profile: CardProfile
    trust: TrustStore
    faults: Faults = field(default_factory=Faults)
    key: Literal["can", "mrz"] = "can"
    at: datetime = NOW


def _issue(kind: str, seed: str) -> CardProfile:
    return issue_card(seed, pki=kind, pki_seed=f"tests-{kind}-brainpoolP256r1")  # type: ignore[arg-type]


@cache
def genuine(kind: str) -> CardProfile:
    """The genuine CCCD of this PKI kind (AA RSA, CA EC brainpoolP256r1, PACE), issued once per process."""
    profile = _issue(kind, SEED)
    assert pki(kind).ds.der in profile.files["EF.SOD"], "card and test fixtures must share one PKI"
    return profile


@cache
def other_genuine(kind: str) -> CardProfile:
    """A second genuine card of another citizen, same issuer."""
    return _issue(kind, SEED + "-2")


def genuine_card(kind: str) -> ForgedCard:
    """The untouched genuine card with a store holding the genuine CSCA and its current (empty) CRL."""
    return ForgedCard(genuine(kind), store_for(pki(kind)))


def data_groups(profile: CardProfile) -> dict[int, bytes]:
    """The data groups of a profile keyed by number."""
    return {int(name[2:]): data for name, data in profile.files.items() if name.startswith("DG")}


def resign(
    profile: CardProfile,
    kind: str,
    *,
    groups: dict[int, bytes] | None = None,
    signer: pkigen.Issued | None = None,
    **options: object,
) -> CardProfile:
    """A copy whose EF.SOD is rebuilt over ``groups`` (default: the profile's) by ``signer``.

    ``signer`` defaults to the genuine Document Signer (an insider, or the issuer itself); ``options`` go
    to :func:`chipid.lds.sod.build_sod` (``content_type``, ``message_digest``, ``signing_time``...).
    """
    ds = signer or pki(kind).ds
    sod = build_sod(groups if groups is not None else data_groups(profile), ds.key, ds.der, **options)  # type: ignore[arg-type]
    return profile.with_files(EF_SOD=sod)


def edit_signer_info(sod: bytes, edit: Callable[[cms.SignerInfo], None]) -> bytes:
    """EF.SOD with its SignerInfo edited in place and nothing re-signed (RFC 5652 §5.3)."""
    info = cms.ContentInfo.load(core.Asn1Value.load(sod).contents)
    edit(info["content"]["signer_infos"][0])
    out: bytes = core.Asn1Value(class_="application", tag=23, method=1, contents=info.dump(force=True)).dump()
    return out


def private_der(key: pkigen.PrivateKey) -> bytes:
    """PKCS#8 DER, the form :class:`CardProfile` stores chip keys in."""
    der: bytes = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return der


def read_card(card: ForgedCard) -> ReadResult:
    """Read ``card`` end to end: EF.CardAccess, PACE (or BAC), files, CA, AA, Passive Authentication."""
    mrz, can = card.profile.mrz_key(), card.profile.can_key()
    chip = VirtualChip(card.profile, faults=card.faults)
    return DocumentReader(SimTransport(chip), mrz if card.key == "mrz" else can, trust=card.trust, at=card.at).read()


# --------------------------------------------------------------------------- the forgeries
def dg_altered(kind: str, dg: int = 2) -> ForgedCard:
    """1. Data-group bytes altered on the chip after the SOD was signed (Faults.corrupt_dgs)."""
    return dataclasses.replace(genuine_card(kind), faults=Faults(corrupt_dgs=(dg,)))


def hash_replaced(kind: str) -> ForgedCard:
    """2. DG1 altered and its hash in the LDS object replaced, the SOD not re-signed."""
    profile = genuine(kind)
    dg1 = bytearray(profile.files["DG1"])
    dg1[10] ^= 0x01  # a document-number character of the MRZ
    sod = profile.files["EF.SOD"]
    old, new = hashlib.sha256(profile.files["DG1"]).digest(), hashlib.sha256(bytes(dg1)).digest()
    assert sod.count(old) == 1
    forged = profile.with_files(DG1=bytes(dg1), EF_SOD=sod.replace(old, new))
    return ForgedCard(forged, store_for(pki(kind)))


def rogue_ds(kind: str) -> ForgedCard:
    """3. SOD signed by a DS of another "VN" CSCA the verifier does not trust (same country name)."""
    other = pkigen.issue_csca(b"other-state-same-name", kind=kind, country="VN")
    ds = pkigen.issue_ds(other, b"rogue", kind=kind)
    return ForgedCard(resign(genuine(kind), kind, signer=ds, signing_time=SIGNED_AT), store_for(pki(kind)))


def ds_expired_at_signing(kind: str) -> ForgedCard:
    """4. The genuine CSCA issued a DS valid 10 days; the SOD claims a signing time after that."""
    ds = pkigen.issue_ds(pki(kind).csca, b"short", label="short-ds", kind=kind, days=10)
    return ForgedCard(resign(genuine(kind), kind, signer=ds, signing_time=SIGNED_AT), store_for(pki(kind)))


def ds_revoked(kind: str) -> ForgedCard:
    """5. The genuine DS is on the CSCA's current CRL in the trust store."""
    p = pki(kind)
    crl = fresh_crl(p, (p.ds.certificate.serial_number,))
    return ForgedCard(genuine(kind), store_for(p, crl=crl))


def self_signed_csca(kind: str) -> ForgedCard:
    """6. The whole chain forged: a self-made "CSCA" (not in the store) issued the DS."""
    root = pkigen.issue_csca(b"attacker", cn="Fake CSCA", country="VN", kind=kind)
    ds = pkigen.issue_ds(root, b"attacker-ds", kind=kind)
    return ForgedCard(resign(genuine(kind), kind, signer=ds, signing_time=SIGNED_AT), store_for(pki(kind)))


def message_digest_mismatch(kind: str) -> ForgedCard:
    """7. signedAttrs messageDigest does not hash eContent (signed by the genuine DS)."""
    return ForgedCard(resign(genuine(kind), kind, message_digest=bytes(32)), store_for(pki(kind)))


def wrong_content_type(kind: str) -> ForgedCard:
    """8. eContentType id-data instead of id-icao-mrtd-security-ldsSecurityObject."""
    return ForgedCard(resign(genuine(kind), kind, content_type="1.2.840.113549.1.7.1"), store_for(pki(kind)))


def dg_uncovered(kind: str, dg: int = 15) -> ForgedCard:
    """9. A data group present on the chip but missing from the SOD's dataGroupHashValues."""
    groups = {n: d for n, d in data_groups(genuine(kind)).items() if n != dg}
    return ForgedCard(resign(genuine(kind), kind, groups=groups), store_for(pki(kind)))


def cloned(kind: str) -> ForgedCard:
    """10. A clone: every file copied, AA and CA private keys replaced (Faults.cloned)."""
    return dataclasses.replace(genuine_card(kind), faults=Faults(cloned=True))


def ca_key_mismatch(kind: str) -> ForgedCard:
    """11a. The chip's CA private key does not match the DG14 public key (AA still genuine)."""
    key = pkigen.generate_key(b"not-the-dg14-key", "ca", "ec", curve="brainpoolP256r1")
    profile = dataclasses.replace(genuine(kind), ca_private_key=private_der(key))
    return ForgedCard(profile, store_for(pki(kind)))


def ca_unsupported(kind: str) -> ForgedCard:
    """11b. DG14 (genuine) advertises CA but the chip has no CA key and refuses the protocol."""
    profile = dataclasses.replace(genuine(kind), ca_private_key=None)
    return ForgedCard(profile, store_for(pki(kind)))


def downgrade(kind: str) -> ForgedCard:
    """12. PACE advertised in EF.CardAccess but the chip refuses it: BAC with the MRZ key."""
    return dataclasses.replace(genuine_card(kind), faults=Faults(bac_only=True), key="mrz")


def aa_replay(kind: str) -> ForgedCard:
    """13. Active Authentication answered with an old recorded signature (Faults.aa_replay)."""
    return dataclasses.replace(genuine_card(kind), faults=Faults(aa_replay=True))


def truncated_sod(kind: str) -> ForgedCard:
    """14. EF.SOD cut in half, its outer tag-77 length rewritten so the file itself stays well formed."""
    sod = genuine(kind).files["EF.SOD"]
    body = sod[4 : len(sod) // 2]  # 77 82 LL LL header
    cut = b"\x77\x82" + len(body).to_bytes(2, "big") + body
    return ForgedCard(genuine(kind).with_files(EF_SOD=cut), store_for(pki(kind)))


def signature_algorithm_contradicts_key(kind: str) -> ForgedCard:
    """15. SignerInfo claims an RSA signature from the EC DS key (or ECDSA from the RSA key)."""
    claimed = "sha256_rsa" if kind == "ec" else "sha256_ecdsa"

    def edit(signer: cms.SignerInfo) -> None:
        signer["signature_algorithm"] = {"algorithm": claimed}

    sod = edit_signer_info(genuine(kind).files["EF.SOD"], edit)
    return ForgedCard(genuine(kind).with_files(EF_SOD=sod), store_for(pki(kind)))


def ds_certificate_altered(kind: str) -> ForgedCard:
    """The DS certificate embedded in EF.SOD altered (last byte of its serial number), nothing re-signed."""
    ds = pki(kind).ds
    serial = ds.certificate.serial_number
    raw = serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True)
    at = ds.der.find(b"\x02" + bytes([len(raw)]) + raw) + 2 + len(raw) - 1
    altered = bytearray(ds.der)
    altered[at] ^= 0x01
    sod = genuine(kind).files["EF.SOD"].replace(ds.der, bytes(altered))
    return ForgedCard(genuine(kind).with_files(EF_SOD=sod), store_for(pki(kind)))


def sod_swapped(kind: str) -> ForgedCard:
    """16. EF.SOD of another genuine card of the same issuer on this card."""
    sod = other_genuine(kind).files["EF.SOD"]
    return ForgedCard(genuine(kind).with_files(EF_SOD=sod), store_for(pki(kind)))


def dg15_replaced(kind: str) -> ForgedCard:
    """17. DG15 replaced by the attacker's public key and AA answered with the attacker's private key."""
    key = pkigen.generate_key(b"attacker", "aa", "rsa", rsa_bits=1024)
    profile = dataclasses.replace(genuine(kind).with_files(DG15=dg15_for(key)), aa_private_key=private_der(key))
    return ForgedCard(profile, store_for(pki(kind)))


def expired_genuine(kind: str) -> ForgedCard:
    """Not a forgery: the genuine card read one year after its date of expiry (DS still valid)."""
    at = datetime.fromisoformat(genuine(kind).holder["date_of_expiry"]).replace(tzinfo=NOW.tzinfo)
    at += timedelta(days=365)
    p = pki(kind)
    crl = pkigen.make_crl(p.csca, (), this_update=at - timedelta(days=10))
    return ForgedCard(genuine(kind), store_for(p, crl=crl), at=at)


def id_mismatch(kind: str) -> ForgedCard:
    """DG13 field 1 (ID number) differs from DG1's, re-signed by the genuine DS (an issuer error or insider)."""
    profile = genuine(kind)
    dg13 = parse_dg13(profile.files["DG13"])
    fields = tuple(dataclasses.replace(f, values=("079099001234",)) if f.number == 1 else f for f in dg13.fields)
    forged = profile.with_files(DG13=encode_dg13(dataclasses.replace(dg13, fields=fields)))
    return ForgedCard(resign(forged, kind), store_for(pki(kind)))


def com_stripped_clone(kind: str) -> ForgedCard:
    """A clone whose EF.COM (not covered by the SOD) no longer lists DG14 and DG15, hiding CA and AA."""
    com = parse_com(genuine(kind).files["EF.COM"])
    kept = tuple(tag for tag in com.tags if tag not in (0x6E, 0x6F))
    profile = genuine(kind).with_files(EF_COM=encode_com(COM(com.lds_version, com.unicode_version, kept)))
    return ForgedCard(profile, store_for(pki(kind)), faults=Faults(cloned=True))


def card_access_stripped_downgrade(kind: str) -> ForgedCard:
    """PACEInfo removed from EF.CardAccess (unsigned) and the chip refuses PACE; DG14 (signed) still lists
    PACE, so the downgrade is provable (ICAO 9303-10 §4.7.14: DG14 carries the PACE SecurityInfos too)."""
    infos = parse_security_infos(genuine(kind).files["EF.CardAccess"])
    stripped = encode_security_infos(dataclasses.replace(infos, pace_infos=()))
    profile = genuine(kind).with_files(EF_CardAccess=stripped)
    return ForgedCard(profile, store_for(pki(kind)), faults=Faults(bac_only=True), key="mrz")
