"""Robustness: every LDS parser on random bytes, truncations and bit flips of valid files raises only
ParseError (or succeeds), never another exception and never hangs (hypothesis deadline)."""

from __future__ import annotations

import contextlib
import io
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from chipid.document import Document
from chipid.errors import ParseError
from chipid.lds.com import parse_com
from chipid.lds.dg1 import parse_dg1
from chipid.lds.dg2 import build_face, encode_dg2, parse_dg2
from chipid.lds.dg3 import parse_dg3, parse_finger_record
from chipid.lds.dg7 import encode_dg7, parse_dg7
from chipid.lds.dg11 import DG11, encode_dg11, parse_dg11
from chipid.lds.dg12 import DG12, encode_dg12, parse_dg12
from chipid.lds.dg13_vn import parse_dg13
from chipid.lds.dg15 import parse_dg15
from chipid.lds.face import parse_face_record
from chipid.lds.face39794 import parse_face_39794
from chipid.lds.mrz import MRZ
from chipid.lds.security_infos import parse_card_security, parse_security_infos
from tests.lds._samples import BSI, CARD_ACCESS, cccd_card_access, cccd_vector, read

RUNS: Counter[str] = Counter()
EXAMPLES = int(os.environ.get("LDS_FUZZ_EXAMPLES", "120"))  # raise for a long run
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), (90, 120, 150)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _card_security() -> bytes:
    from asn1crypto import cms

    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "0.4.0.127.0.7.3.2.1", "content": cccd_card_access()},
            "signer_infos": [],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def _seeds() -> dict[str, tuple[Callable[[bytes], Any], bytes]]:
    jpeg_face = build_face(_jpeg())
    dg2_39794 = encode_dg2([jpeg_face], encoding="ISO39794-5")
    return {
        "security_infos/cccd": (parse_security_infos, cccd_card_access()),
        "card_security": (parse_card_security, _card_security()),
        "security_infos/de_eid": (parse_security_infos, read(CARD_ACCESS / "DE_eID_EF_CardAccess.bin")),
        "security_infos/dg14": (parse_security_infos, read(BSI / "DG14.bin")),
        "com": (parse_com, read(BSI / "EF_COM.bin")),
        "dg1": (parse_dg1, read(BSI / "DG1.bin")),
        "dg2/19794": (parse_dg2, read(BSI / "DG2.bin")[:600]),
        "dg2/39794": (parse_dg2, dg2_39794),
        "face_39794": (parse_face_39794, dg2_39794[dg2_39794.index(b"\x65") :]),
        "face_record": (parse_face_record, read(BSI / "DG2.bin")[0x24:0x200]),
        "dg3": (parse_dg3, bytes.fromhex("630c7f61090201017f6003a10100")),
        "finger_record": (parse_finger_record, b"FIR\x00010\x00" + bytes(24)),
        "dg7": (parse_dg7, encode_dg7([b"\xff\xd8\xffabc"])),
        "dg11": (parse_dg11, encode_dg11(DG11(full_name="A<<B", other_names=("C",), telephone="1"))),
        "dg12": (parse_dg12, encode_dg12(DG12(issuing_authority="X", other_persons=("Y", "Z")))),
        "dg13": (parse_dg13, bytes.fromhex(cccd_vector()["dg13_hex"])),
        "dg15": (parse_dg15, read(BSI / "DG15_not_in_SOD.bin")),
    }


SEEDS = _seeds()


def _run(name: str, data: bytes) -> None:
    RUNS[name] += 1
    parser = SEEDS[name][0]
    with contextlib.suppress(ParseError):
        parser(data)


def _flip(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        out[p % len(out)] ^= 1 << (p % 8)
    return bytes(out)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes(name: str, data: bytes) -> None:
    _run(name, data)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(cut=st.integers(min_value=0, max_value=5000), positions=st.lists(st.integers(min_value=0), max_size=6))
def test_truncations_and_bit_flips(name: str, cut: int, positions: list[int]) -> None:
    seed = SEEDS[name][1]
    _run(name, seed[: cut % (len(seed) + 1)])
    _run(name, _flip(seed, positions))


@FUZZ
@given(text=st.text(alphabet="ABCXYZ0189<\n é", max_size=100))
def test_mrz_text(text: str) -> None:
    RUNS["mrz"] += 1
    with contextlib.suppress(ParseError):
        MRZ.parse(text)


@settings(max_examples=40, deadline=5000)
@given(positions=st.lists(st.integers(min_value=0), min_size=1, max_size=8))
def test_document_never_raises_on_bad_files(positions: list[int]) -> None:
    seeds = {name: seed for name, (_, seed) in SEEDS.items()}
    files = {
        "EF.COM": seeds["com"], "EF.SOD": read(BSI / "EF_SOD.bin"), "DG1": seeds["dg1"], "DG2": seeds["dg2/19794"],
        "DG13": seeds["dg13"], "DG14": seeds["security_infos/dg14"], "DG15": seeds["dg15"],
        "EF.CardAccess": seeds["security_infos/cccd"],
    }  # fmt: skip
    RUNS["document"] += 1
    doc = Document.from_files({name: _flip(data, positions) for name, data in files.items()})
    doc.to_json(photo="omit")


@settings(max_examples=30, deadline=5000)
@given(positions=st.lists(st.integers(min_value=0), min_size=1, max_size=4))
def test_face_decode_only_parse_error(positions: list[int]) -> None:
    RUNS["decode"] += 1
    face = build_face(_jpeg())
    with contextlib.suppress(ParseError):
        replace(face, image=_flip(face.image, positions)).decode()


def test_report_counts() -> None:
    """Runs last in this module: the number of fuzz inputs executed (shown with -s)."""
    total = sum(RUNS.values())
    print(f"\nLDS fuzz inputs run: {total} ({dict(sorted(RUNS.items()))})")
    assert total > 0
