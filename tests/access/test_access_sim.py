"""Interoperability with the virtual chip (chipid.sim): establish() with PACE and BAC, then SM reads."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from chipid.access import CANKey, MRZKey, establish
from chipid.access.pace_crypto import ID_PACE
from chipid.errors import BACError, PACEError
from chipid.iso7816 import commands
from chipid.lds.files import EMRTD_AID
from chipid.sim.chip import VirtualChip
from chipid.sim.personalize import issue_card
from chipid.sim.profile import CardProfile
from chipid.sim.transport import SimTransport
from chipid.transport.base import Transport


def _card(pace: bool = True, suites: Sequence[tuple[str, int]] = ((ID_PACE + ".2.2", 13),)) -> CardProfile:
    return issue_card("access-tests", aa=None, pace=pace, pace_suites=suites)


def _mrz(profile: CardProfile) -> MRZKey:
    return MRZKey(profile.document_number, profile.date_of_birth, profile.date_of_expiry)


def _read_com_header(channel: Transport) -> bytes:
    transmit = channel.transmit
    assert transmit(commands.select_aid(EMRTD_AID).to_bytes())[-2:] == b"\x90\x00"
    assert transmit(commands.select_fid(0x011E).to_bytes())[-2:] == b"\x90\x00"
    data: bytes = transmit(commands.read_binary(0, 2).to_bytes())
    return data


@pytest.mark.parametrize("suite", [(ID_PACE + ".2.2", 13), (ID_PACE + ".2.1", 13), (ID_PACE + ".2.4", 13),
                                   (ID_PACE + ".2.2", 12), (ID_PACE + ".1.2", 0)])
@pytest.mark.parametrize("use_can", [False, True])
def test_pace_with_the_virtual_chip(suite: tuple[str, int], use_can: bool) -> None:
    profile = _card(suites=[suite])
    key = CANKey(profile.can) if use_can else _mrz(profile)
    result = establish(SimTransport(VirtualChip(profile)), key)
    assert result.protocol == "PACE" and result.pace_info is not None
    assert (result.pace_info.protocol, result.pace_info.parameter_id) == suite
    assert _read_com_header(result.channel) == b"\x60" + profile.files["EF.COM"][1:2] + b"\x90\x00"


def test_bac_with_the_virtual_chip() -> None:
    profile = _card(pace=False)
    result = establish(SimTransport(VirtualChip(profile)), _mrz(profile))
    assert result.protocol == "BAC" and result.fallback_reason == "no supported PACEInfo in EF.CardAccess"
    assert _read_com_header(result.channel)[-2:] == b"\x90\x00"
    result = establish(SimTransport(VirtualChip(_card())), _mrz(profile), prefer="bac")
    assert result.protocol == "BAC"


def test_wrong_keys_with_the_virtual_chip() -> None:
    profile = _card()
    wrong = MRZKey(profile.document_number, profile.date_of_birth, "000101")
    with pytest.raises(BACError, match="PACE failed"):
        establish(SimTransport(VirtualChip(profile)), wrong)
    with pytest.raises(PACEError):
        establish(SimTransport(VirtualChip(profile)), CANKey("000000" if profile.can != "000000" else "111111"))
