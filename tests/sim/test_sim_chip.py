"""Status words and READ BINARY forms of the virtual chip (ISO/IEC 7816-4 §5.6, §11; ICAO 9303-11 §9.8)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chipid.lds.mrz import mrz_information
from chipid.sim import Faults, VirtualChip
from chipid.sim.chip import ATR
from chipid.sim.profile import CardProfile
from tests.sim._terminal import TermSM, term_bac, term_pace
from tests.sim.conftest import hand_profile

SELECT_APP = bytes.fromhex("00A4040C07A0000002471001")
_PROFILE = hand_profile("L898902C", "690806", "940623")


def _sw(response: bytes) -> int:
    return int.from_bytes(response[-2:], "big")


def _bac(profile: CardProfile, faults: Faults | None = None) -> tuple[VirtualChip, TermSM]:
    chip = VirtualChip(profile, faults=faults)
    chip.power_on()
    assert _sw(chip.process(SELECT_APP)) == 0x9000
    sm = term_bac(chip.process, mrz_information(profile.document_number, profile.date_of_birth, profile.date_of_expiry))
    return chip, sm


def _read(
    chip: VirtualChip, sm: TermSM, p1: int, p2: int, ne: int, ins: int = 0xB0, data: bytes = b""
) -> tuple[bytes, int]:
    return sm.unwrap(chip.process(sm.wrap(0x00, ins, p1, p2, data, ne=ne)))


def test_atr_is_contactless_with_valid_tck() -> None:
    assert ATR[:4] == bytes.fromhex("3B888001")
    tck = 0
    for b in ATR[1:]:
        tck ^= b
    assert tck == 0


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("00A40000023F00", 0x9000),  # MF by FID
        ("00A4000C00", 0x9000),  # MF, empty data
        ("00A4020C02011C", 0x9000),  # EF.CardAccess by FID (the CCCD fallback)
        ("00A4080C02011C", 0x9000),  # by path from the MF
        ("00A4020C02011E", 0x6A82),  # EF.COM is not in the MF
        ("00A4040C07A0000002471002", 0x6A82),  # unknown AID
        ("00A4020C020F0F", 0x6A82),  # unknown FID
        ("00A4020502011C", 0x6A86),  # bad P2
        ("00A4030C02011C", 0x6A86),  # bad P1
        ("00A4020C03011C00", 0x6700),  # FID of 3 bytes
        ("00CA000000", 0x6D00),  # GET DATA: not supported
        ("80A4000C023F00", 0x6E00),  # proprietary CLA
        ("0084000004", 0x6700),  # GET CHALLENGE for 4 bytes
        ("0084010008", 0x6A86),
        ("00B0000008", 0x6986),  # READ BINARY without a current EF
        ("00B0", 0x6700),  # truncated APDU
        ("00B09C0004", 0x9000),  # SFI 1C in the MF = EF.CardAccess, readable in plain
        ("0CB0000004", 0x6988),  # SM without a session
        ("0088000008" + "00" * 8 + "00", 0x6D00),  # no AA key in this profile
        ("008600000C7C0A8508C2B0BD78D94BA86600", 0x6985),  # GENERAL AUTHENTICATE out of sequence
    ],
)
def test_plain_status_words(app_d_profile: CardProfile, apdu: str, sw: int) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    assert _sw(chip.process(bytes.fromhex(apdu))) == sw


def test_plain_read_of_card_access_and_select_fcp(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    fcp = chip.process(bytes.fromhex("00A4020402011C00"))
    assert fcp[0] == 0x62 and _sw(fcp) == 0x9000
    assert bytes.fromhex("8002") + len(app_d_profile.files["EF.CardAccess"]).to_bytes(2, "big") in fcp
    fci = chip.process(bytes.fromhex("00A4020002011C00"))
    assert fci[0] == 0x6F and fci[2:-2] == fcp[2:-2]
    out = chip.process(bytes.fromhex("00B0000004"))
    assert out == app_d_profile.files["EF.CardAccess"][:4] + b"\x90\x00"


def test_app_files_need_secure_messaging(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    chip.process(SELECT_APP)
    assert _sw(chip.process(bytes.fromhex("00B0810004"))) == 0x6982  # DG1 by SFI
    assert _sw(chip.process(bytes.fromhex("00A4020C020101"))) == 0x6982


def test_read_binary_forms_under_sm(app_d_profile: CardProfile) -> None:
    chip, sm = _bac(app_d_profile)
    dg13 = app_d_profile.files["DG13"]
    # SFI form, then offset form on the now current EF
    assert _read(chip, sm, 0x8D, 0, 4) == (dg13[:4], 0x9000)
    assert _read(chip, sm, 0x00, 4, 16) == (dg13[4:20], 0x9000)
    # an explicit Le beyond the end: 6282 with the remaining bytes; Le=00 reads up to the end (9000)
    assert _read(chip, sm, 0x01, 0x20, 250) == (dg13[0x120:], 0x6282)
    assert _read(chip, sm, 0x01, 0x20, 256) == (dg13[0x120:], 0x9000)
    # offset past the end: 6B00
    assert _read(chip, sm, 0x01, 0x30, 1)[1] == 0x6B00
    # extended Le reads the whole file at once
    assert _read(chip, sm, 0x00, 0x00, 1000) == (dg13, 0x6282)
    # odd INS with DO'54' offset, by FID and by current EF, answered in DO'53'
    data, sw = _read(chip, sm, 0x01, 0x0D, 10, ins=0xB1, data=bytes.fromhex("540102"))
    assert (data, sw) == (bytes([0x53, 8]) + dg13[2:10], 0x9000)
    data, sw = _read(chip, sm, 0x00, 0x00, 256, ins=0xB1, data=bytes.fromhex("54020130"))
    assert sw == 0x6B00
    data, sw = _read(chip, sm, 0x00, 0x00, 20, ins=0xB1, data=b"")
    assert sw == 0x6A80
    # DG3 is EAC-protected even under BAC; DG5 does not exist
    assert _read(chip, sm, 0x83, 0, 4)[1] == 0x6982
    assert _read(chip, sm, 0x85, 0, 4)[1] == 0x6A82
    assert _read(chip, sm, 0xE1, 0, 4)[1] == 0x6A86


def test_extended_length_switched_off(app_d_profile: CardProfile) -> None:
    chip, sm = _bac(app_d_profile, Faults(no_extended_length=True))
    assert _read(chip, sm, 0x8D, 0, 1000)[1] == 0x6700
    assert _read(chip, sm, 0x8D, 0, 200)[1] == 0x9000  # the session survives, short reads work
    plain = VirtualChip(app_d_profile, faults=Faults(no_extended_length=True))
    plain.power_on()
    assert _sw(plain.process(bytes.fromhex("00B09C00000100"))) == 0x6700


def test_wrong_bac_key_is_6300(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    with pytest.raises(PermissionError, match="6300"):
        term_bac(chip.process, mrz_information("L898902C", "690806", "940624"))
    assert chip.sm is None


def test_external_authenticate_without_challenge(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    assert _sw(chip.process(bytes.fromhex("0082000028") + bytes(40) + b"\x28")) == 0x6985
    assert _sw(chip.process(bytes.fromhex("0082000004") + bytes(4))) == 0x6700


def test_wrong_mac_drops_the_session(app_d_profile: CardProfile) -> None:
    chip, sm = _bac(app_d_profile)
    apdu = bytearray(sm.wrap(0x00, 0xB0, 0x81, 0x00, ne=4))
    apdu[-2] ^= 0x01  # last MAC byte
    assert chip.process(bytes(apdu)) == b"\x69\x88"
    assert chip.sm is None
    assert _read(chip, sm, 0x81, 0, 4) == (b"", 0x6988)  # still no session


def test_missing_mac_is_6987(app_d_profile: CardProfile) -> None:
    chip, _ = _bac(app_d_profile)
    assert chip.process(bytes.fromhex("0CB0810003970104" + "00")) == b"\x69\x87"
    assert chip.sm is None


def test_plain_command_aborts_sm(app_d_profile: CardProfile) -> None:
    chip, _ = _bac(app_d_profile)
    assert _sw(chip.process(bytes.fromhex("00B0810004"))) == 0x6982
    assert chip.sm is None


def test_wrong_mac_fault_once_then_good(app_d_profile: CardProfile) -> None:
    chip, sm = _bac(app_d_profile, Faults(wrong_mac="once"))
    with pytest.raises(AssertionError, match="MAC"):
        _read(chip, sm, 0x81, 0, 4)
    assert _read(chip, sm, 0x81, 0, 4)[1] == 0x9000


def test_corrupted_dg_differs(app_d_profile: CardProfile) -> None:
    chip, sm = _bac(app_d_profile, Faults(corrupt_dgs=(13,)))
    data, _ = _read(chip, sm, 0x8D, 0, 1000)
    assert data != app_d_profile.files["DG13"] and len(data) == len(app_d_profile.files["DG13"])


def test_tear_counts_apdus(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile, faults=Faults(tear_after=2))
    chip.power_on()
    assert not chip.tear_now()
    chip.process(SELECT_APP)
    chip.process(SELECT_APP)
    assert chip.tear_now()
    assert not chip.powered
    assert not chip.tear_now()  # once only by default


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_process_never_raises(apdu: bytes) -> None:
    chip = VirtualChip(_PROFILE)
    chip.power_on()
    out = chip.process(apdu)
    assert len(out) >= 2


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=0, max_size=80))
def test_sm_garbage_never_raises(body: bytes) -> None:
    chip, _ = _bac(_PROFILE)
    out = chip.process(bytes([0x0C, 0xB0, 0x00, 0x00, len(body)]) + body + b"\x00")
    assert out in (b"\x69\x87", b"\x69\x88", b"\x67\x00")


def _mse_pace(oid_hex: str, ref: int, param: int | None = None) -> bytes:
    body = bytes.fromhex("80" + f"{len(oid_hex) // 2:02X}" + oid_hex) + bytes([0x83, 1, ref])
    if param is not None:
        body += bytes([0x84, 1, param])
    return bytes([0x00, 0x22, 0xC1, 0xA4, len(body)]) + body


ECDH_GM_AES128 = "04007F00070202040202"


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        (_mse_pace(ECDH_GM_AES128, 1), 0x9000),
        (_mse_pace(ECDH_GM_AES128, 2, 13), 0x9000),
        (_mse_pace(ECDH_GM_AES128, 2, 12), 0x6A80),  # parameter id not advertised
        (_mse_pace("04007F00070202040102", 1), 0x6A80),  # DH-GM not in EF.CardAccess
        (_mse_pace(ECDH_GM_AES128, 3), 0x6A88),  # PIN: no such password here
        (bytes.fromhex("0022C1A403800100"), 0x6A80),  # no password reference
        (bytes.fromhex("0022C1A4028001"), 0x6A80),  # malformed TLV
        (bytes.fromhex("002281B600"), 0x6A88),  # TA: no CVCA
        (bytes.fromhex("0022F1A400"), 0x6A86),
    ],
)
def test_mse_set_at_pace(app_d_profile: CardProfile, apdu: bytes, sw: int) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    assert _sw(chip.process(apdu)) == sw


def test_pace_refused_by_bac_only_chip(app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile, faults=Faults(bac_only=True))
    chip.power_on()
    assert _sw(chip.process(_mse_pace(ECDH_GM_AES128, 1))) == 0x6A80


@pytest.mark.parametrize("ref", [1, 2])
def test_pace_wrong_password_is_6300(app_d_profile: CardProfile, ref: int) -> None:
    chip = VirtualChip(app_d_profile)
    chip.power_on()
    with pytest.raises(PermissionError, match=r"6300$"):
        term_pace(chip.process, b"wrong password", "0.4.0.127.0.7.2.2.4.2.2", 13, ref)
    assert chip.sm is None and chip.pace is None


def test_pace_with_can_and_mrz(app_d_profile: CardProfile) -> None:
    import hashlib

    info = mrz_information("L898902C", "690806", "940623")
    for password, ref in ((hashlib.sha1(info.encode()).digest(), 1), (b"123456", 2)):
        chip = VirtualChip(app_d_profile)
        chip.power_on()
        chip.process(SELECT_APP)
        sm = term_pace(chip.process, password, "0.4.0.127.0.7.2.2.4.2.2", 13, ref)
        assert _read(chip, sm, 0x81, 0, 5) == (app_d_profile.files["DG1"], 0x9000)


@settings(max_examples=80, deadline=None)
@given(offset=st.integers(0, 400), ne=st.integers(1, 700), odd=st.booleans())
@example(offset=49, ne=256, odd=False)  # Le=00 up to the end: 9000
@example(offset=49, ne=255, odd=False)  # explicit Le past the end: 6282
def test_read_binary_matches_the_file(offset: int, ne: int, odd: bool) -> None:
    """ISO/IEC 7816-4 §11.2.3: any offset/Le gives the file slice, 6282 at the end, 6B00 past it."""
    chip, sm = _bac(_PROFILE)
    dg13 = _PROFILE.files["DG13"]
    if odd:
        data, sw = _read(chip, sm, 0x01, 0x0D, ne, ins=0xB1, data=b"\x54\x02" + offset.to_bytes(2, "big"))
    else:
        _read(chip, sm, 0x8D, 0, 1)  # select DG13 by SFI
        data, sw = _read(chip, sm, offset >> 8, offset & 0xFF, ne)
    if offset >= len(dg13):
        assert (data, sw) == (b"", 0x6B00)
        return
    if odd and ne < 3:  # no room for even one byte inside DO'53'
        assert (data, sw) == (b"", 0x6700)
        return
    answered = len(data)
    if odd:
        assert data[0] == 0x53 and answered <= ne
        data = data[2:] if data[1] < 0x80 else data[2 + (data[1] & 0x7F) :]
    assert data == dg13[offset : offset + len(data)] and data
    # Le=00 (Ne 256) reads up to the end of the file: 9000; an explicit Ne beyond the end: 6282
    assert sw == (0x6282 if offset + len(data) == len(dg13) and answered < ne and ne != 256 else 0x9000)


def _with_dg2(profile: CardProfile) -> CardProfile:
    return profile.with_files(DG2=bytes.fromhex("75822710") + bytes(i % 251 for i in range(10000)))


def test_le_0000_reads_the_whole_file(app_d_profile: CardProfile) -> None:
    """ISO/IEC 7816-4 §11.2.3: extended Le=0000 (Ne 65536) answers every byte up to the end, with 9000."""
    app_d_profile = _with_dg2(app_d_profile)
    chip, sm = _bac(app_d_profile)
    dg2 = app_d_profile.files["DG2"]
    assert _read(chip, sm, 0x82, 0, 65536) == (dg2, 0x9000)


def test_read_faults(app_d_profile: CardProfile) -> None:
    app_d_profile = _with_dg2(app_d_profile)
    dg2, dg13 = app_d_profile.files["DG2"], app_d_profile.files["DG13"]
    chip, sm = _bac(app_d_profile, Faults(refuse_sfi=True))
    assert _read(chip, sm, 0x8D, 0, 4)[1] == 0x6A86
    assert sm.unwrap(chip.process(sm.wrap(0x00, 0xA4, 0x02, 0x0C, b"\x01\x0D")))[1] == 0x9000
    assert _read(chip, sm, 0x00, 0, 65536) == (dg13, 0x9000)  # after SELECT by FID all is well
    chip, sm = _bac(app_d_profile, Faults(refuse_le_zero=True))
    assert _read(chip, sm, 0x82, 0, 65536)[1] == 0x6700
    assert _read(chip, sm, 0x82, 0, 65535) == (dg2, 0x6282)  # an explicit extended Ne works
    chip, sm = _bac(app_d_profile, Faults(max_read=1000))
    assert _read(chip, sm, 0x82, 0, 65536) == (dg2[:1000], 0x9000)  # the buffer's worth
    assert _read(chip, sm, 0x03, 0xE8, 1001)[1] == 0x6700  # offset 1000
    assert _read(chip, sm, 0x03, 0xE8, 1000) == (dg2[1000:2000], 0x9000)
