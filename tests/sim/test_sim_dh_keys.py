"""The virtual chip's DH keys are plain integers, off ``cryptography``'s deprecated FFDH classes (issue 11 point 5).

- :class:`chipid.sim._keys.DHPrivateKey` (p, q, g, x, y) and :class:`chipid.pki.dh_keys.DHPublicKey` (p, g, q, y)
  encode X9.42 keys with asn1crypto: PKCS#8 (RFC 5208 + RFC 3279 §2.3.3 dhpublicnumber) for the chip's secret,
  SubjectPublicKeyInfo with DomainParameters (p, g, q) for DG14 (ICAO 9303-11 §9.2.4, BSI TR-03110-3 §A.1.1).
- ``tests/data/sim/dh-profile-f924832`` was saved by the code before the change (its ca_key.der written by
  OpenSSL through ``cryptography``): it must still load, byte for byte, and read GENUINE.
- Issuing, saving, loading and reading an all-DH card (PACE DH-GM + DH CA) raises no warning at all.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.pace_domain import DHGroup, domain_parameters
from chipid.errors import ParseError, UnsupportedError
from chipid.lds.oids import ID_CA, ID_PACE
from chipid.lds.security_infos import parse_security_infos
from chipid.pki.dh_keys import DHPublicKey
from chipid.reader import DocumentReader
from chipid.report import CheckStatus, Verdict
from chipid.sim import CardProfile, Faults, SimTransport, VirtualChip
from chipid.sim._auth import load_key
from chipid.sim._keys import DHPrivateKey, is_dh_pkcs8, seeded_dh_key
from chipid.sim.personalize import issue_card
from tests.conftest import DATA, ROOT

LEGACY = DATA / "sim" / "dh-profile-f924832"
"""An all-DH card saved at commit f924832 (before DHPrivateKey): seed "legacy-dh", PACE DH-GM AES-128 on group 0,
CA DH AES-128 on group 2, no AA."""
ALL_DH_SUITES = ((ID_PACE + ".1.2", 0),)  # id-PACE-DH-GM-AES-CBC-CMAC-128 on the 1024-bit MODP group


def _group(parameter_id: int) -> DHGroup:
    group = domain_parameters(parameter_id)
    assert isinstance(group, DHGroup)
    return group


def _issue_legacy_seed() -> CardProfile:
    return issue_card("legacy-dh", aa=None, ca_kind="dh", ca_cipher="AES-128", ca_dh_parameter_id=2,
                      pace_suites=ALL_DH_SUITES)


def _read(profile: CardProfile, faults: Faults | None = None) -> tuple[VirtualChip, Verdict, CheckStatus | None]:
    """Read with the CAN; assert that access control was PACE DH-GM (the suite of ALL_DH_SUITES)."""
    chip = VirtualChip(profile, faults=faults)
    result = DocumentReader(SimTransport(chip), profile.can_key(), trust=profile.trust_store()).read()
    access = [step.detail for step in result.steps if step.name == "access control"]
    assert access == ["PACE (id-PACE-DH-GM-AES-CBC-CMAC-128)"], result.steps
    check = result.report.get("chip_authentication")
    return chip, result.report.verdict, check.status if check is not None else None


# ---------------------------------------------------------------- profiles saved by the old code


def test_legacy_dh_profile_loads_and_reads_genuine() -> None:
    """The OpenSSL-written X9.42 PKCS#8 key of a profile saved before the change loads as a DHPrivateKey."""
    profile = CardProfile.load(LEGACY)
    assert profile.ca_private_key is not None and is_dh_pkcs8(profile.ca_private_key)
    chip, verdict, ca = _read(profile)
    assert isinstance(chip.ca_key, DHPrivateKey)
    assert chip.ca_key == seeded_dh_key("legacy-dh|ca", 2)
    assert chip.authenticated == "CA"
    assert (verdict, ca) == (Verdict.GENUINE, CheckStatus.PASSED)


def test_legacy_dh_profile_is_what_the_new_code_issues_byte_for_byte() -> None:
    """Same seed, same card: the asn1crypto encoders write exactly the DER that OpenSSL wrote (key, DG14, SOD)."""
    old, new = CardProfile.load(LEGACY), _issue_legacy_seed()
    assert new.ca_private_key == old.ca_private_key
    assert new.files == old.files


def test_legacy_dh_key_round_trips_through_pkcs8() -> None:
    der = (LEGACY / "ca_key.der").read_bytes()
    key = DHPrivateKey.from_pkcs8(der)
    assert key.to_pkcs8() == der
    group = _group(2)
    assert (key.p, key.q, key.g) == (group.p, group.q, group.g)
    assert key.y == pow(key.g, key.x, key.p)
    assert str(key.x) not in repr(key) and hex(key.x)[2:] not in repr(key)


def test_legacy_dg14_spki_round_trips() -> None:
    dg14 = (LEGACY / "DG14.bin").read_bytes()
    (info,) = parse_security_infos(dg14).chip_authentication_public_key_infos
    public = DHPublicKey.from_spki(info.public_key)
    assert public.to_spki() == info.public_key
    assert public == DHPrivateKey.from_pkcs8((LEGACY / "ca_key.der").read_bytes()).public_key()


# ---------------------------------------------------------------- the key classes


@settings(max_examples=25, deadline=None)
@given(x=st.integers(min_value=1), parameter_id=st.sampled_from([0, 1, 2]))
def test_pkcs8_and_spki_round_trip(x: int, parameter_id: int) -> None:
    group = _group(parameter_id)
    key = DHPrivateKey.from_exponent(group.p, group.q, group.g, x % (group.q - 1) + 1)
    again = DHPrivateKey.from_pkcs8(key.to_pkcs8())
    assert again == key
    assert load_key(key.to_pkcs8()) == key
    assert DHPublicKey.from_spki(key.public_key().to_spki()) == key.public_key()


