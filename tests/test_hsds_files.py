"""The importer's YAML writer: whatever text a record holds, PyYAML reads back the same record."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.hsds import files

# Texts made mostly of the characters YAML gives meaning to.
TRICKY = st.text(alphabet=st.sampled_from(list("ab1 :#-,[]{}'\"\\|>!&*?%@`\n\t.")),
                 max_size=30)


def back(record: dict):
    return yaml.safe_load(files.to_yaml(record))


@settings(max_examples=400)
@given(st.text(max_size=80))
def test_any_text_reads_back_the_same(text):
    assert back({"name": text}) == {"name": text}


@settings(max_examples=200)
@given(st.lists(st.text(max_size=12), max_size=5))
def test_any_short_list_reads_back_the_same(items):
    assert back({"languages": items} if items else {"x": 1}) == \
        ({"languages": items} if items else {"x": 1})


@settings(max_examples=400)
@given(TRICKY, st.lists(TRICKY, max_size=4))
def test_texts_full_of_yaml_syntax_read_back_the_same(text, items):
    record = {"description": text, "languages": items or ["x"]}
    assert back(record) == record


def test_the_shapes_of_an_organization_file():
    record = {
        "id": "org-1", "name": "St. Mary's: Drop-In #2", "description": "Line one\nLine two",
        "phones": [{"number": "+1 312-555-0110", "type": "voice"}],
        "locations": [{"id": "loc-1", "address": {"address_1": "1 Main St", "city": "Chicago",
                                                  "postal_code": "60601", "country": "US"},
                       "latitude": 41.9, "longitude": -87.6, "accessibility": ["wheelchair"]}],
        "services": [{"id": "svc-1", "name": "yes", "categories": ["counselling", "drop-in"],
                      "hours": "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
                      "closed": [dt.date(2026, 12, 25)],
                      "special": {dt.date(2026, 12, 24): "09:00-12:00"}, "minimum_age": 16,
                      "last_verified": dt.date(2026, 10, 1),
                      "source": {"system": "x", "id": "007"}}],
    }
    text = files.to_yaml(record)
    assert back(record) == record
    assert "postal_code: \"60601\"" in text and "  id: \"007\"" in text
    assert "description: |-\n  Line one\n  Line two" in text
    assert "categories: [counselling, drop-in]" in text and 'name: "yes"' in text
