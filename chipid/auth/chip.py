"""Chip Authentication (ICAO 9303-11 §6.2; BSI TR-03110-2 §3.4, CA version 1).

§6.2.1: the terminal sends an ephemeral public key on the chip's domain parameters (DG14
ChipAuthenticationPublicKeyInfo); both sides compute K = KA(static chip key, ephemeral terminal key) and
restart secure messaging with KS_Enc = KDF(K, 1), KS_MAC = KDF(K, 2) (§9.7.1) and SSC = 0.

* 3DES (id-CA-*-3DES-CBC-CBC): MSE:Set KAT with DO'91' (ephemeral key) and DO'84' (key id) (§6.2.4.1);
  when the chip refuses it, MSE:Set AT + GENERAL AUTHENTICATE as for AES (real chips differ).
* AES (id-CA-*-AES-CBC-CMAC-*): MSE:Set AT (41A4, DO'80' protocol OID, DO'84' key id), then GENERAL
  AUTHENTICATE with DO'80' = ephemeral key (§6.2.4.2).

Only a read under the new keys proves the chip holds the static private key (a clone without it cannot
compute K). Two ways: :func:`verify_by_read` (one extra READ, by SFI where the chip allows it), or
:class:`ProofWatch`, which takes the first READ BINARY answered 9000 with MAC-verified data under the new keys as
the proof, so that a reader that runs CA before it reads the remaining data groups needs no extra APDU
(:mod:`chipid.reader`; BSI TR-03110-1 "standard inspection procedure": CA before the data groups are read).
ECDH uses ``cryptography`` for named curves and the pure-Python arithmetic of :mod:`chipid.ecc` for explicit
parameters ``cryptography`` lacks (not constant time: it handles only the one-use ephemeral key).
DH uses Python integers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import core

from chipid.access.kdf import kdf
from chipid.auth.ca_keys import ephemeral_key_agreement
from chipid.errors import (
    ChipAuthError,
    ChipIDError,
    ParseError,
    SecureMessagingError,
    StatusWordError,
    TransportError,
)
from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.iso7816.commands import (
    general_authenticate,
    mse_set_at,
    mse_set_kat,
    read_binary,
    read_binary_sfi,
    select_fid,
)
from chipid.iso7816.status import SW_OK
from chipid.iso7816.tlv import encode_tlv
from chipid.report import CHECK_CA, CheckResult, CheckStatus
from chipid.sm.channel import SM_SESSION_LOST, SecureChannel, SMKeys, session_lost
from chipid.transport.base import Transport, TransportWrapper

__all__ = [
    "ID_CA",
    "ChipAuthResult",
    "DeferredProof",
    "ProofWatch",
    "ca_cipher",
    "perform_chip_auth",
    "proof_check",
    "verify_by_read",
]

ID_CA = "0.4.0.127.0.7.2.2.3"
_CIPHERS = {"1": ("3DES", 112), "2": ("AES", 128), "3": ("AES", 192), "4": ("AES", 256)}


@dataclass(frozen=True)
class ChipAuthResult:
    """Outcome of Chip Authentication.

    Attributes:
        channel: the secure channel, now keyed with the CA session keys (SSC 0); the same object that was
            passed in, so wrappers around it stay valid. After a FAILED result it must not be reused.
        protocol: the CA protocol OID used.
        key_id: the chip key id (``None`` when the chip has one key).
        check: the ``chip_authentication`` CheckResult.
    """

    channel: SecureChannel
    protocol: str
    key_id: int | None
    check: CheckResult
    keys: SMKeys | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return self.check.passed

    @property
    def reason(self) -> str:
        return self.check.reason


def ca_cipher(protocol: str) -> tuple[str, int]:
    """(cipher, key bits) of a CA protocol OID such as ``0.4.0.127.0.7.2.2.3.2.2`` (ECDH, AES-128)."""
    if not protocol.startswith(ID_CA + "."):
        raise ChipAuthError(f"{protocol} is not a Chip Authentication protocol")
    suffix = protocol[len(ID_CA) + 1 :].split(".")
    if len(suffix) != 2 or suffix[0] not in ("1", "2") or suffix[1] not in _CIPHERS:
        raise ChipAuthError(f"unknown Chip Authentication protocol {protocol}")
    return _CIPHERS[suffix[1]]


def _select(infos: Any, public_key_info: Any) -> tuple[str, Any]:
    """Pick (protocol OID, ChipAuthenticationPublicKeyInfo) from DG14 SecurityInfos or explicit infos."""
    if hasattr(infos, "chip_authentication_public_key_infos"):
        keys = list(infos.chip_authentication_public_key_infos)
        cas = list(infos.chip_authentication_infos)
        if not keys:
            raise ChipAuthError("DG14 has no ChipAuthenticationPublicKeyInfo")
        for ca in cas:
            match = next((k for k in keys if k.key_id == ca.key_id or ca.key_id is None), None)
            if match is not None:
                return ca.protocol, match
        # No ChipAuthenticationInfo: CA version 1 defaults to 3DES (BSI TR-03110-3 §A.1.1.2).
        kind = "2" if keys[0].protocol.endswith(".2") else "1"
        return f"{ID_CA}.{kind}.1", keys[0]
    if public_key_info is None:
        raise ChipAuthError("no ChipAuthenticationPublicKeyInfo given")
    return str(infos.protocol), public_key_info


def verify_by_read(channel: Transport, fid: int = 0x011E, *, sfi: int | None = None) -> None:
    """Prove the new session keys by one read of 4 bytes: READ BINARY by short EF identifier ``sfi`` (one
    APDU, no SELECT) when given, else SELECT ``fid`` (default EF.COM) + READ BINARY.

    Only a MAC-verified answer counts (the secure channel refuses any other), and the proof needs status
    9000 with the 4 bytes asked for: a warning (6282 ...) or an empty answer proves nothing.

    Raises:
        ChipAuthError: the chip's answer does not verify under the new keys (a clone without the
            static private key), or the chip refused.
    """
    steps = ((read_binary_sfi(sfi, 0, 4), 4),) if sfi is not None else ((select_fid(fid), None), (read_binary(0, 4), 4))
    for command, expected in steps:
        try:
            response = ResponseAPDU.from_bytes(channel.transmit(command.to_bytes())).check(command.ins)
        except (SecureMessagingError, StatusWordError, ParseError) as err:
            raise ChipAuthError(f"reading under the Chip Authentication keys failed: {err}") from err
        if response.sw != SW_OK or (expected is not None and len(response.data) != expected):
            raise ChipAuthError(
                f"reading under the Chip Authentication keys gave status {response.sw:04X} with "
                f"{len(response.data)} data bytes: the proof needs 9000 and MAC-verified data"
            )


class ProofWatch(TransportWrapper):
    """Wraps the secure channel right after :func:`perform_chip_auth` switched keys (``verify_fid=None``) and
    watches the answers: the first READ BINARY (B0/B1) answered 9000 with data is the proof that the chip
    derived the CA session keys.

    The inner transport must be the :class:`~chipid.sm.channel.SecureChannel` under the new keys: it returns
    data and a 9000 only from a MAC-verified answer (a plain 9000, 6282, 6283, 6310 ... raises
    SecureMessagingError; a plain error status such as 6A82 carries no data and is no proof). Nothing is
    changed on the way: callers read through the watch as through the channel.

    Attributes:
        proven_by: ``None`` until the proof, then a description of the READ that gave it.
    """

    def __init__(self, inner: Transport) -> None:
        super().__init__(inner)
        self.proven_by: str | None = None

    @property
    def extended_length(self) -> bool | None:
        """The channel's extended-length hint, so that READ BINARY sizing sees through the watch."""
        hint = getattr(self.inner, "extended_length", None)
        return hint if isinstance(hint, bool) else None

    @property
    def proven(self) -> bool:
        return self.proven_by is not None

    def transmit(self, apdu: bytes) -> bytes:
        answer = self.inner.transmit(apdu)
        if self.proven_by is None and len(apdu) >= 4 and apdu[1] in (0xB0, 0xB1) and len(answer) > 2 \
                and answer[-2:] == b"\x90\x00":
            self.proven_by = f"READ BINARY {apdu[2]:02X}{apdu[3]:02X}: 9000 with {len(answer) - 2} MAC-verified bytes"
        return answer


