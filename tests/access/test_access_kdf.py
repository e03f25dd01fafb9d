"""ICAO 9303-11 §9.7.1 KDF: App. D.1 values, parity adjustment, key sizes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.kdf import adjust_parity, kdf, session_keys
from chipid.errors import UnsupportedError
from tests.access.access_fakes import h
from tests.conftest import load_vector


def test_appendix_d1_kdf() -> None:
    """App. D.1: KEnc / KMAC from K_seed, before and after DES parity adjustment."""
    v = load_vector("bac_9303p11_appD.json")
    seed = h(v["D2_key_seed"]["kseed"])
    d1 = v["D1_kdf"]
    assert hashlib.sha1(seed + b"\0\0\0\1").digest()[:16] == h(d1["kenc_before_parity_adjust"])
    assert adjust_parity(h(d1["kenc_before_parity_adjust"])) == h(d1["kenc"])
    assert adjust_parity(h(d1["kmac_before_parity_adjust"])) == h(d1["kmac"])
    assert kdf(seed, 1, "3DES", 112) == h(d1["kenc"])
    assert session_keys(seed, "3DES", 112) == (h(d1["kenc"]), h(d1["kmac"]))


def test_aes_key_sizes() -> None:
    """§9.7.1.2: SHA-1 for AES-128, SHA-256 truncated for AES-192 and AES-256."""
    secret = b"shared"
    assert kdf(secret, 1, "AES", 128) == hashlib.sha1(secret + b"\0\0\0\1").digest()[:16]
    assert kdf(secret, 2, "AES", 192) == hashlib.sha256(secret + b"\0\0\0\2").digest()[:24]
    assert kdf(secret, 3, "AES", 256) == hashlib.sha256(secret + b"\0\0\0\3").digest()


@pytest.mark.parametrize(("cipher", "bits"), [("AES", 64), ("DES", 56), ("3DES", 256)])
def test_unsupported(cipher: str, bits: int) -> None:
    with pytest.raises(UnsupportedError):
        kdf(b"x", 1, cipher, bits)


@settings(max_examples=50)
@given(st.binary(min_size=1, max_size=32))
def test_parity_is_odd_and_idempotent(key: bytes) -> None:
    adjusted = adjust_parity(key)
    assert all(bin(b).count("1") % 2 == 1 for b in adjusted)
    assert adjust_parity(adjusted) == adjusted
    assert bytes(b & 0xFE for b in adjusted) == bytes(b & 0xFE for b in key)
