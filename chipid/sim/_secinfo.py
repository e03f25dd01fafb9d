"""SecurityInfos as the chip and the issuer see them (ICAO 9303-11 §9.2, BSI TR-03110-3 A.1.1).

Declared asn1crypto classes; ``requiredData`` / ``optionalData`` stay ``Any`` and are read
per protocol. Used by the issuer to write EF.CardAccess / DG14 and by the chip to learn
which PACE and CA suites it offers.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core

__all__ = [
    "CA_PREFIX",
    "PACE_PREFIX",
    "SecurityInfo",
    "SecurityInfos",
    "SuiteInfo",
    "cipher_of",
    "parse_suites",
]

PACE_PREFIX = "0.4.0.127.0.7.2.2.4"
"""id-PACE (§9.2.1); the next arc is the mapping (1 DH-GM, 2 ECDH-GM, 3 DH-IM, 4 ECDH-IM, 6 ECDH-CAM)."""
CA_PREFIX = "0.4.0.127.0.7.2.2.3"
"""id-CA (§9.2.5); the next arc is 1 DH or 2 ECDH."""


class SecurityInfo(core.Sequence):  # type: ignore[misc]
    """SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL }."""

    _fields = [  # noqa: RUF012 - asn1crypto declares fields as class lists
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class SecurityInfos(core.SetOf):  # type: ignore[misc]
    """SecurityInfos ::= SET OF SecurityInfo."""

    _child_spec = SecurityInfo


@dataclass(frozen=True)
class SuiteInfo:
    """One PACEInfo or ChipAuthenticationInfo reduced to what the chip needs.

    Attributes:
        oid: the protocol OID (dotted).
        version: requiredData.
        parameter_id: PACEInfo.parameterId or ChipAuthenticationInfo.keyId (optionalData).
    """

    oid: str
    version: int
    parameter_id: int | None


def cipher_of(oid: str) -> tuple[str, int]:
    """(cipher, key length) of a PACE/CA OID's last arc: 1 3DES, 2 AES-128, 3 AES-192, 4 AES-256."""
    last = int(oid.rsplit(".", 1)[1])
    table = {1: ("3DES", 16), 2: ("AES", 16), 3: ("AES", 24), 4: ("AES", 32)}
    if last not in table:
        raise ValueError(f"unknown cipher arc in {oid}")
    return table[last]


def parse_suites(data: bytes, prefix: str) -> list[SuiteInfo]:
    """The SecurityInfos under ``prefix`` (PACE or CA) in EF.CardAccess or DG14 content.

    ``data`` is the bare SET (EF.CardAccess) or the DG14 file with its 6E wrapper.
    Raises ValueError when it does not decode.
    """
    if data[:1] == b"\x6e":
        data = core.load(data).contents
    infos = SecurityInfos.load(data)
    result = []
    for info in infos:
        oid = info["protocol"].dotted
        if not oid.startswith(prefix + ".") or oid.count(".") != prefix.count(".") + 2:
            continue
        version = int(core.Integer.load(info["required_data"].dump()).native)
        optional = info["optional_data"]
        param = None
        if isinstance(optional, core.Any) and optional.contents is not None:
            param = int(core.Integer.load(optional.dump()).native)
        result.append(SuiteInfo(oid, version, param))
    return result
