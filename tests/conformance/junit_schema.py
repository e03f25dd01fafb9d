"""A structural check of JUnit XML against the facts of the Jenkins xunit plugin's ``junit-10.xsd``.

No XSD validator is a dependency, so the schema's rules are encoded here with xml.etree: which elements
may appear where, which attributes each may carry and which are required. On top of that, the stricter
typing of ``junit-4.xsd`` is checked (counts are non-negative integers, ``time`` a decimal, ``timestamp``
an ISO 8601 date-time without zone) and the counts must agree with the test cases.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_ATTRS: dict[str, tuple[set[str], set[str]]] = {  # element -> (required, allowed)
    "testsuites": (set(), {"name", "time", "tests", "failures", "disabled", "errors"}),
    "testsuite": (
        {"tests"},
        {
            "name", "tests", "failures", "errors", "time", "disabled", "skipped", "skips", "timestamp",
            "hostname", "id", "package", "assertions", "file", "skip", "log", "url",
        },
    ),
    "properties": (set(), set()),
    "property": ({"name", "value"}, {"name", "value"}),
    "testcase": (
        {"name"},
        {
            "name", "assertions", "time", "timestamp", "classname", "status", "class", "file", "line",
            "log", "group", "url",
        },
    ),
    "failure": (set(), {"type", "message"}),
    "error": (set(), {"type", "message"}),
    "skipped": (set(), {"type", "message"}),
    "system-out": (set(), set()),
    "system-err": (set(), set()),
}
_CHILDREN: dict[str, set[str]] = {
    "testsuites": {"testsuite"},
    "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
    "properties": {"property"},
    "property": set(),
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
    "failure": set(),
    "error": set(),
    "skipped": set(),
    "system-out": set(),
    "system-err": set(),
}
_INT = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def _check(element: ET.Element, problems: list[str], where: str) -> None:
    tag = element.tag
    if tag not in _ATTRS:
        problems.append(f"{where}: unknown element <{tag}>")
        return
    required, allowed = _ATTRS[tag]
    for name in required - element.attrib.keys():
        problems.append(f"{where}: <{tag}> lacks required attribute {name!r}")
    for name in element.attrib.keys() - allowed:
        problems.append(f"{where}: <{tag}> has attribute {name!r} the schema does not allow")
    for name in ("tests", "failures", "errors", "skipped", "disabled"):
        if name in element.attrib and not _INT.match(element.attrib[name]):
            problems.append(f"{where}: <{tag} {name}={element.attrib[name]!r}> is not a count")
    if "time" in element.attrib and not _DECIMAL.match(element.attrib["time"]):
        problems.append(f"{where}: <{tag} time={element.attrib['time']!r}> is not a decimal")
    if "timestamp" in element.attrib and not _TIMESTAMP.match(element.attrib["timestamp"]):
        problems.append(f"{where}: <{tag} timestamp={element.attrib['timestamp']!r}> is not ISO 8601")
    for child in element:
        if child.tag not in _CHILDREN[tag]:
            problems.append(f"{where}: <{child.tag}> not allowed inside <{tag}>")
        _check(child, problems, f"{where}/{child.tag}")
    if tag == "testcase":
        verdicts = [c.tag for c in element if c.tag in ("failure", "error", "skipped")]
        if len(verdicts) > 1:
            problems.append(f"{where}: testcase with several verdicts {verdicts}")
    if tag == "testsuite":
        cases = element.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for name, value in counted.items():
            if name in element.attrib and int(element.attrib[name]) != value:
                problems.append(f"{where}: {name}={element.attrib[name]} but {value} testcases say so")


def junit_problems(document: bytes) -> list[str]:
    """Every way ``document`` departs from junit-10.xsd (plus the typing above); empty when valid."""
    root = ET.fromstring(document)
    problems: list[str] = []
    if root.tag != "testsuites":
        problems.append(f"root is <{root.tag}>, expected <testsuites>")
    _check(root, problems, root.tag)
    return problems
