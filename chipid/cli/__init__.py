"""The ``chipid`` command line: readers, read, verify, trust, match, gallery, sim, demo, conformance, serve.

Exit codes (stable, for scripts; also printed by ``chipid --help``):
    0  success / document GENUINE / match
    1  document NOT GENUINE (``verify``, ``read``, ``demo``), no match (``match``), a failed case (``conformance``)
    2  verification INCOMPLETE (nothing failed, but something required could not be checked), or an
       unusable fingerprint template (``match finger``: under the minimum of minutiae): no decision
    3  other error (bad file, parse error, unexpected chip answer, I/O failure)
    4  no reader, no such reader, or no card
    5  access denied: wrong key material (check the MRZ fields or the CAN), or a key the card does not accept
    6  card removed during the session (put it back and retry)
    7  card in use by another application (close it and retry)
    64 usage error (unknown option, bad option value, a path on the command line that does not exist)

No traceback reaches a user: every failure is one ``chipid: error: ...`` line and, where it helps, one line of
advice. ``CHIPID_DEBUG=1`` adds the traceback of an unexpected error (for a bug report).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from chipid import __version__
from chipid.cli._exit import (
    EXIT_ACCESS,
    EXIT_CODES_HELP,
    EXIT_ERROR,
    EXIT_IN_USE,
    EXIT_INCOMPLETE,
    EXIT_NO_CARD,
    EXIT_NOT_GENUINE,
    EXIT_OK,
    EXIT_REMOVED,
    EXIT_USAGE,
    CLIError,
)
from chipid.errors import (
    AccessControlError,
    CardInUseError,
    CardRemovedError,
    ChipIDError,
    NoCardError,
    NoReaderError,
    ParseError,
    WrongPasswordError,
)

__all__ = [
    "EXIT_ACCESS",
    "EXIT_ERROR",
    "EXIT_INCOMPLETE",
    "EXIT_IN_USE",
    "EXIT_NOT_GENUINE",
    "EXIT_NO_CARD",
    "EXIT_OK",
    "EXIT_REMOVED",
    "EXIT_USAGE",
    "main",
]


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors, which would read as INCOMPLETE: use 64 (EX_USAGE)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    from chipid.cli import _conformance, _gallery, _match, _read, _serve, _sim, _trustcmd

    parser = _Parser(prog="chipid", description="Read and verify ICAO 9303 chip ID cards (Vietnam CCCD first).",
                     epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"chipid {__version__}")
    parser.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _read.register(sub)
    _trustcmd.register(sub)
    _match.register(sub)
    _gallery.register(sub)
    _sim.register(sub)
    _conformance.register(sub)
    _serve.register(sub)
    return parser


_KEY_HELP = ("check the key material (CCCD: the 12-digit ID number, date of birth and date of expiry as YYMMDD; "
             "or the 6-digit CAN)")


def _hint(err: ChipIDError) -> tuple[int, str]:
    """The exit code and one line of advice for a library error."""
    if isinstance(err, NoReaderError):
        text = str(err)
        if text.startswith(("no reader #", "no reader matching")):
            return EXIT_NO_CARD, "list the readers with 'chipid readers' and pick one with --reader"
        return EXIT_NO_CARD, "no PC/SC reader found: plug one in (is pcscd running?)"
    if isinstance(err, NoCardError):
        return EXIT_NO_CARD, "no card on the reader: place the card flat on the reader and retry"
    if isinstance(err, CardInUseError):
        return EXIT_IN_USE, "the card is in use by another application: close it and retry"
    if isinstance(err, CardRemovedError):
        return EXIT_REMOVED, "the card was removed during the session: put it back, keep it still, and retry"
    if isinstance(err, AccessControlError) and err.step == "protocol selection":
        return EXIT_ACCESS, ("this card accepts only the MRZ key (it offers no PACE, so no CAN): give --id-card "
                             "(or --doc-number) with --dob and --doe, or --mrz")
    if isinstance(err, AccessControlError) or isinstance(err.__cause__, WrongPasswordError):
        return EXIT_ACCESS, f"access denied: {_KEY_HELP}"
    return EXIT_ERROR, ""


def _report(message: str, hint: str = "") -> None:
    print(f"chipid: error: {message}", file=sys.stderr)
    if hint:
        print(f"chipid: {hint}", file=sys.stderr)


def _os_message(err: OSError) -> str:
    where = f"{err.filename}: " if err.filename else ""
    return f"{where}{err.strerror or err}"


def _quiet_unraisable(unraisable: Any) -> None:
    """Errors raised in finalizers (pyscard's ``PCSCCardConnection.__del__`` releasing a context of a card that
    is gone) are never a user's business: kept for ``CHIPID_DEBUG=1``, otherwise not printed."""
    if os.environ.get("CHIPID_DEBUG") == "1":
        sys.__unraisablehook__(unraisable)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    previous = sys.unraisablehook
    sys.unraisablehook = _quiet_unraisable
    try:
        return _main(argv)
    finally:
        gc.collect()  # finalise PC/SC connections now, while pyscard is still whole
        if argv is not None:  # called as a function (tests, scripts): leave the process as it was
            sys.unraisablehook = previous


def _main(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CLIError as err:
        _report(str(err), err.hint)
        return err.code
    except ParseError as err:
        _report(f"{type(err).__name__}: {err}")
        return EXIT_ERROR
    except ChipIDError as err:
        code, hint = _hint(err)
        _report(f"{type(err).__name__}: {err}", hint)
        return code
    except OSError as err:
        _report(_os_message(err))
        return EXIT_ERROR
    except SystemExit as err:  # a sub-command that still exits with a message: a usage error, never "1"
        if isinstance(err.code, str):
            _report(err.code.removeprefix("chipid: ").removeprefix("error: "))
            return EXIT_USAGE
        raise
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the last line of defence: one line, never a traceback for a user
        _report(f"unexpected {type(err).__name__}: {err}",
                "this is a bug in chipid: please report it (CHIPID_DEBUG=1 prints the traceback)")
        if os.environ.get("CHIPID_DEBUG") == "1":
            traceback.print_exc()
        return EXIT_ERROR
    return code


if __name__ == "__main__":
    sys.exit(main())
