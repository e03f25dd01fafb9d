"""The one table of LDS1 elementary files: FID, short file identifier and outer tag.

ICAO 9303-10 §3.6 (LDS1 application) and §3.11 (EF.CardAccess, EF.CardSecurity, EF.ATR/INFO, EF.DIR).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EMRTD_AID",
    "LDS_FILES",
    "MF_FILES",
    "LDSFile",
    "by_dg",
    "by_name",
    "by_tag",
]

EMRTD_AID = bytes.fromhex("A0000002471001")
"""Application identifier of the eMRTD LDS1 application (ICAO 9303-10 §3.6.1)."""


@dataclass(frozen=True)
class LDSFile:
    """One elementary file of the LDS.

    Attributes:
        name: the conventional name (``"EF.COM"``, ``"DG1"``, ``"EF.CardAccess"``...).
        fid: two-byte file identifier.
        sfi: short file identifier (1..30), or ``None`` for files without one.
        tag: the outer BER tag of the file's content, or ``None`` for files that are a bare SET/SEQUENCE.
        dg: data group number (1..16), or ``None`` for EF.COM, EF.SOD and the MF files.
    """

    name: str
    fid: int
    sfi: int | None
    tag: int | None
    dg: int | None = None


def _dg(n: int, tag: int) -> LDSFile:
    return LDSFile(f"DG{n}", 0x0100 + n, n, tag, n)


LDS_FILES: tuple[LDSFile, ...] = (
    LDSFile("EF.COM", 0x011E, 0x1E, 0x60),
    LDSFile("EF.SOD", 0x011D, 0x1D, 0x77),
    _dg(1, 0x61),
    _dg(2, 0x75),
    _dg(3, 0x63),
    _dg(4, 0x76),
    _dg(5, 0x65),
    _dg(6, 0x66),
    _dg(7, 0x67),
    _dg(8, 0x68),
    _dg(9, 0x69),
    _dg(10, 0x6A),
    _dg(11, 0x6B),
    _dg(12, 0x6C),
    _dg(13, 0x6D),
    _dg(14, 0x6E),
    _dg(15, 0x6F),
    _dg(16, 0x70),
)
"""Files of the eMRTD application (selected after SELECT of :data:`EMRTD_AID`)."""

MF_FILES: tuple[LDSFile, ...] = (
    LDSFile("EF.CardAccess", 0x011C, 0x1C, None),
    LDSFile("EF.CardSecurity", 0x011D, 0x1D, None),
    LDSFile("EF.ATR/INFO", 0x2F01, 0x01, None),
    LDSFile("EF.DIR", 0x2F00, 0x1E, None),
)
"""Files of the master file (read before any application is selected)."""

_BY_NAME = {f.name: f for f in LDS_FILES + MF_FILES}
_BY_DG = {f.dg: f for f in LDS_FILES if f.dg is not None}
_BY_TAG = {f.tag: f for f in LDS_FILES if f.tag is not None}


def by_name(name: str) -> LDSFile:
    """Look a file up by name (``"DG13"``, ``"EF.SOD"``...). Raises KeyError."""
    return _BY_NAME[name]


def by_dg(number: int) -> LDSFile:
    """Look a data group up by number (1..16). Raises KeyError."""
    return _BY_DG[number]


def by_tag(tag: int) -> LDSFile:
    """Look an LDS application file up by its outer tag (0x61 -> DG1). Raises KeyError."""
    return _BY_TAG[tag]
