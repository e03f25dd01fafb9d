"""Chip key pairs derived from the card seed, so a profile is reproducible across processes.

EC keys come from :func:`chipid.sim.pkigen.generate_key` (a deterministic scalar). RSA keys
are built here from primes found by a seeded search (Miller-Rabin, FIPS 186-4 C.3 style
rounds) because ``cryptography`` cannot seed RSA generation. DH keys for Chip Authentication
take a seeded exponent on a standardized MODP group (ICAO 9303-11 §9.5.1, RFC 5114) and are plain
integers (:class:`DHPrivateKey`), never ``cryptography``'s deprecated finite-field DH classes; their
PKCS#8 form (RFC 5208 with the X9.42 algorithm of RFC 3279 §2.3.3) is the one OpenSSL writes, so
profiles saved before this class existed load unchanged. Test keys only.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

from asn1crypto import core, keys
from cryptography.hazmat.primitives.asymmetric import rsa

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError
from chipid.pki.dh_keys import DH_PUBLIC_NUMBER, DHPublicKey

__all__ = ["DHPrivateKey", "is_dh_pkcs8", "seeded_dh_key", "seeded_rsa_key"]

_SMALL_PRIMES = tuple(p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2)))


def _probably_prime(n: int, rng: random.Random, rounds: int = 40) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random, bits: int, e: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: n has full size
        if (candidate - 1) % e and _probably_prime(candidate, rng):
            return candidate


def seeded_rsa_key(seed: str, bits: int = 2048, e: int = 65537) -> rsa.RSAPrivateKey:
    """An RSA key that depends only on ``seed`` and ``bits``."""
    rng = random.Random(int.from_bytes(hashlib.sha256(f"chipid-rsa|{seed}|{bits}".encode()).digest(), "big"))
    p = _prime(rng, bits // 2, e)
    q = _prime(rng, bits - bits // 2, e)
    while q == p:
        q = _prime(rng, bits - bits // 2, e)
    n, phi = p * q, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=d % (p - 1),
        dmq1=d % (q - 1),
        iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(e, n),
    )
    return numbers.private_key()


class _DHAlgorithm(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", keys.DomainParameters),
    ]


class _AnyAlgorithm(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class _DHPrivateKeyInfo(core.Sequence):  # type: ignore[misc]
    """PrivateKeyInfo (RFC 5208 §5) of an X9.42 key: privateKey is an OCTET STRING holding INTEGER x."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("private_key_algorithm", _DHAlgorithm),
        ("private_key", core.ParsableOctetString),
        ("attributes", core.Any, {"implicit": 0, "optional": True}),
    ]


class _AnyPrivateKeyInfo(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("private_key_algorithm", _AnyAlgorithm),
        ("private_key", core.OctetString),
        ("attributes", core.Any, {"implicit": 0, "optional": True}),
    ]


def is_dh_pkcs8(der: bytes) -> bool:
    """True when ``der`` is a PKCS#8 PrivateKeyInfo whose algorithm is dhpublicnumber."""
    try:
        info: Any = _AnyPrivateKeyInfo.load(der)
        return bool(info["private_key_algorithm"]["algorithm"].dotted == DH_PUBLIC_NUMBER)
    except ASN1_ERRORS:
        return False


