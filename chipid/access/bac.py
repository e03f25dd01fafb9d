"""Basic Access Control (ICAO 9303-11 §4.3 and §9.7.2; worked example Appendix D).

Pure pieces, usable by the terminal and by a virtual chip:

* :func:`bac_keys` - K_Enc / K_MAC from the MRZ key seed (§9.7.2, App. D.2).
* :func:`build_mutual_auth` - E = 3DES-CBC(K_Enc, S), M = retail MAC(K_MAC, E) for
  S = RND.A || RND.B || K.A (§4.3.4.1 steps 3-4).
* :func:`parse_mutual_auth_response` - check M, decrypt, check the nonce echo, return K.B.
* :func:`derive_session` - K_seed = K.IFD ⊕ K.IC, KS_Enc, KS_MAC and
  SSC = RND.IC[4:8] || RND.IFD[4:8] (§9.8.2 / App. D.3).

:func:`perform_bac` sequences GET CHALLENGE and EXTERNAL AUTHENTICATE and returns the
secure channel.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from chipid.access.kdf import session_keys
from chipid.access.keys import MRZKey
from chipid.errors import BACError, ParseError, SecureMessagingError, StatusWordError
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.sm.channel import SecureChannel, SMKeys
from chipid.sm.des3 import des3_decrypt, des3_encrypt, retail_mac
from chipid.sm.padding import pad
from chipid.transport.base import Transport

__all__ = [
    "BACSession",
    "bac_keys",
    "build_mutual_auth",
    "derive_session",
    "parse_mutual_auth_response",
    "perform_bac",
]


@dataclass(frozen=True, repr=False)
class BACSession:
    """Session keys and send sequence counter established by BAC."""

    ks_enc: bytes
    ks_mac: bytes
    ssc: int

    def __repr__(self) -> str:
        return "BACSession(<redacted>)"


def bac_keys(key: MRZKey) -> tuple[bytes, bytes]:
    """``(K_Enc, K_MAC)`` = KDF(K_seed, 1), KDF(K_seed, 2), parity adjusted (App. D.1-D.2)."""
    return session_keys(key.seed(), "3DES", 112)


def build_mutual_auth(k_enc: bytes, k_mac: bytes, rnd_own: bytes, rnd_peer: bytes, k_own: bytes) -> bytes:
    """Build the 40-byte E || M of one side (§4.3.4.1; App. D.3 for the terminal).

    The terminal passes (RND.IFD, RND.IC, K.IFD) for the EXTERNAL AUTHENTICATE data;
    a chip passes (RND.IC, RND.IFD, K.IC) for its response.
    """
    if (len(rnd_own), len(rnd_peer), len(k_own)) != (8, 8, 16):
        raise BACError("nonces must be 8 bytes and key material 16 bytes", step="mutual authenticate")
    encrypted = des3_encrypt(k_enc, rnd_own + rnd_peer + k_own)
    return encrypted + retail_mac(k_mac, pad(encrypted, 8))


def parse_mutual_auth_response(k_enc: bytes, k_mac: bytes, data: bytes, rnd_peer: bytes,
                               rnd_own: bytes) -> bytes:
    """Check and open the other side's E || M; return its 16-byte key material.

    The terminal passes the chip's response with (RND.IC, RND.IFD) and gets K.IC; a
    chip passes the command data with (RND.IFD, RND.IC) and gets K.IFD.

    Raises:
        BACError: wrong length, MAC mismatch, or the decrypted nonces are not
            ``rnd_peer || rnd_own`` (e.g. RND.IFD not echoed).
    """
    step = "mutual authenticate"
    if len(data) != 40:
        raise BACError(f"mutual authentication data must be 40 bytes, got {len(data)}", step=step)
    encrypted, mac = data[:32], data[32:]
    if not hmac.compare_digest(retail_mac(k_mac, pad(encrypted, 8)), mac):
        raise BACError("MAC of the mutual authentication data does not verify", step=step)
    plain = des3_decrypt(k_enc, encrypted)
    if not hmac.compare_digest(plain[8:16], rnd_own):
        raise BACError("our nonce was not echoed (RND.IFD mismatch)", step=step)
    if not hmac.compare_digest(plain[:8], rnd_peer):
        raise BACError("the peer's nonce does not match its challenge", step=step)
    return plain[16:]


def derive_session(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> BACSession:
    """Session keys from K_seed = K.IFD ⊕ K.IC and the SSC (§9.7.2, §9.8.2; App. D.3)."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    ks_enc, ks_mac = session_keys(seed, "3DES", 112)
    return BACSession(ks_enc, ks_mac, int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"))


def _exchange(transport: Transport, apdu: bytes, ins: int, step: str) -> bytes:
    try:
        return ResponseAPDU.from_bytes(transport.transmit(apdu)).check(ins).data
    except StatusWordError as err:
        raise BACError(f"{step} refused: {err}", step=step) from err
    except ParseError as err:
        raise BACError(f"{step}: malformed response", step=step) from err


def perform_bac(transport: Transport, key: MRZKey, *,
                rng: Callable[[int], bytes] = os.urandom) -> SecureChannel:
    """Run BAC (ICAO 9303-11 §4.3) and return the 3DES secure channel over ``transport``.

    ``rng`` is called for RND.IFD (8 bytes) then K.IFD (16 bytes).

    Raises:
        BACError: the chip refused a step (a wrong MRZ key gives 6300 or 6982 on EXTERNAL
            AUTHENTICATE; the error is chained from the typed StatusWordError), or the
            chip's response fails its checks.
        TransportError: the link failed.
    """
    k_enc, k_mac = bac_keys(key)
    rnd_ic = _exchange(transport, commands.get_challenge(8).to_bytes(), 0x84, "get challenge")
    if len(rnd_ic) != 8:
        raise BACError(f"GET CHALLENGE returned {len(rnd_ic)} bytes, expected 8", step="get challenge")
    rnd_ifd, k_ifd = rng(8), rng(16)
    data = build_mutual_auth(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd)
    response = _exchange(transport, commands.external_authenticate(data, ne=40).to_bytes(), 0x82,
                         "external authenticate")
    k_ic = parse_mutual_auth_response(k_enc, k_mac, response, rnd_ic, rnd_ifd)
    session = derive_session(k_ifd, k_ic, rnd_ic, rnd_ifd)
    try:
        return SecureChannel(transport, SMKeys("3DES", session.ks_enc, session.ks_mac), session.ssc)
    except SecureMessagingError as err:  # pragma: no cover - keys have the right size
        raise BACError("could not open the secure channel", step="session keys") from err
