"""PACE-CAM as the chip-authentication path of the reader (ICAO 9303-11 §4.4.3.5), on the virtual chip."""

from __future__ import annotations

from functools import cache

import pytest

from chipid.reader import DocumentReader
from chipid.report import CheckStatus, Verdict
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip
from chipid.sim.personalize import issue_card

ID_PACE_ECDH_CAM_AES_128 = "0.4.0.127.0.7.2.2.4.6.2"


@cache
def cam_card() -> CardProfile:
    """A card that offers only PACE-CAM (brainpoolP256r1) and no Active Authentication."""
    return issue_card("cam", aa=None, pace_suites=((ID_PACE_ECDH_CAM_AES_128, 13),))


@pytest.mark.parametrize("cloned", [False, True])
def test_reader_verifies_pace_cam_against_the_dg14_key(cloned: bool) -> None:
    profile = cam_card()
    chip = VirtualChip(profile, faults=Faults(cloned=cloned))
    result = DocumentReader(SimTransport(chip), profile.can_key(), trust=profile.trust_store()).read()
    check = result.report.get("chip_authentication")
    assert check is not None and check.details["mapping"] == "CAM"
    assert any(s.name == "chip authentication (PACE-CAM)" for s in result.steps)
    if cloned:
        assert check.status is CheckStatus.FAILED and "does not match the DG14 key" in check.reason
        assert result.report.verdict is Verdict.NOT_GENUINE
    else:
        assert check.status is CheckStatus.PASSED, result.report.to_text()
        assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
