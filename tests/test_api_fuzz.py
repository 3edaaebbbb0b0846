"""Fuzz the API against its own /api/openapi.json: no 5xx, and every answer conforms to the
schema it declares (HSDS 3.0's, resolved offline from ../shared/hsds-3.0).

Schemathesis generates the requests (valid and invalid parameters) and checks status codes,
content types and response schemas. The HSDS schemas are referred to by their raw GitHub
URLs, as HSDS's own openapi.json does; here those URLs are answered from the local files, so
the run never touches the network. Kept small (a few examples per operation) so it adds
seconds, not minutes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.jsonschema import resolver
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from directory.web.openapi import ROUTES
from tests.hsds_schemas import local_path, needs_hsds

EXAMPLES = 30
# OpenAPI cannot say that lat needs lon, that proximity needs postcode, or that near must
# name a place the gazetteer knows; such requests are rightly 400s (tests/test_api.py checks
# each), so "every schema-valid request is accepted" is not asked of this API.
# An empty value (``per_page=``, ``open_now=``) means "not given", as when the site's search
# form sends an empty field; OpenAPI has no word for that, so "every schema-violating request
# is refused" is not asked either. Invalid requests are still generated, to show they are
# 400s (never 5xx) with a body that conforms to the Error schema.
NOT_DESCRIBABLE = [positive_data_acceptance, negative_data_rejection]
LISTS = [path for path, route in ROUTES.items() if route[3]]


def _local_document(uri: str):
    return json.loads(local_path(uri).read_text())


@pytest.fixture
def api_schema(app, monkeypatch):
    monkeypatch.setattr(resolver, "_load_remote_uri", _local_document)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


# Schemathesis's own pytest plugin (``from_fixture``) reads a private attribute pytest 9
# removed, so each operation is run through hypothesis here instead.
@needs_hsds
@pytest.mark.parametrize(("path", "mode"), [
    *((path, GenerationMode.POSITIVE) for path in ["/", *ROUTES]),
    # Only lists have parameters to get wrong (an unknown id is a 404, tested elsewhere).
    *((path, GenerationMode.NEGATIVE) for path in LISTS)])
def test_the_api_conforms_to_its_openapi_document(api_schema, path, mode):
    operation = api_schema[path]["GET"]
    seen = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call_and_validate(excluded_checks=NOT_DESCRIBABLE)
        seen.append(response.status_code)

    check()
    assert seen and all(code < 500 for code in seen)
    if mode is GenerationMode.NEGATIVE:
        assert 400 in seen
