"""A minimal reader side for the sim tests (BAC, PACE-GM, SM), written against the ICAO text.

Only the tests use it: the library's own reader lives in chipid.access / chipid.sm. It
shares the sim's primitives, but the SM direction (wrap command / unwrap response) is the
mirror image of the chip's, so replaying the App. D vectors through both checks each.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import core

from chipid.access.pace_domain import domain_parameters
from chipid.ecc.arith import Curve
from chipid.iso7816.tlv import decode_tlv, encode_tlv, iter_tlv
from chipid.sim._crypto import aes_cbc, aes_cmac8, aes_ecb_encrypt, des3_cbc, kdf, pad, retail_mac, unpad

Send = Callable[[bytes], bytes]


@dataclass
class TermSM:
    cipher: str
    ks_enc: bytes
    ks_mac: bytes
    ssc: int

    @property
    def block(self) -> int:
        return 16 if self.cipher == "AES" else 8

    def _mac(self, data: bytes) -> bytes:
        msg = self.ssc.to_bytes(self.block, "big") + data
        return aes_cmac8(self.ks_mac, pad(msg, 16)) if self.cipher == "AES" else retail_mac(self.ks_mac, msg)

    def _crypt(self, data: bytes, decrypt: bool) -> bytes:
        if self.cipher == "AES":
            iv = aes_ecb_encrypt(self.ks_enc, self.ssc.to_bytes(16, "big"))
            return aes_cbc(self.ks_enc, data, iv=iv, decrypt=decrypt)
        return des3_cbc(self.ks_enc, data, decrypt=decrypt)

    def wrap(self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"", ne: int | None = None) -> bytes:
        self.ssc += 1
        header = bytes([cla | 0x0C, ins, p1, p2])
        body = b""
        if data:
            body += encode_tlv(0x87, b"\x01" + self._crypt(pad(data, self.block), False))
        if ne is not None:
            body += encode_tlv(0x97, bytes([ne & 0xFF]) if ne <= 256 else (ne & 0xFFFF).to_bytes(2, "big"))
        body += encode_tlv(0x8E, self._mac(pad(header, self.block) + body))
        ext = ne is not None and ne > 256
        if ext:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unwrap(self, resp: bytes) -> tuple[bytes, int]:
        self.ssc += 1
        sw = int.from_bytes(resp[-2:], "big")
        objs = list(iter_tlv(resp[:-2]))
        if not objs:
            return b"", sw
        assert objs[-1][0] == 0x8E, "no MAC"
        covered = b"".join(encode_tlv(t, v) for t, v in objs[:-1])
        assert self._mac(covered) == objs[-1][1], "response MAC wrong"
        d = dict(objs)
        data = b""
        if 0x87 in d:
            data = unpad(self._crypt(d[0x87][1:], True))
        elif 0x85 in d:
            data = unpad(self._crypt(d[0x85], True))
        return data, int.from_bytes(d[0x99], "big")


def term_bac(send: Send, info: str, rng: Callable[[int], bytes] = os.urandom) -> TermSM:
    seed = hashlib.sha1(info.encode()).digest()[:16]
    k_enc, k_mac = kdf(seed, 1, cipher="3DES"), kdf(seed, 2, cipher="3DES")
    r = send(bytes.fromhex("0084000008"))
    assert r[-2:] == b"\x90\x00", r.hex()
    rnd_ic = r[:8]
    rnd_ifd, k_ifd = rng(8), rng(16)
    e = des3_cbc(k_enc, rnd_ifd + rnd_ic + k_ifd)
    r = send(bytes.fromhex("0082000028") + e + retail_mac(k_mac, e) + b"\x28")
    if r[-2:] != b"\x90\x00":
        raise PermissionError(r.hex())
    dec = des3_cbc(k_enc, r[:32], decrypt=True)
    k_ic = dec[16:32]
    s = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    return TermSM("3DES", kdf(s, 1, cipher="3DES"), kdf(s, 2, cipher="3DES"), ssc)


def term_pace(send: Send, password: bytes, oid: str, param: int, ref: int) -> TermSM:
    """PACE-GM from the terminal side with fresh random keys (``password`` = f(pi))."""
    dom = domain_parameters(param)
    aes = not oid.endswith(".1")
    k_pi = kdf(password, 3, cipher="AES" if aes else "3DES")
    oid_do = core.ObjectIdentifier(oid).dump()
    r = send(b"\x00\x22\xc1\xa4" + bytes([len(oid_do) + 3]) + b"\x80" + oid_do[1:] + bytes([0x83, 1, ref]))
    if r[-2:] != b"\x90\x00":
        raise PermissionError(r.hex())

    def ga(last: bool, tag: int, value: bytes) -> bytes:
        body = encode_tlv(0x7C, encode_tlv(tag, value) if tag else b"")
        rr = send(bytes([0x00 if last else 0x10, 0x86, 0, 0, len(body)]) + body + b"\x00")
        if rr[-2:] != b"\x90\x00":
            raise PermissionError(rr.hex())
        _, inner, _ = decode_tlv(rr[:-2])
        return dict(iter_tlv(inner)) and next(iter(dict(iter_tlv(inner)).values()))

    z = ga(False, 0, b"")
    plain = aes_cbc(k_pi, z, iv=bytes(16), decrypt=True) if aes else des3_cbc(k_pi, z, decrypt=True)
    s = int.from_bytes(plain, "big")
    if isinstance(dom, Curve):
        sk = int.from_bytes(os.urandom(dom.size), "big") % (dom.n - 1) + 1
        pk_chip = dom.decode_point(ga(False, 0x81, dom.encode_point(dom.multiply(sk, dom.generator))))
        gen = dom.add(dom.multiply(s, dom.generator), dom.multiply(sk, pk_chip))
        esk = int.from_bytes(os.urandom(dom.size), "big") % (dom.n - 1) + 1
        my_pk = dom.encode_point(dom.multiply(esk, gen))
        chip_pk = ga(False, 0x83, my_pk)
        shared = dom.multiply(esk, dom.decode_point(chip_pk))
        assert shared is not None
        secret = shared[0].to_bytes(dom.size, "big")
        tag = 0x86
    else:
        sk = int.from_bytes(os.urandom(20), "big") % (dom.q - 1) + 1
        pk_chip = dom.decode(ga(False, 0x81, dom.encode(pow(dom.g, sk, dom.p))))
        gen = pow(dom.g, s, dom.p) * pow(pk_chip, sk, dom.p) % dom.p
        esk = int.from_bytes(os.urandom(20), "big") % (dom.q - 1) + 1
        my_pk = dom.encode(pow(gen, esk, dom.p))
        chip_pk = ga(False, 0x83, my_pk)
        secret = dom.encode(pow(dom.decode(chip_pk), esk, dom.p))
        tag = 0x84
    cipher = "AES" if aes else "3DES"
    ks_enc, ks_mac = kdf(secret, 1, cipher=cipher), kdf(secret, 2, cipher=cipher)

    def mac(d: bytes) -> bytes:
        return aes_cmac8(ks_mac, d) if aes else retail_mac(ks_mac, d)

    t_ic = ga(True, 0x85, mac(encode_tlv(0x7F49, oid_do + encode_tlv(tag, chip_pk))))
    assert t_ic == mac(encode_tlv(0x7F49, oid_do + encode_tlv(tag, my_pk))), "chip token wrong"
    return TermSM(cipher, ks_enc, ks_mac, 0)
