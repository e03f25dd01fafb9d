"""Protocol selection (9303-11 §4.2): reading EF.CardAccess, PACE first, BAC fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipid.access.keys import CANKey, MRZKey
from chipid.access.select import choose_pace_info, establish, read_card_access
from chipid.errors import AccessControlError, BACError, PACEError, StatusWordError
from chipid.lds.security_infos import PACEInfo
from tests.access.access_chip import PaceChip
from tests.access.access_fakes import FileCard, ListRNG, ScriptedCard, h
from tests.conftest import DATA, load_vector

OK = h("9000")
SELECT_MF = h("00A4000C023F00")
SELECT_CA = h("00A4020C02011C")
SELECT_AID = h("00A4040C07A0000002471001")
GM, CAM, IM = "0.4.0.127.0.7.2.2.4.2.2", "0.4.0.127.0.7.2.2.4.6.2", "0.4.0.127.0.7.2.2.4.4.2"


def _file(name: str) -> bytes:
    path = DATA / "card-access" / name
    return Path(path).read_bytes()


def test_read_card_access_via_mf() -> None:
    data = _file("DE_passport_EF_CardAccess_GM_and_CAM.bin")
    card = FileCard({0x011C: data})
    assert read_card_access(card) == data
    assert card.sent[:2] == [SELECT_MF, SELECT_CA]
    assert all(apdu[1] == 0xB0 for apdu in card.sent[2:])


@pytest.mark.parametrize("sw", ["6D00", "6A82", "6986"])
def test_read_card_access_direct_fid_fallback(sw: str) -> None:
    """CCCD readers that cannot SELECT MF: 00 A4 02 0C 02 01 1C directly."""
    data = _file("DE_eID_EF_CardAccess.bin")
    card = FileCard({0x011C: data}, select_mf_sw=h(sw))
    assert read_card_access(card) == data
    assert card.sent[1] == SELECT_CA


def test_read_card_access_long_file() -> None:
    """A file longer than one short READ BINARY is read in chunks."""
    data = b"\x31\x82\x01\x40" + bytes(range(256)) + bytes(64)
    assert read_card_access(FileCard({0x011C: data})) == data


def test_read_card_access_absent_or_refused() -> None:
    assert read_card_access(FileCard({})) is None
    with pytest.raises(StatusWordError):
        read_card_access(FileCard({}, select_mf_sw=h("6F00")))


def test_choose_pace_info() -> None:
    """GM is preferred over CAM and IM; ECDH over DH; AES and longer keys first; unknown ids skipped."""
    infos = [PACEInfo(CAM, 2, 13), PACEInfo(GM, 2, 13), PACEInfo(IM, 2, 13)]
    assert choose_pace_info(infos) == infos[1]
    infos = [PACEInfo("0.4.0.127.0.7.2.2.4.1.4", 2, 2), PACEInfo("0.4.0.127.0.7.2.2.4.2.1", 2, 13),
             PACEInfo("0.4.0.127.0.7.2.2.4.2.4", 2, 13), PACEInfo("0.4.0.127.0.7.2.2.4.2.3", 2, 13)]
    assert choose_pace_info(infos) == infos[2]
    unusable = [PACEInfo(GM, 2, None), PACEInfo(GM, 2, 4), PACEInfo("1.2.3", 2, 13), PACEInfo(GM, 2, 0),
                PACEInfo(IM, 2, 10), PACEInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 13)]
    assert choose_pace_info(unusable) is None
    assert choose_pace_info([]) is None


def _private_as_rng(private: str) -> bytes:
    """rng bytes that generate_private_key turns into this exact private key (value - 1, 40 bytes)."""
    return (int(private, 16) - 1).to_bytes(40, "big")


def test_establish_replays_appendix_g1() -> None:
    """App. G.1 driven through establish(): EF.CardAccess from the example, PACE ECDH-GM chosen."""
    v = load_vector("pace_ecdh_gm_brainpoolp256r1_9303p11_appG1.json")
    script = [(h(v["apdus"][1]["capdu_alt"]), OK)]
    script += [(h(step["capdu"]), h(step["rapdu"])) for step in v["apdus"][2:]]
    rng = ListRNG(_private_as_rng(v["mapping"]["terminal_private_key"]),
                  _private_as_rng(v["key_agreement"]["terminal_ephemeral_private_key"]))
    m = v["mrz"]
    key = MRZKey(m["document_number"], m["date_of_birth"], m["date_of_expiry"])
    result = establish(ScriptedCard(script), key, card_access=h(v["ef_card_access"]), rng=rng)
    assert result.protocol == "PACE" and result.fallback_reason is None
    assert result.pace_info == PACEInfo(v["oid"], 2, 13)
    assert result.pace is not None and result.pace.parameter_id == 13


class _Router:
    """PACE commands to a PaceChip, SELECTs answered 9000, BAC commands to the App. D script."""

    def __init__(self, chip: PaceChip, bac: ScriptedCard) -> None:
        self.chip, self.bac, self.atr = chip, bac, b"\x3b"
        self.selects: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[1] in (0x22, 0x86):
            return self.chip.transmit(apdu)
        if apdu[1] == 0xA4:
            self.selects.append(apdu)
            return OK
        return self.bac.transmit(apdu)

    def close(self) -> None:
        pass


def _bac_script() -> tuple[ScriptedCard, ListRNG, MRZKey]:
    d3 = load_vector("bac_9303p11_appD.json")["D3_mutual_auth"]
    card = ScriptedCard([(h(d3["get_challenge_capdu"]), h(d3["get_challenge_rapdu"])),
                         (h(d3["external_authenticate_capdu"]), h(d3["external_authenticate_rapdu"]))])
    return card, ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])), MRZKey("L898902C", "690806", "940623")


def test_fallback_to_bac_when_pace_fails() -> None:
    """The chip refuses PACE (its password differs): BAC (App. D.3) runs, the reason is recorded."""
    bac, rng, key = _bac_script()
    router = _Router(PaceChip(CANKey("999999"), GM, 13, seed=3), bac)
    result = establish(router, key, card_access=_file("DE_passport_EF_CardAccess_GM_and_CAM.bin"),
                       rng=lambda n: rng(n) if n in (8, 16) else bytes(n))
    assert result.protocol == "BAC" and bac.done
    assert result.fallback_reason is not None and "PACE failed" in result.fallback_reason
    assert result.pace_info is not None and result.pace_info.protocol == GM
    assert router.selects[-1] == SELECT_AID


def test_bac_without_card_access_and_prefer_bac() -> None:
    bac, rng, key = _bac_script()
    card = _Router(PaceChip(CANKey("1"), GM, 13), bac)
    result = establish(card, key, card_access=b"", rng=rng)
    assert result.protocol == "BAC" and result.fallback_reason == "no EF.CardAccess"
    bac, rng, key = _bac_script()
    result = establish(_Router(PaceChip(CANKey("1"), GM, 13), bac), key, prefer="bac", rng=rng)
    assert result.protocol == "BAC" and result.fallback_reason is None and result.pace_info is None


def test_can_needs_pace() -> None:
    bac, _, _ = _bac_script()
    with pytest.raises(AccessControlError, match="CAN"):
        establish(_Router(PaceChip(CANKey("1"), GM, 13), bac), CANKey("123456"), card_access=b"")
    chip = PaceChip(CANKey("999999"), GM, 13)
    with pytest.raises(PACEError):
        establish(_Router(chip, bac), CANKey("123456"),
                  card_access=_file("DE_passport_EF_CardAccess_GM_and_CAM.bin"), rng=chip.rng)


def test_pace_with_can_against_chip() -> None:
    chip = PaceChip(CANKey("123456"), GM, 13)
    bac, _, _ = _bac_script()
    result = establish(_Router(chip, bac), CANKey("123456"),
                       card_access=_file("DE_eID_EF_CardAccess.bin"), rng=chip.rng)
    assert result.protocol == "PACE" and result.pace_info is not None


def test_both_fail_names_both() -> None:
    d3 = load_vector("bac_9303p11_appD.json")["D3_mutual_auth"]
    bac = ScriptedCard([(None, h(d3["get_challenge_rapdu"])), (None, h("6300"))])
    with pytest.raises(BACError, match="PACE failed"):
        establish(_Router(PaceChip(CANKey("999999"), GM, 13), bac), MRZKey("L898902C", "690806", "940623"),
                  card_access=_file("DE_passport_EF_CardAccess_GM_and_CAM.bin"))
