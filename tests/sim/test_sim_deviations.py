"""Chips that deviate from the ideal, read whole by DocumentReader (in process; tests/e2e does it through pcscd).

Issue 11 point 1: every file that exists is read and shown; a missing security or optional file never
aborts the read; the verdict says why. Point 2: the read strategy's fallbacks, per chip option.
"""

from __future__ import annotations

import functools

import pytest

from chipid.errors import UnsupportedError
from chipid.reader import DocumentReader, ReadResult
from chipid.report import CHECK_SOD_PRESENT, CheckStatus, Verdict
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip
from chipid.sim.deviations import DEVIATIONS, EMPTY_DG2, MISPLACED_SOD_FID
from chipid.sim.personalize import DEFAULT_SEED, default_profile, issue_card
from tests.counting import CountingTransport

SHOWN = ("DG1", "DG2", "DG13", "DG14", "DG15", "EF.COM")


@functools.cache
def deviating(*names: str) -> CardProfile:
    return issue_card(DEFAULT_SEED, deviations=names)


def read(profile: CardProfile, faults: Faults | None = None, *, key: str = "mrz") -> tuple[ReadResult, int]:
    transport = CountingTransport(SimTransport(VirtualChip(profile, faults=faults)))
    access_key = profile.mrz_key() if key == "mrz" else profile.can_key()
    result = DocumentReader(transport, access_key, trust=profile.trust_store()).read()
    return result, len(transport.protected)


def _steps(result: ReadResult) -> dict[str, tuple[str, str]]:
    return {s.name: (s.status, s.detail) for s in result.steps}


@pytest.mark.parametrize(
    ("deviation", "reason"),
    [
        ("no_sod", "EF.SOD absent: the data is not signed"),
        ("sod_wrong_fid", "EF.SOD absent: the data is not signed"),
        ("empty_sod", "EF.SOD is empty: the data is not signed"),
    ],
)
def test_no_sod_reads_everything_and_is_not_genuine(deviation: str, reason: str) -> None:
    result, _ = read(deviating(deviation))
    for name in SHOWN:
        assert result.document.raw[name] == deviating(deviation).files[name]
    assert result.document.holder() is not None and result.document.faces  # the clerk sees the data
    check = result.report.get(CHECK_SOD_PRESENT)
    assert check is not None and check.status is CheckStatus.FAILED and check.required
    assert check.reason == reason
    assert result.report.verdict is Verdict.NOT_GENUINE
    # policy rule 1 (no EF.SOD) gives its reason alone; an empty one is the failed check (rule 2)
    assert result.report.verdict_reason in (reason, f"{CHECK_SOD_PRESENT}: {reason}")
    # AA / CA keys come from unauthenticated DG14 / DG15: not run, said so
    for name in ("chip_authentication", "active_authentication"):
        aa_ca = result.report.get(name)
        assert aa_ca is not None and aa_ca.status is CheckStatus.NOT_PERFORMED


def test_sod_under_a_wrong_fid_is_not_found() -> None:
    profile = deviating("sod_wrong_fid")
    assert profile.file_ids == {"EF.SOD": MISPLACED_SOD_FID}
    result, _ = read(profile)
    assert _steps(result)["read EF.SOD"][0] == "skipped"


def test_no_card_access_reads_with_bac_and_is_genuine() -> None:
    result, _ = read(deviating("no_card_access"))
    assert result.protocol == "BAC"
    assert _steps(result)["read EF.CardAccess"] == ("skipped", "absent")
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    assert "EF.CardAccess" not in result.document.raw


def test_files_listed_in_ef_com_but_absent_are_a_warning_only() -> None:
    result, _ = read(deviating("com_lists_absent"))
    assert result.document.com is not None and {11, 12} <= set(result.document.com.data_groups)
    for dg in (11, 12):
        assert _steps(result)[f"read DG{dg}"][0] == "skipped"
        check = result.report.get(f"read.DG{dg}")
        assert check is not None and check.status is CheckStatus.WARN and not check.required
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_empty_dg2_is_read_and_signed() -> None:
    result, _ = read(deviating("empty_dg2"))
    assert result.document.raw["DG2"] == deviating("empty_dg2").files["DG2"]
    assert result.document.dg2 is not None and result.document.faces == ()
    assert "DG2" not in result.document.errors
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_a_file_the_sod_lists_but_the_chip_lacks_is_incomplete() -> None:
    genuine = default_profile()
    files = {k: v for k, v in genuine.files.items() if k != "DG13"}
    result, _ = read(CardProfile(**{**genuine.__dict__, "files": files}))
    check = result.report.get("read.DG13")
    assert check is not None and check.status is CheckStatus.NOT_PERFORMED and check.required
    assert "does not have it" in check.reason
    assert result.report.verdict is Verdict.INCOMPLETE
    assert result.document.raw["DG2"] == genuine.files["DG2"]


def test_unknown_deviation_is_a_typed_error() -> None:
    with pytest.raises(UnsupportedError, match="known"):
        issue_card(DEFAULT_SEED, deviations=["no_such_thing"])
    with pytest.raises(UnsupportedError):
        issue_card(DEFAULT_SEED, deviations=["no_sod", "empty_sod"])
    assert set(DEVIATIONS) >= {"no_sod", "empty_sod", "sod_wrong_fid", "no_card_access", "empty_dg2"}