def proof_check(result: ChipAuthResult, error: ChipAuthError | None = None, proven_by: str | None = None
                ) -> CheckResult:
    """The ``chip_authentication`` check once the keys that :func:`perform_chip_auth` switched (with
    ``verify_fid=None``) are proven (``proven_by``) or not (``error``)."""
    details = dict(result.check.details)
    if error is not None or proven_by is None:
        why = error if error is not None else "no read under the new keys gave 9000 with MAC-verified data"
        return CheckResult(CHECK_CA, CheckStatus.FAILED, f"chip did not prove its DG14 key: {why}", details)
    details["proof"] = proven_by
    cipher = details.get("cipher", "")
    reason = f"secure messaging restarted with {cipher} CA keys and verified by a read"
    return CheckResult(CHECK_CA, CheckStatus.PASSED, reason, details)


@dataclass
class DeferredProof:
    """Chip Authentication whose keys :func:`perform_chip_auth` switched with ``verify_fid=None``, proven later
    by the caller's own reads (:class:`ProofWatch`) or by :meth:`prove_by_read`.

    Attributes:
        result: the key agreement's result (its check NOT_PERFORMED when the keys were switched, else FAILED).
        check: the ``chip_authentication`` check once settled; ``None`` while the proof is pending.
        watch: the :class:`ProofWatch` to read through while pending (``None`` when no keys were switched).
        on_settle: called once with the check when the proof succeeds or fails (e.g. to record a step).
    """

    result: ChipAuthResult
    check: CheckResult | None
    watch: ProofWatch | None = None
    on_settle: Callable[[CheckResult], None] | None = None

    @property
    def pending(self) -> bool:
        return self.check is None

    @property
    def failed(self) -> bool:
        return self.check is not None and self.check.failed

    def _settle(self, check: CheckResult) -> None:
        self.check = check
        if self.on_settle is not None:
            self.on_settle(check)

    def settle_if_proven(self) -> None:
        """PASSED once the watch has seen a READ answered 9000 with MAC-verified data."""
        if self.pending and self.watch is not None and self.watch.proven:
            self._settle(proof_check(self.result, proven_by=self.watch.proven_by))

    def fail(self, error: ChipAuthError) -> None:
        """FAILED: an answer under the new keys did not verify (or the chip ended secure messaging)."""
        if self.pending:
            self._settle(proof_check(self.result, error=error))

    def prove_by_read(self, channel: Transport, *, sfi: int | None = None, fid: int = 0x011E) -> None:
        """No read of the caller's gave the proof (none left, or all absent / empty): one READ of 4 bytes by
        ``sfi`` (else SELECT ``fid`` + READ), see :func:`verify_by_read`."""
        if not self.pending:
            return
        try:
            verify_by_read(channel, fid, sfi=sfi)
        except ChipAuthError as err:
            self.fail(err)
            return
        what = f"READ BINARY by SFI {sfi}" if sfi is not None else f"SELECT {fid:04X} + READ BINARY"
        self._settle(proof_check(self.result, proven_by=f"{what}: 9000 with 4 MAC-verified bytes"))

    def final_check(self, dg14_authentic: bool) -> CheckResult:
        """The check for the report; NOT_PERFORMED when the full Passive Authentication does not vouch for DG14
        (a PA over EF.SOD and DG14 alone binds no country): its key is then untrusted whatever the chip proved."""
        check = self.check if self.check is not None else proof_check(self.result)
        if not dg14_authentic:
            return CheckResult(CHECK_CA, CheckStatus.NOT_PERFORMED,
                               "DG14 is not authenticated by Passive Authentication: its key is untrusted",
                               check.details)
        return check


