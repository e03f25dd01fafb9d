"""ISO/IEC 7816-4 status words: descriptions and the mapping to chipid's typed errors.

ISO/IEC 7816-4 §5.1.3 ("Status bytes"): SW1 = 90 / 61 is normal processing, 62 / 63 are
warnings, 64..6F are errors. The error SWs an eMRTD reader meets are mapped to the
:class:`~chipid.errors.StatusWordError` subclasses of :mod:`chipid.errors`:

===============  =======================================
6300, 63Cx       WrongPasswordError (63Cx: x tries left)
6700, 6Cxx       WrongLengthError
6982             SecurityStatusNotSatisfiedError
6985             ConditionsNotSatisfiedError
6A82             ChipFileNotFoundError
6A80, 6A86, ...  IncorrectParametersError
6D00, 6E00       InstructionNotSupportedError
anything else    StatusWordError
===============  =======================================
"""

from __future__ import annotations

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

__all__ = ["SW_OK", "check_sw", "describe_sw", "error_for_sw", "is_success", "is_warning"]

SW_OK = 0x9000
"""Normal processing, no further qualification."""

_EXACT: dict[int, tuple[str, type[StatusWordError]]] = {
    0x6281: ("part of returned data may be corrupted", StatusWordError),
    0x6282: ("end of file reached before reading Ne bytes", StatusWordError),
    0x6283: ("selected file deactivated", StatusWordError),
    0x6284: ("file control information not formatted", StatusWordError),
    0x6300: ("verification failed (no counter)", WrongPasswordError),
    0x6400: ("execution error, state of non-volatile memory unchanged", StatusWordError),
    0x6581: ("memory failure", StatusWordError),
    0x6700: ("wrong length", WrongLengthError),
    0x6881: ("logical channel not supported", StatusWordError),
    0x6882: ("secure messaging not supported", StatusWordError),
    0x6883: ("last command of the chain expected", StatusWordError),
    0x6884: ("command chaining not supported", StatusWordError),
    0x6981: ("command incompatible with file structure", StatusWordError),
    0x6982: ("security status not satisfied", SecurityStatusNotSatisfiedError),
    0x6983: ("authentication method blocked", StatusWordError),
    0x6984: ("reference data not usable", StatusWordError),
    0x6985: ("conditions of use not satisfied", ConditionsNotSatisfiedError),
    0x6986: ("command not allowed (no current EF)", StatusWordError),
    0x6987: ("expected secure messaging data objects missing", StatusWordError),
    0x6988: ("incorrect secure messaging data objects", StatusWordError),
    0x6A80: ("incorrect parameters in the command data field", IncorrectParametersError),
    0x6A81: ("function not supported", IncorrectParametersError),
    0x6A82: ("file or application not found", ChipFileNotFoundError),
    0x6A83: ("record not found", IncorrectParametersError),
    0x6A84: ("not enough memory space in the file", StatusWordError),
    0x6A86: ("incorrect parameters P1-P2", IncorrectParametersError),
    0x6A87: ("Nc inconsistent with parameters P1-P2", IncorrectParametersError),
    0x6A88: ("referenced data or reference data not found", IncorrectParametersError),
    0x6B00: ("wrong parameters P1-P2 (offset outside the EF)", IncorrectParametersError),
    0x6D00: ("instruction code not supported or invalid", InstructionNotSupportedError),
    0x6E00: ("class not supported", InstructionNotSupportedError),
    0x6F00: ("no precise diagnosis", StatusWordError),
    SW_OK: ("success", StatusWordError),
}


def is_success(sw: int) -> bool:
    """True for 9000 and 61xx (normal processing; 61xx: more bytes available)."""
    return sw == SW_OK or sw >> 8 == 0x61


def is_warning(sw: int) -> bool:
    """True for the 62xx / 63xx warnings that are not errors (6300 and 63Cx are errors here)."""
    sw1 = sw >> 8
    if sw1 == 0x62:
        return True
    return sw1 == 0x63 and sw != 0x6300 and sw & 0xFFF0 != 0x63C0


def describe_sw(sw: int) -> str:
    """A short human description of a status word, e.g. ``"6A82 file or application not found"``."""
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw in _EXACT:
        text = _EXACT[sw][0]
    elif sw1 == 0x61:
        text = f"{sw2 or 256} more response bytes available"
    elif sw1 == 0x6C:
        text = f"wrong Le; exact length is {sw2 or 256}"
    elif sw & 0xFFF0 == 0x63C0:
        text = f"verification failed, {sw2 & 0x0F} tries left"
    elif sw1 == 0x62:
        text = "warning, state of non-volatile memory unchanged"
    elif sw1 == 0x63:
        text = "warning, state of non-volatile memory changed"
    elif sw1 in (0x64, 0x65, 0x66):
        text = "execution error"
    elif sw1 == 0x67:
        text = "wrong length"
    elif sw1 == 0x68:
        text = "functions in CLA not supported"
    elif sw1 == 0x69:
        text = "command not allowed"
    elif sw1 == 0x6A:
        text = "wrong parameters P1-P2"
    else:
        text = "unknown status"
    return f"{sw:04X} {text}"


def _error_class(sw: int) -> type[StatusWordError]:
    if sw in _EXACT:
        return _EXACT[sw][1]
    sw1 = sw >> 8
    if sw1 == 0x6C:
        return WrongLengthError
    if sw & 0xFFF0 == 0x63C0:
        return WrongPasswordError
    if sw1 == 0x67:
        return WrongLengthError
    if sw1 == 0x6A:
        return IncorrectParametersError
    return StatusWordError


def error_for_sw(sw: int, ins: int | None = None) -> StatusWordError:
    """Build (not raise) the typed error for an error status word."""
    where = f" (INS {ins:02X})" if ins is not None else ""
    return _error_class(sw)(f"status word {describe_sw(sw)}{where}", sw=sw, ins=ins)


def check_sw(sw: int, ins: int | None = None) -> None:
    """Raise the typed :class:`~chipid.errors.StatusWordError` for an error status word.

    9000, 61xx and the 62xx / 63xx warnings pass (6300 and 63Cx raise
    :class:`~chipid.errors.WrongPasswordError`).

    Args:
        sw: the status word, ``0x0000..0xFFFF``.
        ins: the instruction byte of the command, recorded on the error.
    """
    if is_success(sw) or is_warning(sw):
        return
    raise error_for_sw(sw, ins)