def test_exchange_is_symmetric_and_validates_the_peer() -> None:
    """K = PK^x mod p on the byte length of p (TR-03110-3 §A.2.3.1), with the range and subgroup checks."""
    group = _group(0)
    a = DHPrivateKey.from_exponent(group.p, group.q, group.g, 12345)
    b = DHPrivateKey.from_exponent(group.p, group.q, group.g, 67890)
    k = a.exchange(group.encode(b.y))
    assert k == b.exchange(group.encode(a.y)) and len(k) == group.size
    outside = next(h for h in range(2, 50) if pow(h, group.q, group.p) != 1)
    for bad in (b"", group.encode(1), group.encode(group.p - 1), group.encode(outside), b"\x01" + group.encode(5)):
        with pytest.raises(ParseError):
            a.exchange(bad)


def test_inconsistent_keys_are_refused() -> None:
    group = _group(0)
    with pytest.raises(ParseError):
        DHPrivateKey(group.p, group.q, group.g, 5, pow(group.g, 6, group.p))  # y is not g^x
    with pytest.raises(ParseError):
        DHPrivateKey.from_exponent(group.p, group.q, group.g, group.q)  # x out of [1, q-1]
    with pytest.raises(UnsupportedError):
        DHPublicKey(group.p, group.g, None, 4).to_spki()  # X9.42 needs q


@pytest.mark.parametrize(
    "der",
    [
        b"",
        b"\x30\x03\x02\x01\x00",
        (LEGACY / "ca_key.der").read_bytes()[:-3],  # truncated
        (LEGACY / "ca_key.der").read_bytes() + b"\x00",  # trailing garbage
    ],
    ids=["empty", "bare-sequence", "truncated", "trailing"],
)
def test_malformed_pkcs8_is_a_parse_error(der: bytes) -> None:
    with pytest.raises(ParseError):
        DHPrivateKey.from_pkcs8(der)


def test_non_dh_keys_still_load_through_cryptography() -> None:
    profile = issue_card("ec-ca", aa="ec")
    assert profile.ca_private_key is not None and profile.aa_private_key is not None
    assert not is_dh_pkcs8(profile.ca_private_key) and not is_dh_pkcs8(profile.aa_private_key)
    assert not isinstance(load_key(profile.ca_private_key), DHPrivateKey)
    with pytest.raises(ValueError):
        load_key(b"\x30\x00")


@pytest.mark.parametrize(
    "spki",
    [b"", b"\x30\x00", bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + b"\x04" * 65],
    ids=["empty", "empty-sequence", "ec-key"],
)
def test_malformed_or_foreign_spki_is_a_parse_error(spki: bytes) -> None:
    with pytest.raises(ParseError):
        DHPublicKey.from_spki(spki)


# ---------------------------------------------------------------- no warnings


def test_all_dh_card_issue_save_load_read_raise_no_warning(tmp_path: Path) -> None:
    """Every warning is an error here (CryptographyDeprecationWarning is a UserWarning, so not only Deprecation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        profile = issue_card("all-dh-warnings", aa=None, ca_kind="dh", ca_dh_parameter_id=0, ca_cipher="AES-256",
                             pace_suites=ALL_DH_SUITES)
        loaded = CardProfile.load(profile.save(tmp_path / "card"))
        chip, verdict, ca = _read(loaded)
        assert isinstance(chip.ca_key, DHPrivateKey)
        assert (verdict, ca) == (Verdict.GENUINE, CheckStatus.PASSED)
        clone, verdict, ca = _read(loaded, Faults(cloned=True))
        assert isinstance(clone.ca_key, DHPrivateKey)
        assert (verdict, ca) == (Verdict.NOT_GENUINE, CheckStatus.FAILED)
        _, verdict, ca = _read(CardProfile.load(LEGACY))
        assert (verdict, ca) == (Verdict.GENUINE, CheckStatus.PASSED)


def test_cli_reads_the_legacy_dh_profile_without_printing_a_warning() -> None:
    """``chipid read --sim PROFILE`` as a user runs it: exit 0, GENUINE, nothing about warnings on stderr."""
    proc = subprocess.run([sys.executable, "-m", "chipid", "--no-color", "read", "--sim", str(LEGACY), "--json"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["report"]["verdict"] == "GENUINE"
    assert payload["protocol"] == "PACE"
    access = [step["detail"] for step in payload["steps"] if step["name"] == "access control"]
    assert access == ["PACE (id-PACE-DH-GM-AES-CBC-CMAC-128)"]
    ca = [c for c in payload["report"]["checks"] if c["name"] == "chip_authentication"]
    assert ca and ca[0]["status"] == "PASSED" and ca[0]["details"]["protocol"] == ID_CA + ".1.2"
    assert "Warning" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=615))
def test_garbage_gives_parse_errors_only(data: bytes, flip: int) -> None:
    """Arbitrary bytes, and the legacy key/SPKI with one byte changed: a key, or ParseError, never another error."""
    der = bytearray((LEGACY / "ca_key.der").read_bytes())
    der[flip % len(der)] ^= 0x5A
    for blob in (data, bytes(der)):
        is_dh_pkcs8(blob)  # never raises
        for decode in (DHPrivateKey.from_pkcs8, DHPublicKey.from_spki):
            with contextlib.suppress(ParseError):
                decode(blob)
