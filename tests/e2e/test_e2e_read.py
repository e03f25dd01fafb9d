"""End to end: the virtual CCCD read through pcscd + vpcd + pyscard with the library's reader side."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chipid.access import CANKey, MRZKey, establish
from chipid.auth.active import perform_active_auth
from chipid.auth.chip import perform_chip_auth
from chipid.errors import (
    CardRemovedError,
    PACEError,
    SecureMessagingError,
    SecurityStatusNotSatisfiedError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import ReadPolicy, read_ef
from chipid.iso7816.tlv import decode_tlv
from chipid.lds.files import EMRTD_AID
from chipid.lds.security_infos import parse_security_infos
from chipid.report import CheckStatus
from chipid.sim import Faults, VirtualChip
from chipid.sim.personalize import default_profile
from chipid.sim.vpcd import VpcdBridge
from chipid.transport.base import Transport
from chipid.transport.pcsc import PCSCTransport
from tests.e2e.conftest import READER, wait_card

pytestmark = pytest.mark.pcscd

FILES = {"EF.COM": 0x1E, "DG1": 1, "DG2": 2, "DG13": 13, "DG14": 14, "DG15": 15, "EF.SOD": 0x1D}
Start = Callable[..., VpcdBridge]


def _mrz() -> MRZKey:
    p = default_profile()
    return MRZKey(p.document_number, p.date_of_birth, p.date_of_expiry)


def read_card(
    key: MRZKey | CANKey, *, prefer: str = "pace", policy: ReadPolicy | None = None
) -> tuple[str, dict[str, bytes]]:
    """One read session: connect, establish, select the application, read every file."""
    transport = PCSCTransport.open(READER, wait=5)
    try:
        return _read(transport, key, prefer, policy or ReadPolicy())
    finally:
        transport.close()


def _read(transport: Transport, key: MRZKey | CANKey, prefer: str, policy: ReadPolicy) -> tuple[str, dict[str, bytes]]:
    result = establish(transport, key, prefer=prefer)
    channel = result.channel
    ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
    files = {name: read_ef(channel, sfi=sfi, policy=policy) for name, sfi in FILES.items()}
    with pytest.raises(SecurityStatusNotSatisfiedError):
        read_ef(channel, sfi=3, policy=policy)  # DG3 needs EAC
    return result.protocol, files


def _expected() -> dict[str, bytes]:
    return {name: default_profile().files[name] for name in FILES}


@pytest.mark.parametrize(
    ("key", "prefer", "protocol"),
    [("mrz", "bac", "BAC"), ("mrz", "pace", "PACE"), ("can", "pace", "PACE")],
    ids=["bac-mrz", "pace-mrz", "pace-can"],
)
def test_read_every_file(virtual_card: Start, key: str, prefer: str, protocol: str) -> None:
    virtual_card()
    access_key = _mrz() if key == "mrz" else CANKey(default_profile().can)
    used, files = read_card(access_key, prefer=prefer)
    assert used == protocol
    assert files == _expected()


def test_mf_files_aa_and_ca(virtual_card: Start) -> None:
    """The MF files read in plain (9303-10 §3.11), then AA (9303-11 §6.1) and CA (§6.2) over PACE."""
    virtual_card()
    profile = default_profile()
    transport = PCSCTransport.open(READER, wait=5)
    try:
        assert transport.atr == VirtualChip(profile).atr
        for name, fid in (("EF.ATR/INFO", 0x2F01), ("EF.DIR", 0x2F00), ("EF.CardAccess", 0x011C)):
            assert read_ef(transport, fid=fid, secure=False) == profile.files[name]
        channel = establish(transport, CANKey(profile.can)).channel
        check = perform_active_auth(channel, profile.files["DG15"])
        assert check.status is CheckStatus.PASSED, check
        ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
        _, dg14, _ = decode_tlv(read_ef(channel, sfi=14))  # 6E { SecurityInfos }
        ca = perform_chip_auth(channel, parse_security_infos(dg14, name="DG14"))
        assert ca.passed, ca.reason
        assert read_ef(channel, sfi=2) == profile.files["DG2"]  # a big read under the CA keys
    finally:
        transport.close()


def test_short_apdus_only(virtual_card: Start) -> None:
    bridge = virtual_card(faults=Faults(no_extended_length=True))
    policy = ReadPolicy()
    _, files = read_card(CANKey(default_profile().can), policy=policy)
    assert files == _expected()
    assert policy.extended is False
    assert bridge.apdus > 60


def test_downgrade_to_bac(virtual_card: Start) -> None:
    virtual_card(faults=Faults(bac_only=True))
    used, files = read_card(_mrz())
    assert used == "BAC" and files == _expected()


def test_wrong_mac_is_detected(virtual_card: Start) -> None:
    virtual_card(faults=Faults(wrong_mac="always"))
    with pytest.raises(SecureMessagingError):
        read_card(_mrz())


def test_card_removed_mid_read_then_reread(virtual_card: Start) -> None:
    bridge = virtual_card(faults=Faults(tear_after=14))
    transport = PCSCTransport.open(READER, wait=5)
    # vpcd may answer the APDU in flight when the link drops with an empty "successful" response;
    # PCSCTransport then asks the reader and reports the removal all the same.
    with pytest.raises(CardRemovedError):
        _read(transport, _mrz(), "pace", ReadPolicy())
    wait_card(False)  # let pcscd see the removal before the handle is released
    transport.close()
    bridge.insert_card()
    wait_card(True)
    assert read_card(_mrz())[1] == _expected()


def test_wrong_can_refused(virtual_card: Start) -> None:
    virtual_card()
    wrong = "000000" if default_profile().can != "000000" else "111111"
    with pytest.raises(PACEError):
        read_card(CANKey(wrong))


def test_hundred_sessions_in_a_row(virtual_card: Start) -> None:
    virtual_card()
    expected = _expected()
    for i in range(100):
        key: MRZKey | CANKey = CANKey(default_profile().can) if i % 2 else _mrz()
        assert read_card(key)[1] == expected, f"session {i}"


@pytest.mark.parametrize(
    ("faults", "verdict"),
    [(None, "GENUINE"), (Faults(cloned=True), "NOT_GENUINE"), (Faults(corrupt_dgs=(13,)), "NOT_GENUINE")],
    ids=["genuine", "clone", "altered-dg13"],
)
def test_read_document_verdict(virtual_card: Start, faults: Faults | None, verdict: str) -> None:
    """The recipe layer through pcscd: read_document() with the card's test CSCA and CRL."""
    from chipid.pki.trust import TrustStore
    from chipid.reader import read_document

    profile = default_profile()
    virtual_card(faults=faults)
    trust = TrustStore()
    trust.add_certificate(profile.csca_certificates[0])
    trust.add_crl(profile.crls[0])
    transport = PCSCTransport.open(READER, wait=5)
    try:
        result = read_document(transport, CANKey(profile.can), trust=trust)
    finally:
        transport.close()
    assert result.report.verdict.name == verdict, [(c.name, c.reason) for c in result.report.checks]
