"""SimTransport with the library's reader side: establish() + read_ef() over the virtual CCCD."""

from __future__ import annotations

import time

import pytest

from chipid.access import CANKey, MRZKey, establish
from chipid.errors import CardRemovedError, NoCardError, PACEError, TransportError
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import ReadPolicy, read_ef
from chipid.iso7816.tlv import decode_tlv
from chipid.lds.files import EMRTD_AID
from chipid.lds.oids import ID_PACE
from chipid.sim import Faults, SimTransport, VirtualChip
from chipid.sim.personalize import issue_card
from chipid.sim.profile import CardProfile
from chipid.transport.base import Transport

FILES = {"EF.COM": 0x1E, "DG1": 1, "DG2": 2, "DG13": 13, "DG14": 14, "DG15": 15, "EF.SOD": 0x1D}


def read_all(
    transport: Transport, key: MRZKey | CANKey, policy: ReadPolicy | None = None, names: tuple[str, ...] = tuple(FILES)
) -> dict[str, bytes]:
    result = establish(transport, key)
    channel = result.channel
    ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
    policy = policy or ReadPolicy()
    return {name: read_ef(channel, sfi=FILES[name], policy=policy) for name in names}


def _mrz(p: CardProfile) -> MRZKey:
    return MRZKey(p.document_number, p.date_of_birth, p.date_of_expiry)


@pytest.mark.parametrize("use_can", [False, True])
@pytest.mark.parametrize("faults", [Faults(), Faults(no_extended_length=True)], ids=["ext", "short"])
def test_full_read_pace(demo_profile: CardProfile, use_can: bool, faults: Faults) -> None:
    transport = SimTransport(VirtualChip(demo_profile, faults=faults))
    key = CANKey(demo_profile.can) if use_can else _mrz(demo_profile)
    files = read_all(transport, key)
    assert files == {name: demo_profile.files[name] for name in FILES}


def test_bac_only_chip_falls_back(demo_profile: CardProfile) -> None:
    transport = SimTransport(VirtualChip(demo_profile, faults=Faults(bac_only=True)))
    result = establish(transport, _mrz(demo_profile))
    assert result.protocol == "BAC" and result.fallback_reason
    with pytest.raises(PACEError):
        establish(SimTransport(VirtualChip(demo_profile, faults=Faults(bac_only=True))), CANKey(demo_profile.can))


@pytest.mark.parametrize(
    "suite",
    [
        (ID_PACE + ".1.2", 0),
        (ID_PACE + ".2.1", 12),
        (ID_PACE + ".2.4", 16),
        (ID_PACE + ".1.1", 2),
        (ID_PACE + ".4.2", 13),
        (ID_PACE + ".3.2", 0),
        (ID_PACE + ".6.2", 13),
    ],
    ids=[
        "DH-GM-AES128-1024",
        "ECDH-GM-3DES-P256",
        "ECDH-GM-AES256-bp384",
        "DH-GM-3DES-2048",
        "ECDH-IM-AES128-bp256",
        "DH-IM-AES128-1024",
        "ECDH-CAM-AES128-bp256",
    ],
)
def test_other_pace_suites(suite: tuple[str, int]) -> None:
    profile = issue_card("suites", aa=None, pace_suites=(suite,))
    files = read_all(SimTransport(VirtualChip(profile)), CANKey(profile.can), names=("EF.COM", "DG1"))
    assert files["DG1"] == profile.files["DG1"]


def test_wrong_can_is_refused(demo_profile: CardProfile) -> None:
    with pytest.raises(PACEError):
        establish(SimTransport(VirtualChip(demo_profile)), CANKey("000000" if demo_profile.can != "000000" else "1"))


def test_tear_raises_card_removed_then_reread(demo_profile: CardProfile) -> None:
    transport = SimTransport(VirtualChip(demo_profile, faults=Faults(tear_after=15)))
    with pytest.raises(CardRemovedError):
        read_all(transport, _mrz(demo_profile))
    with pytest.raises(NoCardError):
        transport.transmit(bytes.fromhex("00A4000C00"))
    transport.reconnect()
    assert read_all(transport, _mrz(demo_profile))["DG2"] == demo_profile.files["DG2"]


def test_delay_fault_slows_responses(demo_profile: CardProfile) -> None:
    transport = SimTransport(VirtualChip(demo_profile, faults=Faults(delay_ms=20)))
    start = time.perf_counter()
    transport.transmit(bytes.fromhex("00A4000C00"))
    assert time.perf_counter() - start >= 0.019


def test_closed_transport(demo_profile: CardProfile) -> None:
    with SimTransport(VirtualChip(demo_profile)) as transport:
        assert transport.atr[:2] == b"\x3b\x88"
    with pytest.raises(TransportError):
        transport.transmit(bytes.fromhex("00A4000C00"))


@pytest.mark.parametrize("cloned", [False, True])
def test_pace_cam_proves_the_ca_key(cloned: bool) -> None:
    """ICAO 9303-11 §4.4.3.5: CA_IC from DO'8A' maps the DG14 key onto the chip's mapping key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from chipid.access.pace_cam import verify_cam_encoded

    profile = issue_card("cam", aa=None, pace_suites=((ID_PACE + ".6.2", 13),))
    result = establish(SimTransport(VirtualChip(profile, faults=Faults(cloned=cloned))), CANKey(profile.can))
    assert result.pace is not None and result.pace.cam_data is not None
    key = serialization.load_der_private_key(profile.ca_private_key or b"", None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    static = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    mapping = result.pace.chip_mapping_key
    assert mapping is not None
    assert verify_cam_encoded(13, result.pace.cam_data, mapping, static) is not cloned


def test_corrupted_dg_fails_passive_authentication(demo_profile: CardProfile) -> None:
    """Faults.corrupt_dgs: the chip serves DG13 altered after signing; PA flags exactly that hash."""
    from datetime import datetime, timezone

    from chipid.pki.passive import passive_authenticate
    from chipid.pki.trust import TrustStore

    names = ("EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15")
    files = read_all(
        SimTransport(VirtualChip(demo_profile, faults=Faults(corrupt_dgs=(13,)))), _mrz(demo_profile), names=names
    )
    trust = TrustStore()
    trust.add_certificate(demo_profile.csca_certificates[0])
    groups = {int(n[2:]): files[n] for n in names[1:]}
    result = passive_authenticate(files["EF.SOD"], groups, trust, at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert not result.passed
    assert result.authenticated_dgs == frozenset({1, 2, 14, 15})


@pytest.mark.parametrize(("ca_cipher", "cloned"), [("AES", False), ("3DES", False), ("AES", True), ("3DES", True)])
def test_chip_authentication_with_the_reader(ca_cipher: str, cloned: bool) -> None:
    """The reader's Chip Authentication (ICAO 9303-11 §6.2) against the chip side; a clone fails."""
    from chipid.auth.chip import perform_chip_auth
    from chipid.lds.security_infos import parse_security_infos

    profile = issue_card("ca-" + ca_cipher, aa=None, ca_cipher="AES" if ca_cipher == "AES" else "3DES")
    transport = SimTransport(VirtualChip(profile, faults=Faults(cloned=cloned)))
    channel = establish(transport, CANKey(profile.can)).channel
    ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
    _, body, _ = decode_tlv(profile.files["DG14"])
    result = perform_chip_auth(channel, parse_security_infos(body, name="DG14"))
    assert result.passed is not cloned, result.reason
    if not cloned:
        assert read_ef(channel, sfi=1) == profile.files["DG1"]
