"""The plain-text terminal summary of a conformance run (the CLI adds colour on top)."""

from __future__ import annotations

from chipid.conformance.model import CaseResult, Outcome, SuiteResult

__all__ = ["format_case", "format_summary"]


def format_case(result: CaseResult) -> str:
    """One line for one case: ``PASS  SEL-004  0.012s  SELECT of an unknown AID... - 6A82``."""
    line = f"{result.outcome.value:<5} {result.id:<9} {result.duration_s:7.3f}s  {result.case.title}"
    if result.message:
        line += f" - {result.message}"
    return line


def format_summary(result: SuiteResult, *, details: bool = False) -> str:
    """The whole run as text: environment, one line per case (measurements indented), totals.

    Args:
        result: the suite result.
        details: also list each case's detail lines.
    """
    env = result.environment
    lines = [
        "chipid conformance suite",
        f"reader:  {env.reader}",
        f"ATR:     {env.atr.hex(' ').upper() or '-'}",
        f"chipid {env.chipid_version}, Python {env.python_version}, {env.platform}",
        f"started: {env.started_at}",
        "",
    ]
    for case in result.results:
        lines.append(format_case(case))
        lines.extend(f"{'':16}{m.name}: {m.value:g} {m.unit}".rstrip() for m in case.measurements)
        if details:
            lines.extend(f"{'':16}| {d}" for d in case.details)
    counts = ", ".join(f"{result.count(o)} {o.value}" for o in Outcome)
    verdict = "OK" if result.ok else "NOT CONFORMANT"
    lines += ["", f"{len(result.results)} cases in {result.duration_s:.2f} s: {counts} -> {verdict}"]
    return "\n".join(lines)
