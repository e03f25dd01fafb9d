"""Paths and loaders of the specimen files (tests/data/) used by the LDS tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import DATA

BSI = DATA / "specimen-bsi2008"
CARD_ACCESS = DATA / "card-access"
CCCD = DATA / "cccd"


def read(path: Path) -> bytes:
    """Read one specimen file from tests/data/."""
    return path.read_bytes()


def cccd_card_access() -> bytes:
    """The hex line of cccd/ef_cardaccess_vn_cccd.txt (comments start with '#')."""
    text = read(CCCD / "ef_cardaccess_vn_cccd.txt").decode()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return bytes.fromhex(lines[0])


def cccd_vector() -> dict[str, Any]:
    """The synthetic CCCD vector (a made-up citizen)."""
    result: dict[str, Any] = json.loads(read(CCCD / "synthetic_cccd_vector.json"))
    return result
