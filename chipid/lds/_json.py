"""JSON views of the LDS models for :meth:`chipid.document.Document.to_json` (private helpers)."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from chipid.lds.com import COM
from chipid.lds.dg13_vn import DG13_FIELD_NAMES, DG13VN
from chipid.lds.dg15 import DG15
from chipid.lds.face import FaceImage
from chipid.lds.mrz import MRZ
from chipid.lds.oids import oid_name
from chipid.lds.security_infos import SecurityInfos
from chipid.lds.sod import SOD

__all__ = ["com", "dg13", "dg15", "face", "mrz", "plain", "security_infos", "sod"]

_EXTENSIONS = {"jpeg": "jpg", "jp2": "jp2", "j2k": "j2k", "png": "png", "wsq": "wsq", "unknown": "bin"}


def _value(v: Any) -> Any:
    if isinstance(v, bytes):
        return base64.b64encode(v).decode("ascii")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    return v


def plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass: bytes -> base64, dates -> ISO 8601, tuples -> lists."""
    out = {f.name: _value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if hasattr(obj, "ok"):
        out["ok"] = bool(obj.ok)
    return out


def com(c: COM) -> dict[str, Any]:
    return {
        "lds_version": c.lds_version_text,
        "unicode_version": c.unicode_version,
        "data_groups": list(c.data_groups),
    }


def mrz(m: MRZ) -> dict[str, Any]:
    out = {f.name: _value(getattr(m, f.name)) for f in dataclasses.fields(m) if f.name != "checks"}
    out["checks"] = dict(m.checks)
    out["valid"] = m.valid
    out["cccd_id_number"] = m.cccd_id_number
    out["cccd_id_check"] = m.cccd_id_check
    return out


def face(f: FaceImage, index: int, photo: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "encoding": f.encoding,
        "image_format": f.image_format,
        "mime_type": f.mime_type,
        "width": f.width,
        "height": f.height,
        "size": len(f.image),
        "feature_points": [{"type": p.type, "code": p.label, "x": p.x, "y": p.y} for p in f.feature_points],
        "photo": None,
        "photo_file": None,
    }
    if photo == "base64":
        out["photo"] = base64.b64encode(f.image).decode("ascii")
    elif isinstance(photo, Path):
        path = photo / f"face-{index}.{_EXTENSIONS[f.image_format]}"
        path.write_bytes(f.image)
        out["photo_file"] = str(path)
    return out


def dg13(d: DG13VN) -> dict[str, Any]:
    return {
        "version": d.version,
        "charset": d.charset,
        "fields": [
            {
                "number": f.number,
                "name": DG13_FIELD_NAMES.get(f.number),
                "values": list(f.values),
                "raw": _value(f.raw) if f.raw is not None else None,
            }
            for f in d.fields
        ],
    }


def dg15(d: DG15) -> dict[str, Any]:
    return {"algorithm": d.algorithm, "key_size": d.key_size, "public_key_der": _value(d.public_key_der)}


def security_infos(s: SecurityInfos) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(s):
        items = getattr(s, f.name)
        if f.name == "unknown":
            out[f.name] = [{"protocol": o, "name": oid_name(o), "der": _value(raw)} for o, raw in items]
            continue
        rows = []
        for item in items:
            row = {k.name: _value(getattr(item, k.name)) for k in dataclasses.fields(item)}
            row["name"] = oid_name(item.protocol)
            rows.append(row)
        out[f.name] = rows
    return out


def sod(s: SOD) -> dict[str, Any]:
    return {
        "version": s.version,
        "hash_algorithm": s.hash_algorithm,
        "lds_version": s.lds_version,
        "unicode_version": s.unicode_version,
        "dg_hashes": {str(n): h.hex() for n, h in sorted(s.dg_hashes.items())},
        "certificates": len(s.certificates),
    }