def test_deviating_profile_survives_save_and_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    profile = deviating("sod_wrong_fid")
    loaded = CardProfile.load(profile.save(tmp_path / "card"))
    assert loaded.file_ids == profile.file_ids and loaded.files == profile.files


# ------------------------------------------------------------------ issue 11 point 2: APDU counts
FILES_READ = 7  # EF.COM, EF.SOD, DG1, DG2, DG13, DG14, DG15
CARD_SECURITY_PROBE = 1  # READ BINARY of EF.CardSecurity by SFI after PACE: 6A82 (the virtual CCCD has none)
AFTER_READS = 3  # Chip Authentication (MSE, GENERAL AUTHENTICATE; the next READ proves the keys) and AA


def _floor_short() -> int:
    return sum(-(-len(default_profile().files[n]) // 0xDF) for n in ("EF.COM", "EF.SOD", *SHOWN[:-1]))


def test_extended_length_reads_each_file_in_one_apdu() -> None:
    result, protected = read(default_profile(), key="can")
    assert result.report.verdict is Verdict.GENUINE
    # the EF.CardSecurity probe, SELECT of the application, one READ per file (by SFI, Le=0000), CA and AA
    assert protected == CARD_SECURITY_PROBE + 1 + FILES_READ + AFTER_READS


def test_short_apdus_stay_within_five_percent_of_the_floor() -> None:
    result, protected = read(default_profile(), Faults(no_extended_length=True), key="can")
    assert result.report.verdict is Verdict.GENUINE
    reads = protected - CARD_SECURITY_PROBE - 1 - AFTER_READS
    assert _floor_short() <= reads <= _floor_short() * 1.05


@pytest.mark.parametrize(
    "faults",
    [
        Faults(refuse_sfi=True),
        Faults(refuse_le_zero=True),
        Faults(max_read=1000),
        Faults(max_read=1000, refuse_le_zero=True),
        Faults(refuse_sfi=True, no_extended_length=True),
    ],
    ids=["no-sfi", "no-le-0000", "buffer-1000", "buffer-1000-no-le-0000", "no-sfi-short"],
)
def test_read_fallbacks_give_the_same_files(faults: Faults) -> None:
    result, protected = read(default_profile(), faults, key="can")
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    for name in ("EF.SOD", *SHOWN):
        assert result.document.raw[name] == default_profile().files[name]
    if faults.refuse_sfi and not faults.no_extended_length:
        # EF.CardSecurity: SFI refused, SELECT 6A82; then one refused SFI READ, then SELECT + READ per file
        assert protected == 2 + 1 + 1 + 2 * FILES_READ + AFTER_READS


def test_pace_info_version_1_is_not_used_and_not_a_downgrade() -> None:
    """ICAO 9303-11 §9.2.1 requires PACEInfo version 2: a chip announcing version 1 is read with BAC, and says why."""
    from chipid.lds.oids import ID_PACE
    from chipid.lds.security_infos import PACEInfo, SecurityInfos, encode_security_infos

    profile = issue_card(DEFAULT_SEED, pace=False)  # DG14 without PACEInfo
    v1 = encode_security_infos(SecurityInfos(pace_infos=(PACEInfo(ID_PACE + ".2.2", 1, 13),)))
    result, _ = read(profile.with_files(EF_CardAccess=v1))
    assert result.protocol == "BAC"
    access = _steps(result)["access control"][1]
    assert "version 1" in access and "requires 2" in access
    downgrade = result.report.get("access.downgrade")
    assert downgrade is not None and downgrade.status is CheckStatus.PASSED
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()


def test_without_ef_com_and_ef_sod_every_data_group_is_tried() -> None:
    """Neither EF.COM nor the SOD says which files exist: every DG (but DG3/DG4, EAC) is tried; the present are read."""
    genuine = deviating("no_sod")
    files = {k: v for k, v in genuine.files.items() if k != "EF.COM"}
    result, _ = read(CardProfile(**{**genuine.__dict__, "files": files}))
    for name in ("DG1", "DG2", "DG13", "DG14", "DG15"):
        assert result.document.raw[name] == genuine.files[name]
    steps = _steps(result)
    assert steps["read EF.COM"][0] == "skipped" and steps["read DG7"][0] == "skipped"
    assert "read DG3" not in steps and "read DG4" not in steps
    assert result.report.verdict is Verdict.NOT_GENUINE
    assert not [c for c in result.report.checks if c.name.startswith("read.DG")]  # probing is not a finding


def test_cli_issues_a_deviating_card(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    out = tmp_path / "card"
    done = subprocess.run([sys.executable, "-m", "chipid", "sim", "issue", "--seed", "5", "--out", str(out),
                           "--deviation", "no_sod", "--deviation", "empty_dg2"], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    profile = CardProfile.load(out)
    assert "EF.SOD" not in profile.files and profile.files["DG2"] == EMPTY_DG2
    bad = subprocess.run([sys.executable, "-m", "chipid", "sim", "issue", "--out", str(tmp_path / "x"),
                          "--deviation", "bogus"], capture_output=True, text=True, timeout=120,
                         check=False)  # fmt: skip
    assert bad.returncode != 0 and "no_sod" in bad.stderr and "Traceback" not in bad.stderr
