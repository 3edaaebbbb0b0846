"""Where a wrong value is reported, now that right values are checked without their place
(``records.fields``), and where a record's file is, now that folders resolve once."""

from __future__ import annotations

from directory.build.pipeline import check
from directory.records.fields import At, Field, list_of, mapping, one_of, simple, slug, text
from directory.records.load import Located, LocatedList
from directory.records.problems import Report
from tests.conftest import FIXTURE_DAY

CHECK = mapping({"id": Field(simple(slug), required=True), "name": Field(simple(text)),
                 "kind": Field(simple(one_of(["a", "b"], "kind"))),
                 "tags": Field(list_of(simple(slug)))}, "a thing")


def _located() -> Located:
    tags = LocatedList(["ok", "Not Ok", "fine"], line=7)
    tags.lines = [7, 8, 9]
    value = Located({"id": "x-1", "name": "  A  name ", "kind": ["a"], "tags": tags},
                    file="f.yaml", line=3)
    value.lines = {"id": 3, "name": 4, "kind": 5, "tags": 6}
    return value


def test_right_values_come_back_normalised_and_wrong_ones_are_reported_at_their_place():
    report = Report()
    out = CHECK(_located(), At("f.yaml", 3, "things[2]"), report)
    assert out == {"id": "x-1", "name": "A name", "kind": None, "tags": ["ok", "fine"]}
    assert out.lines == {"id": 3, "name": 4, "kind": 5, "tags": 6}
    assert out.path == "things[2]"
    assert [(p.file, p.line, p.field, p.message) for p in report.errors] == [
        ("f.yaml", 5, "things[2].kind", 'a list is not a kind (expected one of: a, b)'),
        ("f.yaml", 8, "things[2].tags[1]",
         '"Not Ok" is not an id (expected lowercase letters, digits and dashes, '
         'e.g. harbour-youth-drop-in)'),
    ]


def test_a_plain_mapping_is_reported_at_its_own_line():
    report = Report()
    CHECK({"id": "Bad Id"}, At("g.yaml", 12, ""), report)
    assert [(p.line, p.field) for p in report.errors] == [(12, "id")]


def test_a_record_file_reached_by_a_link_is_named_where_the_link_points(data_dir):
    real = data_dir / "organizations" / "harbour-youth-trust.yaml"
    moved = data_dir / "elsewhere.yaml"  # inside the data folder, so it is read
    catalogue, _, _ = check(data_dir, FIXTURE_DAY)
    before = {s["id"]: s.repository_path for s in catalogue.services}
    assert before["harbour-youth-drop-in"] == "data/organizations/harbour-youth-trust.yaml"
    real.rename(moved)
    real.symlink_to(moved)
    catalogue, _, _ = check(data_dir, FIXTURE_DAY)
    after = {s["id"]: s.repository_path for s in catalogue.services}
    assert after["harbour-youth-drop-in"] == "data/elsewhere.yaml"
    assert {k: v for k, v in after.items() if v != "data/elsewhere.yaml"} == \
        {k: v for k, v in before.items() if "harbour-youth-trust" not in v}
