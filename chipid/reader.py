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

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chipid import policy
from chipid.access import AccessKey, establish, read_card_access
from chipid.auth.chip import DeferredProof
from chipid.document import Document, PhotoMode
from chipid.errors import (
    CardInUseError,
    ChipAuthError,
    ParseError,
    SecureMessagingError,
    StatusWordError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.binary import ReadPolicy
from chipid.lds.files import EMRTD_AID, by_dg, by_name
from chipid.lds.security_infos import parse_security_infos
from chipid.pki.trust import TrustStore
from chipid.reader_steps import (
    _ABSENT,
    _DENIED,
    _EAC_PROTECTED,
    ProgressFn,
    ReaderSteps,
    StepRecord,
    _document_type,
    _refused_check,
)
from chipid.report import (
    CHECK_AA,
    CHECK_CA,
    CheckResult,
    CheckStatus,
    VerificationReport,
)
from chipid.transport.base import Transport
from chipid.verify import card_security_checks, consistency_check, expiry_check, mrz_check_digits_check

__all__ = ["READ_SCHEMA", "DocumentReader", "ReadResult", "StepRecord", "read_document", "read_json"]

READ_SCHEMA = "chipid.read/1"
"""The ``"schema"`` of :func:`read_json` (docs/read.schema.json): ``chipid read --json``, ``--out``, the desk API."""

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


class DocumentReader(ReaderSteps):
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
