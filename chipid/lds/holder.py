"""A friendly view of the document holder: the CCCD's DG13 when present, else the MRZ (DG1).

Values stay as the card has them (Vietnamese text from DG13, transliterated upper case from the MRZ);
keys are English. DG13 is issuer-specific (ICAO 9303-10 §4.7.13): it is taken as Vietnamese holder data only
when DG1 names Vietnam (VNM) as the issuing state (or there is no DG1 to say otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chipid.lds.dg13_vn import DG13VN
from chipid.lds.mrz import MRZ, mrz_date

__all__ = ["Holder", "cccd_dg13", "holder_from"]

_VIETNAM = "VNM"


@dataclass(frozen=True)
class Holder:
    """Who the document belongs to. ``source`` is ``"DG13"`` or ``"DG1"``; absent values are ``None``.

    Dates are :class:`datetime.date` when valid, else the text as printed.
    """

    source: str
    id_number: str | None = None
    full_name: str | None = None
    date_of_birth: date | str | None = None
    sex: str | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    place_of_residence: str | None = None
    identifying_marks: str | None = None
    date_of_issue: date | str | None = None
    date_of_expiry: date | str | None = None
    father: str | None = None
    mother: str | None = None
    parents: tuple[str, ...] = ()
    spouse: str | None = None
    old_id_number: str | None = None
    document_number: str | None = None


def _from_dg13(dg13: DG13VN, mrz: MRZ | None) -> Holder:
    parents = dg13.parents
    return Holder(
        source="DG13",
        id_number=dg13.id_number,
        full_name=dg13.full_name,
        date_of_birth=dg13.date_of_birth,
        sex=dg13.sex,
        nationality=dg13.text(5),
        ethnicity=dg13.text(6),
        religion=dg13.text(7),
        place_of_origin=dg13.text(8),
        place_of_residence=dg13.text(9),
        identifying_marks=dg13.text(10),
        date_of_issue=dg13.date_of_issue,
        date_of_expiry=dg13.date_of_expiry,
        father=parents[0] if parents else None,
        mother=parents[1] if len(parents) > 1 else None,
        parents=parents,
        spouse=dg13.text(14),
        old_id_number=dg13.text(15),
        document_number=mrz.document_number if mrz else None,
    )


def _from_mrz(mrz: MRZ, today: date) -> Holder:
    dob = mrz_date(mrz.date_of_birth, pivot_year=today.year)
    exp = mrz_date(mrz.date_of_expiry, pivot_year=today.year + 50)
    return Holder(
        source="DG1",
        id_number=mrz.cccd_id_number,
        full_name=mrz.full_name,
        date_of_birth=dob if dob is not None else mrz.date_of_birth,
        sex=mrz.sex,
        nationality=mrz.nationality,
        date_of_expiry=exp if exp is not None else mrz.date_of_expiry,
        document_number=mrz.document_number,
    )


def cccd_dg13(dg13: DG13VN | None, mrz: MRZ | None) -> DG13VN | None:
    """``dg13`` when it may be read as the Vietnamese CCCD's holder data, else None.

    A CCCD-layout DG13 inside another state's document is that issuer's own data group, not Vietnamese
    holder data: DG1's issuing state decides (the parser already refused other character sets).
    """
    if dg13 is None or (mrz is not None and mrz.issuing_state != _VIETNAM):
        return None
    return dg13


def holder_from(dg13: DG13VN | None, mrz: MRZ | None, *, today: date | None = None) -> Holder | None:
    """Build the holder view (DG13 of a Vietnamese document first, DG1 as the fallback).

    ``today`` sets the MRZ century pivot.
    """
    vn = cccd_dg13(dg13, mrz)
    if vn is not None:
        return _from_dg13(vn, mrz)
    if mrz is not None:
        return _from_mrz(mrz, today or date.today())
    return None
