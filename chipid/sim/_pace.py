"""Chip side of PACE: Generic, Integrated and Chip Authentication Mapping (ICAO 9303-11 §4.4, §9.5).

The four GENERAL AUTHENTICATE steps of §4.4.4 seen from the chip:
1. encrypted nonce: answer 7C{80 z}, z = E(K_pi, s), K_pi = KDF_pi(f(pi)) (§9.7.3);
2. mapping: receive 7C{81 PK_map_IFD}, answer 7C{82 PK_map_IC}; G~ = s*G + H (ECDH-GM,
   §4.4.3.3.1) or g~ = g^s * h mod p (DH-GM). Integrated Mapping (§4.4.3.3.2, 3DES and
   AES-128/192/256; s has l = 128 bits for 3DES/AES-128 and 256 for AES-192/256, t has the
   key size k, 3DES counting as k = 128): receive 7C{81 t}, answer 7C00;
   G~ = f_G(R_p(s, t)) with the point encoding of App. B.2 (p = 3 mod 4), or
   g~ = R_p(s, t)^((p-1)/q) mod p;
3. key agreement: receive 7C{83 PK_IFD}, answer 7C{84 PK_IC}; K = the shared secret's
   x-coordinate (ECDH) or value (DH), KSenc = KDF(K,1), KSmac = KDF(K,2) (§9.7.1);
4. mutual authentication: receive 7C{85 T_IFD}, check it, answer 7C{86 T_IC}; the tokens
   are MACs over the 7F49 public key data object of the other side (§4.4.3.4). With Chip
   Authentication Mapping (ECDH-CAM, §4.4.3.5) the answer adds DO'8A' A_IC = E(KSenc, CA_IC),
   CA_IC = SK_IC^-1 * SK_map,IC mod n, AES-CBC with IV = E(KSenc, -1).
Every random value comes from the injected ``rng`` so the App. G examples replay exactly.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from asn1crypto import core

from chipid.access.pace_domain import DHGroup
from chipid.ecc.arith import Curve, Point
from chipid.iso7816.tlv import encode_tlv, iter_tlv
from chipid.sim._crypto import aes_cbc, aes_cmac8, aes_ecb_encrypt, cipher_of, des3_cbc, kdf, pad, retail_mac
from chipid.sim._sm import SMSession

__all__ = ["PaceFailure", "PaceSession", "mrz_password", "password_key", "point_encode", "pseudo_random"]


class PaceFailure(Exception):
    """A PACE step failed; ``sw`` is the status word to answer."""

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(message)
        self.sw = sw


def password_key(password: bytes, oid: str) -> bytes:
    """K_pi = KDF_pi(f(pi)) (§9.7.3): ``password`` is SHA-1(MRZ_information) or the CAN bytes."""
    cipher, key_len = cipher_of(oid)
    return kdf(password, 3, cipher=cipher, key_len=key_len)


def _scalar(rng: Callable[[int], bytes], order: int) -> int:
    size = (order.bit_length() + 7) // 8
    while True:
        k = int.from_bytes(rng(size), "big")
        if 1 <= k < order:
            return k


class PaceSession:
    """One PACE run (GM, IM or CAM) on the chip side; feed it the dynamic authentication data of each step."""

    def __init__(
        self,
        oid: str,
        domain: Curve | DHGroup,
        password: bytes,
        rng: Callable[[int], bytes],
        *,
        cam_key: int | None = None,
    ) -> None:
        """Start a run.

        Args:
            oid: the PACE OID chosen by MSE:Set AT (GM, IM or CAM).
            domain: the standardized domain parameters.
            password: f(pi): SHA-1(MRZ_information) or the CAN bytes.
            rng: the chip's randomness (nonce, then the mapping and ephemeral keys).
            cam_key: SK_IC, the chip's static CA private scalar, for ECDH-CAM.
        """
        self.oid = oid
        self.integrated = oid.split(".")[9] in ("3", "4")  # DH-IM, ECDH-IM
        self._cam_key = cam_key
        self.domain = domain
        self.cipher, self.key_len = cipher_of(oid)
        self._k_pi = password_key(password, oid)
        self._rng = rng
        self._step = 1
        self._nonce = 0
        self._map_sk = 0
        self._map_pk_ifd = b""
        self._ec_gen: Point = None
        self._dh_gen = 0
        self._pk_ic = b""
        self._pk_ifd = b""
        self._ks_enc = b""
        self._ks_mac = b""
        self.done = False

    # ------------------------------------------------------------------ helpers
    def _encrypt_nonce(self, s: bytes) -> bytes:
        if self.cipher == "AES":
            return aes_cbc(self._k_pi, s, iv=bytes(16))
        return des3_cbc(self._k_pi, s)

    def _mac(self, data: bytes) -> bytes:
        if self.cipher == "AES":
            return aes_cmac8(self._ks_mac, data)
        return retail_mac(self._ks_mac, data)

    def _key_do(self, public: bytes) -> bytes:
        tag = 0x86 if isinstance(self.domain, Curve) else 0x84
        return encode_tlv(0x7F49, core.ObjectIdentifier(self.oid).dump() + encode_tlv(tag, public))

    def _keypair(self, generator: Point | int) -> tuple[int, bytes]:
        if isinstance(self.domain, Curve):
            sk = _scalar(self._rng, self.domain.n)
            assert not isinstance(generator, int)
            return sk, self.domain.encode_point(self.domain.multiply(sk, generator))
        sk = _scalar(self._rng, self.domain.q)
        assert isinstance(generator, int)
        return sk, self.domain.encode(pow(generator, sk, self.domain.p))

    def _agree(self, sk: int, peer: bytes) -> Point | int:
        try:
            if isinstance(self.domain, Curve):
                shared = self.domain.multiply(sk, self.domain.decode_point(peer))
                if shared is None:
                    raise ValueError("shared point at infinity")
                return shared
            return pow(self.domain.decode(peer), sk, self.domain.p)
        except ValueError as err:
            raise PaceFailure(f"invalid public key: {err}", 0x6A80) from err

    # ------------------------------------------------------------------ the steps
    def step(self, data: bytes) -> bytes:
        """Process one GENERAL AUTHENTICATE data field (7C...) and return the response data field."""
        try:
            objects = dict(iter_tlv(data))
            inner = dict(iter_tlv(objects[0x7C]))
        except (ValueError, KeyError) as err:
            raise PaceFailure("dynamic authentication data malformed", 0x6A80) from err
        handler = {1: self._step_nonce, 2: self._step_map, 3: self._step_agree, 4: self._step_auth}
        if self._step not in handler:
            raise PaceFailure("PACE already finished", 0x6985)
        out = handler[self._step](inner)
        self._step += 1
        return encode_tlv(0x7C, out)

    def _step_nonce(self, inner: dict[int, bytes]) -> bytes:
        if inner:
            raise PaceFailure("step 1 carries no data", 0x6A80)
        s = self._rng(self._im_length() if self.integrated else 16 if self.cipher == "AES" else 8)
        self._nonce = int.from_bytes(s, "big")
        return encode_tlv(0x80, self._encrypt_nonce(s))

    def _step_map(self, inner: dict[int, bytes]) -> bytes:
        if 0x81 not in inner:
            raise PaceFailure("mapping data DO'81' missing", 0x6A80)
        if self.integrated:
            return self._map_integrated(inner[0x81])
        self._map_pk_ifd = inner[0x81]
        if isinstance(self.domain, Curve):
            self._map_sk, pk = self._keypair(self.domain.generator)
            h = self._agree(self._map_sk, self._map_pk_ifd)
            assert not isinstance(h, int)
            self._ec_gen = self.domain.add(self.domain.multiply(self._nonce, self.domain.generator), h)
            if self._ec_gen is None:
                raise PaceFailure("mapped generator at infinity", 0x6A80)
        else:
            self._map_sk, pk = self._keypair(self.domain.g)
            h_dh = self._agree(self._map_sk, self._map_pk_ifd)
            assert isinstance(h_dh, int)
            self._dh_gen = pow(self.domain.g, self._nonce, self.domain.p) * h_dh % self.domain.p
        return encode_tlv(0x82, pk)

    def _im_length(self) -> int:
        """l / 8 of §4.4.3.3.2: the byte length of s (and of t, 3DES included)."""
        return 16 if self.key_len == 16 else 32

    def _map_integrated(self, t: bytes) -> bytes:
        if len(t) != self.key_len:
            raise PaceFailure(f"IM nonce t must be {self.key_len} bytes", 0x6A80)
        s = self._nonce.to_bytes(self._im_length(), "big")
        x = pseudo_random(s, t, self.domain.p, cipher=self.cipher)
        if isinstance(self.domain, Curve):
            self._ec_gen = point_encode(self.domain, x)
        else:
            self._dh_gen = pow(x, (self.domain.p - 1) // self.domain.q, self.domain.p)
            if self._dh_gen == 1:
                raise PaceFailure("degenerate mapped generator", 0x6A80)
        return b""

    def _step_agree(self, inner: dict[int, bytes]) -> bytes:
        if 0x83 not in inner:
            raise PaceFailure("ephemeral key DO'83' missing", 0x6A80)
        self._pk_ifd = inner[0x83]
        if self._map_pk_ifd and hmac.compare_digest(self._pk_ifd, self._map_pk_ifd):
            raise PaceFailure("ephemeral key equals the mapping key", 0x6A80)
        generator: Point | int = self._ec_gen if isinstance(self.domain, Curve) else self._dh_gen
        sk, self._pk_ic = self._keypair(generator)
        if isinstance(self.domain, Curve):
            secret = self._shared_x(sk)
        else:
            value = self._agree(sk, self._pk_ifd)
            assert isinstance(value, int)
            secret = self.domain.encode(value)
        self._ks_enc = kdf(secret, 1, cipher=self.cipher, key_len=self.key_len)
        self._ks_mac = kdf(secret, 2, cipher=self.cipher, key_len=self.key_len)
        return encode_tlv(0x84, self._pk_ic)

    def _shared_x(self, sk: int) -> bytes:
        assert isinstance(self.domain, Curve)
        shared = self._agree(sk, self._pk_ifd)
        assert not isinstance(shared, int) and shared is not None
        return shared[0].to_bytes(self.domain.size, "big")

    def _step_auth(self, inner: dict[int, bytes]) -> bytes:
        if 0x85 not in inner:
            raise PaceFailure("authentication token DO'85' missing", 0x6A80)
        expected = self._mac(self._key_do(self._pk_ic))
        if not hmac.compare_digest(expected, inner[0x85]):
            raise PaceFailure("terminal token wrong (wrong password?)", 0x6300)
        self.done = True
        out = encode_tlv(0x86, self._mac(self._key_do(self._pk_ifd)))
        if self._cam_key is not None and isinstance(self.domain, Curve):
            ca_ic = pow(self._cam_key, -1, self.domain.n) * self._map_sk % self.domain.n
            size = (self.domain.n.bit_length() + 7) // 8
            iv = aes_ecb_encrypt(self._ks_enc, b"\xff" * 16)
            out += encode_tlv(0x8A, aes_cbc(self._ks_enc, pad(ca_ic.to_bytes(size, "big"), 16), iv=iv))
        return out

    def session(self) -> SMSession:
        """The secure-messaging session PACE established (SSC = 0, §9.8.2)."""
        if not self.done:
            raise PaceFailure("PACE not finished", 0x6985)
        return SMSession(self.cipher, self._ks_enc, self._ks_mac, 0)


_C128 = (bytes.fromhex("a668892a7c41e3ca739f40b057d85904"), bytes.fromhex("a4e136ac725f738b01c1f60217c188ad"))
_C256 = (
    bytes.fromhex("d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676"),
    bytes.fromhex("54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517"),
)
"""The constants (c0, c1) of the IM pseudo-random function for l = 128 and l = 256 (§4.4.3.3.2)."""


def _encrypt(key: bytes, data: bytes, cipher: str) -> bytes:
    return des3_cbc(key, data) if cipher == "3DES" else aes_cbc(key, data, iv=bytes(16))


def pseudo_random(s: bytes, t: bytes, p: int, *, cipher: str = "AES") -> int:
    """R_p(s, t) of §4.4.3.3.2: k0 = E(t, s), x_i = E(k_i, c1), k_(i+1) = E(k_i, c0).

    E is CBC with a zero IV under 3DES or AES with the key size of ``t`` (16, 24 or 32
    bytes); every k_i is truncated to that size. The output x_1 || ... || x_n
    (n * l >= log2 p + 64) is reduced mod p.
    """
    key_len = len(t)
    c0, c1 = _C128 if key_len == 16 else _C256
    key = _encrypt(t, s, cipher)[:key_len]
    out = b""
    for _ in range(-(-(p.bit_length() + 64) // (len(c1) * 8))):
        out += _encrypt(key, c1, cipher)
        key = _encrypt(key, c0, cipher)[:key_len]
    return int.from_bytes(out, "big") % p


def point_encode(domain: Curve, t: int) -> Point:
    """f_G(t), the point encoding of App. B.2 (simplified SWU, affine form, p = 3 mod 4).

    Raises:
        PaceFailure: 6A80 when the curve has p != 3 mod 4 or the input is degenerate.
    """
    p, a, b = domain.p, domain.a, domain.b
    alpha = -t * t % p
    denominator = a * (alpha + alpha * alpha) % p
    if p % 4 != 3 or denominator == 0:
        raise PaceFailure("IM point encoding undefined here", 0x6A80)
    x2 = -b * (1 + alpha + alpha * alpha) * pow(denominator, -1, p) % p
    x3 = alpha * x2 % p
    h2 = (x2 * x2 * x2 + a * x2 + b) % p
    u = t * t * t * h2 % p
    root = pow(h2, p - 1 - (p + 1) // 4, p)
    return (x2, root * h2 % p) if root * root * h2 % p == 1 else (x3, root * u % p)


def mrz_password(mrz_information: str) -> bytes:
    """f(pi) for the MRZ password: SHA-1 of MRZ_information (§9.7.3)."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()  # noqa: S324 - mandated by ICAO 9303
