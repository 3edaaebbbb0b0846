"""The official HSDS 3.0 schemas in ``../shared/hsds-3.0``, for validating offline.

A test that needs them uses ``needs_hsds`` and is skipped, saying why, when a fresh clone
has no ``../shared`` beside it. Their references (relative, or the raw GitHub URLs HSDS's
openapi.json uses) resolve to the local files through a ``referencing`` registry.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS = Path(__file__).resolve().parent.parent.parent / "shared" / "hsds-3.0"
RAW = "https://raw.githubusercontent.com/openreferral/specification/3.0/"
needs_hsds = pytest.mark.skipif(
    not (HSDS / "schema" / "compiled" / "service.json").is_file(),
    reason=f"the official HSDS 3.0 files are not at {HSDS} (CI has ../shared beside the clone)")


def local_path(uri: str) -> Path:
    """The local file of a raw GitHub URL of the specification (3.0 branch)."""
    if not uri.startswith(RAW):
        raise LookupError(f"not an HSDS 3.0 schema URL: {uri}")
    return HSDS / uri[len(RAW):]


def _retrieve(uri: str) -> Resource:
    return Resource.from_contents(json.loads(local_path(uri).read_text()),
                                  default_specification=DRAFT202012)


@cache
def registry() -> Registry:
    return Registry(retrieve=_retrieve)


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for ``schema/<name>`` (e.g. ``compiled/service.json``), formats checked."""
    uri = RAW + "schema/" + name
    schema = {"$ref": uri}
    return jsonschema.Draft202012Validator(schema, registry=registry(),
                                           format_checker=jsonschema.FormatChecker())


def problems(obj, name: str) -> list[str]:
    """Every way ``obj`` breaks HSDS's ``schema/<name>``, as "path: message"."""
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
            for error in validator(name).iter_errors(obj)]