@dataclass(frozen=True, repr=False)
class DHPrivateKey:
    """A chip's static DH key on a MODP group: prime ``p``, subgroup order ``q``, generator ``g``,
    private exponent ``x`` (1 <= x < q) and public value ``y = g^x mod p`` (``repr`` hides ``x``)."""

    p: int
    q: int
    g: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not (1 <= self.x < self.q and 1 < self.g < self.p and pow(self.g, self.x, self.p) == self.y):
            raise ParseError("inconsistent DH key: need 1 <= x < q, 1 < g < p and y = g^x mod p", path="DH key")

    def __repr__(self) -> str:
        return f"DHPrivateKey({self.p.bit_length()}-bit p, {self.q.bit_length()}-bit q)"

    @classmethod
    def from_exponent(cls, p: int, q: int, g: int, x: int) -> DHPrivateKey:
        """The key with exponent ``x`` on (p, q, g); y is computed."""
        return cls(p, q, g, x, pow(g, x, p))

    @property
    def size(self) -> int:
        """Byte length of a group element."""
        return (self.p.bit_length() + 7) // 8

    def public_key(self) -> DHPublicKey:
        return DHPublicKey(self.p, self.g, self.q, self.y)

    def with_random_exponent(self) -> DHPrivateKey:
        """Another key on the same group (a clone's own key), exponent from the OS CSPRNG."""
        return DHPrivateKey.from_exponent(self.p, self.q, self.g, secrets.randbelow(self.q - 1) + 1)

    def exchange(self, peer: bytes) -> bytes:
        """K = peer^x mod p on the byte length of p (BSI TR-03110-3 §A.2.3.1).

        Raises:
            ParseError: ``peer`` is empty, longer than p, out of range (1 < y < p-1) or outside the
                order-q subgroup (the small-subgroup check).
        """
        if not peer or len(peer) > self.size:
            raise ParseError(f"DH public value must be 1..{self.size} bytes", path="DH public value")
        y = int.from_bytes(peer, "big")
        if not 1 < y < self.p - 1 or pow(y, self.q, self.p) != 1:
            raise ParseError("DH public value out of range or outside the prime-order subgroup", path="DH public value")
        return pow(y, self.x, self.p).to_bytes(self.size, "big")

    def to_pkcs8(self) -> bytes:
        """PKCS#8 DER: PrivateKeyInfo { 0, dhpublicnumber DomainParameters(p, g, q), OCTET STRING { INTEGER x } }."""
        info = _DHPrivateKeyInfo(
            {
                "version": 0,
                "private_key_algorithm": {
                    "algorithm": DH_PUBLIC_NUMBER,
                    "parameters": {"p": self.p, "g": self.g, "q": self.q},
                },
                "private_key": core.ParsableOctetString(core.Integer(self.x).dump()),
            }
        )
        return bytes(info.dump())

    @classmethod
    def from_pkcs8(cls, der: bytes) -> DHPrivateKey:
        """Load an X9.42 PKCS#8 key (as :meth:`to_pkcs8` or OpenSSL write it).

        Raises:
            ParseError: not an X9.42 DH PrivateKeyInfo, or an inconsistent key.
        """
        path = "PKCS#8 DH private key"
        try:
            info: Any = _DHPrivateKeyInfo.load(der, strict=True)
            algorithm = info["private_key_algorithm"]
            if algorithm["algorithm"].dotted != DH_PUBLIC_NUMBER:
                raise ParseError(f"not a dhpublicnumber key but {algorithm['algorithm'].dotted}", path=path)
            params = algorithm["parameters"]
            p, g, q = (int(params[name].native) for name in ("p", "g", "q"))
            x = int(info["private_key"].parse(core.Integer).native)
        except ParseError:
            raise
        except ASN1_ERRORS as err:
            raise ParseError(f"malformed key: {err}", path=path) from err
        if p < 3 or not 1 < q < p:
            raise ParseError("DH domain parameters out of range", path=path)
        return cls.from_exponent(p, q, g, x)


def seeded_dh_key(seed: str, parameter_id: int = 2) -> DHPrivateKey:
    """A DH key on the standardized group ``parameter_id`` (0, 1 or 2) that depends only on ``seed``.

    The exponent x lies in [1, q-1] and y = g^x mod p, so the key serializes as X9.42 DH
    (dhpublicnumber with DomainParameters p, g, q), the form of BSI TR-03110-3 §A.1.1.

    Raises:
        UnsupportedError: ``parameter_id`` is not a standardized MODP group.
    """
    group = domain_parameters(parameter_id)
    if not isinstance(group, DHGroup):
        raise UnsupportedError(f"parameter id {parameter_id} is not a DH group (use 0, 1 or 2)")
    digest = hashlib.sha512(f"chipid-dh|{seed}|{parameter_id}".encode()).digest()
    x = int.from_bytes(digest, "big") % (group.q - 1) + 1
    return DHPrivateKey.from_exponent(group.p, group.q, group.g, x)
