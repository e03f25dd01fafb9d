"""AES primitives for AES secure messaging and PACE.

ICAO 9303-11 §9.8.6.2 (AES SM): "Encryption: AES [FIPS 197] in CBC mode ... with IV =
E(KSenc, SSC)"; "Message authentication: AES in CMAC mode [SP 800-38B] with a MAC length
of 8 bytes". Keys are 16, 24 or 32 bytes. CBC functions take whole blocks (no padding).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from chipid.errors import SecureMessagingError
from chipid.sm._stream import CBCStream

__all__ = ["BLOCK", "aes_cbc_decrypt", "aes_cbc_encrypt", "aes_ecb_encrypt", "cmac"]

BLOCK = 16
"""AES block size in bytes."""

_ZERO_IV = bytes(BLOCK)


@lru_cache(maxsize=32)
def _algorithm(key: bytes) -> algorithms.AES:
    if len(key) not in (16, 24, 32):
        raise SecureMessagingError(f"AES key must be 16, 24 or 32 bytes, got {len(key)}")
    return algorithms.AES(key)


@lru_cache(maxsize=32)
def _stream(key: bytes) -> CBCStream:
    return CBCStream(_algorithm(key), BLOCK, "AES")


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = _ZERO_IV) -> bytes:
    """Encrypt whole blocks with AES-CBC (no padding is added)."""
    return _stream(bytes(key)).encrypt(data, iv)


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = _ZERO_IV) -> bytes:
    """Decrypt whole blocks with AES-CBC (padding is left in place)."""
    return _stream(bytes(key)).decrypt(data, iv)


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    """Encrypt one or more whole blocks with AES-ECB (used for the SM IV, E(KSenc, SSC))."""
    stream = _stream(bytes(key))
    if len(block) % BLOCK:
        return stream.encrypt(block, _ZERO_IV)  # raises the partial-block error
    # ECB of each block = CBC of that block alone under a zero IV
    return b"".join(stream.encrypt(block[i : i + BLOCK], _ZERO_IV) for i in range(0, len(block), BLOCK))


def cmac(key: bytes, data: bytes, length: int = 8) -> bytes:
    """AES-CMAC (NIST SP 800-38B) truncated to its first ``length`` bytes.

    ``data`` is used as given: ICAO SM pads before MACing, PACE token MACs do not.
    """
    if not 1 <= length <= BLOCK:
        raise SecureMessagingError(f"CMAC length must be 1..16, got {length}")
    mac = CMAC(_algorithm(bytes(key)))
    mac.update(data)
    return mac.finalize()[:length]
