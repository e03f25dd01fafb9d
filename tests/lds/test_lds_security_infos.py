"""SecurityInfos of EF.CardAccess and DG14 (ICAO 9303-11 §9.2) on real specimen files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.lds.oids import oid_name
from chipid.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    PACEInfo,
    SecurityInfos,
    encode_security_infos,
    parse_security_infos,
)
from tests.lds._samples import BSI, CARD_ACCESS, cccd_card_access, read


def test_cccd_card_access() -> None:
    """CCCD EF.CardAccess: TA v1, CA-ECDH-AES-128 v1, PACE-ECDH-GM-AES-128 v2 on brainpoolP256r1 (id 13)."""
    data = cccd_card_access()
    infos = parse_security_infos(data, name="EF.CardAccess")
    assert infos.pace_infos == (PACEInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)
    assert infos.pace_infos[0].name == "id-PACE-ECDH-GM-AES-CBC-CMAC-128"
    assert infos.chip_authentication_infos[0].name == "id-CA-ECDH-AES-CBC-CMAC-128"
    assert infos.chip_authentication_infos[0].version == 1
    assert infos.terminal_authentication_infos[0].version == 1
    assert not infos.supports_pace_cam
    assert encode_security_infos(infos) == data


def test_de_passport_gm_and_cam() -> None:
    data = read(CARD_ACCESS / "DE_passport_EF_CardAccess_GM_and_CAM.bin")
    infos = parse_security_infos(data)
    assert [p.name for p in infos.pace_infos] == [
        "id-PACE-ECDH-GM-AES-CBC-CMAC-128",
        "id-PACE-ECDH-CAM-AES-CBC-CMAC-128",
    ]
    assert infos.supports_pace_cam
    assert encode_security_infos(infos) == data


def test_de_eid_keeps_unknown_entries() -> None:
    data = read(CARD_ACCESS / "DE_eID_EF_CardAccess.bin")
    infos = parse_security_infos(data)
    assert infos.chip_authentication_infos[0].key_id == 65
    assert infos.chip_authentication_domain_parameter_infos[0].key_id == 65
    assert [oid_name(o) for o, _ in infos.unknown] == ["id-CI", "id-PT"]
    assert encode_security_infos(infos) == data


def test_bsi_dg14_ca_key_with_explicit_parameters() -> None:
    data = read(BSI / "DG14.bin")
    infos = parse_security_infos(data)
    (pk,) = infos.chip_authentication_public_key_infos
    assert oid_name(pk.protocol) == "id-PK-ECDH"
    assert pk.public_key[:2] == b"\x30\x82" and len(pk.public_key) == 0x117
    assert infos.chip_authentication_infos[0].name == "id-CA-ECDH-3DES-CBC-CBC"
    again = encode_security_infos(infos, dg14=True)
    assert again[0] == 0x6E and parse_security_infos(again) == infos
    # bare SET (DG14 unwrapped) parses the same
    assert parse_security_infos(data[4:]) == infos


def test_active_authentication_info_round_trip() -> None:
    infos = SecurityInfos(
        active_authentication_infos=(ActiveAuthenticationInfo("2.23.136.1.1.5", 1, "0.4.0.127.0.7.1.1.4.1.3"),)
    )
    again = parse_security_infos(encode_security_infos(infos))
    assert again == infos
    assert again.active_authentication_infos[0].signature_algorithm_name == "ecdsa-plain-SHA256"


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"\x31",
        b"\x30\x00",
        b"\x31\x03\x30\x01\x06",
        b"\x6e\x02\x31\x00\x00",
        bytes.fromhex("3105300306012a"),
    ],
)
def test_bad_input_is_parse_error(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_security_infos(bad)


def test_malformed_pace_info_has_path() -> None:
    # PACEInfo with version as an OCTET STRING
    bad = bytes.fromhex("3111300f060a04007f00070202040202040101")
    with pytest.raises(ParseError) as info:
        parse_security_infos(bad, name="EF.CardAccess")
    assert info.value.path == "EF.CardAccess > SecurityInfo[0]"


_PROTOCOLS = st.sampled_from(["0.4.0.127.0.7.2.2.4.2.2", "0.4.0.127.0.7.2.2.4.6.4", "0.4.0.127.0.7.2.2.4.1.1"])
_OPT = st.none() | st.integers(min_value=0, max_value=2**40)


@settings(max_examples=50, deadline=None)
@given(
    pace=st.lists(st.builds(PACEInfo, _PROTOCOLS, st.integers(0, 9), _OPT), max_size=3),
    ca=st.lists(
        st.builds(ChipAuthenticationInfo, st.just("0.4.0.127.0.7.2.2.3.2.4"), st.integers(1, 2), _OPT), max_size=2
    ),
)
def test_encode_parse_round_trip(pace: list[PACEInfo], ca: list[ChipAuthenticationInfo]) -> None:
    """Built SecurityInfos survive encode -> parse (order within a kind follows DER SET OF sorting)."""
    infos = SecurityInfos(pace_infos=tuple(pace), chip_authentication_infos=tuple(ca))
    der = encode_security_infos(infos)
    again = parse_security_infos(der)
    assert sorted(again.pace_infos, key=repr) == sorted(pace, key=repr)
    assert sorted(again.chip_authentication_infos, key=repr) == sorted(ca, key=repr)
    assert encode_security_infos(again) == der


def test_card_security_signed_data() -> None:
    """EF.CardSecurity (ICAO 9303-11 §9.2.11): SecurityInfos inside CMS SignedData (signature not checked here)."""
    from asn1crypto import cms

    from chipid.lds.security_infos import parse_card_security

    inner = read(CARD_ACCESS / "DE_passport_EF_CardAccess_GM_and_CAM.bin")
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "0.4.0.127.0.7.3.2.1", "content": inner},
            "signer_infos": [],
        }
    )
    data = cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    assert parse_card_security(data) == parse_security_infos(inner)
    assert parse_card_security(inner) == parse_security_infos(inner)
    for bad in (b"", data[:-3], b"\x30\x03\x06\x01\x2a"):
        with pytest.raises(ParseError):
            parse_card_security(bad)
