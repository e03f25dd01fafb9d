"""Validate JSON output against the documented schemas in docs/ (JSON Schema 2020-12, with jsonschema)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from tests.conftest import ROOT

DOCS = ROOT / "docs"
SCHEMAS = ("read.schema.json", "document.schema.json", "report.schema.json")


def registry() -> Registry[Any]:
    """Every schema under its own ``$id`` (no alias): ``$ref``s resolve against the ``$id`` of the referrer."""
    resources = [Resource.from_contents(json.loads((DOCS / n).read_text(encoding="utf-8"))) for n in SCHEMAS]
    return resources @ Registry()


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry())


def validate(payload: Any, schema: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` follows ``docs/<schema>``."""
    _validator(schema).validate(payload)


def errors(payload: Any, schema: str) -> list[str]:
    """Every violation, as ``path: message`` lines (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(payload)]
