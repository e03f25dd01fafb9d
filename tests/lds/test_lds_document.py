"""Document.from_files, the holder view and to_json validated against docs/document.schema.json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from chipid.document import Document
from chipid.lds.dg1 import encode_dg1
from chipid.lds.mrz import MRZ
from tests.lds._samples import BSI, cccd_card_access, cccd_vector, read
from tests.schemas import errors


def _bsi_files() -> dict[str, bytes]:
    return {
        "EF.COM": read(BSI / "EF_COM.bin"),
        "EF.SOD": read(BSI / "EF_SOD.bin"),
        "DG1": read(BSI / "DG1.bin"),
        "DG2": read(BSI / "DG2.bin"),
        "DG14": read(BSI / "DG14.bin"),
        "DG15": read(BSI / "DG15_not_in_SOD.bin"),
    }


def _cccd_files() -> dict[str, bytes]:
    vec = cccd_vector()
    return {
        "EF.CardAccess": cccd_card_access(),
        "DG1": encode_dg1(MRZ.parse("".join(vec["mrz_td1"]))),
        "DG13": bytes.fromhex(vec["dg13_hex"]),
    }


def test_schema_checker_can_fail() -> None:
    assert errors({"schema": "x"}, "document.schema.json")
    assert errors([], "document.schema.json")


def test_bsi_document() -> None:
    doc = Document.from_files(_bsi_files())
    assert not doc.errors
    assert doc.dg1 is doc.mrz and doc.mrz is not None and doc.mrz.primary_identifier == "MUSTERMANN"
    assert doc.face_mime_type() == "image/jp2" and doc.face_image() == doc.faces[0].image
    holder = doc.holder(today=date(2026, 1, 1))
    assert holder is not None and holder.source == "DG1" and holder.full_name == "MUSTERMANN ERIKA"
    assert holder.date_of_birth == date(1996, 8, 12)
    assert doc.sod is not None and doc.dg14 is not None and doc.dg15 is not None
    out = json.loads(doc.to_json(photo="base64", today=date(2026, 1, 1)))
    assert errors(out, "document.schema.json") == []
    assert out["faces"][0]["photo"] and out["security_infos"]["DG14"]["chip_authentication_infos"]


def test_cccd_document_holder_and_json(tmp_path: Path) -> None:
    doc = Document.from_files(_cccd_files())
    holder = doc.holder()
    assert holder is not None and holder.source == "DG13"
    assert holder.full_name == "Nguyễn Văn Thử" and holder.date_of_birth == date(1990, 1, 1)
    assert (holder.father, holder.mother) == ("Nguyễn Văn Bố", "Trần Thị Mẹ")
    assert holder.document_number == "090000001" and holder.old_id_number == "012345678"
    check = doc.id_number_check()
    assert check is not None and check.ok and check.province == "Hà Nội"
    text = doc.to_json(photo=tmp_path)
    assert text == doc.to_json(photo=tmp_path)  # stable
    out = json.loads(text)
    assert errors(out, "document.schema.json") == []
    assert out["holder"]["place_of_residence"].startswith("Số 1")
    assert out["security_infos"]["EF.CardAccess"]["pace_infos"][0]["name"] == "id-PACE-ECDH-GM-AES-CBC-CMAC-128"


def test_bad_file_is_recorded_not_fatal() -> None:
    files = _cccd_files()
    files["DG13"] = files["DG13"][:-5]
    files["DG2"] = b"\x75\x01"
    files["DG99"] = b"kept raw"
    doc = Document.from_files(files)
    assert set(doc.errors) == {"DG13", "DG2"} and doc.errors["DG13"].path.startswith("DG13")
    assert doc.dg13 is None and doc.mrz is not None and doc.raw["DG99"] == b"kept raw"
    holder = doc.holder(today=date(2026, 1, 1))
    assert holder is not None and holder.source == "DG1" and holder.id_number == "001090000001"
    out = json.loads(doc.to_json(photo="omit"))
    assert errors(out, "document.schema.json") == []
    assert out["errors"]["DG2"]["path"] == "DG2"
