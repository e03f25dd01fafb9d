"""The catalogue: well-formed IDs and clauses, and docs/conformance.md in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from chipid.conformance import CATALOGUE, get_case

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
REQUIRED_GROUPS = {"ATR", "SEL", "BAC", "PACE", "DOWN", "SM", "RB", "PERF", "STAB", "REM", "PA", "AA", "CA"}


def test_ids_unique_well_formed_and_cover_every_group() -> None:
    ids = [c.id for c in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Z]+-\d{3}", i) for i in ids)
    assert {c.group for c in CATALOGUE} == REQUIRED_GROUPS


def test_every_case_cites_a_clause_and_has_a_purpose() -> None:
    for case in CATALOGUE:
        assert re.search(r"(ICAO 9303-1[0-2]|ISO/IEC (7816|14443)-\d)", case.clause), case.id
        assert "§" in case.clause, case.id
        assert case.title and "|" not in case.title and case.prerequisites, case.id
        assert get_case(case.id.lower()) is case


def test_docs_list_every_case_with_its_clause() -> None:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z]+-\d{3}", cells[0]):
            rows[cells[0]] = cells
    assert set(rows) == {c.id for c in CATALOGUE}
    for case in CATALOGUE:
        assert rows[case.id][1] == case.title, case.id
        assert rows[case.id][2] == case.clause, case.id
        assert rows[case.id][3] == ", ".join(case.prerequisites), case.id
