"""ISO/IEC 9797-1 padding method 2, as used by ICAO 9303 secure messaging.

ICAO 9303-11 §9.8.2 and §9.8.6: "the data ... is padded according to ISO/IEC 9797-1
padding method 2": a mandatory ``0x80`` byte, then ``0x00`` bytes up to a multiple of the
block size (8 for 3DES, 16 for AES).
"""

from __future__ import annotations

from chipid.errors import SecureMessagingError

__all__ = ["pad", "unpad"]


def pad(data: bytes, block: int) -> bytes:
    """Pad ``data`` with ``0x80`` then zeros to a multiple of ``block`` bytes.

    Args:
        data: the bytes to pad (may be empty; a full block of padding is then added).
        block: the cipher block size in bytes (8 or 16).

    Returns:
        The padded bytes; always at least one byte longer than ``data``.
    """
    if block <= 0:
        raise SecureMessagingError(f"invalid padding block size {block}")
    zeros = (block - 1 - len(data)) % block
    return data + b"\x80" + bytes(zeros)


def unpad(data: bytes) -> bytes:
    """Remove ISO/IEC 9797-1 method 2 padding.

    Args:
        data: padded bytes (the last non-zero byte must be ``0x80``).

    Returns:
        The data without its padding.

    Raises:
        SecureMessagingError: no ``0x80`` marker, or a non-zero byte after it.
    """
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise SecureMessagingError("bad ISO/IEC 9797-1 method 2 padding")
    return stripped[:-1]
