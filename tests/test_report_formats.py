"""Validation for pull requests: GitHub annotations (escaped), JSON, and the exit codes."""

from __future__ import annotations

import json

import pytest

from directory.records.problems import ERROR, WARNING, Problem
from directory.review.report_formats import escape_data, escape_property, github_annotation
from tests.test_cli import run

# The counts of warnings are those of the fixture data on its day, before any listing is stale.
pytestmark = pytest.mark.on_fixture_day


def test_annotation_has_file_line_title_and_message():
    problem = Problem("data/organizations/x.yaml", 12, "services[0].cost",
                      '"cheap" is not a cost (expected one of: free, sliding-scale, paid)')
    assert github_annotation(problem) == (
        "::error file=data/organizations/x.yaml,line=12,title=services[0].cost::"
        '"cheap" is not a cost (expected one of: free, sliding-scale, paid)')


def test_warning_without_line_or_field():
    problem = Problem("data/site.yaml", 0, "", "is missing; every data folder needs it", WARNING)
    assert github_annotation(problem) == (
        "::warning file=data/site.yaml,title=data file::is missing; every data folder needs it")


def test_escaping_of_message_and_properties():
    assert escape_data("100% sure\r\nnext: line, here") == "100%25 sure%0D%0Anext: line, here"
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"
    problem = Problem("data/odd, name:1.yaml", 3, "services[0].name",
                      'first line\nsecond: 50% "done"', ERROR)
    assert github_annotation(problem) == (
        "::error file=data/odd%2C name%3A1.yaml,line=3,title=services[0].name::"
        'first line%0Asecond: 50%25 "done"')


def test_github_format_lists_errors_first_and_fails(instance, data_dir):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace("cost: free", "cost: gratis")
                   .replace("    last_verified: 2026-11-01\n", ""))
    result = run(instance, "validate", "--format", "github", str(data_dir))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=") and lines[0].endswith(
        'northside-warmline.yaml,line=12,title=services[0].cost::"gratis" is not a cost '
        "(expected one of: free, sliding-scale, paid)")
    assert lines[1].startswith("::warning file=") and "title=services[0].last_verified::" \
        in lines[1]
    assert lines[2] == "1 error, 1 warning in 4 organizations, 8 services"


def test_json_format_parses(instance, data_dir):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace("cost: free", "cost: gratis"))
    result = run(instance, "validate", "--format", "json", str(data_dir))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["summary"] == {"errors": 1, "warnings": 0, "ok": False, "organizations": 4,
                                 "services": 8, "locations": 3, "categories": 6}
    [problem] = report["problems"]
    assert problem["file"].endswith("northside-warmline.yaml")
    assert {key: problem[key] for key in ("line", "field", "level")} == {
        "line": 12, "field": "services[0].cost", "level": "error"}
    assert problem["message"].startswith('"gratis" is not a cost')


def test_json_format_ok(instance, data_dir):
    result = run(instance, "validate", "--format", "json", str(data_dir))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["ok"] is True


def test_quiet_leaves_warnings_out_of_every_format(instance, data_dir):
    (data_dir / "services.csv").write_text(
        (data_dir / "services.csv").read_text().replace("2026-06-30", ""))
    loud = json.loads(run(instance, "validate", "--format", "json", str(data_dir)).stdout)
    quiet = json.loads(run(instance, "validate", "-q", "--format", "json", str(data_dir)).stdout)
    assert loud["summary"]["warnings"] == 1 and quiet["summary"]["warnings"] == 0

