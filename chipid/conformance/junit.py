"""JUnit XML for a conformance run, in the common schema CI servers read.

The layout follows the widely used Jenkins ``junit-10.xsd`` (xunit plugin): a ``testsuites`` root holding
one ``testsuite`` (required ``tests``; ``name``, ``failures``, ``errors``, ``skipped``, ``time``,
``timestamp``, ``hostname``), whose ``properties`` carry the environment (reader, ATR, versions) and whose
``testcase`` elements (required ``name``; ``classname``, ``time``) hold at most one ``failure``,
``error`` or ``skipped`` element (``message`` and ``type`` attributes) and a ``system-out`` with the
clause, measurements and details. Test cases carry no ``properties`` (junit-10.xsd allows none there).
"""

from __future__ import annotations

import platform
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from chipid.conformance.model import CaseResult, Outcome, SuiteResult

__all__ = ["render_junit", "write_junit"]

_SUITE = "chipid.conformance"
_INVALID_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control bytes from a misbehaving card's text)."""
    return _INVALID_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.6f}"


def _system_out(result: CaseResult) -> str:
    lines = [f"clause: {result.case.clause}"]
    if result.case.prerequisites:
        lines.append("prerequisites: " + ", ".join(result.case.prerequisites))
    lines += [f"{m.name}: {m.value:g} {m.unit}".rstrip() for m in result.measurements]
    lines += result.details
    if result.outcome is Outcome.PASS and result.message:
        lines.append(f"result: {result.message}")
    if result.trace:
        lines += ["APDU trace (secrets redacted):", *result.trace]
    return _clean("\n".join(lines))


def _testcase(parent: ET.Element, result: CaseResult) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": f"{_SUITE}.{result.case.group}",
            "name": _clean(f"{result.id} {result.case.title}"),
            "time": _seconds(result.duration_s),
        },
    )
    message = _clean(result.message)
    if result.outcome is Outcome.FAIL:
        ET.SubElement(case, "failure", {"message": message, "type": "ConformanceFailure"}).text = message
    elif result.outcome is Outcome.ERROR:
        kind = message.split(":", 1)[0] if ":" in message else "Error"
        ET.SubElement(case, "error", {"message": message, "type": kind}).text = message
    elif result.outcome is Outcome.SKIP:
        ET.SubElement(case, "skipped", {"message": message})
    ET.SubElement(case, "system-out").text = _system_out(result)


def render_junit(result: SuiteResult) -> bytes:
    """The JUnit XML document (UTF-8 with an XML declaration) for ``result``."""
    env = result.environment
    counts = {
        "tests": str(len(result.results)),
        "failures": str(result.count(Outcome.FAIL)),
        "errors": str(result.count(Outcome.ERROR)),
    }
    root = ET.Element(
        "testsuites", {"name": "chipid conformance", **counts, "time": _seconds(result.duration_s)}
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": _SUITE,
            **counts,
            "skipped": str(result.count(Outcome.SKIP)),
            "time": _seconds(result.duration_s),
            "timestamp": env.started_at[:19],
            "hostname": _clean(platform.node() or "localhost"),
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("reader", env.reader),
        ("atr", env.atr.hex().upper()),
        ("chipid.version", env.chipid_version),
        ("python.version", env.python_version),
        ("platform", env.platform),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
    for case in result.results:
        _testcase(suite, case)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_junit(result: SuiteResult, path: str | Path) -> Path:
    """Write the JUnit XML report of ``result`` to ``path``; returns the path."""
    target = Path(path)
    target.write_bytes(render_junit(result))
    return target
