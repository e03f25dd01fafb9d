"""Run the CLI in process for the CLI tests: exit code, stdout, stderr (never a traceback or a warning)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chipid.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """``chipid --no-color ARGV...``; argparse's own usage errors (SystemExit) give their exit code too."""
    try:
        code = main(["--no-color", *map(str, argv)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Warning" not in err, err
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, Any]:
    """``run`` with ``--json`` appended: the exit code and the JSON document printed on stdout."""
    code, out, _ = run(capsys, *argv, "--json")
    return code, json.loads(out)
