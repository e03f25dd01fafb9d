"""The ICAO 9303-11 §9.7.1 key derivation function.

``KDF(K, c) = H(K || c)`` truncated, with ``c`` a 32-bit big-endian counter:
1 for K_Enc, 2 for K_MAC, 3 for the PACE password key K_π. SHA-1 serves 3DES
and AES-128, SHA-256 serves AES-192 and AES-256 (§9.7.1.1, §9.7.1.2). 3DES keys
(two-key, K1 || K2) get their DES parity bits adjusted (§9.7.1.1, App. D.1).
"""

from __future__ import annotations

import hashlib

from chipid.errors import UnsupportedError

__all__ = ["COUNTER_ENC", "COUNTER_MAC", "COUNTER_PACE", "adjust_parity", "kdf", "session_keys"]

COUNTER_ENC = 1
COUNTER_MAC = 2
COUNTER_PACE = 3


def adjust_parity(key: bytes) -> bytes:
    """Set the least significant bit of every byte so each byte has odd parity (DES keys)."""
    out = bytearray()
    for b in key:
        high = b & 0xFE
        out.append(high | ((bin(high).count("1") + 1) & 1))
    return bytes(out)


def kdf(shared_secret: bytes, counter: int, cipher: str, key_bits: int) -> bytes:
    """Derive a key as in ICAO 9303-11 §9.7.1.

    Args:
        shared_secret: the input K (key seed, PACE password f(π) or shared secret).
        counter: 1 (encryption), 2 (MAC) or 3 (PACE password).
        cipher: ``"3DES"`` or ``"AES"``.
        key_bits: 112 for 3DES (two-key; also accepted: 128, 168, 192); 128, 192 or 256 for AES.

    Returns:
        16 bytes (parity-adjusted K1 || K2) for 3DES, key_bits / 8 bytes for AES.

    Raises:
        UnsupportedError: for another cipher or key size.
    """
    data = shared_secret + counter.to_bytes(4, "big")
    if cipher == "3DES" and key_bits in (112, 128, 168, 192):
        return adjust_parity(hashlib.sha1(data).digest()[:16])  # noqa: S324 - mandated by 9303
    if cipher == "AES" and key_bits == 128:
        return hashlib.sha1(data).digest()[:16]  # noqa: S324 - mandated by 9303
    if cipher == "AES" and key_bits in (192, 256):
        return hashlib.sha256(data).digest()[: key_bits // 8]
    raise UnsupportedError(f"no ICAO KDF for {cipher}-{key_bits}")


def session_keys(shared_secret: bytes, cipher: str, key_bits: int) -> tuple[bytes, bytes]:
    """Return ``(KS_Enc, KS_MAC)`` derived from one shared secret (counters 1 and 2)."""
    return (kdf(shared_secret, COUNTER_ENC, cipher, key_bits),
            kdf(shared_secret, COUNTER_MAC, cipher, key_bits))
