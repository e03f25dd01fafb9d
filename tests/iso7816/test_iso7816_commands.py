"""Command builders: ICAO 9303-10 §3.5, 9303-11 §4.3/§4.4/§6, ISO/IEC 7816-4 §11."""

from __future__ import annotations

import pytest

from chipid.errors import ParseError
from chipid.iso7816 import commands as c
from tests.conftest import load_vector

H = bytes.fromhex


def test_select_and_read() -> None:
    assert c.select_mf().to_bytes() == H("00A4000C023F00")
    assert c.select_fid(0x011E).to_bytes() == H("00A4020C02011E")
    assert c.select_fid(0x011C).to_bytes() == H("00A4020C02011C")
    assert c.select_fid(0x011E, p2=0x04).to_bytes() == H("00A4020402011E00")
    assert c.select_aid(H("A0000002471001")).to_bytes() == H("00A4040C07A0000002471001")
    assert c.read_binary(0, 4).to_bytes() == H("00B0000004")
    assert c.read_binary(0x7FFF, 256).to_bytes() == H("00B07FFF00")
    assert c.read_binary(4, 0x1000).to_bytes() == H("00B00004001000")
    assert c.read_binary_sfi(0x1E, 0, 4).to_bytes() == H("00B09E0004")
    assert c.read_binary_odd(0x8000, 0xDF).to_bytes() == H("00B1000004540280 00DF".replace(" ", ""))
    assert c.read_binary_odd(0x12345, 16).data == H("5403012345")


@pytest.mark.parametrize(
    "build",
    [
        lambda: c.select_fid(0x10000),
        lambda: c.select_aid(b""),
        lambda: c.read_binary(0x8000, 4),
        lambda: c.read_binary_sfi(0, 0, 4),
        lambda: c.read_binary_sfi(31, 0, 4),
        lambda: c.read_binary_sfi(1, 256, 4),
        lambda: c.read_binary_odd(-1, 4),
        lambda: c.mse_set_at(b"\x04", purpose="bogus"),
    ],
)
def test_builders_reject_bad_arguments(build: object) -> None:
    with pytest.raises(ParseError):
        build()  # type: ignore[operator]


def test_bac_commands() -> None:
    """ICAO 9303-11 App. D.3: GET CHALLENGE and EXTERNAL AUTHENTICATE as sent."""
    v = load_vector("bac_9303p11_appD.json")["D3_mutual_auth"]
    assert c.get_challenge().to_bytes() == H(v["get_challenge_capdu"])
    assert c.external_authenticate(H(v["cmd_data"])).to_bytes() == H(v["external_authenticate_capdu"])
    assert c.internal_authenticate(bytes(8)).to_bytes() == H("0088000008" + "00" * 8 + "00")


def test_pace_commands() -> None:
    """ICAO 9303-11 App. G.1: MSE:Set AT and the four GENERAL AUTHENTICATE commands."""
    v = load_vector("pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json")
    apdus = v["apdus"]
    oid = H("04007F00070202040202")
    assert c.mse_set_at(oid, key_ref=1).to_bytes() == H(apdus[0]["capdu"])
    assert c.mse_set_at(oid, key_ref=1, private_key_ref=13).to_bytes() == H(apdus[1]["capdu_alt"])
    for i, a in enumerate(apdus[2:]):
        raw = H(a["capdu"])
        last = i == 3
        data = raw[7:-1]  # DO'7C' content: skip header, Lc, 7C and its one-byte length
        assert c.general_authenticate(data, last=last).to_bytes() == raw


def test_ca_and_ta_mse() -> None:
    assert c.mse_set_at(H("04007F00070202030202"), private_key_ref=1, purpose="ca").to_bytes()[:4] == H("002241A4")
    assert c.mse_set_at(b"", key_ref=b"DETESTCVCA00003", purpose="dst").to_bytes() == H("002281B611830F") + (
        b"DETESTCVCA00003"
    )
    assert c.mse_set_at(H("04007F00070202020202"), purpose="ta").to_bytes()[:4] == H("002281A4")
    kat = c.mse_set_kat(H("04AABB"), key_id=0x0100).to_bytes()
    assert kat == H("002241A609910304AABB84020100")
