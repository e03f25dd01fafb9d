"""The CLI's exit-code contract and the one error type its commands raise for a user's mistake.

0, 1 and 2 are verdicts only (GENUINE / match, NOT_GENUINE / no match, INCOMPLETE); everything that is not a
verdict has its own code, so a script never reads an error as a forged document.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "EXIT_ACCESS",
    "EXIT_CODES_HELP",
    "EXIT_ERROR",
    "EXIT_INCOMPLETE",
    "EXIT_IN_USE",
    "EXIT_NOT_GENUINE",
    "EXIT_NO_CARD",
    "EXIT_OK",
    "EXIT_REMOVED",
    "EXIT_USAGE",
    "CLIError",
    "check_paths",
    "usage_error",
]

EXIT_OK, EXIT_NOT_GENUINE, EXIT_INCOMPLETE, EXIT_ERROR = 0, 1, 2, 3
EXIT_NO_CARD, EXIT_ACCESS, EXIT_REMOVED, EXIT_IN_USE, EXIT_USAGE = 4, 5, 6, 7, 64

EXIT_CODES_HELP = """\
exit codes (stable, for scripts):
   0  GENUINE (read, verify, demo); match (match); success (other commands)
   1  NOT GENUINE (read, verify, demo); no match (match); a failed case (conformance)
   2  INCOMPLETE: nothing failed, but something required could not be checked; no decision
      (match finger: an unusable template, under the minimum of minutiae)
   3  error: unreadable or malformed file, unexpected chip answer, I/O failure
   4  no reader, no such reader, or no card
   5  access denied: wrong key material (or a key this card does not accept)
   6  card removed during the session: put it back and retry
   7  card in use by another application: close it and retry
  64  usage error: unknown option, bad option value (key format, MRZ check digit, fault, delay),
      a path given on the command line that does not exist
 130  interrupted (Ctrl-C)"""


class CLIError(Exception):
    """A failure the CLI reports in one line (plus advice), with its exit code. Never a traceback.

    Attributes:
        code: the exit code (see :data:`EXIT_CODES_HELP`).
        hint: one sentence of advice, or "".
    """

    def __init__(self, message: str, *, code: int = EXIT_USAGE, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint


def usage_error(message: str, hint: str = "") -> CLIError:
    """A usage error (exit 64): a bad option value or a missing path named on the command line."""
    return CLIError(message, code=EXIT_USAGE, hint=hint)


def check_paths(paths: Iterable[Path], option: str = "--trust") -> None:
    """Usage error (64) for a path given on the command line that does not exist, before any work is done."""
    for path in paths:
        if not path.exists():
            raise usage_error(f"{option} {path}: no such file or folder")
