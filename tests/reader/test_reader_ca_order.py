"""Chip Authentication right after DG14, proven by the next READ under the new keys (issue 11 point 2 with
issue 10 point 1), and the APDU count of a full read of the virtual CCCD.

The reader vouches for DG14 by Passive Authentication over EF.SOD and DG14, runs CA, then reads the other data
groups under the CA keys: the first READ BINARY the chip answers 9000 with MAC-verified data is the proof. A
plain or unverifiable answer never counts; a chip that fails the proof is NOT_GENUINE with chip_authentication
FAILED, the reader does not crash, and the files it could not read are reported.
"""

from __future__ import annotations

import pytest

from chipid.auth.chip import ProofWatch
from chipid.errors import ChipAuthError
from chipid.reader import DocumentReader, ReadResult
from chipid.report import CheckStatus, Verdict
from chipid.sim import Faults, SimTransport, VirtualChip
from chipid.sim.personalize import default_profile
from tests.counting import CountingTransport as _Counting
from tests.verification import reader_attacks as ra


def _read(faults: Faults | None = None, **options: object) -> tuple[ReadResult, _Counting]:
    profile = default_profile()
    counting = _Counting(SimTransport(VirtualChip(profile, faults=faults)))
    result = DocumentReader(counting, profile.can_key(), trust=profile.trust_store(), **options).read()  # type: ignore[arg-type]
    return result, counting


def _step_names(result: ReadResult) -> list[str]:
    return [s.name for s in result.steps]


# ------------------------------------------------------------------ the APDU count (issue 11 point 2)
def test_full_read_of_the_virtual_cccd_takes_at_most_files_plus_4_apdus_after_access_control() -> None:
    result, counting = _read()
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    files = [n for n in result.document.raw if n != "EF.CardAccess"]  # read under secure messaging
    probed = [s for s in result.steps if s.name == "read EF.CardSecurity" and s.status == "skipped"]
    assert len(files) == 7 and len(probed) == 1
    # files asked for: the 7 files, plus EF.CardSecurity (absent on the virtual CCCD, one READ by SFI: 6A82)
    assert len(counting.protected) <= len(files) + len(probed) + 4, counting.protected
    # exactly: READ EF.CardSecurity, SELECT application, READ EF.COM, EF.SOD, DG14, MSE:Set AT, GENERAL
    # AUTHENTICATE, READ DG1 (the proof), DG2, DG13, DG15, INTERNAL AUTHENTICATE: no SELECT, no extra READ
    assert counting.protected == [0xB0, 0xA4, 0xB0, 0xB0, 0xB0, 0x22, 0x86, 0xB0, 0xB0, 0xB0, 0xB0, 0x88]


def test_short_apdus_only_add_reads_not_chip_authentication_apdus() -> None:
    result, counting = _read(Faults(no_extended_length=True))
    assert result.report.verdict is Verdict.GENUINE, result.report.to_text()
    protected = counting.protected
    assert protected.count(0xA4) == 1 and protected.count(0x22) == 1 and protected.count(0x86) == 1
    assert protected.count(0x88) == 1


# ------------------------------------------------------------------ the order and the proof
def test_ca_runs_right_after_dg14_and_the_next_read_proves_it() -> None:
    result, _ = _read()
    names = _step_names(result)
    assert names.index("read DG14") < names.index("chip authentication") < names.index("read DG1")
    assert names.index("read DG1") < names.index("chip authentication proof") < names.index("read DG2")
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.PASSED, result.report.to_text()
    assert ca.details["proof"].startswith("READ BINARY 8100: 9000 with ")  # DG1 by SFI, MAC-verified
    assert result.report.get("active_authentication").passed  # type: ignore[union-attr]


def test_a_refused_first_file_is_no_proof_the_next_one_is() -> None:
    """DG1 refused (6982, not MAC-protected data): no proof; DG2's MAC-verified answer proves the keys."""
    result, _ = _read(Faults(refuse_dgs=(1,)))
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.passed and ca.details["proof"].startswith("READ BINARY 8200"), ca
    dg1 = result.report.get("read.DG1")
    assert dg1 is not None and dg1.failed and result.report.verdict is Verdict.NOT_GENUINE


