"""Chip side of Basic Access Control (ICAO 9303-11 §4.3, worked example App. D.3).

GET CHALLENGE returns RND.IC; EXTERNAL AUTHENTICATE carries E_IFD || M_IFD with
E_IFD = E(K_enc, RND.IFD || RND.IC || K.IFD). The chip checks the MAC and RND.IC, draws
K.IC, answers E_IC || M_IC over RND.IC || RND.IFD || K.IC, and both sides derive the
session keys from K.IFD xor K.IC with SSC = RND.IC[4:8] || RND.IFD[4:8] (§9.8.2).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from chipid.sim._crypto import des3_cbc, kdf, retail_mac
from chipid.sim._sm import SMSession

__all__ = ["BacFailure", "bac_keys", "bac_respond"]


class BacFailure(Exception):
    """EXTERNAL AUTHENTICATE failed; ``sw`` is the status word to answer."""

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(message)
        self.sw = sw


def bac_keys(mrz_information: str) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) from MRZ_information (§9.7.2: K_seed = SHA-1(MRZ_information)[:16])."""
    seed = hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]  # noqa: S324 - mandated by ICAO 9303
    return kdf(seed, 1, cipher="3DES"), kdf(seed, 2, cipher="3DES")


def bac_respond(
    data: bytes, rnd_ic: bytes, keys: tuple[bytes, bytes], rng: Callable[[int], bytes]
) -> tuple[bytes, SMSession]:
    """Answer EXTERNAL AUTHENTICATE's data field; returns (E_IC || M_IC, the new SM session).

    Raises:
        BacFailure: 6700 for a wrong length, 6300 for a wrong MAC or RND.IC (wrong MRZ key),
            6985 when no challenge was issued.
    """
    k_enc, k_mac = keys
    if len(data) != 40:
        raise BacFailure("EXTERNAL AUTHENTICATE data must be 40 bytes", 0x6700)
    if not rnd_ic:
        raise BacFailure("no GET CHALLENGE before EXTERNAL AUTHENTICATE", 0x6985)
    e_ifd, m_ifd = data[:32], data[32:]
    if not hmac.compare_digest(retail_mac(k_mac, e_ifd), m_ifd):
        raise BacFailure("M_IFD wrong (wrong MRZ key)", 0x6300)
    s = des3_cbc(k_enc, e_ifd, decrypt=True)
    rnd_ifd, echoed, k_ifd = s[:8], s[8:16], s[16:]
    if not hmac.compare_digest(echoed, rnd_ic):
        raise BacFailure("RND.IC does not match the challenge", 0x6300)
    k_ic = rng(16)
    e_ic = des3_cbc(k_enc, rnd_ic + rnd_ifd + k_ic)
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    session = SMSession(
        "3DES",
        kdf(seed, 1, cipher="3DES"),
        kdf(seed, 2, cipher="3DES"),
        int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"),
    )
    return e_ic + retail_mac(k_mac, e_ic), session
