"""Object identifiers of ICAO 9303-11 §9.2 / BSI TR-03110 and readable names for them.

The table covers PACE (GM, IM, CAM), Chip Authentication, Terminal Authentication, Active Authentication,
the public-key and domain-parameter identifiers, the BSI plain ECDSA signatures and the standardized domain
parameters. :func:`oid_name` falls back to the dotted string for anything unknown.
"""

from __future__ import annotations

__all__ = [
    "BSI_DE",
    "ID_AA",
    "ID_CA",
    "ID_CI",
    "ID_PACE",
    "ID_PK",
    "ID_PT",
    "ID_TA",
    "OID_NAMES",
    "STANDARDIZED_DOMAIN_PARAMETERS",
    "STANDARDIZED_PARAMETER_NAMES",
    "oid_name",
]

BSI_DE = "0.4.0.127.0.7"
"""bsi-de: the arc of TR-03110 (ICAO 9303-11 §9.2)."""
ID_PK = BSI_DE + ".2.2.1"
ID_TA = BSI_DE + ".2.2.2"
ID_CA = BSI_DE + ".2.2.3"
ID_PACE = BSI_DE + ".2.2.4"
ID_RI = BSI_DE + ".2.2.5"
ID_CI = BSI_DE + ".2.2.6"
ID_EID_SECURITY = BSI_DE + ".2.2.7"
ID_PT = BSI_DE + ".2.2.8"
ID_AA = "2.23.136.1.1.5"
"""id-icao-mrtd-security-aaProtocolObject (ICAO 9303-11 §9.2.5)."""
STANDARDIZED_DOMAIN_PARAMETERS = BSI_DE + ".1.2"
_ECDSA_PLAIN = BSI_DE + ".1.1.4.1"

_CIPHERS = {1: "3DES-CBC-CBC", 2: "AES-CBC-CMAC-128", 3: "AES-CBC-CMAC-192", 4: "AES-CBC-CMAC-256"}


def _build() -> dict[str, str]:
    names: dict[str, str] = {
        BSI_DE: "bsi-de",
        ID_PK: "id-PK",
        ID_PK + ".1": "id-PK-DH",
        ID_PK + ".2": "id-PK-ECDH",
        ID_TA: "id-TA",
        ID_TA + ".1": "id-TA-RSA",
        ID_TA + ".2": "id-TA-ECDSA",
        ID_CA: "id-CA",
        ID_CA + ".1": "id-CA-DH",
        ID_CA + ".2": "id-CA-ECDH",
        ID_PACE: "id-PACE",
        ID_RI: "id-RI",
        ID_CI: "id-CI",
        ID_EID_SECURITY: "id-eIDSecurity",
        ID_PT: "id-PT",
        ID_AA: "id-AA",
        STANDARDIZED_DOMAIN_PARAMETERS: "standardizedDomainParameters",
        "1.0.10646.1.0.8": "UTF-8 (ISO/IEC 10646-1)",
        "1.2.840.113549.1.1.1": "rsaEncryption",
        "1.2.840.10045.2.1": "id-ecPublicKey",
        "1.2.840.10045.4.1": "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
    }
    for n, hash_name in enumerate(("SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "RIPEMD160"), 1):
        names[f"{_ECDSA_PLAIN}.{n}"] = f"ecdsa-plain-{hash_name}"
    for n, hash_name in enumerate(("SHA1", "SHA224", "SHA256", "SHA384", "SHA512"), 1):
        names[f"{ID_TA}.2.{n}"] = f"id-TA-ECDSA-{hash_name}"
    for n, suffix in enumerate(
        ("v1-5-SHA-1", "v1-5-SHA-256", "PSS-SHA-1", "PSS-SHA-256", "v1-5-SHA-512", "PSS-SHA-512"), 1
    ):
        names[f"{ID_TA}.1.{n}"] = f"id-TA-RSA-{suffix}"
    for arc, kind in ((1, "DH"), (2, "ECDH")):
        for n, cipher in _CIPHERS.items():
            names[f"{ID_CA}.{arc}.{n}"] = f"id-CA-{kind}-{cipher}"
    for arc, kind in ((1, "DH-GM"), (2, "ECDH-GM"), (3, "DH-IM"), (4, "ECDH-IM"), (6, "ECDH-CAM")):
        names[f"{ID_PACE}.{arc}"] = f"id-PACE-{kind}"
        for n, cipher in _CIPHERS.items():
            if arc == 6 and n == 1:
                continue  # PACE-CAM is defined for AES only (ICAO 9303-11 §9.2.1)
            names[f"{ID_PACE}.{arc}.{n}"] = f"id-PACE-{kind}-{cipher}"
    return names


OID_NAMES: dict[str, str] = _build()
"""Dotted OID -> readable name."""

STANDARDIZED_PARAMETER_NAMES: dict[int, str] = {
    0: "MODP-1024-160 (RFC 5114)",
    1: "MODP-2048-224 (RFC 5114)",
    2: "MODP-2048-256 (RFC 5114)",
    8: "secp192r1",
    9: "brainpoolP192r1",
    10: "secp224r1",
    11: "brainpoolP224r1",
    12: "secp256r1",
    13: "brainpoolP256r1",
    14: "brainpoolP320r1",
    15: "secp384r1",
    16: "brainpoolP384r1",
    17: "brainpoolP512r1",
    18: "secp521r1",
}
"""Standardized domain parameter ids (ICAO 9303-11 §9.5.1, Table 6)."""


def oid_name(oid: str) -> str:
    """Readable name of a dotted OID.

    ``"0.4.0.127.0.7.2.2.4.2.2"`` -> ``"id-PACE-ECDH-GM-AES-CBC-CMAC-128"``.

    Unknown OIDs are returned unchanged.
    """
    return OID_NAMES.get(oid, oid)
