"""Chip-side symmetric primitives: ISO 9797-1 padding, 3DES, retail MAC, AES, CMAC, the 9303 KDF.

The virtual chip is the independent oracle for the reader-side protocol code, so it
carries its own thin layer over ``cryptography`` instead of importing ``chipid.sm``.

ICAO 9303-11 §9.7.1 (KDF), §9.8.6.1 (3DES: ISO/IEC 9797-1 MAC algorithm 3, padding method 2),
§9.8.6.2 (AES: CBC encryption, CMAC truncated to 8 bytes).
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

__all__ = [
    "aes_cbc",
    "aes_ecb_encrypt",
    "aes_cmac8",
    "cipher_of",
    "des3_cbc",
    "kdf",
    "pad",
    "retail_mac",
    "unpad",
]


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2: append 0x80 then zeros up to a block boundary."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def unpad(data: bytes) -> bytes:
    """Remove ISO/IEC 9797-1 method 2 padding. Raises ValueError when it is malformed."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise ValueError("bad ISO 9797-1 padding")
    return stripped[:-1]


def _k1k2k1(key: bytes) -> bytes:
    return key + key[:8] if len(key) == 16 else key


def des3_cbc(key: bytes, data: bytes, *, decrypt: bool = False, iv: bytes = bytes(8)) -> bytes:
    """Two-key 3DES in CBC mode (K1K2K1, 24-byte key for ``cryptography``)."""
    cipher = Cipher(TripleDES(_k1k2k1(key)), modes.CBC(iv))
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(data) + ctx.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with padding method 2; 8-byte result."""
    padded = pad(data, 8)
    k1, k2 = key[:8], key[8:16]
    enc = Cipher(TripleDES(k1 + k1 + k1), modes.CBC(bytes(8))).encryptor()
    h = (enc.update(padded) + enc.finalize())[-8:]
    dec = Cipher(TripleDES(k2 + k2 + k2), modes.ECB()).decryptor()  # noqa: S305 - single-block use mandated by 9303
    h = dec.update(h) + dec.finalize()
    enc2 = Cipher(TripleDES(k1 + k1 + k1), modes.ECB()).encryptor()  # noqa: S305 - single-block use mandated by 9303
    return enc2.update(h) + enc2.finalize()


def aes_cbc(key: bytes, data: bytes, *, iv: bytes, decrypt: bool = False) -> bytes:
    """AES in CBC mode without padding (the caller pads)."""
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(data) + ctx.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    """Encrypt one block with AES-ECB (used for the SM IV: E(KSenc, SSC))."""
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - single-block use mandated by 9303
    return enc.update(block) + enc.finalize()


def aes_cmac8(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes (ICAO 9303-11 §9.8.6.2)."""
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:8]


def _parity(key: bytes) -> bytes:
    return bytes((b & 0xFE) | (bin(b >> 1).count("1") + 1) % 2 for b in key)


def cipher_of(oid: str) -> tuple[str, int]:
    """(cipher, key length) of a PACE/CA protocol OID's last arc (ICAO 9303-11 §9.2.1, §9.2.3).

    1 = 3DES, 2 = AES-128, 3 = AES-192, 4 = AES-256. Raises ValueError for another arc.
    """
    last = int(oid.rsplit(".", 1)[1])
    table = {1: ("3DES", 16), 2: ("AES", 16), 3: ("AES", 24), 4: ("AES", 32)}
    if last not in table:
        raise ValueError(f"unknown cipher arc in {oid}")
    return table[last]


def kdf(secret: bytes, counter: int, *, cipher: str, key_len: int = 16) -> bytes:
    """ICAO 9303-11 §9.7.1 key derivation: H(K || c) truncated, DES parity adjusted for 3DES.

    Args:
        secret: the shared secret K (or the key seed).
        counter: 1 for KSenc, 2 for KSmac, 3 for the PACE password key K_pi.
        cipher: ``"3DES"`` or ``"AES"``.
        key_len: 16, 24 or 32 for AES; ignored for 3DES (always 16).
    """
    data = secret + counter.to_bytes(4, "big")
    if cipher == "3DES":
        return _parity(hashlib.sha1(data).digest()[:16])  # noqa: S324 - mandated by ICAO 9303
    if key_len == 16:
        return hashlib.sha1(data).digest()[:16]  # noqa: S324 - mandated by ICAO 9303
    return hashlib.sha256(data).digest()[:key_len]
