"""Personalisation: issue a synthetic Vietnamese CCCD as a :class:`CardProfile`.

What a card gets (ICAO 9303-10 §4.6-4.7 for the LDS, DESIGN.md "CCCD facts" for the layout):
EF.CardAccess exactly like the real CCCD's (TA, CA-ECDH-AES-128, PACE-ECDH-GM-AES-128 on
brainpoolP256r1) unless other PACE suites are asked for; EF.DIR and EF.ATR/INFO; EF.COM
listing DG1, DG2, DG3, DG13, DG14, DG15; DG1 with a TD1 MRZ (document number = the last 9
ID digits); DG2 with a drawn synthetic face; DG3 (EAC-protected, empty biometric group);
DG13 in the CCCD layout; DG14 (CA public key, PACE and AA info); DG15 (AA public key);
EF.SOD signed by the Document Signer of a test PKI (:mod:`chipid.sim.pkigen`).
Everything is deterministic from the seed (RSA PKI keys excepted: see pkigen).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Literal

from cryptography.hazmat.primitives import serialization

from chipid.errors import UnsupportedError
from chipid.iso7816.tlv import encode_tlv
from chipid.lds.com import COM, encode_com
from chipid.lds.dg1 import encode_dg1
from chipid.lds.dg2 import build_face, encode_dg2
from chipid.lds.dg13_vn import DG13VN, encode_dg13
from chipid.lds.mrz import MRZ, build_mrz, check_digit
from chipid.lds.oids import ID_AA, ID_CA, ID_PACE, ID_PK, ID_TA
from chipid.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PACEInfo,
    SecurityInfos,
    TerminalAuthenticationInfo,
    encode_security_infos,
)
from chipid.lds.sod import build_sod
from chipid.sim._citizen import Citizen, ascii_fold, make_citizen
from chipid.sim._face import draw_face, encode_face, photo_portrait
from chipid.sim._keys import DHPrivateKey, seeded_dh_key, seeded_rsa_key
from chipid.sim.deviations import EMPTY_DG2, MISPLACED_SOD_FID, check_deviations
from chipid.sim.pkigen import PrivateKey, generate_key, generate_pki, make_crl
from chipid.sim.profile import CardProfile

__all__ = ["CCCD_PACE_SUITES", "DEFAULT_SEED", "IM_PACE_SUITES", "default_profile", "issue_card"]

CCCD_PACE_SUITES: tuple[tuple[str, int], ...] = ((ID_PACE + ".2.2", 13),)
"""id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (parameter id 13), as on the CCCD."""
IM_PACE_SUITES: tuple[tuple[str, int], ...] = tuple(
    (f"{ID_PACE}.{mapping}.{cipher}", parameter_id)
    for mapping, parameter_id in (("4", 13), ("3", 0))
    for cipher in (1, 2, 3, 4)
)
"""Every PACE Integrated Mapping suite: ECDH-IM on brainpoolP256r1 (13) and DH-IM on the 1024-bit
group (0), each with 3DES and AES-128/192/256 (ICAO 9303-11 §9.2.1, id-PACE-(EC)DH-IM-*)."""
DEFAULT_SEED = "chipid-demo-0018"
"""Seed of :func:`default_profile`: Đặng Công Tuấn, card valid until 2040-10-15."""
_ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
_CRL_DAYS = 15 * 365
"""An empty CSCA CRL from 2024-01-01 for 15 years: long-lived so the demo can check revocation."""
_EF_DIR = encode_tlv(0x61, encode_tlv(0x4F, bytes.fromhex("A0000002471001")))
_EF_ATR_INFO = encode_tlv(0x7F66, bytes.fromhex("0203010000") + bytes.fromhex("0203010000"))
"""Extended length information (ISO 7816-4 §12.7.1): 65536 bytes in command and response."""


def _der(key: PrivateKey | DHPrivateKey) -> bytes:
    if isinstance(key, DHPrivateKey):
        return key.to_pkcs8()
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _spki(key: PrivateKey | DHPrivateKey) -> bytes:
    if isinstance(key, DHPrivateKey):
        return key.public_key().to_spki()
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _mrz(c: Citizen) -> MRZ:
    family, *rest = ascii_fold(c.full_name).split(" ")
    return build_mrz(
        document_type="TD1",
        document_code="ID",
        issuing_state="VNM",
        document_number=c.document_number,
        date_of_birth=c.date_of_birth.strftime("%y%m%d"),
        sex=c.sex,
        date_of_expiry=c.date_of_expiry.strftime("%y%m%d"),
        nationality="VNM",
        primary_identifier=family,
        secondary_identifier=" ".join(rest),
        optional_data1=c.id_number + "<<" + check_digit(c.id_number),
    )


def _dg13(c: Citizen) -> bytes:
    dmy = "%d/%m/%Y"
    return encode_dg13(
        DG13VN.from_values(
            {
                1: c.id_number,
                2: c.full_name,
                3: c.date_of_birth.strftime(dmy),
                4: "Nam" if c.sex == "M" else "Nữ",
                5: "Việt Nam",
                6: "Kinh",
                7: "Không",
                8: c.place_of_origin,
                9: c.place_of_residence,
                10: c.identifying_marks,
                11: c.date_of_issue.strftime(dmy),
                12: c.date_of_expiry.strftime(dmy),
                13: [c.father, c.mother],
                14: None,
                15: c.old_id_number,
                16: c.id_number[::-1] + "0000",
            }
        )
    )


def _aa_key(seed: int | str, aa: str | None, aa_bits: int) -> PrivateKey | None:
    if aa is None:
        return None
    if aa == "rsa":
        return seeded_rsa_key(f"{seed}|aa", aa_bits)
    return generate_key(f"card|{seed}".encode(), "aa", "ec", curve="brainpoolP256r1")


_CA_CIPHER_ARCS = {"3DES": 1, "AES": 2, "AES-128": 2, "AES-192": 3, "AES-256": 4}


def _ca_key(seed: int | str, ca: bool, ca_kind: str, dh_parameter_id: int) -> PrivateKey | DHPrivateKey | None:
    if not ca:
        return None
    if ca_kind not in ("ec", "dh"):
        raise UnsupportedError(f"ca_kind must be 'ec' or 'dh', not {ca_kind!r}")
    if ca_kind == "dh":
        return seeded_dh_key(f"{seed}|ca", dh_parameter_id)
    return generate_key(f"card|{seed}".encode(), "ca", "ec", curve="brainpoolP256r1")


def _portrait(seed: int | str, face: Literal["jpeg", "jp2"], photo: bytes | None) -> bytes:
    """DG2's image: the real photo as an ICAO-size JPEG 2000, or the drawn synthetic face of ``seed``."""
    return photo_portrait(photo) if photo is not None else encode_face(draw_face(seed), face)


