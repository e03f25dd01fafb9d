"""asn1crypto declarations of the LDS ASN.1 structures (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1).

Declared, not hand-walked: each SecurityInfo kind is a class; parsers in :mod:`chipid.lds.security_infos`
pick the class from the protocol OID. Open types (SubjectPublicKeyInfo, domain parameters, FileID) are
kept as ``Any`` so their DER survives byte for byte.
"""

from __future__ import annotations

from typing import Any, ClassVar

from asn1crypto import core

__all__ = [
    "ActiveAuthenticationInfo",
    "AlgorithmIdentifier",
    "ChipAuthenticationDomainParameterInfo",
    "ChipAuthenticationInfo",
    "ChipAuthenticationPublicKeyInfo",
    "DG13Content",
    "DG13Field",
    "DG13Fields",
    "PACEDomainParameterInfo",
    "PACEInfo",
    "SecurityInfo",
    "SecurityInfos",
    "TerminalAuthenticationInfo",
]


class SecurityInfo(core.Sequence):  # type: ignore[misc]
    """``SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class SecurityInfos(core.SetOf):  # type: ignore[misc]
    """``SecurityInfos ::= SET OF SecurityInfo`` (ICAO 9303-11 §9.2)."""

    _child_spec = SecurityInfo


class AlgorithmIdentifier(core.Sequence):  # type: ignore[misc]
    """``AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class PACEInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.1: ``SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("version", core.Integer),
        ("parameter_id", core.Integer, {"optional": True}),
    ]


class PACEDomainParameterInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.2: ``{ protocol, domainParameter AlgorithmIdentifier, parameterId OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("domain_parameter", AlgorithmIdentifier),
        ("parameter_id", core.Integer, {"optional": True}),
    ]


class ChipAuthenticationInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.3: ``{ protocol, version INTEGER, keyId INTEGER OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("version", core.Integer),
        ("key_id", core.Integer, {"optional": True}),
    ]


class ChipAuthenticationDomainParameterInfo(core.Sequence):  # type: ignore[misc]
    """BSI TR-03110-3 §A.1.1.2: ``{ protocol, domainParameter AlgorithmIdentifier, keyId OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("domain_parameter", AlgorithmIdentifier),
        ("key_id", core.Integer, {"optional": True}),
    ]


class ChipAuthenticationPublicKeyInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.4: ``{ protocol, chipAuthenticationPublicKey SPKI, keyId OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("public_key", core.Any),
        ("key_id", core.Integer, {"optional": True}),
    ]


class TerminalAuthenticationInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.6: ``{ protocol id-TA, version INTEGER, efCVCA FileID OPTIONAL }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("version", core.Integer),
        ("ef_cvca", core.Any, {"optional": True}),
    ]


class ActiveAuthenticationInfo(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-11 §9.2.5: ``{ protocol id-AA, version INTEGER, signatureAlgorithm OID }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("protocol", core.ObjectIdentifier),
        ("version", core.Integer),
        ("signature_algorithm", core.ObjectIdentifier),
    ]


class DG13Field(core.SequenceOf):  # type: ignore[misc]
    """CCCD DG13: ``SEQUENCE { INTEGER fieldNo, value... }`` (values are strings or SEQUENCEs of strings)."""

    _child_spec = core.Any


class DG13Fields(core.SetOf):  # type: ignore[misc]
    """CCCD DG13: ``SET OF`` field sequences."""

    _child_spec = DG13Field


class DG13Content(core.Sequence):  # type: ignore[misc]
    """CCCD DG13 content (inside tag 6D): ``SEQUENCE { INTEGER version, OID charset, SET OF field }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("charset", core.ObjectIdentifier),
        ("fields", DG13Fields),
    ]
