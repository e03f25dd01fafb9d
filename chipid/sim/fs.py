"""The virtual chip's ISO 7816-4 file system: the MF and the eMRTD application.

ICAO 9303-10 §3.11 (MF files: EF.CardAccess, EF.ATR/INFO, EF.DIR), §3.6 (LDS1 application
A0000002471001 with EF.COM, EF.SOD and the data groups). FIDs and SFIs come from the
project's one table, :mod:`chipid.lds.files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum

from chipid.lds.files import EMRTD_AID, LDS_FILES, MF_FILES, LDSFile

__all__ = ["Access", "ElementaryFile", "FileSystem"]


class Access(Enum):
    """Read access condition of an elementary file."""

    ALWAYS = "always"
    """Readable without authentication (MF files)."""
    SM = "sm"
    """Needs a secure-messaging session from BAC or PACE."""
    EAC = "eac"
    """Needs Terminal Authentication (DG3/DG4): never granted by this chip -> 6982."""


@dataclass(frozen=True)
class ElementaryFile:
    """One EF: its table entry, content and read access condition."""

    info: LDSFile
    data: bytes
    access: Access

    @property
    def fid(self) -> int:
        return self.info.fid

    def fcp(self) -> bytes:
        """A minimal FCP template (ISO 7816-4 §5.3.3): size, descriptor, FID."""
        body = (
            b"\x80\x02"
            + len(self.data).to_bytes(2, "big")
            + b"\x82\x01\x01"
            + b"\x83\x02"
            + self.fid.to_bytes(2, "big")
        )
        return b"\x62" + bytes([len(body)]) + body


class FileSystem:
    """The MF (with its EFs) and the eMRTD application DF (with its EFs)."""

    MF_FID = 0x3F00
    AID = EMRTD_AID

    def __init__(self, files: Mapping[str, bytes], file_ids: Mapping[str, int] | None = None) -> None:
        """Build the tree from file contents keyed by LDS name (``"EF.COM"``, ``"DG1"``...).

        Names that are not in :mod:`chipid.lds.files` are ignored. ``file_ids`` stores a file under
        another FID (and without an SFI), as a chip that misplaces it does.
        """
        self.mf: dict[int, ElementaryFile] = {}
        self.app: dict[int, ElementaryFile] = {}
        moved = dict(file_ids or {})
        for info in MF_FILES:
            if info.name in files:
                # EF.CardSecurity is readable only after PACE (BSI TR-03110-3 §A.1.2.2); the others always
                access = Access.SM if info.name == "EF.CardSecurity" else Access.ALWAYS
                self.mf[info.fid] = ElementaryFile(info, files[info.name], access)
        for table_entry in LDS_FILES:
            info = table_entry
            if info.name in moved:
                info = replace(info, fid=moved[info.name], sfi=None)
            if info.name in files:
                access = Access.EAC if info.dg in (3, 4) else Access.SM
                self.app[info.fid] = ElementaryFile(info, files[info.name], access)

    def find(self, fid: int, *, in_app: bool) -> ElementaryFile | None:
        """An EF by FID in the current DF (the application first when selected, then the MF)."""
        if in_app and fid in self.app:
            return self.app[fid]
        return self.mf.get(fid)

    def find_sfi(self, sfi: int, *, in_app: bool) -> ElementaryFile | None:
        """An EF by short file identifier in the current DF only (ISO 7816-4 §7.2.2)."""
        pool = self.app if in_app else self.mf
        for ef in pool.values():
            if ef.info.sfi == sfi:
                return ef
        return None
