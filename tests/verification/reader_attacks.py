"""Reader, chip and dump side attacks of issue 10, built as an attacker would.

* **Own chip**: the virtual chip (:class:`~chipid.sim.VirtualChip`) loaded with a genuine card's public files,
  with :class:`~chipid.sim.Faults` for what the attacker's chip does differently (no private keys:
  ``cloned=True``; a plain warning where it cannot compute a MAC: ``sm_error_sw``; refusing files:
  ``refuse_dgs``) or with its unsigned files edited (EF.CardAccess).
* **Edited dump**: the files a genuine card gave, saved as ``chipid read --out`` does, then edited on disk.

Genuine cards come from :func:`chipid.sim.personalize.issue_card` under its default test PKI; the verifier
trusts that PKI's CSCA (``profile.trust_store()``).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from chipid.lds.security_infos import encode_security_infos, parse_security_infos
from chipid.reader import DocumentReader, ReadResult
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip
from chipid.sim.personalize import issue_card

__all__ = [
    "ID_PACE_ECDH_CAM_AES_128",
    "ID_PACE_ECDH_GM_AES_128",
    "cam_advertised_as_gm",
    "cam_card",
    "card",
    "read",
    "save_dump",
]

ID_PACE_ECDH_GM_AES_128 = "0.4.0.127.0.7.2.2.4.2.2"
ID_PACE_ECDH_CAM_AES_128 = "0.4.0.127.0.7.2.2.4.6.2"


@cache
def card(ca_cipher: str = "AES", *, pace: bool = True, aa: bool = False, ca: bool = True) -> CardProfile:
    """A genuine CCCD of the default test PKI; by default without Active Authentication, so that Chip
    Authentication alone must exclude a clone (as on many real documents)."""
    seed = f"issue10-{ca_cipher}-{pace}-{aa}-{ca}"
    return issue_card(seed, aa="rsa" if aa else None, ca=ca, pace=pace, ca_cipher=ca_cipher)  # type: ignore[arg-type]


@cache
def cam_card() -> CardProfile:
    """A genuine card that offers only PACE-CAM (brainpoolP256r1) and no Active Authentication."""
    return issue_card("issue10-cam", aa=None, pace_suites=((ID_PACE_ECDH_CAM_AES_128, 13),))


def cam_advertised_as_gm() -> CardProfile:
    """The PACE-CAM card's files with EF.CardAccess (unsigned) rewritten to advertise PACE-GM only, so that
    the reader runs PACE-GM and then classic Chip Authentication, where a clone can try to fake the proof."""
    profile = cam_card()
    infos = parse_security_infos(profile.files["EF.CardAccess"])
    gm = tuple(dataclasses.replace(p, protocol=ID_PACE_ECDH_GM_AES_128) for p in infos.pace_infos)
    return profile.with_files(EF_CardAccess=encode_security_infos(dataclasses.replace(infos, pace_infos=gm)))


def read(profile: CardProfile, faults: Faults | None = None, *, key: str = "can") -> ReadResult:
    """Read ``profile`` on the virtual chip end to end and verify against its issuing CSCA."""
    chip = VirtualChip(profile, faults=faults)
    access = profile.can_key() if key == "can" else profile.mrz_key()
    prefer = "bac" if key == "mrz" and not any(n == "EF.CardAccess" for n in profile.files) else "pace"
    return DocumentReader(SimTransport(chip), access, trust=profile.trust_store(), prefer=prefer).read()


def save_dump(result: ReadResult, directory: Path) -> Path:
    """The raw files as ``chipid read --out`` writes them (``EF_SOD.bin``, ``DG1.bin`` ...)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in result.document.raw.items():
        (directory / f"{name.replace('.', '_')}.bin").write_bytes(data)
    return directory


def with_card_security(profile: CardProfile, signer: object, *, card_security_infos: bytes | None = None,
                       signed_econtent: bytes | None = None) -> CardProfile:
    """``profile`` with an EF.CardSecurity (CMS SignedData, id-SecurityObject) over ``card_security_infos``
    (default: the card's EF.CardAccess SecurityInfos) signed by ``signer`` (a :class:`pkigen.Issued`)."""
    from chipid.pki.card_security import SECURITY_OBJECT_OID
    from chipid.sim import pkigen

    infos = card_security_infos if card_security_infos is not None else profile.files["EF.CardAccess"]
    data = pkigen.signed_data(signer, infos, SECURITY_OBJECT_OID, signed_econtent=signed_econtent)  # type: ignore[arg-type]
    return profile.with_files(EF_CardSecurity=data)
