"""Validate JSON output against the documented schemas in docs/ (JSON Schema 2020-12, with jsonschema)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from tests.conftest import ROOT

DOCS = ROOT / "docs"
_BASE = "https://chipid.example/"
SCHEMAS = ("read.schema.json", "document.schema.json", "report.schema.json")


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schemas = {n: json.loads((DOCS / n).read_text()) for n in SCHEMAS}
    # read.schema.json refers to the others relative to its $id base
    registry: Registry[Any] = Registry().with_resources(
        (_BASE + n, Resource.from_contents(s)) for n, s in schemas.items()
    )
    jsonschema.Draft202012Validator.check_schema(schemas[name])
    return jsonschema.Draft202012Validator(schemas[name], registry=registry)


def validate(payload: Any, schema: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` follows ``docs/<schema>``."""
    _validator(schema).validate(payload)


def errors(payload: Any, schema: str) -> list[str]:
    """Every violation, as ``path: message`` lines (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(payload)]
