"""The ``chipid`` command line: readers, read, verify, match, sim, demo, conformance.

Exit codes (stable, for scripts):
    0  success / document GENUINE
    1  document NOT GENUINE (``verify``, ``read``, ``demo``) or no match (``match``)
    2  verification INCOMPLETE (nothing failed, but something required could not be checked), or an
       unusable fingerprint template (``match finger``: under the minimum of minutiae)
    3  other error (bad file, parse error, unexpected chip answer)
    4  no reader or no card
    5  access denied: wrong key material (check the MRZ fields or the CAN)
    6  card removed during the session (put it back and retry)
    7  card in use by another application (close it and retry)
    64 usage error
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chipid import __version__
from chipid.errors import (
    AccessControlError,
    CardInUseError,
    CardRemovedError,
    ChipIDError,
    NoCardError,
    NoReaderError,
    WrongPasswordError,
)

__all__ = ["main"]

EXIT_OK, EXIT_NOT_GENUINE, EXIT_INCOMPLETE, EXIT_ERROR = 0, 1, 2, 3
EXIT_NO_CARD, EXIT_ACCESS, EXIT_REMOVED, EXIT_IN_USE, EXIT_USAGE = 4, 5, 6, 7, 64


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors, which would read as INCOMPLETE: use 64 (EX_USAGE)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    from chipid.cli import _conformance, _match, _read, _sim

    parser = _Parser(prog="chipid", description="Read and verify ICAO 9303 chip ID cards (Vietnam CCCD first).")
    parser.add_argument("--version", action="version", version=f"chipid {__version__}")
    parser.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _read.register(sub)
    _match.register(sub)
    _sim.register(sub)
    _conformance.register(sub)
    return parser


def _hint(err: ChipIDError) -> tuple[int, str]:
    if isinstance(err, NoReaderError):
        return EXIT_NO_CARD, "no PC/SC reader found: plug one in (is pcscd running?)"
    if isinstance(err, NoCardError):
        return EXIT_NO_CARD, "no card on the reader: place the card flat on the reader and retry"
    if isinstance(err, CardInUseError):
        return EXIT_IN_USE, "the card is in use by another application: close it and retry"
    if isinstance(err, CardRemovedError):
        return EXIT_REMOVED, "the card was removed during the session: put it back, keep it still, and retry"
    if isinstance(err, AccessControlError) or isinstance(err.__cause__, WrongPasswordError):
        return EXIT_ACCESS, ("access denied: check the key material (CCCD: the 12-digit ID number, date of "
                             "birth and date of expiry as YYMMDD; or the 6-digit CAN)")
    return EXIT_ERROR, ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except ChipIDError as err:
        code, hint = _hint(err)
        print(f"chipid: error: {type(err).__name__}: {err}", file=sys.stderr)
        if hint:
            print(f"chipid: {hint}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