def issue_card(
    seed: int | str,
    *,
    pki: Literal["ec", "rsa"] = "ec",
    face: Literal["jpeg", "jp2"] = "jpeg",
    aa: Literal["rsa", "ec"] | None = "rsa",
    ca: bool = True,
    pace: bool = True,
    pace_suites: Sequence[tuple[str, int]] = CCCD_PACE_SUITES,
    ca_cipher: Literal["AES", "AES-128", "AES-192", "AES-256", "3DES"] = "AES",
    ca_kind: Literal["ec", "dh"] = "ec",
    ca_dh_parameter_id: int = 2,
    aa_bits: int = 2048,
    pki_seed: str = "chipid-sim-VN",
    photo: bytes | None = None,
    deviations: Iterable[str] = (),
) -> CardProfile:
    """Issue one synthetic CCCD.

    Args:
        seed: selects the citizen, the face and the chip keys (same seed, same card).
        pki: key type of the test CSCA and Document Signer.
        face: DG2 image format (JPEG ~11 KB or JPEG 2000 ~17 KB).
        aa: Active Authentication key type (``None``: no DG15, INTERNAL AUTHENTICATE -> 6D00).
        ca: Chip Authentication (a static key in DG14, see ``ca_kind``).
        pace: advertise and accept PACE (``False``: BAC only, no PACEInfo).
        pace_suites: (PACE OID, standardized parameter id) pairs to advertise, e.g.
            ``(ID_PACE + ".1.2", 0)`` for DH-GM AES-128 on the 1024-bit group.
        ca_cipher: ``"AES"`` (= ``"AES-128"``), ``"AES-192"``, ``"AES-256"`` (MSE:Set AT +
            GENERAL AUTHENTICATE) or ``"3DES"`` (MSE:Set KAT).
        ca_kind: ``"ec"`` (ECDH on brainpoolP256r1, id-CA-ECDH-*) or ``"dh"`` (DH, id-CA-DH-*:
            the DG14 key is a dhpublicnumber SubjectPublicKeyInfo with DomainParameters p, g, q,
            BSI TR-03110-3 §A.1.1 / ICAO 9303-11 §9.2.4).
        ca_dh_parameter_id: the standardized MODP group of a DH CA key (0: 1024-bit,
            1: 2048/224, 2: 2048/256; RFC 5114, ICAO 9303-11 §9.5.1).
        aa_bits: RSA AA key size.
        pki_seed: seed of the test PKI; cards issued with the same one share a CSCA.
        photo: a real photo (JPEG, PNG...) to store in DG2 instead of the drawn face: cropped around the
            face (with the ``face`` extra) and stored as an ICAO-size JPEG 2000 (<= 480x640, ~15 KB).
        deviations: names from :data:`chipid.sim.deviations.DEVIATIONS` (no EF.SOD, empty DG2...):
            a chip that deviates from the ideal as independent implementations do.

    Raises:
        UnsupportedError: an unknown ``ca_kind``, ``ca_cipher`` or deviation, or a
            ``ca_dh_parameter_id`` that is not a MODP group.
    """
    deviate = check_deviations(deviations)
    if "no_card_access" in deviate:
        pace = False
    citizen = make_citizen(seed)
    mrz = _mrz(citizen)
    aa_key = _aa_key(seed, aa, aa_bits)
    if ca_cipher not in _CA_CIPHER_ARCS:
        raise UnsupportedError(f"ca_cipher must be one of {sorted(_CA_CIPHER_ARCS)}, not {ca_cipher!r}")
    ca_key = _ca_key(seed, ca, ca_kind, ca_dh_parameter_id)
    agreement = "1" if ca_kind == "dh" else "2"  # id-CA-DH / id-CA-ECDH, id-PK-DH / id-PK-ECDH
    ca_oid = f"{ID_CA}.{agreement}.{_CA_CIPHER_ARCS[ca_cipher]}"
    paces = tuple(PACEInfo(oid, 2, pid) for oid, pid in pace_suites) if pace else ()
    card_access = SecurityInfos(
        pace_infos=paces,
        chip_authentication_infos=(ChipAuthenticationInfo(ca_oid, 1),) if ca else (),
        terminal_authentication_infos=(TerminalAuthenticationInfo(ID_TA, 1),),
    )
    dg14_infos = SecurityInfos(
        pace_infos=paces,
        chip_authentication_infos=card_access.chip_authentication_infos,
        chip_authentication_public_key_infos=(
            (ChipAuthenticationPublicKeyInfo(f"{ID_PK}.{agreement}", _spki(ca_key)),) if ca_key else ()
        ),
        terminal_authentication_infos=card_access.terminal_authentication_infos,
        active_authentication_infos=((ActiveAuthenticationInfo(ID_AA, 1, _ECDSA_PLAIN_SHA256),) if aa == "ec" else ()),
    )
    groups: dict[int, bytes] = {
        1: encode_dg1(mrz),
        2: encode_dg2([build_face(_portrait(seed, face, photo))]),
        3: encode_tlv(0x63, encode_tlv(0x7F61, encode_tlv(0x02, b"\x00"))),
        13: _dg13(citizen),
        14: encode_security_infos(dg14_infos, dg14=True),
    }
    if aa_key is not None:
        groups[15] = encode_tlv(0x6F, _spki(aa_key))
    if "empty_dg2" in deviate:
        groups[2] = EMPTY_DG2
    test_pki = generate_pki(pki_seed, kind=pki)
    files = {f"DG{n}": data for n, data in groups.items()}
    com_tags = tuple(groups[n][0] for n in sorted(groups))
    if "com_lists_absent" in deviate:
        com_tags = tuple(sorted((*com_tags, 0x6B, 0x6C)))
    files["EF.COM"] = encode_com(COM("0107", "040000", com_tags))
    files["EF.SOD"] = build_sod(groups, test_pki.ds.key, test_pki.ds.der)
    files["EF.CardAccess"] = encode_security_infos(card_access)
    files["EF.DIR"] = _EF_DIR
    files["EF.ATR/INFO"] = _EF_ATR_INFO
    file_ids: dict[str, int] = {}
    if "no_sod" in deviate:
        del files["EF.SOD"]
    if "empty_sod" in deviate:
        files["EF.SOD"] = b""
    if "sod_wrong_fid" in deviate:
        file_ids["EF.SOD"] = MISPLACED_SOD_FID
    if "no_card_access" in deviate:
        del files["EF.CardAccess"]
    return CardProfile(
        files=files,
        document_number=citizen.document_number,
        date_of_birth=mrz.date_of_birth,
        date_of_expiry=mrz.date_of_expiry,
        can=citizen.can,
        aa_private_key=_der(aa_key) if aa_key is not None else None,
        ca_private_key=_der(ca_key) if ca_key is not None else None,
        csca_certificates=(test_pki.csca.der,),
        crls=(make_crl(test_pki.csca, days=_CRL_DAYS),),
        holder={
            "id_number": citizen.id_number,
            "full_name": citizen.full_name,
            "sex": citizen.sex,
            "date_of_birth": citizen.date_of_birth.isoformat(),
            "date_of_expiry": citizen.date_of_expiry.isoformat(),
            "mrz": mrz.to_string(),
        },
        file_ids=file_ids,
    )


@functools.lru_cache(maxsize=1)
def default_profile() -> CardProfile:
    """The built-in demo card: :func:`issue_card` of :data:`DEFAULT_SEED`, cached in memory."""
    return issue_card(DEFAULT_SEED)