def _send(channel: Transport, command: CommandAPDU) -> bytes:
    return ResponseAPDU.from_bytes(channel.transmit(command.to_bytes())).check(command.ins).data


def _key_agreement(channel: Transport, protocol: str, cipher: str, key_id: int | None, ephemeral: bytes) -> str:
    """Send the ephemeral key; returns the command used (``"MSE:Set KAT"`` or ``"MSE:Set AT + GA"``).

    3DES (ICAO 9303-11 §6.2.4.1) tries MSE:Set KAT first; chips differ, so when it is refused with a status
    word (the chip never switched keys) the AES form MSE:Set AT + GENERAL AUTHENTICATE (§6.2.4.2, also
    allowed for 3DES by BSI TR-03110-3 §B.1) is tried. AES uses only the latter.
    """
    try:
        if cipher == "3DES":
            try:
                _send(channel, mse_set_kat(ephemeral, key_id))
                return "MSE:Set KAT"
            except StatusWordError as err:
                if err.sw in SM_SESSION_LOST:
                    raise
                # refused: the session keys are unchanged; fall back below
        oid = core.ObjectIdentifier(protocol).contents
        _send(channel, mse_set_at(oid, private_key_ref=key_id, purpose="ca"))
        _send(channel, general_authenticate(encode_tlv(0x80, ephemeral)))
    except StatusWordError as err:
        if err.sw in SM_SESSION_LOST:  # still under the BAC/PACE keys that a clone knows too: not a CA failure
            raise session_lost(err.sw, "Chip Authentication key agreement") from err
        raise
    return "MSE:Set AT + GA"


