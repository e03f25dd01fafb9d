"""Key material from command-line options (MRZ, CCCD ID + dates, document number + dates, or CAN)."""

from __future__ import annotations

import argparse

from chipid.access.keys import AccessKey, CANKey, MRZKey

__all__ = ["add_key_options", "key_from_args"]


def add_key_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add the mutually exclusive key options to a sub-command parser."""
    group = parser.add_argument_group("access key (one of)")
    group.add_argument("--can", metavar="DIGITS", help="card access number (CCCD: last 6 digits of the ID)")
    group.add_argument("--mrz", metavar="TEXT", help="the whole MRZ (lines joined with newlines or '|')")
    group.add_argument("--id-card", metavar="ID", help="CCCD 12-digit ID number (needs --dob and --doe)")
    group.add_argument("--doc-number", metavar="NUMBER", help="document number (needs --dob and --doe)")
    group.add_argument("--dob", metavar="YYMMDD", help="date of birth")
    group.add_argument("--doe", metavar="YYMMDD", help="date of expiry")
    parser.set_defaults(_key_required=required)


def key_from_args(args: argparse.Namespace) -> AccessKey | None:
    """Build the access key; raises ``SystemExit`` (usage error) when the options are inconsistent."""
    chosen = [n for n in ("can", "mrz", "id_card", "doc_number") if getattr(args, n, None)]
    if len(chosen) > 1:
        raise SystemExit("chipid: give only one of --can, --mrz, --id-card, --doc-number")
    if not chosen:
        if getattr(args, "_key_required", True):
            raise SystemExit(
                "chipid: an access key is needed: --can, --mrz, or --id-card/--doc-number with --dob --doe"
            )
        return None
    which = chosen[0]
    try:
        if which == "can":
            return CANKey(args.can)
        if which == "mrz":
            return MRZKey.from_mrz(args.mrz.replace("|", "\n"))
        if not (args.dob and args.doe):
            raise SystemExit(f"chipid: --{which.replace('_', '-')} needs --dob YYMMDD and --doe YYMMDD")
        if which == "id_card":
            return MRZKey.for_cccd(args.id_card, args.dob, args.doe)
        return MRZKey(args.doc_number, args.dob, args.doe)
    except ValueError as err:
        raise SystemExit(f"chipid: invalid key material: {err}") from err
