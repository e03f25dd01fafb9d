"""Two-key triple DES and the ISO/IEC 9797-1 retail MAC used by BAC and 3DES secure messaging.

ICAO 9303-11 §9.8.6.1 (3DES SM): "Encryption: Two key 3DES in CBC mode with zero IV";
"Message authentication: ISO/IEC 9797-1 MAC algorithm 3 with block cipher DES, zero IV
(8 bytes), and ISO/IEC 9797-1 padding method 2".

All functions work on whole blocks: callers pad first (:func:`chipid.sm.padding.pad`).
Keys are 16 bytes (K1 K2, expanded to K1 K2 K1 for ``cryptography``) or 24 bytes.
DES parity bits are ignored by the cipher, so adjusted and unadjusted keys give the same result.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

from chipid.errors import SecureMessagingError
from chipid.sm._stream import CBCStream

__all__ = ["BLOCK", "des3_decrypt", "des3_encrypt", "expand_key", "retail_mac"]

BLOCK = 8
"""DES block size in bytes."""

_ZERO_IV = bytes(BLOCK)


def expand_key(key: bytes) -> bytes:
    """Return the 24-byte K1 K2 K1 form of a 16-byte key (24-byte keys pass through).

    Raises:
        SecureMessagingError: the key is neither 16 nor 24 bytes long.
    """
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 24:
        return key
    raise SecureMessagingError(f"3DES key must be 16 or 24 bytes, got {len(key)}")


@lru_cache(maxsize=32)
def _stream(key: bytes) -> CBCStream:
    return CBCStream(TripleDES(expand_key(key)), BLOCK, "3DES")


def des3_encrypt(key: bytes, data: bytes, iv: bytes = _ZERO_IV) -> bytes:
    """Encrypt whole blocks with 3DES-CBC (no padding is added).

    Args:
        key: 16-byte (K1 K2) or 24-byte key.
        data: plaintext, a multiple of 8 bytes.
        iv: initial vector, zero by default (ICAO 9303-11 §9.8.6.1).
    """
    return _stream(bytes(key)).encrypt(data, iv)


def des3_decrypt(key: bytes, data: bytes, iv: bytes = _ZERO_IV) -> bytes:
    """Decrypt whole blocks with 3DES-CBC (padding is left in place).

    Args:
        key: 16-byte (K1 K2) or 24-byte key.
        data: ciphertext, a multiple of 8 bytes.
        iv: initial vector, zero by default.
    """
    return _stream(bytes(key)).decrypt(data, iv)


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES, zero IV: 8 bytes.

    Convention: ``data`` must already be padded by the caller (ISO/IEC 9797-1 padding
    method 2 in ICAO 9303), so its length is a non-zero multiple of 8. The MAC is
    single-DES CBC with K1 over every block, then the last output is decrypted with K2 and
    encrypted again with K1; this equals DES-CBC(K1) over all blocks but the last, followed by
    one 3DES-EDE(K1, K2, K1) block.

    Args:
        key: 16-byte K1 K2 (or 24 bytes, of which K1 and K2 are used).
        data: padded message.

    Returns:
        The 8-byte MAC.
    """
    key = bytes(key)
    full = expand_key(key)
    if not data or len(data) % BLOCK:
        raise SecureMessagingError(f"retail MAC input length {len(data)} is not a non-zero multiple of 8")
    head, last = data[:-BLOCK], data[-BLOCK:]
    chain = _ZERO_IV
    if head:
        chain = _stream(full[:8] * 3).encrypt(head, _ZERO_IV)[-BLOCK:]
    return _stream(full[:16]).encrypt(last, chain)
