"""The reader/card conformance suite: a catalogue of cases, a runner, JUnit XML and HTML reports.

Typical use (the CLI's ``chipid conformance`` does this)::

    from chipid.conformance import run_suite, format_summary, write_junit, write_html
    result = run_suite(lambda: PCSCTransport.open(reader), MRZKey(...))
    print(format_summary(result))
    write_junit(result, "conformance.xml")
    write_html(result, "conformance.html")

The catalogue (IDs, purposes, clauses) is documented in docs/conformance.md.
"""

from __future__ import annotations

from chipid.conformance.catalogue import CATALOGUE, get_case, select_cases
from chipid.conformance.html import render_html, write_html
from chipid.conformance.junit import render_junit, write_junit
from chipid.conformance.model import Case, CaseResult, Environment, Measurement, Outcome, SuiteResult
from chipid.conformance.runner import run_case, run_suite
from chipid.conformance.summary import format_case, format_summary
from chipid.conformance.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "CATALOGUE",
    "DEFAULT_THRESHOLDS",
    "Case",
    "CaseResult",
    "Environment",
    "Measurement",
    "Outcome",
    "SuiteResult",
    "Thresholds",
    "format_case",
    "format_summary",
    "get_case",
    "render_html",
    "render_junit",
    "run_case",
    "run_suite",
    "select_cases",
    "write_html",
    "write_junit",
]
