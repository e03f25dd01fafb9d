"""Reusable CBC contexts: one key schedule and one OpenSSL context per key, not per call.

Creating a ``Cipher(...).encryptor()`` costs several microseconds, more than encrypting a
whole SM payload. A CBC context that is never finalized keeps chaining from its last
ciphertext block ``C_last``; feeding ``P1 xor IV xor C_last`` as the first block gives exactly
``E(P1 xor IV)``, i.e. a fresh CBC encryption under any IV. Decryption is corrected the same
way on the first output block. The arithmetic is plain CBC (NIST SP 800-38A §6.2); the cipher
work is done by ``cryptography``. A lock keeps each context consistent across threads.
"""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, modes

from chipid.errors import SecureMessagingError

__all__ = ["CBCStream"]


def _xor3(a: bytes, b: bytes, c: bytes) -> bytes:
    n = len(a)
    value = int.from_bytes(a, "big") ^ int.from_bytes(b, "big") ^ int.from_bytes(c, "big")
    return value.to_bytes(n, "big")


class CBCStream:
    """CBC encryption and decryption under one key with per-call IVs (whole blocks only).

    ``name`` (``"AES"``, ``"3DES"``) labels the :class:`SecureMessagingError` raised for data that is not
    whole blocks or an IV of the wrong size.
    """

    def __init__(self, algorithm: Any, block: int, name: str) -> None:
        zero = bytes(block)
        self._block = block
        self._name = name
        self._enc = Cipher(algorithm, modes.CBC(zero)).encryptor()
        self._dec = Cipher(algorithm, modes.CBC(zero)).decryptor()
        self._enc_last = zero
        self._dec_last = zero
        self._lock = threading.Lock()

    def _blocks(self, data: bytes, iv: bytes) -> int:
        """Number of whole blocks in ``data``.

        Raises:
            SecureMessagingError: a partial block, or an IV that is not one block.
        """
        if len(data) % self._block:
            raise SecureMessagingError(f"{self._name} data length {len(data)} is not a multiple of {self._block}")
        if len(iv) != self._block:
            raise SecureMessagingError(f"{self._name} IV must be {self._block} bytes, got {len(iv)}")
        return len(data) // self._block

    def encrypt(self, data: bytes, iv: bytes) -> bytes:
        """CBC-encrypt whole blocks under ``iv`` (empty in, empty out; errors as :meth:`_blocks`)."""
        if not self._blocks(data, iv):
            return b""
        b = self._block
        with self._lock:
            first = _xor3(data[:b], iv, self._enc_last)
            out: bytes = self._enc.update(first + data[b:])
            self._enc_last = out[-b:]
        return out

    def decrypt(self, data: bytes, iv: bytes) -> bytes:
        """CBC-decrypt whole blocks under ``iv`` (empty in, empty out; errors as :meth:`_blocks`)."""
        if not self._blocks(data, iv):
            return b""
        b = self._block
        with self._lock:
            out: bytes = self._dec.update(data)
            prev = self._dec_last
            self._dec_last = data[-b:]
        return _xor3(out[:b], prev, iv) + out[b:]
