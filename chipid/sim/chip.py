"""VirtualChip: a CCCD-like eMRTD chip that answers command APDUs.

The dispatcher of ISO/IEC 7816-4 commands (SELECT §11.1.1, READ BINARY §11.2.3, GET
CHALLENGE §11.5.3, EXTERNAL/INTERNAL AUTHENTICATE §11.5.4-5, MSE §11.5.11, GENERAL
AUTHENTICATE §11.5.6) over the ICAO 9303 protocols implemented in this package: BAC
(:mod:`._bac`), PACE GM, IM and CAM (:mod:`._pace`), secure messaging (:mod:`._sm`), AA and CA
(:mod:`._auth`). :meth:`VirtualChip.process` never raises: every error is a status word.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chipid.errors import ParseError
from chipid.lds.mrz import mrz_information
from chipid.lds.security_infos import SecurityInfos, parse_security_infos
from chipid.sim import _commands
from chipid.sim._apdu import parse_command
from chipid.sim._auth import ChipKey, load_key
from chipid.sim._bac import bac_keys
from chipid.sim._keys import DHPrivateKey
from chipid.sim._pace import PaceSession
from chipid.sim._sm import SMError, SMSession
from chipid.sim.faults import Faults
from chipid.sim.fs import Access, FileSystem
from chipid.sim.profile import CardProfile

__all__ = ["ATR", "VirtualChip"]


def _with_tck(body: bytes) -> bytes:
    tck = 0
    for b in body[1:]:
        tck ^= b
    return body + bytes([tck])


ATR = _with_tck(bytes.fromhex("3B88800100000000007181") + b"\x00")
"""ATR of a contactless ISO 14443-4 card as PC/SC part 3 builds it: 3B 8n 80 01, historical bytes, TCK."""


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


class VirtualChip:
    """A virtual eMRTD chip personalised from a :class:`CardProfile`.

    Args:
        profile: file contents and secrets.
        faults: misbehaviour to inject (default: a healthy chip).
        rng: the chip's randomness source (challenges, nonces, ephemeral keys, K.IC);
            inject a scripted one to replay the ICAO worked examples.
    """

    def __init__(
        self,
        profile: CardProfile,
        *,
        faults: Faults | None = None,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.profile = profile
        self.faults = faults or Faults()
        self.rng = rng
        files = dict(profile.files)
        for dg in self.faults.corrupt_dgs:
            name = f"DG{dg}"
            if files.get(name):
                raw = bytearray(files[name])
                raw[-1] ^= 0x01
                files[name] = bytes(raw)
        self.fs = FileSystem(files, profile.file_ids)
        for ef in list(self.fs.app.values()):
            if ef.info.dg in self.faults.refuse_dgs:  # the chip answers 6982 as if the file needed EAC
                self.fs.app[ef.fid] = dataclasses.replace(ef, access=Access.EAC)
        self.mrz_information = mrz_information(profile.document_number, profile.date_of_birth, profile.date_of_expiry)
        self.bac_keys = bac_keys(self.mrz_information)
        card_access = self._infos(files.get("EF.CardAccess"))
        self.pace_suites = card_access.pace_infos
        dg14 = self._infos(files.get("DG14"))
        self.ca_suites = dg14.chip_authentication_infos or card_access.chip_authentication_infos
        self.aa_key = self._key(profile.aa_private_key)
        self.ca_key = self._key(profile.ca_private_key)
        self.apdu_count = 0
        self._next_tear = self.faults.tear_after
        self._wrong_mac_pending = self.faults.wrong_mac is not None
        self.aa_replay_signature: bytes | None = None
        self.powered = False
        self.reset_state()

    @staticmethod
    def _infos(data: bytes | None) -> SecurityInfos:
        if not data:
            return SecurityInfos()
        try:
            return parse_security_infos(data)
        except ParseError:  # a malformed file advertises nothing
            return SecurityInfos()

    def _key(self, der: bytes | None) -> ChipKey | None:
        if der is None:
            return None
        key = load_key(der)
        if not self.faults.cloned:
            return key
        if isinstance(key, rsa.RSAPrivateKey):
            return rsa.generate_private_key(65537, key.key_size)
        if isinstance(key, DHPrivateKey):
            return key.with_random_exponent()
        return ec.generate_private_key(key.curve)

    # ------------------------------------------------------------------ state
    def reset_state(self) -> None:
        """Forget every session: MF selected, no SM, no pending protocol (a reset/power cycle)."""
        self.in_app = False
        self.current_ef: int | None = None
        self.sm: SMSession | None = None
        self.next_sm: SMSession | None = None
        self.challenge = b""
        self.pace: PaceSession | None = None
        self.ca_oid: str | None = None
        self.authenticated: str | None = None

    @property
    def atr(self) -> bytes:
        return ATR

    def power_on(self) -> bytes:
        """Power the chip up (cold reset); returns the ATR."""
        self.reset_state()
        self.powered = True
        return ATR

    def power_off(self) -> None:
        """Power the chip down: every session is lost."""
        self.reset_state()
        self.powered = False

    def tear_now(self) -> bool:
        """Count one APDU against ``faults.tear_after``; True when the card must leave the field now.

        Transports call this before :meth:`process`; a tear also powers the chip off.
        """
        if self._next_tear is not None and self.apdu_count >= self._next_tear:
            step = self.faults.tear_after or 0
            self._next_tear = self.apdu_count + step if self.faults.tear_repeat and step else None
            self.power_off()
            return True
        return False

    # ------------------------------------------------------------------ APDUs
    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data + SW1SW2. Never raises."""
        self.apdu_count += 1
        if self.faults.delay_ms:
            time.sleep(self.faults.delay_ms / 1000)
        try:
            return self._process(apdu)
        except Exception:  # a bug in the simulator must still look like a chip error
            self.reset_state()
            return _sw(0x6F00)

    def _process(self, apdu: bytes) -> bytes:
        try:
            cmd = parse_command(apdu)
        except ValueError:
            return _sw(0x6700)
        # a chip without extended length refuses such APDUs with 6700 (protected when SM is on)
        refuse_extended = cmd.extended and self.faults.no_extended_length
        if cmd.cla & 0xE3:
            return _sw(0x6E00)
        if cmd.cla & 0x0C == 0x0C:
            session = self.sm
            if session is None:
                return _sw(0x6988)
            try:
                inner = session.unwrap(cmd)
            except SMError as err:
                if self.faults.sm_error_sw is not None:
                    return _sw(self.faults.sm_error_sw)  # a clone faking a plain warning, session kept
                self.sm = None  # ICAO 9303-11 §9.8.4: a SM error ends the session
                self.authenticated = None
                return _sw(err.sw)
            if refuse_extended:
                data, sw = b"", 0x6700
            else:
                data, sw = _commands.dispatch(self, inner, secure=True)
            corrupt = self._wrong_mac_pending
            if corrupt and self.faults.wrong_mac == "once":
                self._wrong_mac_pending = False
            response = session.wrap(data, sw, odd_ins=bool(inner.ins & 1) and bool(data), corrupt_mac=corrupt)
        else:
            if cmd.cla & 0x0C:
                return _sw(0x6882)  # SM indicated without header authentication: unsupported
            if self.sm is not None:  # a plain command aborts the SM session
                self.sm = None
                self.authenticated = None
            if refuse_extended:
                return _sw(0x6700)
            data, sw = _commands.dispatch(self, cmd, secure=False)
            response = data + _sw(sw)
        if self.next_sm is not None:
            self.sm, self.next_sm = self.next_sm, None
        return response
