"""A minimal chip-side Active Authentication responder for the auth tests (not the virtual chip)."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

TRAILERS = {"sha1": b"\xbc", "sha256": b"\x34\xcc", "sha512": b"\x35\xcc", "sha384": b"\x36\xcc", "sha224": b"\x38\xcc"}


def iso9796_2_sign(key: rsa.RSAPrivateKey, challenge: bytes, hash_name: str = "sha1", nonce_byte: int = 0x5A) -> bytes:
    """ISO/IEC 9796-2 scheme 1, partial recovery (header 6A), as a chip computes it."""
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    k = (n.bit_length() + 7) // 8
    trailer = TRAILERS[hash_name]
    hlen = hashlib.new(hash_name).digest_size
    m1 = bytes([nonce_byte]) * (k - 1 - hlen - len(trailer))
    rep = b"\x6a" + m1 + hashlib.new(hash_name, m1 + challenge).digest() + trailer
    return pow(int.from_bytes(rep, "big"), numbers.d, n).to_bytes(k, "big")


def ecdsa_plain_sign(key: ec.EllipticCurvePrivateKey, challenge: bytes, hash_name: str = "sha256") -> bytes:
    algorithm = {
        "sha1": hashes.SHA1(),
        "sha224": hashes.SHA224(),
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }[hash_name]
    r, s = decode_dss_signature(key.sign(challenge, ec.ECDSA(algorithm)))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def dg15_for(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    length = len(spki)
    header = (
        bytes([length])
        if length < 0x80
        else (b"\x81" + bytes([length]) if length < 0x100 else b"\x82" + length.to_bytes(2, "big"))
    )
    return b"\x6f" + header + spki


class AAChip:
    """A Transport answering INTERNAL AUTHENTICATE (00 88 00 00) with a signature of its key.

    ``replay`` makes it answer every challenge with the first signature it produced (a recorded answer).
    """

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        *,
        hash_name: str = "sha256",
        der: bool = False,
        replay: bool = False,
        sw: bytes = b"\x90\x00",
    ) -> None:
        self.key = key
        self.hash_name = hash_name
        self.der = der
        self.replay = replay
        self.sw = sw
        self.recorded: bytes | None = None
        self.challenges: list[bytes] = []

    @property
    def atr(self) -> bytes:
        return b"\x3b\x80\x80\x01\x01"

    def close(self) -> None:
        pass

    def transmit(self, apdu: bytes) -> bytes:
        assert apdu[1] == 0x88, apdu.hex()
        challenge = apdu[5 : 5 + apdu[4]]
        self.challenges.append(challenge)
        if self.sw != b"\x90\x00":
            return self.sw
        if self.replay and self.recorded is not None:
            return self.recorded + self.sw
        if isinstance(self.key, rsa.RSAPrivateKey):
            signature = iso9796_2_sign(self.key, challenge, self.hash_name)
        elif self.der:
            algorithm = {"sha256": hashes.SHA256(), "sha1": hashes.SHA1()}[self.hash_name]
            signature = self.key.sign(challenge, ec.ECDSA(algorithm))
        else:
            signature = ecdsa_plain_sign(self.key, challenge, self.hash_name)
        self.recorded = signature
        return signature + self.sw
