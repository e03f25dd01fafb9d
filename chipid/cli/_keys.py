"""Key material from command-line options (MRZ, CCCD ID + dates, document number + dates, or CAN)."""

from __future__ import annotations

import argparse

from chipid.access.keys import AccessKey, CANKey, MRZKey
from chipid.cli._exit import usage_error
from chipid.errors import ParseError

__all__ = ["add_key_options", "key_from_args", "keys_from_args"]

_NEED_KEY = "an access key is needed: --can, --mrz, or --id-card/--doc-number with --dob --doe"


def add_key_options(parser: argparse.ArgumentParser, *, required: bool = True, both: bool = False) -> None:
    """Add the key options to a sub-command parser (one of them; with ``both``, a CAN and an MRZ key may be
    given together)."""
    group = parser.add_argument_group("access key (one of)" if not both else "access keys (a CAN, an MRZ key, or both)")
    group.add_argument("--can", metavar="DIGITS", help="card access number (CCCD: last 6 digits of the ID)")
    group.add_argument("--mrz", metavar="TEXT", help="the whole MRZ (lines joined with newlines or '|')")
    group.add_argument("--id-card", metavar="ID", help="CCCD 12-digit ID number (needs --dob and --doe)")
    group.add_argument("--doc-number", metavar="NUMBER", help="document number (needs --dob and --doe)")
    group.add_argument("--dob", metavar="YYMMDD", help="date of birth")
    group.add_argument("--doe", metavar="YYMMDD", help="date of expiry")
    parser.set_defaults(_key_required=required)


def _mrz_key(args: argparse.Namespace, which: str) -> MRZKey:
    option = "--" + which.replace("_", "-")
    try:
        if which == "mrz":
            return MRZKey.from_mrz(args.mrz.replace("|", "\n"))
        if not (args.dob and args.doe):
            raise usage_error(f"{option} needs --dob YYMMDD and --doe YYMMDD")
        if which == "id_card":
            return MRZKey.for_cccd(args.id_card, args.dob, args.doe)
        return MRZKey(args.doc_number, args.dob, args.doe)
    except ParseError as err:
        hint = ("a check digit does not match: retype the MRZ exactly as printed (or give --id-card/--doc-number "
                "with --dob --doe)") if "check digit" in str(err) else ""
        raise usage_error(f"invalid key material ({option}): {err}", hint) from err


def _can_key(args: argparse.Namespace) -> CANKey:
    try:
        return CANKey(args.can)
    except ParseError as err:
        raise usage_error(f"invalid key material (--can): {err}", "the CAN is the digits printed on the card "
                          "(CCCD: the last 6 digits of the ID number)") from err


def keys_from_args(args: argparse.Namespace) -> tuple[CANKey | None, MRZKey | None]:
    """The CAN and the MRZ key given (either may be None); usage errors (exit 64) for inconsistent options."""
    mrz_options = [n for n in ("mrz", "id_card", "doc_number") if getattr(args, n, None)]
    if len(mrz_options) > 1:
        raise usage_error("give only one of --mrz, --id-card, --doc-number")
    if not mrz_options and (getattr(args, "dob", None) or getattr(args, "doe", None)):
        raise usage_error("--dob and --doe go with --id-card or --doc-number")
    can = _can_key(args) if getattr(args, "can", None) else None
    mrz = _mrz_key(args, mrz_options[0]) if mrz_options else None
    return can, mrz


def key_from_args(args: argparse.Namespace) -> AccessKey | None:
    """The one access key given; usage errors (exit 64) when the options are inconsistent or malformed."""
    can, mrz = keys_from_args(args)
    if can is not None and mrz is not None:
        raise usage_error("give only one of --can, --mrz, --id-card, --doc-number")
    if can is None and mrz is None:
        if getattr(args, "_key_required", True):
            raise usage_error(_NEED_KEY)
        return None
    return can if can is not None else mrz