def test_with_no_file_left_after_dg14_one_read_by_sfi_proves_the_keys() -> None:
    result, counting = _read(data_groups=[14])
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.passed, result.report.to_text()
    assert ca.details["proof"].startswith("READ BINARY by SFI 14")
    assert counting.protected[-2:] == [0x86, 0xB0]  # GENERAL AUTHENTICATE, then the one proof READ


@pytest.mark.parametrize("data_groups", [None, [14]], ids=["every-file", "dg14-only"])
def test_clone_without_the_ca_key_fails_without_crashing_and_its_data_is_still_read(
        data_groups: list[int] | None) -> None:
    """A clone (public files copied, its own CA key) cannot answer under the CA keys: the chip ends secure
    messaging (6988 in plain). chip_authentication FAILED, NOT_GENUINE; access control runs once more and the
    files left are read without CA (issue 11 point 1: the clerk sees the data), AA runs on the new session."""
    profile = ra.card("AES", aa=True)
    chip = VirtualChip(profile, faults=Faults(cloned=True))
    result = DocumentReader(SimTransport(chip), profile.can_key(), trust=profile.trust_store(),
                            data_groups=data_groups).read()
    report = result.report
    assert report.verdict is Verdict.NOT_GENUINE, report.to_text()
    ca = report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.FAILED and "did not prove" in ca.reason, report.to_text()
    names = _step_names(result)
    if data_groups is None:
        assert {"DG1", "DG2", "DG13", "DG14", "DG15"} <= set(result.document.raw)
        assert result.document.mrz is not None and result.document.face_image() is not None
        assert all(report.get(f"read.DG{dg}") is None for dg in (1, 2, 13)), report.to_text()
        assert names.index("chip authentication proof") < names.index("access control again") < \
            names.index("read DG2")
        aa = report.get("active_authentication")  # the clone's AA key is not the DG15 key either
        assert aa is not None and aa.status is CheckStatus.FAILED, report.to_text()
    else:
        assert "access control again" not in names and "DG1" not in result.document.raw


class _RefuseSecondPACE(_Counting):
    """Refuses every plain MSE:Set AT after Chip Authentication's key agreement: the second PACE fails."""

    def transmit(self, apdu: bytes) -> bytes:
        if apdu[:2] == b"\x00\x22" and 0x86 in self.protected:
            self.sent.append(bytes(apdu))
            return bytes.fromhex("6982")
        return super().transmit(apdu)


def test_clone_whose_second_access_control_fails_reports_the_files_left_as_not_read() -> None:
    """When access control cannot be established again after the failed CA, the files left are NOT_PERFORMED
    reads (required: never GENUINE) and AA is not run; the verdict is NOT_GENUINE with CA FAILED."""
    profile = ra.card("AES", aa=True)
    transport = _RefuseSecondPACE(SimTransport(VirtualChip(profile, faults=Faults(cloned=True))))
    result = DocumentReader(transport, profile.can_key(), trust=profile.trust_store()).read()
    report = result.report
    assert report.verdict is Verdict.NOT_GENUINE, report.to_text()
    ca = report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.FAILED
    again = [s for s in result.steps if s.name == "access control again"]
    assert len(again) == 1 and again[0].status == "failed", result.steps
    assert "DG1" not in result.document.raw and "DG14" in result.document.raw
    for dg in (1, 2, 13):
        check = report.get(f"read.DG{dg}")
        assert check is not None and check.status is CheckStatus.NOT_PERFORMED and check.required
        assert "failed Chip Authentication" in check.reason
    aa = report.get("active_authentication")
    assert aa is not None and aa.status is CheckStatus.NOT_PERFORMED and "Chip Authentication" in aa.reason


@pytest.mark.parametrize("sw", [0x6282, 0x9000, 0x6310], ids=["6282", "9000", "6310"])
def test_clone_answering_the_first_read_in_plain_is_refused(sw: int) -> None:
    """Issue 10 point 1 with the new order: the plain answer to the first READ under the CA keys is refused by
    the secure channel (not MAC-verified), so it proves nothing."""
    result = ra.read(ra.card("AES"), Faults(cloned=True, sm_error_sw=sw))
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.FAILED and "not MAC-verified" in ca.reason
    assert result.report.verdict is Verdict.NOT_GENUINE


