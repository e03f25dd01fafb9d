"""Known-answer tests of the SM primitives: padding, 3DES, retail MAC, AES, CMAC."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import SecureMessagingError
from chipid.sm.aes import aes_cbc_decrypt, aes_cbc_encrypt, aes_ecb_encrypt, cmac
from chipid.sm.des3 import des3_decrypt, des3_encrypt, expand_key, retail_mac
from chipid.sm.padding import pad, unpad
from tests.conftest import load_vector

H = bytes.fromhex


def test_pad_examples() -> None:
    assert pad(b"", 8) == H("8000000000000000")
    assert pad(H("011E"), 8) == H("011E800000000000")
    assert pad(bytes(7), 8) == bytes(7) + b"\x80"
    assert pad(bytes(8), 8) == bytes(8) + H("8000000000000000")
    assert len(pad(b"x", 16)) == 16


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=70), st.sampled_from([8, 16]))
def test_pad_unpad_roundtrip(data: bytes, block: int) -> None:
    padded = pad(data, block)
    assert len(padded) % block == 0 and len(padded) > len(data)
    assert unpad(padded) == data


@pytest.mark.parametrize("bad", [b"", bytes(8), H("0102030405060708"), H("8001")])
def test_unpad_rejects_bad_padding(bad: bytes) -> None:
    with pytest.raises(SecureMessagingError):
        unpad(bad)


def test_bac_mutual_auth_des3_and_mac() -> None:
    """ICAO 9303-11 App. D.3: E.IFD = 3DES(Kenc, S) and M.IFD = MAC(Kmac, E.IFD)."""
    v = load_vector("bac_9303p11_appD.json")
    kenc, kmac = H(v["D1_kdf"]["kenc"]), H(v["D1_kdf"]["kmac"])
    d3 = v["D3_mutual_auth"]
    e_ifd = des3_encrypt(kenc, H(d3["s"]))
    assert e_ifd == H(d3["e_ifd"])
    assert retail_mac(kmac, pad(e_ifd, 8)) == H(d3["m_ifd"])
    assert des3_decrypt(kenc, H(d3["e_ic"])) == H(d3["r_decrypted"])
    assert retail_mac(kmac, pad(H(d3["e_ic"]), 8)) == H(d3["m_ic"])


def test_des3_parity_and_key_forms() -> None:
    """ICAO 9303-11 App. D.1: keys before and after parity adjustment encrypt alike."""
    v = load_vector("bac_9303p11_appD.json")
    block = bytes(range(8))
    before, after = H(v["D1_kdf"]["kenc_before_parity_adjust"]), H(v["D1_kdf"]["kenc"])
    assert des3_encrypt(before, block) == des3_encrypt(after, block)
    assert des3_encrypt(after, block) == des3_encrypt(expand_key(after), block)
    with pytest.raises(SecureMessagingError):
        expand_key(bytes(8))
    with pytest.raises(SecureMessagingError):
        des3_encrypt(after, bytes(7))
    with pytest.raises(SecureMessagingError):
        retail_mac(after, b"")


def test_cmac_rfc4493() -> None:
    """RFC 4493 §4 AES-CMAC examples 1 and 2 (full 16 bytes and truncated)."""
    key = H("2b7e151628aed2a6abf7158809cf4f3c")
    assert cmac(key, b"", 16) == H("bb1d6929e95937287fa37d129b756746")
    assert cmac(key, H("6bc1bee22e409f96e93d7e117393172a"), 16) == H("070a16b46b4d4144f79bdd9dd04a287c")
    assert cmac(key, H("6bc1bee22e409f96e93d7e117393172a")) == H("070a16b46b4d4144")
    with pytest.raises(SecureMessagingError):
        cmac(key, b"", 17)


def test_aes_fips197() -> None:
    """FIPS 197 App. C.1 (AES-128) single block, and CBC round trip for every key size."""
    key = H("000102030405060708090a0b0c0d0e0f")
    assert aes_ecb_encrypt(key, H("00112233445566778899aabbccddeeff")) == H("69c4e0d86a7b0430d8cdb78070b4c55a")
    for size in (16, 24, 32):
        k = bytes(range(size))
        data = bytes(range(48))
        iv = bytes(range(16, 32))
        assert aes_cbc_decrypt(k, aes_cbc_encrypt(k, data, iv), iv) == data
    with pytest.raises(SecureMessagingError):
        aes_cbc_encrypt(bytes(15), bytes(16))
    with pytest.raises(SecureMessagingError):
        aes_cbc_encrypt(key, bytes(15))


def _reference_cbc(key: bytes, data: bytes, iv: bytes, decrypt: bool) -> bytes:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    alg = algorithms.AES(key) if len(iv) == 16 else TripleDES(key + key[:8] if len(key) == 16 else key)
    c = Cipher(alg, modes.CBC(iv))
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.integers(1, 6), st.binary(min_size=16, max_size=16)),
        min_size=1,
        max_size=8,
    )
)
def test_reused_cbc_contexts_match_fresh_ciphers(ops: list[tuple[bool, bool, int, bytes]]) -> None:
    """Interleaved calls with varying IVs give what a fresh CBC cipher gives (chipid.sm._stream)."""
    k3, ka = bytes(range(1, 17)), bytes(range(2, 18))
    for use_aes, decrypt, blocks, seed in ops:
        size = 16 if use_aes else 8
        data, iv = (seed * blocks)[: size * blocks], seed[:size]
        key = ka if use_aes else k3
        if use_aes:
            got = (aes_cbc_decrypt if decrypt else aes_cbc_encrypt)(key, data, iv)
        else:
            got = (des3_decrypt if decrypt else des3_encrypt)(key, data, iv)
        assert got == _reference_cbc(key, data, iv, decrypt)


def test_cbc_contexts_are_thread_safe() -> None:
    import threading

    key = bytes(range(16))
    errors: list[str] = []

    def work(n: int) -> None:
        for i in range(150):
            iv = bytes([(n * 31 + i) % 256]) * 16
            data = bytes([i % 256]) * 64
            if aes_cbc_encrypt(key, data, iv) != _reference_cbc(key, data, iv, False):
                errors.append(f"enc {n} {i}")
            if des3_decrypt(key, data, iv[:8]) != _reference_cbc(key, data, iv[:8], True):
                errors.append(f"dec {n} {i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