def perform_chip_auth(
    channel: SecureChannel,
    ca_info: Any,
    ca_public_key_info: Any = None,
    *,
    ephemeral_private_key: Any = None,
    rng: Callable[[int], bytes] = os.urandom,
    verify_fid: int | None = 0x011E,
    dg14_authenticated: bool = True,
) -> ChipAuthResult:
    """Run Chip Authentication and restart secure messaging under the derived keys.

    Args:
        channel: the secure channel established by BAC/PACE.
        ca_info: a ChipAuthenticationInfo (``.protocol``, ``.key_id``), or the DG14 SecurityInfos
            (the matching pair is picked).
        ca_public_key_info: the ChipAuthenticationPublicKeyInfo (``.public_key`` SPKI DER, ``.key_id``);
            not needed when ``ca_info`` is the SecurityInfos.
        ephemeral_private_key: injected ephemeral key (``int`` scalar/exponent or a ``cryptography`` EC
            private key) so test vectors replay; default: fresh from ``rng``.
        rng: randomness for the ephemeral key.
        verify_fid: file read under the new keys to prove them (``None``: the caller calls
            :func:`verify_by_read`; the check is then NOT_PERFORMED until it does).
        dg14_authenticated: whether Passive Authentication vouched for DG14; if not, CA is not run
            (its key is untrusted) and the check is NOT_PERFORMED.

    Raises:
        TransportError: the link failed. Protocol failures give a FAILED check instead.
    """
    protocol = ""
    key_id: int | None = None
    if not dg14_authenticated:
        reason = "DG14 is not authenticated by Passive Authentication: its key is untrusted"
        return ChipAuthResult(channel, protocol, key_id, CheckResult(CHECK_CA, CheckStatus.NOT_PERFORMED, reason))
    try:
        protocol, pk_info = _select(ca_info, ca_public_key_info)
        key_id = pk_info.key_id
        cipher, key_bits = ca_cipher(protocol)
        ephemeral_public, shared = ephemeral_key_agreement(
            pk_info.public_key, ephemeral_private_key=ephemeral_private_key, rng=rng
        )
        command = _key_agreement(channel, protocol, cipher, key_id, ephemeral_public)
        keys = SMKeys(cipher, kdf(shared, 1, cipher, key_bits), kdf(shared, 2, cipher, key_bits))
    except TransportError:
        raise  # the link failed or the session was lost: no evidence about the chip
    except (ChipIDError, ValueError) as err:
        check = CheckResult(CHECK_CA, CheckStatus.FAILED, f"Chip Authentication failed: {err}", {"protocol": protocol})
        return ChipAuthResult(channel, protocol, key_id, check)
    channel.rekey(keys, 0)
    details = {"protocol": protocol, "cipher": f"{cipher}-{key_bits}", "command": command}
    if verify_fid is None:
        check = CheckResult(CHECK_CA, CheckStatus.NOT_PERFORMED, "keys switched; not yet proven by a read", details)
        return ChipAuthResult(channel, protocol, key_id, check, keys)
    try:
        verify_by_read(channel, verify_fid)
    except ChipAuthError as err:
        check = CheckResult(CHECK_CA, CheckStatus.FAILED, f"chip did not prove its DG14 key: {err}", details)
        return ChipAuthResult(channel, protocol, key_id, check, keys)
    reason = f"secure messaging restarted with {cipher}-{key_bits} CA keys and verified by a read"
    return ChipAuthResult(channel, protocol, key_id, CheckResult(CHECK_CA, CheckStatus.PASSED, reason, details), keys)
