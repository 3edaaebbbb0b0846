"""The ``source`` field: where an imported record came from, checked like every other field."""

from __future__ import annotations

from directory.build import pipeline

from .conftest import FROZEN_TODAY

IMPORTED = """\
id: lakeside-counseling
name: Lakeside Counseling
source: {system: lakeside-211, id: org-1}
services:
  - id: lakeside-walk-in
    name: Walk-in counseling
    categories: [counselling]
    phones: [{number: "+1 312 555 0110"}]
    last_verified: 2026-10-01
    source: {system: lakeside-211, id: svc-1}
  - id: lakeside-group
    name: Group
    categories: [counselling]
    phones: [{number: "+1 312 555 0111"}]
    last_verified: 2026-10-01
    source: %s
"""


def problems(data_dir, second_source: str) -> list[str]:
    (data_dir / "organizations" / "lakeside-counseling.yaml").write_text(
        IMPORTED % second_source)
    _, report, _ = pipeline.check(data_dir, FROZEN_TODAY)
    return [str(problem) for problem in report.errors if "lakeside" in problem.file]


def test_a_source_with_system_and_id_is_valid(data_dir):
    assert problems(data_dir, "{system: lakeside-211, id: svc-2}") == []


def test_a_source_missing_its_id_names_the_line(data_dir):
    found = problems(data_dir, "{system: lakeside-211}")
    assert len(found) == 1
    assert found[0].endswith("lakeside-counseling.yaml:16: services[1].source.id: is missing; "
                             "every source needs one")


def test_a_source_with_an_unknown_field_says_so(data_dir):
    found = problems(data_dir, "{system: lakeside-211, id: svc-2, row: 4}")
    assert found == [found[0]] and "services[1].source.row: is not a known field" in found[0]


def test_two_records_from_one_source_record_are_an_error(data_dir):
    found = problems(data_dir, "{system: lakeside-211, id: svc-1}")
    assert len(found) == 1
    assert 'lakeside-211 id "svc-1" is also the source of "lakeside-walk-in"' in found[0]
