"""Fixtures of the virtual-chip tests: small profiles built by hand and the issued demo card."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chipid.sim.personalize import default_profile
from chipid.sim.profile import CardProfile

EF_COM_APP_D = bytes.fromhex("60145F0104303130365F36063034303030305C026175")
CCCD_CARD_ACCESS = bytes.fromhex(
    "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d"
)


def scripted(*values: bytes) -> Callable[[int], bytes]:
    """An rng that returns the given values in order (each must have the requested length)."""
    queue = list(values)

    def rng(n: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == n, (len(value), n)
        return value

    return rng


def hand_profile(number: str, dob: str, doe: str, card_access: bytes = CCCD_CARD_ACCESS) -> CardProfile:
    """A minimal profile: EF.CardAccess, EF.COM of App. D, a tiny DG1, DG3 and a 300-byte DG13."""
    return CardProfile(
        files={
            "EF.CardAccess": card_access,
            "EF.DIR": bytes.fromhex("61094F07A0000002471001"),
            "EF.COM": EF_COM_APP_D,
            "DG1": bytes.fromhex("6103") + b"abc",
            "DG3": bytes.fromhex("63067F6103020100"),
            "DG13": bytes.fromhex("6D82012C") + bytes(range(256)) + bytes(44),
        },
        document_number=number,
        date_of_birth=dob,
        date_of_expiry=doe,
        can="123456",
    )


@pytest.fixture
def app_d_profile() -> CardProfile:
    """The MRZ of ICAO 9303-11 App. D (L898902C<, 690806, 940623)."""
    return hand_profile("L898902C", "690806", "940623")


@pytest.fixture(scope="session")
def demo_profile() -> CardProfile:
    return default_profile()
