"""DocumentReader: the one orchestrator, a flat list of named steps.

select → read EF.CardAccess → PACE or BAC → (EF.CardSecurity, SELECT application) → read EF.COM, EF.SOD, DG14
→ Chip Authentication → the other data groups under the CA keys → Active Authentication → Passive
Authentication → Document + VerificationReport.

Chip Authentication runs as soon as DG14 is read and vouched for by Passive Authentication over EF.SOD and DG14
(BSI TR-03110-1 standard inspection procedure: CA before the data groups; the full PA runs at the end). The first
READ the chip answers 9000 with MAC-verified data under the new keys is the CA proof (issue 10 point 1: never a
plain or unverifiable answer), so CA costs two APDUs (key agreement) and no extra SELECT + READ. A chip that
fails the proof is chip_authentication FAILED (NOT_GENUINE); its secure channel is gone, so access control runs
once more (same key) and the remaining data groups are read without CA, so that the clerk sees the holder data the
clone carries (never evidence for the chip: PA still covers every file, the verdict stays NOT_GENUINE). When that
second access control fails too, those data groups are reported as not read.

Each step records its outcome in :attr:`ReadResult.steps`. A failed optional step (CA, AA, an unreadable data
group) leaves the partial document usable and shows up in the report; access control or a card removed mid-read
stops the pipeline with the typed error (nothing half-read is returned as whole).

Chips deviate: every file that exists is read, and a missing or unreadable file (EF.CardAccess, EF.COM, EF.SOD,
a data group) never stops the read. No EF.SOD (or an empty one) is a required FAILED ``pa.sod_present`` ("EF.SOD
absent: the data is not signed"); one that cannot be read whole is NOT_PERFORMED (an I/O failure is no evidence
of forgery). Files are read by short EF identifier with one whole-file READ each where the chip allows
(:func:`chipid.iso7816.binary.read_ef`; one :class:`ReadPolicy` per session remembers each fallback).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import keys

from chipid import policy
from chipid.access import AccessKey, PACEResult, establish, read_card_access
from chipid.access.pace_cam import verify_cam_encoded
from chipid.auth.active import perform_active_auth
from chipid.auth.chip import DeferredProof, ProofWatch, perform_chip_auth
from chipid.document import Document, PhotoMode
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
from chipid.lds.files import EMRTD_AID, LDSFile, by_dg, by_name
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
    VerificationReport,
)
from chipid.sm.channel import SM_SESSION_LOST, session_lost
from chipid.transport.base import Transport
from chipid.verify import card_security_checks, consistency_check, expiry_check, mrz_check_digits_check

__all__ = ["READ_SCHEMA", "DocumentReader", "ReadResult", "StepRecord", "read_document", "read_json"]

READ_SCHEMA = "chipid.read/1"
"""The ``"schema"`` of :func:`read_json` (docs/read.schema.json): ``chipid read --json``, ``--out``, the desk API."""

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


@dataclass(frozen=True)
class ReadResult:
    """What :meth:`DocumentReader.read` returns.

    Attributes:
        document: every file read (raw bytes kept) and its parsed view.
        report: the verification report (verdict with a reason per check).
        protocol: ``"PACE"`` or ``"BAC"``.
        steps: the pipeline steps in order.
    """

    document: Document
    report: VerificationReport
    protocol: str
    steps: tuple[StepRecord, ...] = field(default_factory=tuple)

    def to_dict(self, *, photo: PhotoMode = "base64") -> dict[str, Any]:
        """The ``chipid.read/1`` object of this read (see :func:`read_json`)."""
        return read_json(self.document, self.report, self.protocol, self.steps, photo=photo)


def read_json(document: Document, report: VerificationReport, protocol: str | None,
              steps: Iterable[StepRecord] = (), *, photo: PhotoMode = "base64") -> dict[str, Any]:
    """The ``chipid.read/1`` object (docs/read.schema.json): the document, its report, the access protocol
    (``None`` for an offline dump) and the pipeline steps. ``photo`` as in :meth:`Document.to_dict`."""
    return {
        "schema": READ_SCHEMA,
        "protocol": protocol,
        "document": document.to_dict(photo=photo),
        "report": report.to_dict(),
        "steps": [{"name": s.name, "status": s.status, "detail": s.detail, "seconds": round(s.seconds, 4)}
                  for s in steps],
    }


class DocumentReader:
    """Read and verify one eMRTD / CCCD over a transport.

    Args:
        transport: a plain transport (PC/SC, the virtual chip, optionally wrapped in a tracer).
        key: the access key (MRZ or CAN).
        trust: the CSCA trust store; None makes the chain check NOT_PERFORMED (verdict INCOMPLETE).
        data_groups: the data groups to read (default: all listed in EF.COM, DG3 only with ``read_dg3``).
        read_dg3: try DG3 (fingerprints); CCCD and most passports protect it with EAC (6982 without it).
        chip_auth: run Chip Authentication when DG14 offers it.
        active_auth: run Active Authentication when DG15 is present.
        progress: ``progress(file_name, bytes_read, total)``.
        rng: randomness for access control and the AA challenge.
        at: the time of verification (default now).
        prefer: ``"pace"`` (default) or ``"bac"``.
    """

    def __init__(
        self,
        transport: Transport,
        key: AccessKey,
        *,
        trust: TrustStore | None = None,
        data_groups: Iterable[int] | None = None,
        read_dg3: bool = False,
        chip_auth: bool = True,
        active_auth: bool = True,
        progress: ProgressFn | None = None,
        rng: Callable[[int], bytes] = os.urandom,
        at: datetime | None = None,
        prefer: str = "pace",
    ) -> None:
        self.transport = transport
        self.key = key
        self.trust = trust
        self.data_groups = None if data_groups is None else sorted(set(data_groups))
        self.read_dg3 = read_dg3
        self.chip_auth = chip_auth
        self.active_auth = active_auth
        self.progress = progress
        self.rng = rng
        self.at = at
        self.prefer = prefer
        self.policy = ReadPolicy()
        self.in_use_retry = 1.0
        """Seconds to wait before the one retry after a session lost to another application."""
        self._steps: list[StepRecord] = []
        self._early: DeferredProof | None = None

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

    def read(self) -> ReadResult:
        """Run every step; see the module docstring.

        A secure-messaging session lost to another application (:class:`CardInUseError`) is retried once,
        after a reconnect (when the transport can), from the start: a new session, every file read again.

        Raises:
            AccessControlError: BAC/PACE failed (wrong key: check the MRZ fields or the CAN).
            TransportError: no card, or the card was removed (CardRemovedError).
            CardInUseError: another application holds the card or broke the session, again after the retry.
        """
        try:
            return self._read_once()
        except CardInUseError:
            reconnect = getattr(self.transport, "reconnect", None)
            if not callable(reconnect):
                raise
            time.sleep(self.in_use_retry)
            reconnect()
            result = self._read_once()
            steps = (StepRecord("retry", "ok", "secure messaging session lost to another application: read again"),
                     *result.steps)
            return ReadResult(result.document, result.report, result.protocol, steps)

    def _read_once(self) -> ReadResult:
        self._steps = []
        self._early = None
        self.policy = ReadPolicy()
        raw: dict[str, bytes] = {}

        started = time.perf_counter()
        try:
            card_access = read_card_access(self.transport)
            ca_detail = f"{len(card_access)} bytes" if card_access else "absent"
        except (StatusWordError, ParseError) as err:  # unsigned and optional: never a reason to stop
            card_access, ca_detail = None, f"unreadable: {err}"
        if card_access is not None:
            raw["EF.CardAccess"] = card_access
        self._record("read EF.CardAccess", "ok" if card_access else "skipped", ca_detail, started)
        pace_advertised = False
        if card_access:
            try:
                pace_advertised = bool(parse_security_infos(card_access, name="EF.CardAccess").usable_pace_infos)
            except ParseError:
                pace_advertised = False

        started = time.perf_counter()
        # b"" for an absent or unreadable EF.CardAccess: establish() must not try to read it a second time
        access = establish(self.transport, self.key, card_access=card_access or b"", prefer=self.prefer, rng=self.rng)
        detail = access.protocol + (f" ({access.pace_info.name})" if access.pace_info and access.protocol == "PACE"
                                    else "")
        if access.fallback_reason:
            detail += f"; fallback: {access.fallback_reason}"
        self._record("access control", "ok", detail, started)
        channel: Transport = access.channel

        if access.protocol == "PACE":
            card_security = self._read_card_security(channel)
            if card_security is not None:
                raw["EF.CardSecurity"] = card_security
            started = time.perf_counter()
            ResponseAPDU.from_bytes(channel.transmit(commands.select_aid(EMRTD_AID).to_bytes())).check(0xA4)
            self._record("select eMRTD application", "ok", EMRTD_AID.hex().upper(), started)

        # Every file that exists is read; a missing or unreadable one is recorded, never a reason to stop
        # (only access control, a lost link or a removed card stop the read).
        problems: dict[str, str] = {}
        for name in ("EF.COM", "EF.SOD"):
            self._read_tolerant(channel, name, by_name(name), raw, problems)

        sod_dgs = self._sod_data_groups(raw.get("EF.SOD"))
        com_dgs = self._com_data_groups(raw.get("EF.COM"))
        wanted = self._data_groups_to_read(com_dgs, sod_dgs)
        unreadable: dict[int, str] = {}
        refused: list[int] = []
        not_on_chip: list[int] = []
        cam = access.pace if access.pace is not None and access.pace.cam_data is not None else None

        def read_dg(dg: int, via: Transport) -> None:
            name = f"DG{dg}"
            self._read_tolerant(via, name, by_dg(dg), raw, problems)
            if problems.get(name) == _ABSENT:
                if dg in sod_dgs:
                    unreadable[dg] = "the chip does not have it"
                elif com_dgs is not None and dg in com_dgs:
                    not_on_chip.append(dg)
            elif problems.get(name) == _DENIED:
                refused.append(dg)
            elif name in problems:
                unreadable[dg] = problems[name]

        # Chip Authentication as soon as DG14 is read and vouched for (BSI TR-03110-1 standard inspection
        # procedure: CA before the data groups), so that the other data groups are read under the CA keys and
        # the first of those READs that the chip answers 9000 with MAC-verified data IS the proof (no extra APDU).
        pending = list(wanted)
        early: DeferredProof | None = None
        if self.chip_auth and cam is None and 14 in pending and 14 in sod_dgs:
            pending.remove(14)
            read_dg(14, channel)
            early = self._early = self._early_chip_auth(channel, raw, problems)
        not_read: list[int] = []
        via: Transport = early.watch if early is not None and early.watch is not None else channel
        for index, dg in enumerate(pending):
            if early is None or not (early.pending or early.failed):
                read_dg(dg, via)
                continue
            try:
                read_dg(dg, via)
            except (SecureMessagingError, ChipAuthError) as err:
                if early.pending:  # not MAC-verified under the new keys: the chip does not hold the DG14 key
                    early.fail(ChipAuthError(f"reading under the Chip Authentication keys failed: {err}"))
                not_read = pending[index:]  # the secure channel has ended: the rest cannot be read
                break
            early.settle_if_proven()
        if early is not None and early.pending:
            # every later file absent or empty: one READ of DG14 (by SFI where the chip allows it) proves it
            early.prove_by_read(channel, sfi=14 if self.policy.sfi else None)
        # CA failed: the files the chip did not give under the CA keys (absent or refused ones aside) are read on a
        # new session without CA (issue 11 point 1); AA (if any) runs on that session
        retry = [dg for dg in pending if dg in not_read or (dg in unreadable and problems[f"DG{dg}"] != _ABSENT)]
        if early is not None and early.failed and retry and (reopened := self._reopen(card_access)) is not None:
            channel, not_read = reopened, []
            for dg in retry:
                unreadable.pop(dg, None)
                problems.pop(f"DG{dg}", None)
                read_dg(dg, channel)

        document = Document.from_files(raw)
        dgs = {int(k[2:]): v for k, v in raw.items() if k.startswith("DG")}

        started = time.perf_counter()
        pa = self._passive_auth(raw.get("EF.SOD"), problems.get("EF.SOD"), dgs)
        self._record("passive authentication", "ok" if pa.passed else "failed",
                     "all checks passed" if pa.passed else "see report", started)

        checks: list[CheckResult] = [*pa.checks]
        dg14 = self._security_infos(raw.get("DG14"))
        # EF.CardAccess is not signed: the PACEInfos of an authenticated DG14 count too, so that stripping
        # them from EF.CardAccess cannot hide a downgrade to BAC.
        if dg14 is not None and 14 in pa.authenticated_dgs and dg14.usable_pace_infos:
            pace_advertised = True
        checks.append(self._downgrade(pace_advertised, access.protocol))
        checks += [expiry_check(document, self.at), consistency_check(document), mrz_check_digits_check(document)]
        checks += card_security_checks(raw, self.trust, self.at)
        for dg, why in unreadable.items():
            if dg not in (14, 15):  # DG14/DG15: the chip-authentication checks below say it
                checks.append(CheckResult(f"read.DG{dg}", CheckStatus.NOT_PERFORMED,
                                          f"DG{dg} could not be read, so it is not verified: {why}"))
        for dg in not_read:
            if dg != 15:  # DG15: the AA check below says it
                checks.append(CheckResult(f"read.DG{dg}", CheckStatus.NOT_PERFORMED,
                                          f"DG{dg} not read: the chip failed Chip Authentication, which ended the "
                                          "secure channel (a clone?)"))
        checks += [_refused_check(dg) for dg in refused if dg in sod_dgs and dg not in (*_EAC_PROTECTED, 14, 15)]
        for dg in not_on_chip:  # EF.COM is unsigned; the SOD does not list it either: nothing is lost
            checks.append(CheckResult(f"read.DG{dg}", CheckStatus.WARN,
                                      f"EF.COM lists DG{dg} but the chip does not have it (the SOD does not list it)",
                                      required=False))
        # Which chip authentication the chip must support comes from the signed SOD, not from EF.COM (unsigned):
        # a clone that hides DG14/DG15 (drops them from EF.COM, or refuses to serve them) is caught here.
        ca_supported = bool(dg14 and dg14.chip_authentication_public_key_infos)
        if early is not None and early.check is not None:
            checks.append(early.final_check(14 in pa.authenticated_dgs))
        elif cam is not None and dg14 is not None and ca_supported:
            checks.append(self._chip_auth_mapping(cam, dg14, 14 in pa.authenticated_dgs))
        elif ca_supported and dg14 is not None:
            checks.append(self._chip_auth(access.channel, dg14, 14 in pa.authenticated_dgs))
        elif 14 in sod_dgs and "DG14" not in raw:
            checks.append(self._unserved(CHECK_CA, 14, wanted))
        aa_supported = "DG15" in raw
        if aa_supported:
            ca_failed = any(c.name == CHECK_CA and c.failed for c in checks)
            checks.append(self._active_auth(channel, raw["DG15"], dg14, 15 in pa.authenticated_dgs,
                                            after_failed_ca=ca_failed))
        elif 15 in not_read:
            checks.append(CheckResult(CHECK_AA, CheckStatus.NOT_PERFORMED,
                                      "DG15 not read: the secure channel ended with the failed Chip Authentication"))
        elif 15 in sod_dgs:
            checks.append(self._unserved(CHECK_AA, 15, wanted))
        # What the chip must prove comes from the signed SOD (policy.chip_auth_expected), never from the files
        # served; a file the chip serves but the SOD does not list is caught by pa.dg_uncovered.
        chip_auth_expected = policy.chip_auth_expected(
            sod_dgs, ca_supported if dg14 is not None and 14 in pa.authenticated_dgs else None
        ) or ca_supported or aa_supported
        evidence = policy.Evidence(
            # the read step tolerates a chip without EF.SOD (unsigned data: NOT_GENUINE); one that is there but
            # cannot be read whole is no evidence of forgery (pa.sod_present NOT_PERFORMED: INCOMPLETE)
            sod_present="EF.SOD" in raw or problems.get("EF.SOD") not in (None, _ABSENT),
            sod_dgs=frozenset(sod_dgs) if pa.sod is not None else None,
            document_type=_document_type(document, pa.authenticated_dgs),
            live=True,
            chip_auth=chip_auth_expected,
        )
        report = VerificationReport.from_checks(checks, chip_auth_supported=chip_auth_expected, evidence=evidence)
        return ReadResult(document, report, access.protocol, tuple(self._steps))

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


def read_document(
    transport: Transport,
    key: AccessKey,
    *,
    trust: TrustStore | None = None,
    progress: ProgressFn | None = None,
    **options: object,
) -> ReadResult:
    """Read and verify a document in one call (see :class:`DocumentReader` for the options)."""
    return DocumentReader(transport, key, trust=trust, progress=progress, **options).read()  # type: ignore[arg-type]
