"""Chip key pairs derived from the card seed, so a profile is reproducible across processes.

EC keys come from :func:`chipid.sim.pkigen.generate_key` (a deterministic scalar). RSA keys
are built here from primes found by a seeded search (Miller-Rabin, FIPS 186-4 C.3 style
rounds) because ``cryptography`` cannot seed RSA generation. DH keys for Chip Authentication
take a seeded exponent on a standardized MODP group (ICAO 9303-11 §9.5.1, RFC 5114). Test keys only.
"""

from __future__ import annotations

import hashlib
import random

from cryptography.hazmat.primitives.asymmetric import dh, rsa

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.errors import UnsupportedError

__all__ = ["seeded_dh_key", "seeded_rsa_key"]

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


def seeded_dh_key(seed: str, parameter_id: int = 2) -> dh.DHPrivateKey:
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
    params = dh.DHParameterNumbers(group.p, group.g, group.q)
    return dh.DHPrivateNumbers(x, dh.DHPublicNumbers(pow(group.g, x, group.p), params)).private_key()
