"""Replay of the ICAO 9303-11 App. D.4 secure-messaging worked example, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest

from chipid.iso7816.apdu import CommandAPDU
from chipid.sm.channel import SecureChannel, SMKeys, protect_command, unprotect_response
from chipid.sm.des3 import retail_mac
from chipid.sm.padding import pad
from tests.conftest import load_vector

H = bytes.fromhex


def _vector() -> dict[str, Any]:
    return load_vector("bac_9303p11_appD.json")


def _keys(v: dict[str, Any]) -> SMKeys:
    d3 = v["D3_mutual_auth"]
    return SMKeys("3DES", H(d3["ks_enc"]), H(d3["ks_mac"]))


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _vector()["D4_secure_messaging"]
    return steps


@pytest.mark.parametrize("index", [0, 1, 2])
def test_appendix_d4_protect_command(index: int) -> None:
    """ICAO 9303-11 App. D.4: protected command APDU, SSC, DO'87'/DO'97'/DO'8E' and CC."""
    v = _vector()
    step = _steps()[index]
    keys = _keys(v)
    plain = CommandAPDU.from_bytes(H(step["unprotected_capdu"]))
    ssc = int(step["ssc_for_command"], 16)
    protected = protect_command(keys, ssc, plain)
    assert protected.hex().upper() == step["protected_capdu"]
    # the intermediate values appear inside the protected APDU and the MAC input
    assert H(step["do8e"]) in protected
    if "do97" in step:
        assert H(step["do97"]) in protected
    else:  # SELECT: the command carries DO'87'
        assert H(step["do87"]) in protected
    assert H(step["n_padded"]) == pad(H(step["ssc_for_command"]) + H(step["m"]), 8)
    assert retail_mac(keys.ks_mac, H(step["n_padded"])) == H(step["cc"])


@pytest.mark.parametrize("index", [0, 1, 2])
def test_appendix_d4_unprotect_response(index: int) -> None:
    """ICAO 9303-11 App. D.4: response MAC check (K, CC) and DO'87' decryption."""
    v = _vector()
    step = _steps()[index]
    keys = _keys(v)
    ssc = int(step["ssc_for_response"], 16)
    plain = unprotect_response(keys, ssc, H(step["protected_rapdu"]))
    assert plain.hex().upper() == step["unprotected_rapdu"]
    assert retail_mac(keys.ks_mac, H(step["k_padded"])) == H(step["cc_response"])
    if "do97" in step:  # READ BINARY: the response carries DO'87'
        assert H(step["do87"]) in H(step["protected_rapdu"])


class _Replay:
    """A transport that expects the App. D.4 protected commands and answers the responses."""

    atr = b""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.steps = list(steps)
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        step = self.steps.pop(0)
        self.sent.append(apdu)
        assert apdu == H(step["protected_capdu"])
        return H(step["protected_rapdu"])

    def close(self) -> None:
        pass


def test_appendix_d4_channel_reads_ef_com() -> None:
    """ICAO 9303-11 App. D.4 through SecureChannel: SELECT EF.COM then two READ BINARYs."""
    v = _vector()
    steps = _steps()
    inner = _Replay(steps)
    channel = SecureChannel(inner, _keys(v), int(v["D3_mutual_auth"]["ssc"], 16))
    answers = [channel.transmit(H(s["unprotected_capdu"])) for s in steps]
    assert [a.hex().upper() for a in answers] == [s["unprotected_rapdu"] for s in steps]
    assert channel.ssc == int(steps[-1]["ssc_for_response"], 16)
    assert answers[1][:-2] + answers[2][:-2] == H(v["ef_com_full"])


def test_pace_vectors_have_no_sm_exchanges() -> None:
    """ICAO 9303-11 App. G.1: the transcript ends at GA4 (plain); SM then starts at SSC 0."""
    v = load_vector("pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json")
    assert all(a.get("capdu", "00")[:2] in ("00", "10") for a in v["apdus"])
    keys = SMKeys("AES", H(v["key_agreement"]["ks_enc"]), H(v["key_agreement"]["ks_mac"]))
    assert int(v["ssc_after_pace"], 16) == 0
    channel = SecureChannel(_Replay([]), keys, int(v["ssc_after_pace"], 16))
    assert channel.ssc == 0 and channel.keys.block_size == 16
