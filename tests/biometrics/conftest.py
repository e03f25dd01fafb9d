"""Fixtures of the biometrics tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def no_dlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """``importlib.import_module("dlib")`` fails as it does where the face extra is not installed."""
    real = importlib.import_module

    def without_dlib(name: str, package: str | None = None) -> object:
        if name == "dlib":
            raise ImportError("No module named 'dlib'", name="dlib")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_dlib)
