"""BAC: ICAO 9303-11 Appendix D.3 (mutual authentication) and D.4 (first SM exchange), bad input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.access.bac import (
    bac_keys,
    build_mutual_auth,
    derive_session,
    parse_mutual_auth_response,
    perform_bac,
)
from chipid.access.keys import MRZKey
from chipid.errors import BACError, SecurityStatusNotSatisfiedError, WrongPasswordError
from tests.access.access_fakes import ListRNG, ScriptedCard, h
from tests.conftest import load_vector

VECTOR = "bac_9303p11_appD.json"


def _key() -> MRZKey:
    return MRZKey("L898902C", "690806", "940623")


def _d3() -> dict[str, Any]:
    d3: dict[str, Any] = load_vector(VECTOR)["D3_mutual_auth"]
    return d3


def test_appendix_d3_pure_steps() -> None:
    """App. D.3: S, E.IFD, M.IFD, response check, K.IC, session K_seed, KSenc/KSmac, SSC."""
    d3 = _d3()
    k_enc, k_mac = bac_keys(_key())
    rnd_ic, rnd_ifd, k_ifd = h(d3["rnd_ic"]), h(d3["rnd_ifd"]), h(d3["k_ifd"])
    assert rnd_ifd + rnd_ic + k_ifd == h(d3["s"])
    assert build_mutual_auth(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd) == h(d3["cmd_data"])
    k_ic = parse_mutual_auth_response(k_enc, k_mac, h(d3["resp_data"]), rnd_ic, rnd_ifd)
    assert k_ic == h(d3["k_ic"])
    session = derive_session(k_ifd, k_ic, rnd_ic, rnd_ifd)
    assert bytes(a ^ b for a, b in zip(k_ifd, k_ic)) == h(d3["kseed_session"])
    assert (session.ks_enc, session.ks_mac) == (h(d3["ks_enc"]), h(d3["ks_mac"]))
    assert session.ssc == int(d3["ssc"], 16)
    assert d3["ks_enc"].lower() not in repr(session).lower()


def test_chip_side_reuses_the_same_functions() -> None:
    """App. D.3 seen from the chip: it opens the terminal's E.IFD||M.IFD and builds resp_data."""
    d3 = _d3()
    k_enc, k_mac = bac_keys(_key())
    rnd_ic, rnd_ifd = h(d3["rnd_ic"]), h(d3["rnd_ifd"])
    k_ifd = parse_mutual_auth_response(k_enc, k_mac, h(d3["cmd_data"]), rnd_ifd, rnd_ic)
    assert k_ifd == h(d3["k_ifd"])
    assert build_mutual_auth(k_enc, k_mac, rnd_ic, rnd_ifd, h(d3["k_ic"])) == h(d3["resp_data"])


def _script(ext_response: str) -> ScriptedCard:
    d3 = _d3()
    return ScriptedCard([
        (h(d3["get_challenge_capdu"]), h(d3["get_challenge_rapdu"])),
        (h(d3["external_authenticate_capdu"]), h(ext_response)),
    ])


def test_perform_bac_transcript_and_first_sm_exchange() -> None:
    """App. D.3 APDUs byte for byte, then App. D.4 SELECT EF.COM through the returned channel."""
    v = load_vector(VECTOR)
    d3, d4 = v["D3_mutual_auth"], v["D4_secure_messaging"][0]
    card = _script(d3["external_authenticate_rapdu"])
    channel = perform_bac(card, _key(), rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))
    assert card.done
    card.script.append((h(d4["protected_capdu"]), h(d4["protected_rapdu"])))
    assert channel.transmit(h(d4["unprotected_capdu"])) == h(d4["unprotected_rapdu"])


@pytest.mark.parametrize(("sw", "cause"), [("6300", WrongPasswordError),
                                            ("6982", SecurityStatusNotSatisfiedError)])
def test_wrong_key_is_bac_error_chained(sw: str, cause: type[Exception]) -> None:
    """A wrong MRZ key: the chip answers 6300 / 6982 to EXTERNAL AUTHENTICATE."""
    d3 = _d3()
    card = _script(sw)
    with pytest.raises(BACError) as info:
        perform_bac(card, _key(), rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))
    assert isinstance(info.value.__cause__, cause)
    assert info.value.step == "external authenticate" and info.value.protocol == "BAC"


def _flip(hexstr: str, index: int) -> str:
    raw = bytearray(h(hexstr))
    raw[index] ^= 0x01
    return raw.hex()


@pytest.mark.parametrize(("response", "message"), [
    (lambda r: _flip(r, 39), "MAC"),  # response MAC mismatch
    (lambda r: _flip(r, 3), "MAC"),  # ciphertext tampered
    (lambda r: r[:-6] + "9000", "40 bytes"),  # truncated
    (lambda r: "9000", "40 bytes"),  # empty
])
def test_bad_response(response: Any, message: str) -> None:
    d3 = _d3()
    card = _script(response(d3["external_authenticate_rapdu"]))
    with pytest.raises(BACError, match=message):
        perform_bac(card, _key(), rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))


def test_rnd_ifd_echo_mismatch() -> None:
    """A response built (with the right keys) over another RND.IFD is refused."""
    d3 = _d3()
    k_enc, k_mac = bac_keys(_key())
    forged = build_mutual_auth(k_enc, k_mac, h(d3["rnd_ic"]), bytes(8), h(d3["k_ic"]))
    card = _script(forged.hex() + "9000")
    with pytest.raises(BACError, match=r"RND\.IFD"):
        perform_bac(card, _key(), rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))


def test_get_challenge_refused_or_short() -> None:
    card = ScriptedCard([(None, h("6D00"))])
    with pytest.raises(BACError) as info:
        perform_bac(card, _key())
    assert info.value.step == "get challenge"
    card = ScriptedCard([(None, h("01029000"))])
    with pytest.raises(BACError, match="expected 8"):
        perform_bac(card, _key())
    card = ScriptedCard([(None, h("90"))])
    with pytest.raises(BACError):
        perform_bac(card, _key())


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9),
       st.binary(min_size=8, max_size=8), st.binary(min_size=8, max_size=8),
       st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16))
def test_mutual_auth_round_trip(number: str, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes, k_ic: bytes) -> None:
    """Terminal and chip built from the same functions agree on K.IFD, K.IC and the session."""
    k_enc, k_mac = bac_keys(MRZKey(number, "010101", "301231"))
    command = build_mutual_auth(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd)
    assert parse_mutual_auth_response(k_enc, k_mac, command, rnd_ifd, rnd_ic) == k_ifd
    response = build_mutual_auth(k_enc, k_mac, rnd_ic, rnd_ifd, k_ic)
    assert parse_mutual_auth_response(k_enc, k_mac, response, rnd_ic, rnd_ifd) == k_ic
    other_enc, other_mac = bac_keys(MRZKey(number, "010102", "301231"))
    with pytest.raises(BACError):
        parse_mutual_auth_response(other_enc, other_mac, response, rnd_ic, rnd_ifd)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=60), st.sampled_from(["9000", "6300", "6982", "6A80", "6F00", "61FF"]))
def test_garbage_external_authenticate_response(garbage: bytes, sw: str) -> None:
    """Any malformed EXTERNAL AUTHENTICATE answer is a BACError, never another exception type."""
    d3 = _d3()
    card = _script(garbage.hex() + sw)
    with pytest.raises(BACError):
        perform_bac(card, _key(), rng=ListRNG(h(d3["rnd_ifd"]), h(d3["k_ifd"])))
