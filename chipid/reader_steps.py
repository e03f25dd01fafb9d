"""The steps of :class:`chipid.reader.DocumentReader`: file reads, access control again, Passive, Chip and Active
Authentication as named steps that record their outcome. ``reader.py`` keeps the order (the one orchestrator);
this module keeps what each step does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import keys

from chipid import policy
from chipid.access import AccessKey, PACEResult, establish
from chipid.access.pace_cam import verify_cam_encoded
from chipid.auth.active import perform_active_auth
from chipid.auth.chip import DeferredProof, ProofWatch, perform_chip_auth
from chipid.document import Document
from chipid.errors import (
    ASN1_ERRORS,
    AccessControlError,
    CardInUseError,
    ChipAuthError,
    ChipFileNotFoundError,
    ParseError,
    SecureMessagingError,
    SecurityStatusNotSatisfiedError,
    StatusWordError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import ReadPolicy, read_ef
from chipid.lds.com import parse_com
from chipid.lds.files import EMRTD_AID, LDSFile, by_name
from chipid.lds.security_infos import SecurityInfos, parse_security_infos
from chipid.lds.sod import parse_sod
from chipid.pki.passive import PassiveAuthResult, passive_authenticate
from chipid.pki.trust import TrustStore
from chipid.report import (
    CHECK_AA,
    CHECK_CA,
    CHECK_DOWNGRADE,
    CHECK_SOD_PRESENT,
    CheckResult,
    CheckStatus,
)
from chipid.sm.channel import SM_SESSION_LOST, session_lost
from chipid.transport.base import Transport

__all__ = ["ProgressFn", "ReaderSteps", "StepRecord"]

_ABSENT = "absent"
_DENIED = "access denied"

ProgressFn = Callable[[str, int, int], None]
"""``progress(file_name, bytes_read, total)``, called after each chunk."""


@dataclass(frozen=True)
class StepRecord:
    """One pipeline step: ``status`` is ``"ok"``, ``"failed"`` or ``"skipped"``."""

    name: str
    status: str
    detail: str = ""
    seconds: float = 0.0


class ReaderSteps:
    """The steps :class:`chipid.reader.DocumentReader` runs; its ``__init__`` sets these attributes."""

    transport: Transport
    key: AccessKey
    trust: TrustStore | None
    data_groups: list[int] | None
    read_dg3: bool
    chip_auth: bool
    active_auth: bool
    progress: ProgressFn | None
    rng: Callable[[int], bytes]
    at: datetime | None
    prefer: str
    policy: ReadPolicy
    _steps: list[StepRecord]
    _early: DeferredProof | None

    # ------------------------------------------------------------------ steps
    def _record(self, name: str, status: str, detail: str, started: float) -> None:
        self._steps.append(StepRecord(name, status, detail, time.perf_counter() - started))

    def _read_file(self, channel: Transport, file: LDSFile) -> bytes:
        def on_progress(done: int, total: int) -> None:
            if self.progress is not None:
                self.progress(file.name, done, total)

        # by short EF identifier first (no SELECT), SELECT by FID where the chip refuses it; the policy
        # remembers what works (whole-file Le=0000, extended, SFI) for the rest of the session
        return read_ef(channel, fid=file.fid, sfi=file.sfi, policy=self.policy, progress=on_progress)

    def _reopen(self, card_access: bytes | None) -> Transport | None:
        """Access control again after a failed Chip Authentication (the chip ended the secure channel), as at the
        start: SELECT MF, PACE or BAC with the same key, SELECT the application after PACE. The new channel, or
        None when it cannot be opened (the data groups left are then reported as not read)."""
        started = time.perf_counter()
        try:
            with contextlib.suppress(StatusWordError):  # PACE from the MF, as at the start; BAC selects the app
                ResponseAPDU.from_bytes(self.transport.transmit(commands.select_mf().to_bytes())).check(0xA4)
            access = establish(self.transport, self.key, card_access=card_access or b"", prefer=self.prefer,
                               rng=self.rng)
            if access.protocol == "PACE":
                ResponseAPDU.from_bytes(access.channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())
                                        ).check(0xA4)
        except (AccessControlError, StatusWordError, SecureMessagingError, ParseError) as err:
            self._record("access control again", "failed", f"after the failed Chip Authentication: {err}", started)
            return None
        self._record("access control again", "ok", f"{access.protocol}, after the failed Chip Authentication: the "
                     "data groups left are read without it (no evidence for the chip)", started)
        return access.channel

    def _read_card_security(self, channel: Transport) -> bytes | None:
        """EF.CardSecurity (MF, readable after PACE), read before the eMRTD application is selected; absent or
        refused gives None (most documents have none). Verified with the other checks (verify.card_security_checks).

        One READ BINARY by SFI: a 6A82 answer is taken as "absent" (an optional file, so a chip that wrongly says
        6A82 loses only its own optional checks, never the verdict: a forger could as well omit the file). Other
        refusals of the SFI read (a chip without SFI reads) get SELECT by FID + READ.
        """
        started = time.perf_counter()
        file = by_name("EF.CardSecurity")
        try:
            try:
                data = read_ef(channel, sfi=file.sfi, policy=self.policy) if file.sfi else None
            except ChipFileNotFoundError:
                raise
            except StatusWordError as err:
                if err.sw in SM_SESSION_LOST:
                    raise
                data = None
            if data is None:
                data = read_ef(channel, fid=file.fid, policy=self.policy)
        except (StatusWordError, ParseError) as err:
            self._record("read EF.CardSecurity", "skipped", f"absent ({err.__class__.__name__})", started)
            return None
        self._record("read EF.CardSecurity", "ok", f"{len(data)} bytes", started)
        return data

    def _read_tolerant(self, channel: Transport, name: str, file: LDSFile, raw: dict[str, bytes],
                       problems: dict[str, str]) -> None:
        """Read one LDS file into ``raw``; absent, access-denied or unreadable files go to ``problems``."""
        started = time.perf_counter()
        try:
            raw[name] = self._read_file(channel, file)
        except ChipFileNotFoundError:
            problems[name] = _ABSENT
            self._record(f"read {name}", "skipped", "absent: the chip does not have this file", started)
        except SecurityStatusNotSatisfiedError:
            problems[name] = _DENIED
            self._record(f"read {name}", "skipped", "access denied (needs Extended Access Control)", started)
        except (StatusWordError, ParseError) as err:
            if isinstance(err, StatusWordError) and err.sw in SM_SESSION_LOST:
                if self._early is not None and self._early.pending:  # the chip cannot verify commands under the
                    # keys Chip Authentication just derived: the proof failed (not a lost session)
                    raise ChipAuthError(f"reading {name}: status {err.sw:04X} (the chip ended secure messaging)") \
                        from err
                raise session_lost(err.sw, f"reading {name}") from err  # never a verdict (issue 10, 9)
            # a file the chip has but cannot give whole: recorded, the other files are still read
            problems[name] = str(err)
            self._record(f"read {name}", "failed", str(err), started)
        else:
            self._record(f"read {name}", "ok", f"{len(raw[name])} bytes" if raw[name] else "empty file", started)

    def _passive_auth(self, sod: bytes | None, problem: str | None, dgs: dict[int, bytes]) -> PassiveAuthResult:
        """Passive Authentication, or the one check that says why it cannot run (no / empty / unreadable SOD)."""
        if sod:
            return passive_authenticate(sod, dgs, self.trust, at=self.at)
        if sod is not None:
            check = CheckResult(CHECK_SOD_PRESENT, CheckStatus.FAILED, "EF.SOD is empty: the data is not signed")
        elif problem == _ABSENT:
            check = CheckResult(CHECK_SOD_PRESENT, CheckStatus.FAILED, "EF.SOD absent: the data is not signed")
        else:  # an I/O or format failure is no evidence of forgery: not verified, not condemned
            check = CheckResult(CHECK_SOD_PRESENT, CheckStatus.NOT_PERFORMED,
                                f"EF.SOD could not be read, so nothing is verified: {problem}")
        return PassiveAuthResult((check,), False)

    @staticmethod
    def _sod_data_groups(sod: bytes | None) -> set[int]:
        """Data groups the (signed) SOD lists; empty when it is absent or does not parse (PA then fails on it)."""
        if not sod:
            return set()
        try:
            return set(parse_sod(sod).dg_hashes)
        except ParseError:
            return set()

    @staticmethod
    def _com_data_groups(com: bytes | None) -> set[int] | None:
        """Data groups EF.COM lists, or None when it is absent or does not parse."""
        if com is None:
            return None
        try:
            return set(parse_com(com).data_groups)
        except ParseError:
            return None

    def _data_groups_to_read(self, com_dgs: set[int] | None, sod_dgs: set[int]) -> list[int]:
        """EF.COM's list joined with the SOD's: EF.COM is unsigned and may hide files (ICAO 9303-10 §4.6).

        With neither list (no EF.COM and no usable SOD), every data group is tried: the ones that exist are read.
        """
        listed = (com_dgs or set()) | sod_dgs
        if not listed:
            listed = set(range(1, 17)) - {4}  # DG4 (iris) needs EAC like DG3
        wanted = sorted(listed) if self.data_groups is None else [d for d in self.data_groups if d in listed]
        return [d for d in wanted if d != 3 or self.read_dg3]

    @staticmethod
    def _unserved(name: str, dg: int, wanted: list[int]) -> CheckResult:
        """The SOD lists DG14/DG15 but the chip did not give it: a genuine chip serves what its SOD lists."""
        if dg not in wanted:
            return CheckResult(name, CheckStatus.NOT_PERFORMED, f"DG{dg} was not read (data_groups option)")
        return CheckResult(name, CheckStatus.FAILED,
                           f"the signed SOD lists DG{dg} but the chip did not return it (a clone hiding its key?)")

    @staticmethod
    def _security_infos(dg14: bytes | None) -> SecurityInfos | None:
        if dg14 is None:
            return None
        try:
            return parse_security_infos(dg14, name="DG14")
        except ParseError:
            return None

    @staticmethod
    def _downgrade(pace_advertised: bool, protocol: str) -> CheckResult:
        """ICAO 9303-11 §4.2: a chip that advertises PACE but is read with BAC has been downgraded."""
        if pace_advertised and protocol == "BAC":
            return CheckResult(CHECK_DOWNGRADE, CheckStatus.FAILED,
                               "PACE advertised in EF.CardAccess but the chip only completed BAC (downgrade)",
                               {"protocol": protocol, "pace_advertised": "true"})
        return CheckResult(CHECK_DOWNGRADE, CheckStatus.PASSED,
                           f"{protocol} used" + ("" if not pace_advertised else "; PACE advertised"),
                           {"protocol": protocol, "pace_advertised": str(pace_advertised).lower()},
                           required=False)

    def _precondition(self, check: str, step: str, dg: int, *, enabled: bool, authentic: bool,
                      started: float) -> CheckResult | None:
        """The NOT_PERFORMED result when AA/CA must not run (disabled, or its key's DG not vouched for by PA)."""
        if not enabled:
            self._record(step, "skipped", "disabled", started)
            return CheckResult(check, CheckStatus.NOT_PERFORMED, "disabled by the caller", required=False)
        if not authentic:
            self._record(step, "skipped", f"DG{dg} not authenticated by the SOD", started)
            return CheckResult(check, CheckStatus.NOT_PERFORMED,
                               f"DG{dg} is not authenticated by Passive Authentication: its key is untrusted")
        return None

    def _early_chip_auth(self, channel: Transport, raw: dict[str, bytes], problems: dict[str, str]
                         ) -> DeferredProof | None:
        """Chip Authentication right after DG14, with DG14 vouched for by Passive Authentication over EF.SOD and
        DG14 (the full PA runs at the end over every data group). The keys are switched here and proven by the
        next READ answered 9000 with MAC-verified data (:class:`ProofWatch`). ``None``: CA does not run here
        (no DG14, no CA key in it, or DG14 not vouched for); the checks after the reads then say why."""
        dg14 = self._security_infos(raw.get("DG14"))
        if dg14 is None or not dg14.chip_authentication_public_key_infos:
            return None
        started = time.perf_counter()
        pre = self._passive_auth(raw.get("EF.SOD"), problems.get("EF.SOD"), {14: raw["DG14"]})
        if 14 not in pre.authenticated_dgs:
            return None
        result = perform_chip_auth(channel, dg14, rng=self.rng, verify_fid=None)  # type: ignore[arg-type]
        if result.check.status is not CheckStatus.NOT_PERFORMED:  # the key agreement failed: no keys switched
            self._record("chip authentication", "failed", result.reason, started)
            return DeferredProof(result, result.check)
        self._record("chip authentication", "ok",
                     f"keys switched ({result.check.details.get('command', '')}); proven by the next read", started)
        started = time.perf_counter()

        def record(check: CheckResult) -> None:
            self._record("chip authentication proof", "ok" if check.passed else "failed", check.reason, started)

        return DeferredProof(result, None, ProofWatch(channel), record)

    def _chip_auth(self, channel: Transport, dg14: SecurityInfos, dg14_authentic: bool) -> CheckResult:
        started = time.perf_counter()
        skipped = self._precondition(CHECK_CA, "chip authentication", 14, enabled=self.chip_auth,
                                     authentic=dg14_authentic, started=started)
        if skipped is not None:
            return skipped
        result = perform_chip_auth(channel, dg14, rng=self.rng)  # type: ignore[arg-type]
        self._record("chip authentication", "ok" if result.passed else "failed", result.reason, started)
        return result.check

    def _chip_auth_mapping(self, pace: PACEResult, dg14: SecurityInfos, dg14_authentic: bool) -> CheckResult:
        """PACE-CAM (ICAO 9303-11 §4.4.3.5): CA_IC from the last GENERAL AUTHENTICATE must map the chip's static
        key (DG14, authenticated by PA) onto its PACE mapping key; this replaces a separate Chip Authentication."""
        started = time.perf_counter()
        skipped = self._precondition(CHECK_CA, "chip authentication (PACE-CAM)", 14, enabled=True,
                                     authentic=dg14_authentic, started=started)
        if skipped is not None:
            return skipped
        details = {"protocol": pace.protocol, "mapping": "CAM"}
        if pace.parameter_id is not None and pace.chip_mapping_key is not None and pace.cam_data is not None:
            for info in dg14.chip_authentication_public_key_infos:
                static = _ec_point(info.public_key)
                if static and verify_cam_encoded(pace.parameter_id, pace.cam_data, pace.chip_mapping_key, static):
                    self._record("chip authentication (PACE-CAM)", "ok", "CA_IC verified", started)
                    return CheckResult(CHECK_CA, CheckStatus.PASSED,
                                       "PACE-CAM: the chip proved its DG14 key during PACE", details)
        self._record("chip authentication (PACE-CAM)", "failed", "CA_IC does not match the DG14 key", started)
        return CheckResult(CHECK_CA, CheckStatus.FAILED,
                           "PACE-CAM: the chip's authentication data does not match the DG14 key (a clone?)", details)

    def _active_auth(self, channel: Transport, dg15: bytes, dg14: SecurityInfos | None,
                     dg15_authentic: bool, *, after_failed_ca: bool = False) -> CheckResult:
        started = time.perf_counter()
        skipped = self._precondition(CHECK_AA, "active authentication", 15, enabled=self.active_auth,
                                     authentic=dg15_authentic, started=started)
        if skipped is not None:
            return skipped
        aa_info = dg14.active_authentication_infos[0] if dg14 and dg14.active_authentication_infos else None
        try:
            result = perform_active_auth(channel, dg15, aa_info=aa_info, rng=self.rng)
        except (CardInUseError, SecureMessagingError):
            if not after_failed_ca:
                raise
            # the chip failed Chip Authentication and so holds no session with us: AA cannot run
            self._record("active authentication", "skipped", "no secure channel after the failed CA", started)
            return CheckResult(CHECK_AA, CheckStatus.NOT_PERFORMED,
                               "not run: the secure channel ended with the failed Chip Authentication")
        self._record("active authentication", "ok" if result.passed else "failed", result.reason, started)
        return result


_EAC_PROTECTED = (3, 4)
"""DG3 (fingerprints) and DG4 (iris) need Extended Access Control: the only data groups a chip may refuse."""


def _refused_check(dg: int) -> CheckResult:
    """The chip refused (6982) a data group that BAC/PACE must open: a genuine chip never does (only DG3/DG4
    need EAC), so a chip hiding its holder data cannot be GENUINE (issue 10, point 2)."""
    return CheckResult(f"read.DG{dg}", CheckStatus.FAILED,
                       f"the chip refused DG{dg} (security status not satisfied) although access control "
                       "succeeded: only DG3/DG4 may need Extended Access Control")


def _document_type(document: Document, authenticated: frozenset[int]) -> str:
    """CCCD / eMRTD from DG1, when DG1 is authenticated by PA (else unknown: DG1 is then missing anyway)."""
    mrz = document.mrz
    if mrz is None or 1 not in authenticated:
        return policy.UNKNOWN
    return policy.document_type(mrz.issuing_state, mrz.document_code)


def _ec_point(spki: bytes) -> bytes | None:
    """The uncompressed EC point of a SubjectPublicKeyInfo (explicit parameters allowed), or None."""
    try:
        point = keys.PublicKeyInfo.load(spki)["public_key"].native
    except ASN1_ERRORS:
        return None
    return point if isinstance(point, bytes) and point[:1] == b"\x04" else None
