"""The conformance catalogue: every case with its ID, purpose, clause and prerequisites.

Cases live in ``cases_*.py`` modules grouped by clause; this module assembles them in a stable order
(the order of the report) and selects subsets by ID or group prefix. docs/conformance.md documents the
catalogue; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable

from chipid.conformance import (
    cases_access,
    cases_atr,
    cases_auth,
    cases_perf,
    cases_read,
    cases_select,
    cases_sm,
)
from chipid.conformance.model import Case
from chipid.errors import ParseError

__all__ = ["CATALOGUE", "get_case", "select_cases"]

CATALOGUE: tuple[Case, ...] = (
    cases_atr.CASES
    + cases_select.CASES
    + cases_access.CASES
    + cases_sm.CASES
    + cases_read.CASES
    + cases_perf.CASES
    + cases_auth.CASES
)
"""All cases, in report order."""

_BY_ID = {case.id: case for case in CATALOGUE}
if len(_BY_ID) != len(CATALOGUE):  # pragma: no cover - a programming error caught at import
    raise RuntimeError("duplicate conformance case IDs")


def get_case(case_id: str) -> Case:
    """One case by its ID (case-insensitive).

    Raises:
        ParseError: no such case.
    """
    try:
        return _BY_ID[case_id.strip().upper()]
    except KeyError as err:
        raise ParseError(f"unknown conformance case {case_id!r}", path="cases") from err


def select_cases(selectors: Iterable[str]) -> tuple[Case, ...]:
    """Cases matching IDs (``"SEL-004"``) or group prefixes (``"SEL"``), in catalogue order.

    Raises:
        ParseError: a selector matches no case.
    """
    wanted: set[str] = set()
    for raw in selectors:
        selector = raw.strip().upper()
        matched = {c.id for c in CATALOGUE if selector in (c.id, c.group)}
        if not matched:
            raise ParseError(f"unknown conformance case or group {raw!r}", path="cases")
        wanted |= matched
    return tuple(c for c in CATALOGUE if c.id in wanted)
