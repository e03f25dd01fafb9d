"""Pure PACE computations (ICAO 9303-11 §4.4.3), shared by the terminal and the virtual chip.

Nothing here talks to a card: nonce encryption (§4.4.3.3), key generation and key
agreement on a curve or MODP group (§9.6, BSI TR-03111), Generic Mapping (§4.4.3.3.1),
the public-key data object DO'7F49' (§9.4.5) and the authentication tokens
(§4.4.3.4). The Integrated Mapping lives in :mod:`chipid.access.pace_im`, the
Chip Authentication Mapping data in :mod:`chipid.access.pace_cam`.

Public keys are ``(x, y)`` tuples on a curve and ``int`` in a MODP group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto.core import ObjectIdentifier

from chipid.access.kdf import COUNTER_PACE, kdf
from chipid.access.keys import AccessKey
from chipid.access.pace_domain import Domain
from chipid.ecc.arith import Curve
from chipid.errors import ParseError, UnsupportedError
from chipid.iso7816.tlv import encode_tlv
from chipid.sm.aes import aes_cbc_decrypt, aes_cbc_encrypt, cmac
from chipid.sm.des3 import des3_decrypt, des3_encrypt, retail_mac
from chipid.sm.padding import pad

__all__ = [
    "ID_PACE",
    "PACEAlgorithm",
    "PublicKey",
    "agree",
    "auth_token",
    "block_encrypt",
    "decode_public_key",
    "decrypt_nonce",
    "encode_public_key",
    "encrypt_nonce",
    "generate_private_key",
    "map_generic",
    "pace_algorithm",
    "password_key",
    "public_key",
    "public_key_do",
    "shared_secret",
]

PublicKey = tuple[int, int] | int
"""A curve point ``(x, y)`` or a MODP group element."""

ID_PACE = "0.4.0.127.0.7.2.2.4"
"""id-PACE (BSI TR-03110 / ICAO 9303-11 §9.2.3); protocols are ``id-PACE.<kind>.<cipher>``."""

_KINDS = {1: ("DH", "GM"), 2: ("ECDH", "GM"), 3: ("DH", "IM"), 4: ("ECDH", "IM"), 6: ("ECDH", "CAM")}
_CIPHERS = {1: ("3DES", 112), 2: ("AES", 128), 3: ("AES", 192), 4: ("AES", 256)}


@dataclass(frozen=True)
class PACEAlgorithm:
    """One PACE protocol OID decoded (ICAO 9303-11 §4.4.3.1 tables 2 and 3).

    Attributes:
        oid: the dotted protocol OID, e.g. ``"0.4.0.127.0.7.2.2.4.2.2"``.
        agreement: ``"DH"`` or ``"ECDH"``.
        mapping: ``"GM"``, ``"IM"`` or ``"CAM"``.
        cipher: ``"3DES"`` or ``"AES"`` (secure messaging and tokens).
        key_bits: 112, 128, 192 or 256.
    """

    oid: str
    agreement: str
    mapping: str
    cipher: str
    key_bits: int

    @property
    def oid_bytes(self) -> bytes:
        """The DER content octets of the OID (DO'80' of MSE:Set AT, tag 06 of DO'7F49')."""
        return bytes(ObjectIdentifier(self.oid).contents)

    @property
    def block_size(self) -> int:
        return 8 if self.cipher == "3DES" else 16


def pace_algorithm(oid: str) -> PACEAlgorithm:
    """Decode a PACE protocol OID.

    Raises:
        UnsupportedError: not an id-PACE protocol OID of 9303-11 (e.g. DH-CAM or CAM-3DES).
    """
    prefix = ID_PACE + "."
    parts = oid[len(prefix) :].split(".") if oid.startswith(prefix) else []
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        kind, cipher = _KINDS.get(int(parts[0])), _CIPHERS.get(int(parts[1]))
        if kind and cipher and not (kind[1] == "CAM" and cipher[0] == "3DES"):
            return PACEAlgorithm(oid, kind[0], kind[1], cipher[0], cipher[1])
    raise UnsupportedError(f"unsupported PACE protocol {oid}", oid=oid)


# ---------------------------------------------------------------------- password and nonce
def password_key(key: AccessKey | bytes, algorithm: PACEAlgorithm) -> bytes:
    """K_π = KDF_π(f(π)) = KDF(f(π), 3) (ICAO 9303-11 §4.4.3.1, §9.7.3)."""
    secret = key if isinstance(key, bytes) else key.pace_password()
    return kdf(secret, COUNTER_PACE, algorithm.cipher, algorithm.key_bits)


def block_encrypt(key: bytes, data: bytes, cipher: str, iv: bytes | None = None) -> bytes:
    """CBC encryption with 3DES or AES, zero IV unless given (ISO/IEC 10116; no padding)."""
    if cipher == "3DES":
        return des3_encrypt(key, data, iv or bytes(8))
    return aes_cbc_encrypt(key, data, iv or bytes(16))


def _block_decrypt(key: bytes, data: bytes, cipher: str, iv: bytes | None = None) -> bytes:
    if cipher == "3DES":
        return des3_decrypt(key, data, iv or bytes(8))
    return aes_cbc_decrypt(key, data, iv or bytes(16))


def decrypt_nonce(k_pi: bytes, z: bytes, algorithm: PACEAlgorithm) -> bytes:
    """s = D(K_π, z): CBC with zero IV (ICAO 9303-11 §4.4.3.3).

    Raises:
        ParseError: ``z`` is empty or not a whole number of cipher blocks.
    """
    if not z or len(z) % algorithm.block_size:
        raise ParseError(f"encrypted nonce of {len(z)} bytes is not whole {algorithm.cipher} blocks",
                         path="GENERAL AUTHENTICATE > DO'80'")
    return _block_decrypt(k_pi, z, algorithm.cipher)


def encrypt_nonce(k_pi: bytes, s: bytes, algorithm: PACEAlgorithm) -> bytes:
    """z = E(K_π, s): the chip side of :func:`decrypt_nonce`."""
    return block_encrypt(k_pi, s, algorithm.cipher)


# ---------------------------------------------------------------------- keys and agreement
def generate_private_key(domain: Domain, rng: Callable[[int], bytes]) -> int:
    """A private key uniform in [1, n-1] (curve) or [1, q-1] (MODP subgroup)."""
    order = domain.n if isinstance(domain, Curve) else domain.q
    raw = rng((order.bit_length() + 7) // 8 + 8)
    return int.from_bytes(raw, "big") % (order - 1) + 1


def public_key(domain: Domain, private: int) -> PublicKey:
    """The public key of ``private`` on the domain's (possibly mapped) generator."""
    if isinstance(domain, Curve):
        point = domain.multiply(private)
        if point is None:
            raise ParseError("private key is a multiple of the group order", path="PACE private key")
        return point
    return pow(domain.g, private, domain.p)


