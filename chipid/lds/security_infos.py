"""SecurityInfos: the content of EF.CardAccess, EF.CardSecurity and DG14 (ICAO 9303-11 §9.2, 9303-10 §4.7.14).

``SecurityInfos ::= SET OF SecurityInfo``; each SecurityInfo is typed by its protocol OID. Known kinds become
frozen dataclasses; anything else is kept raw in :attr:`SecurityInfos.unknown` (e.g. CardInfoLocator,
PrivilegedTerminalInfo of the German eID), so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, core

from chipid.errors import ASN1_ERRORS, ParseError
from chipid.lds import _asn1
from chipid.lds._tlv import encode_length, encode_tlv, single_tlv
from chipid.lds.oids import ID_AA, ID_CA, ID_PACE, ID_PK, ID_TA, oid_name

__all__ = [
    "ActiveAuthenticationInfo",
    "ChipAuthenticationDomainParameterInfo",
    "ChipAuthenticationInfo",
    "ChipAuthenticationPublicKeyInfo",
    "PACE_VERSION",
    "PACEDomainParameterInfo",
    "PACEInfo",
    "SecurityInfos",
    "TerminalAuthenticationInfo",
    "encode_security_infos",
    "parse_card_security",
    "parse_security_infos",
]

_DG14_TAG = 0x6E


PACE_VERSION = 2
"""The only PACEInfo version ICAO 9303-11 §9.2.1 allows."""


@dataclass(frozen=True)
class PACEInfo:
    """ICAO 9303-11 §9.2.1. ``protocol`` is a dotted OID; ``parameter_id`` a standardized id.

    9303-11 §9.2.1 requires version 2: a PACEInfo of another version is parsed and shown but not used for
    PACE (:attr:`problem` says why).
    """

    protocol: str
    version: int
    parameter_id: int | None = None

    @property
    def name(self) -> str:
        return oid_name(self.protocol)

    @property
    def problem(self) -> str | None:
        """Why this PACEInfo must not be used for PACE, or None when it may."""
        if self.version != PACE_VERSION:
            return f"PACEInfo {self.name} has version {self.version}; ICAO 9303-11 §9.2.1 requires {PACE_VERSION}"
        return None


@dataclass(frozen=True)
class PACEDomainParameterInfo:
    """ICAO 9303-11 §9.2.2. ``domain_parameters`` is the AlgorithmIdentifier DER as found."""

    protocol: str
    domain_parameters: bytes
    parameter_id: int | None = None


@dataclass(frozen=True)
class ChipAuthenticationInfo:
    """ICAO 9303-11 §9.2.3."""

    protocol: str
    version: int
    key_id: int | None = None

    @property
    def name(self) -> str:
        return oid_name(self.protocol)


@dataclass(frozen=True)
class ChipAuthenticationDomainParameterInfo:
    """BSI TR-03110-3 §A.1.1.2. ``domain_parameters`` is the AlgorithmIdentifier DER as found."""

    protocol: str
    domain_parameters: bytes
    key_id: int | None = None


@dataclass(frozen=True)
class ChipAuthenticationPublicKeyInfo:
    """ICAO 9303-11 §9.2.4. ``public_key`` is the SPKI DER as found (explicit EC params kept)."""

    protocol: str
    public_key: bytes
    key_id: int | None = None


@dataclass(frozen=True)
class TerminalAuthenticationInfo:
    """ICAO 9303-11 §9.2.6. ``ef_cvca`` is the FileID DER, when present."""

    protocol: str
    version: int
    ef_cvca: bytes | None = None


@dataclass(frozen=True)
class ActiveAuthenticationInfo:
    """ICAO 9303-11 §9.2.5. ``signature_algorithm`` is a dotted OID (e.g. ecdsa-plain-SHA256)."""

    protocol: str
    version: int
    signature_algorithm: str

    @property
    def signature_algorithm_name(self) -> str:
        return oid_name(self.signature_algorithm)


@dataclass(frozen=True)
class SecurityInfos:
    """Every SecurityInfo of one file, grouped by kind (each a tuple in file order).

    Attributes:
        unknown: ``(protocol OID, SecurityInfo DER)`` of the entries not modelled here.
    """

    pace_infos: tuple[PACEInfo, ...] = ()
    pace_domain_parameter_infos: tuple[PACEDomainParameterInfo, ...] = ()
    chip_authentication_infos: tuple[ChipAuthenticationInfo, ...] = ()
    chip_authentication_domain_parameter_infos: tuple[ChipAuthenticationDomainParameterInfo, ...] = ()
    chip_authentication_public_key_infos: tuple[ChipAuthenticationPublicKeyInfo, ...] = ()
    terminal_authentication_infos: tuple[TerminalAuthenticationInfo, ...] = ()
    active_authentication_infos: tuple[ActiveAuthenticationInfo, ...] = ()
    unknown: tuple[tuple[str, bytes], ...] = ()

    @property
    def usable_pace_infos(self) -> tuple[PACEInfo, ...]:
        """The PACEInfos PACE may use (version 2); the others are kept in :attr:`pace_infos` only."""
        return tuple(p for p in self.pace_infos if p.problem is None)

    @property
    def supports_pace_cam(self) -> bool:
        """True when a PACEInfo announces Chip Authentication Mapping (id-PACE-ECDH-CAM-*)."""
        return any(p.protocol.startswith(ID_PACE + ".6.") for p in self.pace_infos)


def _kind(oid: str) -> str:
    """Classify a protocol OID by its arc (ICAO 9303-11 §9.2)."""
    for base, leaf, parent in (
        (ID_PACE, "pace", "pace_dp"),
        (ID_CA, "ca", "ca_dp"),
    ):
        if oid.startswith(base + "."):
            depth = oid[len(base) + 1 :].count(".")
            return leaf if depth == 1 else parent if depth == 0 else "unknown"
    if oid.startswith(ID_PK + ".") and oid[len(ID_PK) + 1 :].isdigit():
        return "ca_pk"
    if oid == ID_TA:
        return "ta"
    if oid == ID_AA:
        return "aa"
    return "unknown"


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _parse_one(raw: bytes, oid: str, groups: dict[str, list[Any]]) -> None:
    kind = _kind(oid)
    if kind == "pace":
        p = _asn1.PACEInfo.load(raw, strict=True)
        groups[kind].append(PACEInfo(oid, int(p["version"].native), _opt_int(p["parameter_id"].native)))
    elif kind == "pace_dp":
        d = _asn1.PACEDomainParameterInfo.load(raw, strict=True)
        groups[kind].append(
            PACEDomainParameterInfo(oid, d["domain_parameter"].dump(), _opt_int(d["parameter_id"].native))
        )
    elif kind == "ca":
        c = _asn1.ChipAuthenticationInfo.load(raw, strict=True)
        groups[kind].append(ChipAuthenticationInfo(oid, int(c["version"].native), _opt_int(c["key_id"].native)))
    elif kind == "ca_dp":
        cd = _asn1.ChipAuthenticationDomainParameterInfo.load(raw, strict=True)
        groups[kind].append(
            ChipAuthenticationDomainParameterInfo(oid, cd["domain_parameter"].dump(), _opt_int(cd["key_id"].native))
        )
    elif kind == "ca_pk":
        k = _asn1.ChipAuthenticationPublicKeyInfo.load(raw, strict=True)
        spki = k["public_key"].dump()
        if not spki.startswith(b"\x30"):
            raise ValueError("chipAuthenticationPublicKey is not a SEQUENCE")
        groups[kind].append(ChipAuthenticationPublicKeyInfo(oid, spki, _opt_int(k["key_id"].native)))
    elif kind == "ta":
        t = _asn1.TerminalAuthenticationInfo.load(raw, strict=True)
        ef = t["ef_cvca"]
        groups[kind].append(
            TerminalAuthenticationInfo(oid, int(t["version"].native), None if isinstance(ef, core.Void) else ef.dump())
        )
    elif kind == "aa":
        a = _asn1.ActiveAuthenticationInfo.load(raw, strict=True)
        groups[kind].append(ActiveAuthenticationInfo(oid, int(a["version"].native), a["signature_algorithm"].dotted))
    else:
        groups[kind].append((oid, raw))


_KINDS = ("pace", "pace_dp", "ca", "ca_dp", "ca_pk", "ta", "aa", "unknown")


def parse_security_infos(data: bytes, *, name: str = "SecurityInfos") -> SecurityInfos:
    """Parse EF.CardAccess / EF.CardSecurity content or DG14 (wrapped in tag ``6E`` or bare).

    Args:
        data: the file bytes.
        name: the file name used in error paths (``"EF.CardAccess"``, ``"DG14"``...).

    Raises:
        ParseError: not a SET OF SecurityInfo, or a known SecurityInfo with the wrong structure.
    """
    data = bytes(data)
    if data[:1] == bytes([_DG14_TAG]):
        name = "DG14" if name == "SecurityInfos" else name
        data = single_tlv(data, _DG14_TAG, path=name)
    try:
        infos = _asn1.SecurityInfos.load(data, strict=True)
        count = len(infos)
    except ASN1_ERRORS as err:
        raise ParseError(f"not a SET OF SecurityInfo: {err}", path=name) from err
    groups: dict[str, list[Any]] = {k: [] for k in _KINDS}
    for i in range(count):
        path = f"{name} > SecurityInfo[{i}]"
        try:
            info = infos[i]
            oid = info["protocol"].dotted
            raw = info.dump()
        except ASN1_ERRORS as err:
            raise ParseError(f"malformed SecurityInfo: {err}", path=path) from err
        try:
            _parse_one(raw, oid, groups)
        except ASN1_ERRORS as err:
            raise ParseError(f"malformed {oid_name(oid)}: {err}", path=path) from err
    return SecurityInfos(
        pace_infos=tuple(groups["pace"]),
        pace_domain_parameter_infos=tuple(groups["pace_dp"]),
        chip_authentication_infos=tuple(groups["ca"]),
        chip_authentication_domain_parameter_infos=tuple(groups["ca_dp"]),
        chip_authentication_public_key_infos=tuple(groups["ca_pk"]),
        terminal_authentication_infos=tuple(groups["ta"]),
        active_authentication_infos=tuple(groups["aa"]),
        unknown=tuple(groups["unknown"]),
    )


def parse_card_security(data: bytes) -> SecurityInfos:
    """Parse EF.CardSecurity: a CMS ContentInfo / SignedData whose eContent (id-SecurityObject) is
    SecurityInfos (ICAO 9303-11 §9.2.11; BSI TR-03110-3 §A.1.2.2). A bare SET is accepted too.

    The signature is not checked here (that is Passive Authentication's job).

    Raises:
        ParseError: not a SignedData with an encapsulated SET OF SecurityInfo.
    """
    data = bytes(data)
    if data[:1] == b"\x31":
        return parse_security_infos(data, name="EF.CardSecurity")
    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].native != "signed_data":
            raise ValueError(f"content type {info['content_type'].dotted} is not signedData")
        econtent = info["content"]["encap_content_info"]["content"]
        if not isinstance(econtent, core.OctetString | core.ParsableOctetString):
            raise ValueError("SignedData has no encapsulated content")
        inner = econtent.contents
    except ASN1_ERRORS as err:
        raise ParseError(f"not a CMS SignedData: {err}", path="EF.CardSecurity") from err
    return parse_security_infos(inner, name="EF.CardSecurity > eContent")


def _encode_entries(infos: SecurityInfos) -> list[bytes]:
    out: list[bytes] = []
    for p in infos.pace_infos:
        fields: dict[str, Any] = {
            "protocol": p.protocol,
            "version": p.version,
            "parameter_id": p.parameter_id,
        }
        out.append(_asn1.PACEInfo(fields).dump())
    for d in infos.pace_domain_parameter_infos:
        dp = _asn1.AlgorithmIdentifier.load(d.domain_parameters)
        out.append(
            _asn1.PACEDomainParameterInfo(
                {"protocol": d.protocol, "domain_parameter": dp, "parameter_id": d.parameter_id}
            ).dump()
        )
    for c in infos.chip_authentication_infos:
        out.append(
            _asn1.ChipAuthenticationInfo({"protocol": c.protocol, "version": c.version, "key_id": c.key_id}).dump()
        )
    for cd in infos.chip_authentication_domain_parameter_infos:
        dp = _asn1.AlgorithmIdentifier.load(cd.domain_parameters)
        out.append(
            _asn1.ChipAuthenticationDomainParameterInfo(
                {"protocol": cd.protocol, "domain_parameter": dp, "key_id": cd.key_id}
            ).dump()
        )
    for k in infos.chip_authentication_public_key_infos:
        out.append(
            _asn1.ChipAuthenticationPublicKeyInfo(
                {"protocol": k.protocol, "public_key": core.Any.load(k.public_key), "key_id": k.key_id}
            ).dump()
        )
    for t in infos.terminal_authentication_infos:
        ef = None if t.ef_cvca is None else core.Any.load(t.ef_cvca)
        out.append(
            _asn1.TerminalAuthenticationInfo({"protocol": t.protocol, "version": t.version, "ef_cvca": ef}).dump()
        )
    for a in infos.active_authentication_infos:
        out.append(
            _asn1.ActiveAuthenticationInfo(
                {"protocol": a.protocol, "version": a.version, "signature_algorithm": a.signature_algorithm}
            ).dump()
        )
    out.extend(raw for _, raw in infos.unknown)
    return out


def encode_security_infos(infos: SecurityInfos, *, dg14: bool = False) -> bytes:
    """Encode as DER ``SET OF SecurityInfo`` (elements sorted as X.690 §11.6 requires).

    Args:
        infos: the model to encode.
        dg14: wrap the SET in the DG14 tag ``6E`` (ICAO 9303-10 §4.7.14).
    """
    body = b"".join(sorted(_encode_entries(infos)))
    der = b"\x31" + encode_length(len(body)) + body
    return encode_tlv(_DG14_TAG, der) if dg14 else der
