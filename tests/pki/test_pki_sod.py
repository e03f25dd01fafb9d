"""EF.SOD parsing and building (ICAO 9303-10 §4.6.2; RFC 5652 SignedData), DER and BER."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.errors import ParseError
from chipid.lds.sod import LDS_SECURITY_OBJECT_OID, parse_sod
from chipid.report import CheckStatus, Verdict
from tests.pki.pki_fixtures import make_sod, pki, sample_dgs, store_for, verify


def _tlv(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """(header start, content start, content end, tag byte) of the DER TLV at pos (one-byte tags)."""
    tag = data[pos]
    first = data[pos + 1]
    if first < 0x80:
        return pos, pos + 2, pos + 2 + first, tag
    n = first & 0x7F
    length = int.from_bytes(data[pos + 2 : pos + 2 + n], "big")
    return pos, pos + 2 + n, pos + 2 + n + length, tag


_SIGNER_INFO = (0x77, 0x30, 0xA0, 0x30, 0x31, 0x30)
_CERTIFICATES = (0x77, 0x30, 0xA0, 0x30, 0xA0)


def _to_indefinite(data: bytes, depth: int = 4, path: tuple[int, ...] = ()) -> bytes:
    """Re-encode constructed DER as BER with indefinite lengths: the outer ``depth`` levels, and with a
    larger depth also the signedAttrs. Embedded certificates and the rest of the SignerInfo stay DER
    (asn1crypto cannot parse an indefinite-length CHOICE such as the SignerIdentifier)."""
    out = b""
    pos = 0
    while pos < len(data):
        _, start, end, tag = _tlv(data, pos)
        here = (*path, tag)
        wanted = len(here) <= len(_SIGNER_INFO) or here[: len(_SIGNER_INFO) + 1] == (*_SIGNER_INFO, 0xA0)
        if tag & 0x20 and depth > 0 and wanted and here != _CERTIFICATES:
            out += bytes([tag, 0x80]) + _to_indefinite(data[start:end], depth - 1, here) + b"\x00\x00"
        else:
            out += data[pos:end]
        pos = end
    return out


def test_build_and_parse_v1() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    sod = parse_sod(make_sod(p, dgs, lds_version=("0108", "040000")))
    assert sod.version == 1
    assert (sod.lds_version, sod.unicode_version) == ("0108", "040000")
    assert sod.content_type == LDS_SECURITY_OBJECT_OID
    assert sorted(sod.dg_hashes) == sorted(dgs)
    assert len(sod.certificates) == 1


def test_build_v0_sha512() -> None:
    p = pki("rsa")
    dgs = sample_dgs()
    sod = make_sod(p, dgs, lds_version=None, hash_algorithm="sha512")
    parsed = parse_sod(sod)
    assert parsed.version == 0 and parsed.lds_version is None
    assert len(parsed.dg_hashes[1]) == 64
    _, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.GENUINE


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("rsa", {"pss": True}),
        ("rsa", {"signature_hash": "sha1", "hash_algorithm": "sha1"}),
        ("rsa", {"signed_attributes": False}),
        ("ec", {"signed_attributes": False}),
        ("ec", {"hash_algorithm": "sha384", "signature_hash": "sha224"}),
        ("ec", {"sid_by_key_id": True}),
    ],
)
def test_signature_variants_verify(kind: str, options: dict[str, object]) -> None:
    """RSASSA-PSS with SignerInfo params, SHA-1, SOD without signedAttrs, mixed hashes."""
    p = pki(kind)
    dgs = sample_dgs()
    sod = make_sod(p, dgs, **options)
    _result, report = verify(sod, dgs, store_for(p))
    assert report.verdict is Verdict.GENUINE, report.to_text()


def test_ber_indefinite_lengths() -> None:
    p = pki("ec")
    dgs = sample_dgs()
    der = make_sod(p, dgs)
    ber = _to_indefinite(der)
    assert ber != der and ber[:2] == b"\x77\x80"
    assert parse_sod(ber).dg_hashes == parse_sod(der).dg_hashes
    _, report = verify(ber, dgs, store_for(p))
    assert report.verdict is Verdict.GENUINE, report.to_text()


def test_ber_signed_attributes_verified_as_der() -> None:
    """RFC 5652 §5.4: the signature covers the DER of signedAttrs even when the SOD carries them in BER."""
    p = pki("ec")
    dgs = sample_dgs()
    ber = _to_indefinite(make_sod(p, dgs), depth=9)
    assert ber.count(b"\xa0\x80") >= 3
    _, report = verify(ber, dgs, store_for(p))
    assert report.verdict is Verdict.GENUINE, report.to_text()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"", "SOD"),
        (b"\x60\x03\x01\x02\x03", "SOD"),
        (b"\x77\x05\x30\x03\x02\x01\x00", "SOD > SignedData"),
    ],
)
def test_malformed_sod_paths(data: bytes, path: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_sod(data)
    assert info.value.path.startswith(path)


def test_duplicate_dg_hash_rejected() -> None:
    p = pki("ec")
    sod = make_sod(p, {}, dg_hashes={1: bytes(32), 2: bytes(32)})
    assert sorted(parse_sod(sod).dg_hashes) == [1, 2]
    bad = make_sod(p, {}, dg_hashes={1: bytes(32), 17: bytes(32)})
    with pytest.raises(ParseError) as info:
        parse_sod(bad)
    assert "dataGroupHashValues[1]" in info.value.path


@given(st.binary(max_size=300))
@settings(max_examples=60, deadline=None)
def test_garbage_gives_parse_error_only(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_sod(b"\x77" + data)
    result, _ = verify(b"\x77" + data, sample_dgs(), None)
    assert result.checks[0].status in (CheckStatus.FAILED, CheckStatus.PASSED)
    assert not result.passed
