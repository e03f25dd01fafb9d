"""A minimal chip-side PACE for tests, built from the same pure functions (ICAO 9303-11 §4.4)."""

from __future__ import annotations

import random
from collections.abc import Callable

from chipid.access import pace_crypto as pc
from chipid.access.kdf import session_keys
from chipid.access.keys import AccessKey
from chipid.access.pace_cam import encrypt_cam_data
from chipid.access.pace_domain import Domain, domain_parameters
from chipid.access.pace_im import map_integrated
from chipid.ecc.arith import Curve
from chipid.iso7816.apdu import CommandAPDU
from chipid.iso7816.tlv import decode_tlv, encode_tlv, iter_tlv

OK = b"\x90\x00"


class PaceChip:
    """Answers MSE:Set AT and the four GENERAL AUTHENTICATE steps; ``tamper`` rewrites responses."""

    def __init__(self, key: AccessKey, oid: str, parameter_id: int, *, seed: int = 1,
                 static_key: int | None = None, check_token: bool = True,
                 tamper: Callable[[int, bytes], bytes] | None = None) -> None:
        self.key, self.alg = key, pc.pace_algorithm(oid)
        self.domain: Domain = domain_parameters(parameter_id)
        self.rand = random.Random(seed)
        self.static_key, self.check_token, self.tamper = static_key, check_token, tamper
        self.step = 0
        self.commands: list[bytes] = []

    @property
    def atr(self) -> bytes:
        return b"\x3b\x80"

    def close(self) -> None:
        pass

    def rng(self, n: int) -> bytes:
        return self.rand.randbytes(n)

    def transmit(self, apdu: bytes) -> bytes:
        self.commands.append(apdu)
        cmd = CommandAPDU.from_bytes(apdu)
        if cmd.ins == 0x22:
            return OK
        _, body, _ = decode_tlv(cmd.data)
        objects = dict(iter_tlv(body))
        response = self._general_authenticate(objects)
        if self.tamper is not None:
            response = self.tamper(self.step, response)
        self.step += 1
        return response

    def _general_authenticate(self, objects: dict[int, bytes]) -> bytes:
        alg, domain = self.alg, self.domain
        if self.step == 0:
            self.s = self.rng(16)
            z = pc.encrypt_nonce(pc.password_key(self.key, alg), self.s, alg)
            return encode_tlv(0x7C, encode_tlv(0x80, z)) + OK
        if self.step == 1:
            if alg.mapping == "IM":
                self.mapped = map_integrated(domain, self.s, objects[0x81], alg)
                return encode_tlv(0x7C, encode_tlv(0x82, b"")) + OK
            self.sk_map = pc.generate_private_key(domain, self.rng)
            pk_map = pc.public_key(domain, self.sk_map)
            peer = pc.decode_public_key(domain, objects[0x81])
            self.mapped = pc.map_generic(domain, self.s, pc.agree(domain, self.sk_map, peer))
            return encode_tlv(0x7C, encode_tlv(0x82, pc.encode_public_key(domain, pk_map))) + OK
        if self.step == 2:
            sk = pc.generate_private_key(self.mapped, self.rng)
            self.pk = pc.public_key(self.mapped, sk)
            self.peer = pc.decode_public_key(self.mapped, objects[0x83])
            secret = pc.shared_secret(self.mapped, sk, self.peer)
            self.ks_enc, self.ks_mac = session_keys(secret, alg.cipher, alg.key_bits)
            return encode_tlv(0x7C, encode_tlv(0x84, pc.encode_public_key(self.mapped, self.pk))) + OK
        expected = pc.auth_token(self.ks_mac, alg, self.mapped, self.pk)
        if self.check_token and objects.get(0x85) != expected:
            return b"\x63\x00"
        body = encode_tlv(0x86, pc.auth_token(self.ks_mac, alg, self.mapped, self.peer))
        if alg.mapping == "CAM" and self.static_key is not None and isinstance(domain, Curve):
            ca = pow(self.static_key, -1, domain.n) * self.sk_map % domain.n
            ca_bytes = ca.to_bytes((domain.n.bit_length() + 7) // 8, "big")
            body += encode_tlv(0x8A, encrypt_cam_data(self.ks_enc, ca_bytes))
        return encode_tlv(0x7C, body) + OK
