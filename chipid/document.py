"""The parsed document: every file's exact bytes plus lazily-free parsed views, and a stable JSON form.

:class:`Document` is filled by the reader from raw file bytes (``Document.from_files``). Each file is
parsed at construction; a file that fails to parse is recorded in :attr:`Document.errors` and does not
affect the others. The JSON layout is documented in ``docs/json-schema.md`` and ``docs/document.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from chipid.errors import ParseError
from chipid.lds.com import COM, parse_com
from chipid.lds.dg1 import parse_dg1
from chipid.lds.dg2 import DG2, parse_dg2
from chipid.lds.dg3 import DG3, parse_dg3
from chipid.lds.dg7 import DG7, parse_dg7
from chipid.lds.dg11 import DG11, parse_dg11
from chipid.lds.dg12 import DG12, parse_dg12
from chipid.lds.dg13_vn import DG13VN, parse_dg13
from chipid.lds.dg15 import DG15, parse_dg15
from chipid.lds.face import FaceImage
from chipid.lds.holder import Holder, cccd_dg13, holder_from
from chipid.lds.mrz import MRZ
from chipid.lds.security_infos import SecurityInfos, parse_card_security, parse_security_infos
from chipid.lds.sod import SOD, parse_sod
from chipid.lds.vn_id import IDNumberCheck, validate_id_number

__all__ = ["JSON_SCHEMA_ID", "Document", "PhotoMode"]

JSON_SCHEMA_ID = "chipid.document/1"
"""Value of the ``"schema"`` key of :meth:`Document.to_json`; bumped on incompatible changes."""

PhotoMode = Literal["base64", "omit"] | Path

_PARSERS: dict[str, tuple[str, Callable[[bytes], Any]]] = {
    "EF.COM": ("com", parse_com),
    "EF.SOD": ("sod", parse_sod),
    "DG1": ("mrz", parse_dg1),
    "DG2": ("dg2", parse_dg2),
    "DG3": ("dg3", parse_dg3),
    "DG7": ("dg7", parse_dg7),
    "DG11": ("dg11", parse_dg11),
    "DG12": ("dg12", parse_dg12),
    "DG13": ("dg13", parse_dg13),
    "DG14": ("dg14", lambda b: parse_security_infos(b, name="DG14")),
    "DG15": ("dg15", parse_dg15),
    "EF.CardAccess": ("card_access", lambda b: parse_security_infos(b, name="EF.CardAccess")),
    "EF.CardSecurity": ("card_security", parse_card_security),
}
"""File name -> (attribute, parser). Files not listed are kept raw only."""


@dataclass(frozen=True)
class Document:
    """A read document.

    Attributes:
        raw: the exact bytes read of every file, keyed ``"EF.COM"``, ``"EF.SOD"``, ``"DG1"``...,
            ``"EF.CardAccess"``.
        errors: file name -> the ParseError that file raised (the other views are unaffected).
        com, sod, mrz, dg2, dg3, dg7, dg11, dg12, dg13, dg14, dg15, card_access, card_security: parsed
            views, ``None`` when the file is absent or failed to parse.
    """

    raw: Mapping[str, bytes] = field(hash=False)
    errors: Mapping[str, ParseError] = field(default_factory=dict, hash=False)
    com: COM | None = None
    sod: SOD | None = None
    mrz: MRZ | None = None
    dg2: DG2 | None = None
    dg3: DG3 | None = None
    dg7: DG7 | None = None
    dg11: DG11 | None = None
    dg12: DG12 | None = None
    dg13: DG13VN | None = None
    dg14: SecurityInfos | None = None
    dg15: DG15 | None = None
    card_access: SecurityInfos | None = None
    card_security: SecurityInfos | None = None

    @classmethod
    def from_files(cls, raw: Mapping[str, bytes]) -> Document:
        """Parse every known file of ``raw``; failures are recorded in :attr:`errors`, never raised."""
        views: dict[str, Any] = {}
        errors: dict[str, ParseError] = {}
        for name, data in raw.items():
            entry = _PARSERS.get(name)
            if entry is None:
                continue
            try:
                views[entry[0]] = entry[1](bytes(data))
            except ParseError as err:
                errors[name] = err
        return cls(raw={k: bytes(v) for k, v in raw.items()}, errors=errors, **views)

    @property
    def dg1(self) -> MRZ | None:
        """Alias of :attr:`mrz`."""
        return self.mrz

    @property
    def faces(self) -> tuple[FaceImage, ...]:
        return self.dg2.faces if self.dg2 is not None else ()

    def face_image(self) -> bytes | None:
        """The first face image's bytes (JPEG / JPEG 2000), or ``None``."""
        return self.faces[0].image if self.faces else None

    def face_mime_type(self) -> str | None:
        """MIME type of :meth:`face_image` (``"image/jpeg"``, ``"image/jp2"``...)."""
        return self.faces[0].mime_type if self.faces else None

    def holder(self, *, today: date | None = None) -> Holder | None:
        """The holder view: DG13 of a Vietnamese CCCD first, else DG1. ``today`` pivots two-digit MRZ years."""
        return holder_from(self.dg13, self.mrz, today=today)

    def id_number_check(self) -> IDNumberCheck | None:
        """Soft check of the CCCD 12-digit ID against DG13's birth date and sex and DG1's number."""
        dg13 = cccd_dg13(self.dg13, self.mrz)  # another state's DG13 is no CCCD data
        dg13_id = dg13.id_number if dg13 else None
        id_number = dg13_id or (self.mrz.cccd_id_number if self.mrz else None)
        if id_number is None:
            return None
        dob = dg13.date_of_birth if dg13 else None
        check = validate_id_number(
            id_number,
            date_of_birth=dob if isinstance(dob, date) else None,
            sex=dg13.sex if dg13 else (self.mrz.sex if self.mrz else None),
            document_number=self.mrz.document_number if self.mrz and self.mrz.issuing_state == "VNM" else None,
        )
        mrz_id = self.mrz.cccd_id_number if self.mrz else None
        if dg13_id and mrz_id and dg13_id != mrz_id:
            check = IDNumberCheck(
                check.id_number, check.province_code, check.province, check.sex, check.birth_year,
                (*check.findings, "DG13 ID number differs from the MRZ optional data"),
            )  # fmt: skip
        return check

    def to_json(self, *, photo: PhotoMode = "base64", today: date | None = None) -> str:
        """Serialise to stable JSON (sorted keys, UTF-8 text) following ``docs/document.schema.json``.

        Args:
            photo: ``"base64"`` embeds each face, ``"omit"`` leaves it out, a :class:`~pathlib.Path` to a
                directory writes ``face-<i>.<ext>`` files there and records their paths.
            today: pivot for two-digit MRZ years in the holder view.
        """
        return json.dumps(self.to_dict(photo=photo, today=today), sort_keys=True, ensure_ascii=False, indent=2)

    def to_dict(self, *, photo: PhotoMode = "base64", today: date | None = None) -> dict[str, Any]:
        """The JSON-ready dictionary behind :meth:`to_json`."""
        from chipid.lds import _json as j

        holder = self.holder(today=today)
        check = self.id_number_check()
        security = {
            name: j.security_infos(v)
            for name, v in (
                ("EF.CardAccess", self.card_access),
                ("EF.CardSecurity", self.card_security),
                ("DG14", self.dg14),
            )
            if v is not None
        }
        return {
            "schema": JSON_SCHEMA_ID,
            "files": {n: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for n, b in self.raw.items()},
            "errors": {n: {"message": e.reason, "path": e.path} for n, e in self.errors.items()},
            "com": j.com(self.com) if self.com else None,
            "mrz": j.mrz(self.mrz) if self.mrz else None,
            "holder": j.plain(holder) if holder else None,
            "id_number_check": j.plain(check) if check else None,
            "faces": [j.face(f, i, photo) for i, f in enumerate(self.faces)],
            "dg11": j.plain(self.dg11) if self.dg11 else None,
            "dg12": j.plain(self.dg12) if self.dg12 else None,
            "dg13": j.dg13(self.dg13) if self.dg13 else None,
            "dg15": j.dg15(self.dg15) if self.dg15 else None,
            "security_infos": security,
            "sod": j.sod(self.sod) if self.sod else None,
        }
