"""Shared test fixtures: paths to the shared vectors and reference data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
VECTORS = SHARED / "vectors" / "icao9303"
DATA = SHARED / "data"


def load_vector(name: str) -> dict[str, Any]:
    """Load one ICAO 9303 worked-example vector file from ../shared/vectors/icao9303/."""
    path = VECTORS / name
    if not path.exists():
        pytest.skip(f"vector file {path} not present")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.exists():
        pytest.skip(f"shared data directory {DATA} not present")
    return DATA
