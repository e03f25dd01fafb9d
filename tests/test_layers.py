"""The layer rules of docs/ARCHITECTURE.md, enforced by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "chipid"

# package -> packages it must never import; the reader is the orchestrator (reader.py) and its steps (reader_steps.py)
READER = {"reader", "reader_steps"}
FORBIDDEN: dict[str, set[str]] = {
    "lds": {"transport", "sm", "access", "auth", "cli", "sim", "conformance", "iso7816.binary"} | READER,
    "pki": {"transport", "sm", "access", "auth", "cli", "sim", "conformance"} | READER,
    "biometrics": {"transport", "sm", "access", "auth", "cli", "sim", "conformance", "lds", "pki"} | READER,
    "iso7816": {"sm", "access", "auth", "cli", "sim", "conformance", "pki", "biometrics"} | READER,
    "sm": {"access", "auth", "cli", "sim", "conformance", "pki", "biometrics"} | READER,
    "transport": {"sm", "access", "auth", "cli", "sim", "conformance", "pki", "biometrics", "lds"} | READER,
    "access": {"auth", "cli", "sim", "conformance", "pki", "biometrics"} | READER,
    "auth": {"cli", "sim", "conformance", "biometrics"} | READER,
    "reader": {"cli", "sim", "conformance"},
    # the steps the reader orchestrates: never the orchestrator itself
    "reader_steps": {"reader", "cli", "sim", "conformance"},
    # the one verdict decision: pure, it sees only check results and the evidence (no I/O, no parsing)
    "policy": {"transport", "iso7816", "sm", "access", "auth", "verify", "cli", "sim", "conformance",
               "lds", "pki", "biometrics", "document"} | READER,
    # the one curve table and point arithmetic: below access, pki, auth, lds and sim; only errors below it
    "ecc": {"transport", "iso7816", "sm", "lds", "pki", "access", "auth", "cli", "sim", "conformance",
            "biometrics", "report", "match"} | READER,
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n[len("chipid.") :] for n in names if n.startswith("chipid.")}


def _area(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def test_no_import_flows_upward() -> None:
    violations = []
    for path in PKG.rglob("*.py"):
        area = _area(path)
        banned = FORBIDDEN.get(area, set())
        for target in _imports(path):
            if any(target == b or target.startswith(b + ".") for b in banned):
                violations.append(f"{path.relative_to(PKG.parent)} imports chipid.{target}")
    assert not violations, "\n".join(violations)


def test_only_pcsc_imports_pyscard() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            if any(m == "smartcard" or m.startswith("smartcard.") for m in mods):
                offenders.append(str(path.relative_to(PKG.parent)))
    allowed = {"chipid/transport/pcsc.py"}
    assert set(offenders) <= allowed, offenders


def test_only_match_imports_native() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        if "chipid._native" in path.read_text() and path.name != "match.py":
            offenders.append(str(path.relative_to(PKG.parent)))
    assert not offenders


def test_ecc_imports_only_errors() -> None:
    """chipid.ecc is the bottom of the stack: it may import itself and chipid.errors, nothing else."""
    offenders = [
        f"{path.relative_to(PKG.parent)} imports chipid.{target}"
        for path in (PKG / "ecc").rglob("*.py")
        for target in _imports(path)
        if target != "errors" and not target.startswith("ecc")
    ]
    assert not offenders, "\n".join(offenders)


_FFDH_MODULE = "cryptography.hazmat.primitives.asymmetric.dh"
_ASYMMETRIC = "cryptography.hazmat.primitives.asymmetric"


def _ffdh_uses(source: str) -> list[int]:
    """Line numbers where ``source`` reaches cryptography's finite-field DH module (deprecated in cryptography 50):
    ``import ...asymmetric.dh``, ``from ...asymmetric import dh``, ``from ...asymmetric.dh import X`` or an
    attribute ``<...>.asymmetric.dh``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(a.name == _FFDH_MODULE or a.name.startswith(_FFDH_MODULE + ".") for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module:
            submodule = node.module == _FFDH_MODULE or node.module.startswith(_FFDH_MODULE + ".")
            if submodule or (node.module == _ASYMMETRIC and any(a.name in ("dh", "*") for a in node.names)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "dh":
            base = node.value
            if isinstance(base, ast.Attribute) and base.attr == "asymmetric":
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from cryptography.hazmat.primitives.asymmetric import dh, ec", True),
        ("from cryptography.hazmat.primitives.asymmetric import ec, dh as ffdh", True),
        ("from cryptography.hazmat.primitives.asymmetric.dh import DHPrivateKey", True),
        ("import cryptography.hazmat.primitives.asymmetric.dh", True),
        ("import cryptography.hazmat.primitives.asymmetric\nk = cryptography.hazmat.primitives.asymmetric.dh", True),
        ("from cryptography.hazmat.primitives.asymmetric import *", True),
        ("from cryptography.hazmat.primitives.asymmetric import ec, rsa", False),
        ("from chipid.sim._keys import DHPrivateKey\ndh = 1", False),
    ],
)
def test_ffdh_detector(source: str, found: bool) -> None:
    assert bool(_ffdh_uses(source)) is found


def test_no_module_uses_cryptography_ffdh() -> None:
    """Issue 11 point 5: DH is plain integer arithmetic (pki.dh_keys, sim._keys), never cryptography's FFDH
    (deprecated in cryptography 50): not in chipid, nor in the tests, benchmarks and examples that drive it."""
    paths = [path for folder in ("chipid", "tests", "benchmarks", "examples") for path in
             (PKG.parent / folder).rglob("*.py")]
    assert any(path.name == "_keys.py" for path in paths)
    offenders = [f"{path.relative_to(PKG.parent)}:{line}" for path in paths for line in _ffdh_uses(path.read_text())]
    assert not offenders, offenders
