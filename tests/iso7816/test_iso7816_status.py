"""Status words: ISO/IEC 7816-4 §5.1.3 table mapped to chipid's typed errors."""

from __future__ import annotations

import pytest

from chipid.errors import (
    ChipFileNotFoundError,
    ConditionsNotSatisfiedError,
    IncorrectParametersError,
    InstructionNotSupportedError,
    SecurityStatusNotSatisfiedError,
    StatusWordError,
    WrongLengthError,
    WrongPasswordError,
)
from chipid.iso7816.status import check_sw, describe_sw, error_for_sw, is_success, is_warning


@pytest.mark.parametrize(
    ("sw", "cls"),
    [
        (0x6300, WrongPasswordError),
        (0x63C0, WrongPasswordError),
        (0x63C3, WrongPasswordError),
        (0x6581, StatusWordError),
        (0x6700, WrongLengthError),
        (0x6C00, WrongLengthError),
        (0x6CDF, WrongLengthError),
        (0x6882, StatusWordError),
        (0x6982, SecurityStatusNotSatisfiedError),
        (0x6983, StatusWordError),
        (0x6984, StatusWordError),
        (0x6985, ConditionsNotSatisfiedError),
        (0x6986, StatusWordError),
        (0x6987, StatusWordError),
        (0x6988, StatusWordError),
        (0x6A80, IncorrectParametersError),
        (0x6A82, ChipFileNotFoundError),
        (0x6A86, IncorrectParametersError),
        (0x6A88, IncorrectParametersError),
        (0x6B00, IncorrectParametersError),
        (0x6D00, InstructionNotSupportedError),
        (0x6E00, InstructionNotSupportedError),
        (0x6F00, StatusWordError),
        (0x6FFF, StatusWordError),
    ],
)
def test_error_mapping(sw: int, cls: type[StatusWordError]) -> None:
    with pytest.raises(cls) as info:
        check_sw(sw, 0xB0)
    assert type(info.value) is cls
    assert info.value.sw == sw and info.value.ins == 0xB0
    assert f"{sw:04X}" in str(info.value) and "B0" in str(info.value)


@pytest.mark.parametrize("sw", [0x9000, 0x6100, 0x61FF, 0x6281, 0x6282, 0x6283, 0x6381])
def test_passing_sws(sw: int) -> None:
    check_sw(sw)
    assert is_success(sw) or is_warning(sw)


def test_descriptions() -> None:
    assert describe_sw(0x6A82) == "6A82 file or application not found"
    assert "3 tries left" in describe_sw(0x63C3)
    assert "exact length is 223" in describe_sw(0x6CDF)
    assert "16 more" in describe_sw(0x6110)
    assert "256 more" in describe_sw(0x6100)
    assert describe_sw(0x9000).startswith("9000 success")
    for sw in (0x6201, 0x6301, 0x6401, 0x6701, 0x6801, 0x6901, 0x6AFF, 0x1234):
        assert describe_sw(sw).startswith(f"{sw:04X} ")
    assert not error_for_sw(0x6982).args[0].endswith(")")