def agree(domain: Domain, private: int, peer: PublicKey) -> PublicKey:
    """Anonymous DH: ``private · peer`` (the whole point for EC, used as H by GM).

    Raises:
        ParseError: an invalid peer key, or a trivial result.
    """
    if isinstance(domain, Curve):
        if not isinstance(peer, tuple):
            raise ParseError("expected a curve point", path="PACE public key")
        point = domain.multiply(private, domain.validate(peer))
        if point is None:
            raise ParseError("key agreement gave the point at infinity", path="PACE shared secret")
        return point
    if not isinstance(peer, int):
        raise ParseError("expected a group element", path="PACE public key")
    return domain.validate(pow(domain.validate(peer), private, domain.p))


def shared_secret(domain: Domain, private: int, peer: PublicKey) -> bytes:
    """K of ICAO 9303-11 §4.4.1 3c: the x-coordinate (ECKA, FE2OS) or the group element, as bytes."""
    if isinstance(domain, Curve):
        if not isinstance(peer, tuple):
            raise ParseError("expected a curve point", path="PACE public key")
        return domain.shared_x(private, peer).to_bytes(domain.size, "big")
    result = agree(domain, private, peer)
    if isinstance(result, tuple):  # pragma: no cover - a DH group gives an int
        raise ParseError("unexpected point", path="PACE shared secret")
    return result.to_bytes(domain.size, "big")


def map_generic(domain: Domain, s: bytes, h: PublicKey) -> Domain:
    """Generic Mapping (ICAO 9303-11 §4.4.3.3.1): Ĝ = s·G + H, or ĝ = g^s · h mod p.

    Args:
        domain: the static domain parameters.
        s: the decrypted nonce.
        h: the mapping key-agreement result (:func:`agree`).

    Returns:
        The ephemeral domain parameters with the mapped generator.

    Raises:
        ParseError: the mapped generator is invalid (infinity, or 1).
    """
    s_int = int.from_bytes(s, "big")
    if isinstance(domain, Curve):
        if not isinstance(h, tuple):
            raise ParseError("expected a curve point", path="PACE mapping H")
        return domain.with_generator(domain.add(domain.multiply(s_int), domain.validate(h)))
    if not isinstance(h, int):
        raise ParseError("expected a group element", path="PACE mapping h")
    return domain.with_generator(pow(domain.g, s_int, domain.p) * domain.validate(h) % domain.p)


# ---------------------------------------------------------------------- encodings and tokens
def encode_public_key(domain: Domain, key: PublicKey) -> bytes:
    """Wire form of a public key (§4.4.5.2.1): uncompressed point, or unsigned integer on |p| bytes."""
    if isinstance(domain, Curve):
        if not isinstance(key, tuple):
            raise ParseError("expected a curve point", path="PACE public key")
        return domain.encode_point(key)
    if not isinstance(key, int):
        raise ParseError("expected a group element", path="PACE public key")
    return domain.encode(key)


def decode_public_key(domain: Domain, data: bytes) -> PublicKey:
    """Decode and validate a received public key.

    Raises:
        ParseError: wrong encoding, point not on the curve, infinity, value outside the subgroup.
    """
    if isinstance(domain, Curve):
        return domain.decode_point(data)
    return domain.decode(data)


def public_key_do(oid: str, domain: Domain, key: PublicKey) -> bytes:
    """DO'7F49' (ICAO 9303-11 §9.4.5) with the protocol OID (tag 06) and the key only.

    The key is tag 86 (EC point) or 84 (DH public value y); domain parameters are
    left out, as the authentication token requires (§4.4.3.4).
    """
    tag = 0x86 if isinstance(domain, Curve) else 0x84
    body = encode_tlv(0x06, bytes(ObjectIdentifier(oid).contents))
    body += encode_tlv(tag, encode_public_key(domain, key))
    return encode_tlv(0x7F49, body)


def auth_token(ks_mac: bytes, algorithm: PACEAlgorithm, domain: Domain, key: PublicKey) -> bytes:
    """Authentication token T = MAC(KS_MAC, DO'7F49'(key)) (ICAO 9303-11 §4.4.3.4).

    T_IFD is computed over the chip's ephemeral key, T_IC over the terminal's.
    3DES: retail MAC (ISO/IEC 9797-1 algorithm 3, padding method 2); AES: CMAC, 8 bytes.
    """
    data = public_key_do(algorithm.oid, domain, key)
    if algorithm.cipher == "3DES":
        return retail_mac(ks_mac, pad(data, 8))
    return cmac(ks_mac, data, 8)
