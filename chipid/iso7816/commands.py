"""Pure builders of the ISO/IEC 7816-4 and ICAO 9303 commands an eMRTD reader sends.

Each function returns a :class:`~chipid.iso7816.apdu.CommandAPDU`; nothing is sent.
References: ISO/IEC 7816-4 §11 (basic interindustry commands), ICAO 9303-10 §3.5 (file
selection and reading), ICAO 9303-11 §4.3 (BAC), §4.4 (PACE), §6.2 (Chip Authentication),
BSI TR-03110-3 B.11 (MSE and GENERAL AUTHENTICATE).
"""

from __future__ import annotations

from chipid.errors import ParseError
from chipid.iso7816.apdu import CommandAPDU
from chipid.iso7816.tlv import encode_tlv

__all__ = [
    "external_authenticate",
    "general_authenticate",
    "get_challenge",
    "internal_authenticate",
    "mse_set_at",
    "mse_set_kat",
    "read_binary",
    "read_binary_odd",
    "read_binary_sfi",
    "select_aid",
    "select_fid",
    "select_mf",
]

_MSE_P1P2 = {"pace": (0xC1, 0xA4), "ca": (0x41, 0xA4), "ta": (0x81, 0xA4), "dst": (0x81, 0xB6)}


def _check(cond: bool, message: str, path: str) -> None:
    if not cond:
        raise ParseError(message, path=path)


def _int_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _p2_ne(p2: int) -> int | None:
    # P2 = 0C: no response data; otherwise the FCI/FCP/FMD template comes back.
    return None if p2 & 0x0C == 0x0C else 256


def select_mf() -> CommandAPDU:
    """SELECT the master file: ``00 A4 00 0C 02 3F00`` (ISO/IEC 7816-4 §11.2.2, P1 = 00)."""
    return CommandAPDU(0x00, 0xA4, 0x00, 0x0C, b"\x3f\x00")


def select_fid(fid: int, *, p2: int = 0x0C) -> CommandAPDU:
    """SELECT an EF by file identifier: ``00 A4 02 0C 02 <fid>`` (ICAO 9303-10 §3.5.1)."""
    _check(0 <= fid <= 0xFFFF, f"FID out of range: {fid}", "SELECT > FID")
    return CommandAPDU(0x00, 0xA4, 0x02, p2, fid.to_bytes(2, "big"), ne=_p2_ne(p2))


def select_aid(aid: bytes, *, p2: int = 0x0C) -> CommandAPDU:
    """SELECT an application by DF name (AID): ``00 A4 04 0C Lc <aid>``."""
    _check(1 <= len(aid) <= 16, f"AID must be 1..16 bytes, got {len(aid)}", "SELECT > AID")
    return CommandAPDU(0x00, 0xA4, 0x04, p2, bytes(aid), ne=_p2_ne(p2))


def read_binary(offset: int, ne: int) -> CommandAPDU:
    """READ BINARY of the current EF, offset in P1-P2 (15 bits): ``00 B0 P1 P2 Le``."""
    _check(0 <= offset <= 0x7FFF, f"offset {offset} needs READ BINARY with odd INS", "READ BINARY > offset")
    return CommandAPDU(0x00, 0xB0, offset >> 8, offset & 0xFF, ne=ne)


def read_binary_sfi(sfi: int, offset: int, ne: int) -> CommandAPDU:
    """READ BINARY with a short file identifier: P1 = ``80 | sfi``, P2 = offset (0..255)."""
    _check(1 <= sfi <= 30, f"SFI must be 1..30, got {sfi}", "READ BINARY > SFI")
    _check(0 <= offset <= 0xFF, f"SFI offset must be 0..255, got {offset}", "READ BINARY > offset")
    return CommandAPDU(0x00, 0xB0, 0x80 | sfi, offset, ne=ne)


