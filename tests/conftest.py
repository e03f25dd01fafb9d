"""Shared test fixtures: paths to the spec vectors and reference data kept in the repo (tests/data/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
VECTORS = DATA / "vectors" / "icao9303"


def load_vector(name: str) -> dict[str, Any]:
    """Load one ICAO 9303 worked-example vector file from tests/data/vectors/icao9303/."""
    path = VECTORS / name
    result: dict[str, Any] = json.loads(path.read_text())
    return result


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