def test_no_ca_on_untrusted_dg14_and_the_order_is_unchanged() -> None:
    """Without a trust anchor DG14 is not vouched for: CA does not run (NOT_PERFORMED), no keys are switched."""
    profile = default_profile()
    counting = _Counting(SimTransport(VirtualChip(profile)))
    result = DocumentReader(counting, profile.can_key(), trust=None).read()
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.NOT_PERFORMED
    assert 0x86 not in counting.protected and "chip authentication proof" not in _step_names(result)


# ------------------------------------------------------------------ ProofWatch on its own
class _Answers:
    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.atr = b""

    def transmit(self, apdu: bytes) -> bytes:
        return self.answer

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("command", "answer", "proves"), [
    ("00B0810000", "0102039000", True),  # READ BINARY by SFI, 9000 with data
    ("00B1000004540200000000", "5301009000", True),  # odd INS
    ("00B0810000", "9000", False),  # no data
    ("00B0810000", "6A82", False),  # an error status (plain under SM: carries nothing)
    ("00B0810000", "01026282", False),  # a warning: the proof needs 9000
    ("00A4020C02011E", "9000", False),  # not a READ
    ("0022C1A40380010A", "01029000", False),
], ids=["read-9000-data", "odd-ins", "no-data", "error", "warning", "select", "mse"])
def test_proof_watch_counts_only_reads_answered_9000_with_data(command: str, answer: str, proves: bool) -> None:
    watch = ProofWatch(_Answers(bytes.fromhex(answer)))
    assert watch.transmit(bytes.fromhex(command)) == bytes.fromhex(answer)
    assert watch.proven is proves


class _CorruptCAResponse(_Counting):
    """Flips the last MAC byte of the chip's answer to the protected GENERAL AUTHENTICATE of Chip Authentication."""

    def transmit(self, apdu: bytes) -> bytes:
        answer = super().transmit(apdu)
        if apdu[0] & 0x0C and apdu[1] == 0x86:
            return answer[:-3] + bytes([answer[-3] ^ 1]) + answer[-2:]
        return answer


def test_ca_key_agreement_answer_failing_its_mac_ends_the_read_without_a_crash() -> None:
    """The secure channel refuses the GENERAL AUTHENTICATE answer (MAC): CA FAILED (NOT_GENUINE), the closed
    channel is not raised; access control runs again and the data groups are read on the new session."""
    profile = default_profile()
    transport = _CorruptCAResponse(SimTransport(VirtualChip(profile)))
    result = DocumentReader(transport, profile.can_key(), trust=profile.trust_store()).read()
    ca = result.report.get("chip_authentication")
    assert ca is not None and ca.status is CheckStatus.FAILED and "MAC" in ca.reason, result.report.to_text()
    assert result.report.verdict is Verdict.NOT_GENUINE
    assert result.report.get("read.DG1") is None and "DG1" in result.document.raw
    aa = result.report.get("active_authentication")  # a genuine chip: AA on the new session proves the DG15 key
    assert aa is not None and aa.passed, result.report.to_text()


def test_deferred_proof_is_not_performed_when_the_full_pa_does_not_vouch_for_dg14() -> None:
    """The early PA (EF.SOD + DG14, no DG1) binds no country; when the full PA then refuses DG14 (e.g. a CSCA of
    another country), a proven CA key is still untrusted: NOT_PERFORMED, never PASSED."""
    from chipid.auth.chip import ChipAuthResult, DeferredProof
    from chipid.report import CheckResult

    pending = CheckResult("chip_authentication", CheckStatus.NOT_PERFORMED, "keys switched", {"cipher": "AES-128"})
    seen: list[CheckResult] = []
    proof = DeferredProof(ChipAuthResult(None, "p", None, pending), None,  # type: ignore[arg-type]
                          ProofWatch(_Answers(bytes.fromhex("01029000"))), seen.append)
    assert proof.pending and proof.final_check(True).failed  # never proven: FAILED
    proof.watch.transmit(bytes.fromhex("00B0810000"))  # type: ignore[union-attr]
    proof.settle_if_proven()
    assert not proof.pending and seen and seen[0].passed
    assert proof.final_check(True).passed
    untrusted = proof.final_check(False)
    assert untrusted.status is CheckStatus.NOT_PERFORMED and "not authenticated" in untrusted.reason
    proof.fail(ChipAuthError("late"))  # settled once: a later failure changes nothing
    assert proof.final_check(True).passed and len(seen) == 1
