"""The e2e gatekeeper: skip locally without pcscd/vpcd, fail when CI promised them (CHIPID_PCSCD=1)."""

from __future__ import annotations

import pytest

from tests.e2e import conftest


@pytest.mark.parametrize("names", [None, [], ["Some Other Reader 00 00"]], ids=["no-pcscd", "no-readers", "no-vpcd"])
def test_skips_locally(monkeypatch: pytest.MonkeyPatch, names: list[str] | None) -> None:
    monkeypatch.delenv("CHIPID_PCSCD", raising=False)
    monkeypatch.setattr(conftest, "pcsc_reader_names", lambda: names)
    with pytest.raises(pytest.skip.Exception, match=r"pcscd|vpcd"):
        conftest.require_vpcd_reader()


def test_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPID_PCSCD", "1")
    monkeypatch.setattr(conftest, "pcsc_reader_names", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="CHIPID_PCSCD=1"):
        conftest.require_vpcd_reader()


def test_reader_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "pcsc_reader_names", lambda: ["Virtual PCD 00 00", "Virtual PCD 00 01"])
    assert conftest.require_vpcd_reader() == "Virtual PCD 00 00"
