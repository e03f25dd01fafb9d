"""Chip-side secure messaging written independently of chipid.sm (ICAO 9303-11 §9.8).

It parses protected APDUs by hand, computes the retail MAC block by block with single DES,
and builds responses with its own TLV code. Used as the oracle of the SM tests and benchmarks.
"""

from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from chipid.sm.channel import SMKeys

__all__ = ["chip_unwrap", "chip_wrap"]


def _ecb(alg: object, data: bytes, decrypt: bool = False) -> bytes:
    c = Cipher(alg, modes.ECB())  # type: ignore[arg-type]
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _chip_pad(data: bytes, block: int) -> bytes:
    out = data + b"\x80"
    while len(out) % block:
        out += b"\x00"
    return out


def _chip_mac(keys: SMKeys, ssc: int, data: bytes) -> bytes:
    block = 16 if keys.cipher == "AES" else 8
    msg = _chip_pad(ssc.to_bytes(block, "big") + data, block)
    if keys.cipher == "AES":
        c = CMAC(algorithms.AES(keys.ks_mac))
        c.update(msg)
        return c.finalize()[:8]
    k1, k2 = keys.ks_mac[:8], keys.ks_mac[8:16]
    des1, des2 = TripleDES(k1 * 3), TripleDES(k2 * 3)
    h = bytes(8)
    for i in range(0, len(msg), 8):
        h = _ecb(des1, _xor(h, msg[i : i + 8]))
    return _ecb(des1, _ecb(des2, h, decrypt=True))


def _chip_cipher(keys: SMKeys, ssc: int) -> Cipher[modes.CBC]:
    if keys.cipher == "AES":
        iv = _ecb(algorithms.AES(keys.ks_enc), ssc.to_bytes(16, "big"))
        return Cipher(algorithms.AES(keys.ks_enc), modes.CBC(iv))
    return Cipher(TripleDES(keys.ks_enc + keys.ks_enc[:8]), modes.CBC(bytes(8)))


def _chip_tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = bytes([n]) if n < 0x80 else (bytes([0x81, n]) if n < 0x100 else bytes([0x82]) + n.to_bytes(2, "big"))
    return bytes([tag]) + length + value


def _chip_read_dos(body: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(body):
        tag, first = body[i], body[i + 1]
        i += 2
        if first == 0x81:
            n, i = body[i], i + 1
        elif first == 0x82:
            n, i = int.from_bytes(body[i : i + 2], "big"), i + 2
        else:
            n = first
        out.append((tag, body[i : i + n]))
        i += n
    return out


def chip_unwrap(keys: SMKeys, ssc: int, raw: bytes) -> tuple[int, int, int, int, bytes, int | None]:
    """Check and decode a protected command; return the plain (cla, ins, p1, p2, data, ne)."""
    block = 16 if keys.cipher == "AES" else 8
    cla, ins, p1, p2 = raw[:4]
    assert cla & 0x0C == 0x0C
    if raw[4] == 0 and len(raw) > 7:  # extended: 00 Lc Lc body 00 00
        lc = int.from_bytes(raw[5:7], "big")
        body, le = raw[7 : 7 + lc], raw[7 + lc :]
        assert le == b"\x00\x00"
    else:
        lc = raw[4]
        body, le = raw[5 : 5 + lc], raw[5 + lc :]
        assert le == b"\x00"
    dos = _chip_read_dos(body)
    assert dos[-1][0] == 0x8E
    covered = body[: len(body) - 10]
    header = _chip_pad(raw[:4], block)
    assert _chip_mac(keys, ssc, header + covered) == dos[-1][1], "chip: command MAC"
    data, ne = b"", None
    for tag, value in dos[:-1]:
        if tag in (0x87, 0x85):
            ct = value[1:] if tag == 0x87 else value
            if tag == 0x87:
                assert value[0] == 1
            d = _chip_cipher(keys, ssc).decryptor()
            padded = d.update(ct) + d.finalize()
            data = padded[: padded.rindex(b"\x80")]
        elif tag == 0x97:
            ne = int.from_bytes(value, "big") or (256 if len(value) == 1 else 65536)
    return cla & ~0x0C & 0xFF, ins, p1, p2, data, ne


def chip_wrap(keys: SMKeys, ssc: int, data: bytes, sw: int, *, do99: bool = True, odd: bool = False) -> bytes:
    block = 16 if keys.cipher == "AES" else 8
    body = b""
    if data:
        e = _chip_cipher(keys, ssc).encryptor()
        ct = e.update(_chip_pad(data, block)) + e.finalize()
        body += _chip_tlv(0x85, ct) if odd else _chip_tlv(0x87, b"\x01" + ct)
    if do99:
        body += _chip_tlv(0x99, sw.to_bytes(2, "big"))
    body += _chip_tlv(0x8E, _chip_mac(keys, ssc, body))
    return body + sw.to_bytes(2, "big")
