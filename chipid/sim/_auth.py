"""Chip side of Active Authentication and Chip Authentication.

Active Authentication (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE with an 8-byte challenge;
RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (message recovery, SHA-1,
trailer 'BC'), EC keys answer a plain r||s ECDSA signature (BSI TR-03111 §5.2.1) with the
hash named in DG14's ActiveAuthenticationInfo (SHA-256 here).

Chip Authentication (§6.2; BSI TR-03110-2 §3.4): the terminal sends an ephemeral public
key (MSE:Set KAT DO'91' for 3DES, GENERAL AUTHENTICATE DO'80' after MSE:Set AT for AES);
the chip computes K by ECDH with its static key (K = x-coordinate, TR-03111 §4.3.1) or by DH
(K = PK_IFD^x mod p on the byte length of p, TR-03110-3 §A.2.3.1; the terminal's key is a bare
y, checked 1 < y < p-1 and y^q = 1) and restarts SM with KDF(K,1), KDF(K,2) (§9.7.1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from chipid.sim._crypto import kdf
from chipid.sim._keys import DHPrivateKey, is_dh_pkcs8
from chipid.sim._sm import SMSession

__all__ = ["ChipKey", "aa_sign", "ca_session", "load_key"]

ChipKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | DHPrivateKey


def load_key(der: bytes) -> ChipKey:
    """Load a PKCS#8 DER private key (RSA, EC or X9.42 DH). Raises ValueError for anything else.

    X9.42 DH keys are decoded here as plain integers (:class:`DHPrivateKey`): they never reach
    ``cryptography``, whose finite-field DH is deprecated.
    """
    if is_dh_pkcs8(der):
        return DHPrivateKey.from_pkcs8(der)
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("chip keys must be RSA, EC or DH")
    return key


def _iso9796_2_sign(key: rsa.RSAPrivateKey, challenge: bytes, rng: Callable[[int], bytes]) -> bytes:
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    k = (n.bit_length() + 7) // 8
    m1 = rng(k - 20 - 2)  # 6A || M1 || SHA-1(M1 || M2) || BC fills k bytes
    digest = hashlib.sha1(m1 + challenge).digest()  # noqa: S324 - mandated by ICAO 9303
    f = int.from_bytes(b"\x6a" + m1 + digest + b"\xbc", "big")  # < n: n has its top bit set
    return pow(f, d, n).to_bytes(k, "big")


def aa_sign(key: ChipKey, challenge: bytes, rng: Callable[[int], bytes]) -> bytes:
    """The INTERNAL AUTHENTICATE response for ``challenge`` (§6.1)."""
    if isinstance(key, rsa.RSAPrivateKey):
        return _iso9796_2_sign(key, challenge, rng)
    if isinstance(key, DHPrivateKey):
        raise ValueError("Active Authentication needs an RSA or EC key")
    der = key.sign(challenge, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def ca_session(key: ChipKey, ephemeral: bytes, cipher: str, key_len: int) -> SMSession:
    """Derive the new SM session from the terminal's ephemeral public key (§6.2.2).

    Raises ValueError when the key is not a valid point on the chip key's curve (ECDH) or
    not an element of the chip key's prime-order subgroup (DH), or the chip key is RSA.
    """
    if isinstance(key, DHPrivateKey):
        secret = key.exchange(ephemeral)  # ParseError (a ValueError) for an invalid PK_IFD
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, ephemeral)
        secret = key.exchange(ec.ECDH(), peer)
    else:
        raise ValueError("Chip Authentication needs an EC or DH key")
    return SMSession(
        cipher,
        kdf(secret, 1, cipher=cipher, key_len=key_len),
        kdf(secret, 2, cipher=cipher, key_len=key_len),
        0,
    )