def read_binary_odd(offset: int, ne: int) -> CommandAPDU:
    """READ BINARY with odd INS ``B1``: offset in DO'54' (ISO/IEC 7816-4 §11.3.3).

    Used for offsets above 32767 (ICAO 9303-10 §3.5.2). The answer is wrapped in DO'53'.
    """
    _check(0 <= offset <= 0xFFFFFF, f"offset out of range: {offset}", "READ BINARY > offset")
    size = 2 if offset <= 0xFFFF else 3
    return CommandAPDU(0x00, 0xB1, 0x00, 0x00, encode_tlv(0x54, offset.to_bytes(size, "big")), ne=ne)


def get_challenge(ne: int = 8) -> CommandAPDU:
    """GET CHALLENGE: ``00 84 00 00 08`` (ICAO 9303-11 §4.3, BAC step 1)."""
    return CommandAPDU(0x00, 0x84, 0x00, 0x00, ne=ne)


def external_authenticate(data: bytes, ne: int = 40) -> CommandAPDU:
    """EXTERNAL AUTHENTICATE (BAC's MUTUAL AUTHENTICATE): ``00 82 00 00 Lc data Le``."""
    return CommandAPDU(0x00, 0x82, 0x00, 0x00, bytes(data), ne=ne)


def internal_authenticate(data: bytes, ne: int = 256) -> CommandAPDU:
    """INTERNAL AUTHENTICATE (Active Authentication, ICAO 9303-11 §6.1): ``00 88 00 00``."""
    return CommandAPDU(0x00, 0x88, 0x00, 0x00, bytes(data), ne=ne)


def mse_set_at(
    oid: bytes,
    *,
    key_ref: int | bytes | None = None,
    private_key_ref: int | None = None,
    purpose: str = "pace",
) -> CommandAPDU:
    """MSE:Set AT (``00 22 P1P2``) selecting a protocol (BSI TR-03110-3 B.11.1).

    Args:
        oid: the protocol OID's content bytes (DO'80'), e.g. ``04 00 7F 00 07 02 02 04 02 02``.
        key_ref: DO'83': for PACE the password reference (1 = MRZ, 2 = CAN, 3 = PIN,
            4 = PUK); for TA (``purpose="ta"``/``"dst"``) the key name as bytes.
        private_key_ref: DO'84': PACE standardized domain parameter id, or CA key id.
        purpose: ``"pace"`` (P1P2 C1A4), ``"ca"`` (41A4), ``"ta"`` (81A4) or
            ``"dst"`` (81B6, MSE:Set DST for TA certificate verification).
    """
    _check(purpose in _MSE_P1P2, f"unknown MSE purpose {purpose!r}", "MSE > purpose")
    p1, p2 = _MSE_P1P2[purpose]
    body = encode_tlv(0x80, bytes(oid)) if oid else b""
    if key_ref is not None:
        body += encode_tlv(0x83, key_ref if isinstance(key_ref, bytes) else _int_bytes(key_ref))
    if private_key_ref is not None:
        body += encode_tlv(0x84, _int_bytes(private_key_ref))
    return CommandAPDU(0x00, 0x22, p1, p2, body)


def mse_set_kat(ephemeral_public_key: bytes, key_id: int | None = None) -> CommandAPDU:
    """MSE:Set KAT for Chip Authentication with 3DES (ICAO 9303-11 §6.2.3.1): ``00 22 41 A6``.

    DO'91' carries the terminal's ephemeral public key, DO'84' the chip key id when several.
    """
    body = encode_tlv(0x91, bytes(ephemeral_public_key))
    if key_id is not None:
        body += encode_tlv(0x84, _int_bytes(key_id))
    return CommandAPDU(0x00, 0x22, 0x41, 0xA6, body)


def general_authenticate(dynamic_data: bytes, *, last: bool = True, ne: int = 256) -> CommandAPDU:
    """GENERAL AUTHENTICATE (``86``) with the dynamic authentication data DO'7C'.

    ICAO 9303-11 §4.4.4: every step but the last is sent with command chaining
    (CLA ``10``); ``dynamic_data`` is the content of DO'7C' (e.g. ``81 41 04...``).
    """
    return CommandAPDU(0x00 if last else 0x10, 0x86, 0x00, 0x00, encode_tlv(0x7C, bytes(dynamic_data)), ne=ne)
