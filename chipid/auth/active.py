"""Active Authentication (ICAO 9303-11 §6.1): the chip proves it holds the private key of DG15.

§6.1.2: the terminal sends a random 8-byte challenge RND.IFD in INTERNAL AUTHENTICATE; the chip signs it.

* RSA: ISO/IEC 9796-2 digital signature scheme 1 (message recovery). The recovered representative is
  ``header 6A || M1 || H || trailer`` where H = hash(M1 || RND.IFD); trailer ``BC`` means SHA-1, ``xx CC``
  names the hash (9796-2 §B: 33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384, 38 SHA-224).
* ECDSA: the hash comes from ActiveAuthenticationInfo.signatureAlgorithm (DG14, §9.2.5); the signature is
  plain r || s (BSI TR-03111 §5.2.1) or, from some chips, DER.

A fresh challenge each time makes a replayed old signature fail. The result counts only if Passive
Authentication vouched for DG15 (``dg15_authenticated``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from chipid.errors import ActiveAuthError, ChipIDError, ParseError, SecureMessagingError, StatusWordError
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.commands import internal_authenticate
from chipid.pki.keys import ExplicitECKey, SignatureSpec, VerifyKey, load_public_key, verify_signature
from chipid.report import CHECK_AA, CheckResult, CheckStatus
from chipid.sm.channel import SM_SESSION_LOST, session_lost
from chipid.transport.base import Transport

__all__ = ["AA_HASH_BY_OID", "ISO9796_HASH_IDS", "perform_active_auth", "verify_aa_signature"]

ISO9796_HASH_IDS: dict[int, str] = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
"""ISO/IEC 9796-2 hash identifiers of the two-byte trailer ``xx CC``."""

_PLAIN = "0.4.0.127.0.7.1.1.4.1"
AA_HASH_BY_OID: dict[str, str] = {
    f"{_PLAIN}.1": "sha1",
    f"{_PLAIN}.2": "sha224",
    f"{_PLAIN}.3": "sha256",
    f"{_PLAIN}.4": "sha384",
    f"{_PLAIN}.5": "sha512",
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
"""ECDSA signature algorithm OIDs of ActiveAuthenticationInfo (BSI plain and X9.62) -> hash."""

_CHALLENGE_LENGTH = 8


def _verify_iso9796_2(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> None:
    numbers = key.public_numbers()
    k = (numbers.n.bit_length() + 7) // 8
    s = int.from_bytes(signature, "big")
    if len(signature) > k or s >= numbers.n:
        raise ActiveAuthError("RSA signature is longer than the modulus")
    m = pow(s, numbers.e, numbers.n)
    if m & 0xF != 0xC:  # ISO/IEC 9796-2 §B.6: the representative may be n - m
        m = numbers.n - m
    rep = m.to_bytes(k, "big")
    if rep[-1] == 0xBC:
        hash_name, trailer = "sha1", 1
    elif rep[-1] == 0xCC and rep[-2] in ISO9796_HASH_IDS:
        hash_name, trailer = ISO9796_HASH_IDS[rep[-2]], 2
    else:
        raise ActiveAuthError(f"ISO/IEC 9796-2 trailer {rep[-2:].hex()} unknown: not a signature of this key")
    if rep[0] not in (0x6A, 0x4A):
        raise ActiveAuthError(f"ISO/IEC 9796-2 header {rep[0]:02x} is not 6A/4A: not a signature of this key")
    hlen = hashlib.new(hash_name).digest_size
    m1 = rep[1 : k - hlen - trailer]
    recovered_hash = rep[k - hlen - trailer : k - trailer]
    message = m1 + challenge if rep[0] == 0x6A else m1
    if rep[0] == 0x4A and not m1.endswith(challenge):
        raise ActiveAuthError("fully recovered message does not contain the challenge")
    if not hmac.compare_digest(hashlib.new(hash_name, message).digest(), recovered_hash):
        raise ActiveAuthError(f"ISO/IEC 9796-2 {hash_name} hash does not match M1 || challenge")


def _ecdsa_candidates(signature: bytes, size: int) -> list[bytes]:
    candidates = []
    if len(signature) == 2 * size:
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        candidates.append(encode_dss_signature(r, s))
    if signature[:1] == b"\x30":
        candidates.append(signature)
    return candidates


def verify_aa_signature(
    public_key: VerifyKey | bytes,
    challenge: bytes,
    signature: bytes,
    *,
    signature_algorithm_oid: str | None = None,
) -> str:
    """Verify an Active Authentication signature over ``challenge`` (pure; ICAO 9303-11 §6.1.2).

    Args:
        public_key: the DG15 key (a loaded key or its SubjectPublicKeyInfo DER).
        challenge: the RND.IFD sent in INTERNAL AUTHENTICATE.
        signature: the chip's response data.
        signature_algorithm_oid: ActiveAuthenticationInfo.signatureAlgorithm (ECDSA only); without it
            the standard hashes are tried in turn.

    Returns:
        A description of the verified scheme, e.g. ``"ISO/IEC 9796-2 RSA"`` or ``"ECDSA/sha256 plain"``.

    Raises:
        ActiveAuthError: the signature does not verify. ParseError: unusable key.
        UnsupportedError: unknown signature algorithm OID.
    """
    key = (
        load_public_key(public_key, path="DG15 > SubjectPublicKeyInfo") if isinstance(public_key, bytes) else public_key
    )
    if isinstance(key, rsa.RSAPublicKey):
        _verify_iso9796_2(key, challenge, signature)
        return "ISO/IEC 9796-2 RSA"
    if signature_algorithm_oid is not None:
        if signature_algorithm_oid not in AA_HASH_BY_OID:
            raise ActiveAuthError(f"AA signature algorithm {signature_algorithm_oid} is not ECDSA")
        hash_names = [AA_HASH_BY_OID[signature_algorithm_oid]]
    else:
        hash_names = ["sha256", "sha1", "sha224", "sha384", "sha512"]
    size = key.curve.size if isinstance(key, ExplicitECKey) else (key.curve.key_size + 7) // 8
    assert isinstance(key, ec.EllipticCurvePublicKey | ExplicitECKey)
    for der in _ecdsa_candidates(signature, size):
        for hash_name in hash_names:
            if verify_signature(key, der, challenge, SignatureSpec("ecdsa", hash_name)):
                form = "DER" if der is signature else "plain"
                return f"ECDSA/{hash_name} {form}"
    raise ActiveAuthError(f"ECDSA signature ({len(signature)} bytes) does not verify with the DG15 key")


def perform_active_auth(
    transport: Transport,
    dg15: bytes,
    *,
    aa_info: Any = None,
    rng: Callable[[int], bytes] = os.urandom,
    dg15_authenticated: bool = True,
) -> CheckResult:
    """Run Active Authentication and report it as a CheckResult named ``active_authentication``.

    Args:
        transport: the secure channel (AA runs after BAC/PACE).
        dg15: the DG15 file bytes (``6F`` + SubjectPublicKeyInfo).
        aa_info: the DG14 ActiveAuthenticationInfo (``.signature_algorithm`` dotted OID) for ECDSA keys.
        rng: the challenge source (8 bytes per call), injectable for tests.
        dg15_authenticated: whether Passive Authentication vouched for DG15; if not, AA is not run.

    Raises:
        TransportError: the link failed (the reader decides); everything else becomes a FAILED check.
    """
    if not dg15_authenticated:
        return CheckResult(CHECK_AA, CheckStatus.NOT_PERFORMED, "DG15 is not authenticated by Passive Authentication")
    try:
        if dg15[:1] != b"\x6f":
            raise ParseError("DG15 must start with tag 6F", path="DG15")
        key = load_public_key(_tlv_value(dg15), path="DG15 > SubjectPublicKeyInfo")
    except ChipIDError as err:
        return CheckResult(CHECK_AA, CheckStatus.FAILED, f"DG15 key unusable: {err}")
    challenge = rng(_CHALLENGE_LENGTH)
    command = internal_authenticate(challenge)
    try:
        response = ResponseAPDU.from_bytes(transport.transmit(command.to_bytes())).check(command.ins)
    except (StatusWordError, SecureMessagingError, ParseError) as err:
        if isinstance(err, StatusWordError) and err.sw in SM_SESSION_LOST:
            # the chip could not verify our protected command under keys a clone knows as well: the session
            # was lost (another application, a reset), which says nothing about the chip
            raise session_lost(err.sw, "INTERNAL AUTHENTICATE") from err
        return CheckResult(CHECK_AA, CheckStatus.FAILED, f"INTERNAL AUTHENTICATE failed: {err}")
    oid = getattr(aa_info, "signature_algorithm", None)
    try:
        scheme = verify_aa_signature(key, challenge, response.data, signature_algorithm_oid=oid)
    except ChipIDError as err:
        return CheckResult(CHECK_AA, CheckStatus.FAILED, f"chip did not prove the DG15 key: {err}")
    return CheckResult(CHECK_AA, CheckStatus.PASSED, f"chip signed a fresh challenge ({scheme})", {"scheme": scheme})


def _tlv_value(data: bytes) -> bytes:
    """The value of a single BER-TLV with a one-byte tag (DG15's ``6F``)."""
    if len(data) < 2:
        raise ParseError("truncated", path="DG15")
    first = data[1]
    if first < 0x80:
        start, length = 2, first
    else:
        n = first & 0x7F
        if n == 0 or n > 3 or len(data) < 2 + n:
            raise ParseError("bad length", path="DG15")
        start, length = 2 + n, int.from_bytes(data[2 : 2 + n], "big")
    if len(data) < start + length:
        raise ParseError(f"value of {length} bytes truncated to {len(data) - start}", path="DG15")
    return data[start : start + length]
