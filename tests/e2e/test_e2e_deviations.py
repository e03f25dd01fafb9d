"""Deviating chips and the read strategy's fallbacks, end to end through pcscd + vpcd + pyscard (issue 11, 1-2).

Each deviation of :mod:`chipid.sim.deviations` is served as a card in the vpcd reader and read by
``DocumentReader`` over ``PCSCTransport``: every file that exists is read, the verdict says why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from chipid.reader import DocumentReader, ReadResult
from chipid.report import CHECK_SOD_PRESENT, CheckStatus, Verdict
from chipid.sim import CardProfile, Faults
from chipid.sim.personalize import DEFAULT_SEED, default_profile, issue_card
from chipid.sim.vpcd import VpcdBridge
from chipid.transport.pcsc import PCSCTransport
from tests.counting import CountingTransport
from tests.e2e.conftest import READER

pytestmark = pytest.mark.pcscd

Start = Callable[..., VpcdBridge]
SHOWN = ("EF.COM", "DG1", "DG2", "DG13", "DG14", "DG15")


@functools.cache
def deviating(*names: str) -> CardProfile:
    return issue_card(DEFAULT_SEED, deviations=names)


def read(profile: CardProfile, key: str = "mrz") -> ReadResult:
    transport = PCSCTransport.open(READER, wait=5)
    try:
        access_key = profile.mrz_key() if key == "mrz" else profile.can_key()
        return DocumentReader(transport, access_key, trust=profile.trust_store()).read()
    finally:
        transport.close()


@pytest.mark.parametrize(
    ("deviation", "reason"),
    [
        ("no_sod", "EF.SOD absent: the data is not signed"),
        ("empty_sod", "EF.SOD is empty: the data is not signed"),
        ("sod_wrong_fid", "EF.SOD absent: the data is not signed"),
    ],
)
def test_chip_without_a_usable_sod(virtual_card: Start, deviation: str, reason: str) -> None:
    profile = deviating(deviation)
    virtual_card(profile)
    result = read(profile)
    assert {n: result.document.raw[n] for n in SHOWN} == {n: profile.files[n] for n in SHOWN}
    holder = result.document.holder()
    assert holder is not None and holder.full_name == profile.holder["full_name"]
    check = result.report.get(CHECK_SOD_PRESENT)
    assert check is not None and check.status is CheckStatus.FAILED and check.reason == reason
    assert result.report.verdict is Verdict.NOT_GENUINE


def test_chip_without_card_access(virtual_card: Start) -> None:
    profile = deviating("no_card_access")
    virtual_card(profile)
    result = read(profile)
    assert result.protocol == "BAC" and result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_chip_whose_ef_com_lists_absent_files(virtual_card: Start) -> None:
    profile = deviating("com_lists_absent")
    virtual_card(profile)
    result = read(profile, key="can")
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    warn = result.report.get("read.DG11")
    assert warn is not None and warn.status is CheckStatus.WARN


def test_chip_with_an_empty_dg2(virtual_card: Start) -> None:
    profile = deviating("empty_dg2")
    virtual_card(profile)
    result = read(profile, key="can")
    assert result.document.faces == () and result.document.raw["DG2"] == profile.files["DG2"]
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


FLOOR_SHORT = sum(-(-len(default_profile().files[n]) // 0xDF) for n in ("EF.SOD", *SHOWN))
CS = 1
"""The EF.CardSecurity probe after PACE: one READ BINARY by SFI (6A82: the virtual CCCD has none)."""


@pytest.mark.parametrize(
    ("faults", "most"),
    [
        (Faults(), CS + 1 + 7),  # SELECT of the application, one READ per file
        (Faults(refuse_sfi=True), CS + 1 + 1 + 1 + 2 * 7),  # SFI refused: SELECT EF.CardSecurity; SELECT + READ
        (Faults(refuse_le_zero=True), CS + 1 + 7 + 1 + 2),
        (Faults(max_read=2048), CS + 1 + 7 + 5),  # DG2 (11 KB) in 2 KB answers
        (Faults(no_extended_length=True), CS + 1 + int(FLOOR_SHORT * 1.05)),
    ],
    ids=["ideal", "no-sfi", "no-le-0000", "buffer-2048", "short-only"],
)
def test_apdus_after_access_control_through_pcscd(virtual_card: Start, faults: Faults, most: int) -> None:
    """Issue 11 point 2: files + 1 APDUs with extended length; short APDUs within 5 % of the 223-byte floor."""
    virtual_card(faults=faults)
    profile = default_profile()
    transport = CountingTransport(PCSCTransport.open(READER, wait=5))
    try:
        reader = DocumentReader(transport, profile.can_key(), trust=profile.trust_store(), chip_auth=False,
                                active_auth=False)
        result = reader.read()
    finally:
        transport.close()
    assert {n: result.document.raw[n] for n in SHOWN} == {n: profile.files[n] for n in SHOWN}
    assert result.report.verdict is not Verdict.NOT_GENUINE
    assert len(transport.protected) <= most, (transport.protected, reader.policy.notes)
