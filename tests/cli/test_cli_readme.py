"""The README is true: its integrator snippets run as pasted, the JSON schemas resolve by their own ``$id``,
and ``--out DIR/document.json`` follows the schema the README names."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from chipid.cli import main
from chipid.sim import pkigen
from chipid.sim.personalize import default_profile
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    return README[start:end if end != -1 else None]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def run_snippet(code: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout, check=False)


# ------------------------------------------------------------------------------------------- schemas
def test_schemas_refer_to_each_other_by_their_own_ids() -> None:
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DOCS.glob("*.schema.json"))]
    ids = {s["$id"] for s in schemas}
    assert len({i.rsplit("/", 1)[0] for i in ids}) == 1, ids  # one base: relative $refs resolve
    registry: Registry = [Resource.from_contents(s) for s in schemas] @ Registry()  # no alias, no URI given
    resolver = registry.resolver()
    for schema in schemas:
        for ref in re.findall(r'"\$ref": "([^"#]+)', json.dumps(schema)):
            resolver.in_subresource(Resource.from_contents(schema)).lookup(ref)  # raises when unresolvable
        jsonschema.Draft202012Validator.check_schema(schema)


def test_out_document_json_follows_the_schema_the_readme_names(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    named = re.search(r"`--out DIR`.*?`docs/(\w+\.schema\.json)`", README, re.S)
    assert named is not None, "the README says which schema document.json follows"
    assert main(["--no-color", "read", "--sim", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    payload = json.loads((tmp_path / "document.json").read_text(encoding="utf-8"))
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in DOCS.glob("*.schema.json")]
    registry: Registry = [Resource.from_contents(s) for s in schemas] @ Registry()
    schema = json.loads((DOCS / named.group(1)).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, registry=registry).validate(payload)
    assert payload["schema"] == "chipid.read/1"


# ------------------------------------------------------------------------------------------- snippets
def test_the_virtual_card_snippet_runs_as_pasted_and_prints_what_the_readme_shows(tmp_path: Path) -> None:
    text = section("## Quick start: in your system (integrator)")
    blocks = python_blocks(text)
    snippet = next(b for b in blocks if "SimTransport" in b)
    proc = run_snippet(snippet, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    shown = text[text.index(snippet):]
    shown = re.search(r"```text\n(.*?)```", shown, re.S)
    assert shown is not None
    expected = shown.group(1).splitlines()
    got = proc.stdout.splitlines()
    assert got[:2] == expected[:2]
    assert got[2].startswith(expected[2].removesuffix(" ...").rsplit(" ...", 1)[0][:60])


@pytest.mark.pcscd
def test_the_integrator_snippet_runs_as_pasted_through_pcscd(tmp_path: Path) -> None:
    """The reader snippet, verbatim, against a virtual card personalised with the snippet's key and trust
    files laid out under the names the snippet uses."""
    from tests.e2e.conftest import require_vpcd_reader, start_card, stop_card

    require_vpcd_reader()
    snippet = next(b for b in python_blocks(section("## Quick start: in your system (integrator)"))
                   if "PCSCTransport" in b)
    id_number, dob, doe = re.search(r'MRZKey\.for_cccd\("(\d{12})", "(\d{6})", "(\d{6})"\)', snippet).groups()
    base = default_profile()
    profile = dataclasses.replace(base, document_number=id_number[-9:], date_of_birth=dob, date_of_expiry=doe)
    (tmp_path / "vn-csca").mkdir()
    (tmp_path / "vn-csca" / "csca.der").write_bytes(base.csca_certificates[0])
    (tmp_path / "vn-csca" / "crl.crl").write_bytes(base.crls[0])
    de = pkigen.issue_csca(b"readme-de", country="DE")
    (tmp_path / "ICAO_ml.ml").write_bytes(pkigen.master_list(pkigen.master_list_signer(de, b"ml"), [de.der]))
    bridge = start_card(profile)
    try:
        proc = run_snippet(snippet, tmp_path)
    finally:
        stop_card(bridge)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(str(base.holder["full_name"]))
    assert lines[1].split()[0] in ("GENUINE", "NOT_GENUINE", "INCOMPLETE")
    assert lines[1].startswith("GENUINE"), proc.stdout
    audit = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit) == 1 and json.loads(audit[0])["verdict"] == "GENUINE"
