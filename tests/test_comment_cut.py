"""A value YAML cuts at " #" ("The #70 bus" read as "The", the rest a comment) is said, with
its file, line and field, never silently kept; real comments and quoted values are not."""

from __future__ import annotations

from directory.build.pipeline import check
from tests.conftest import FIXTURE_DAY
from tests.samples import ORG, messages, write_org

CUT = ('stops before "{cut}": YAML reads " #" as the start of a comment and drops the rest '
       'of the line; put the whole value in quotes to keep it ("…"), or write "# " if it is '
       "a comment")


def _warnings(data_dir) -> list[str]:
    return [m for m in messages(data_dir, errors_only=False) if "YAML reads" in m]


def test_a_value_cut_at_a_number_sign_is_a_warning_at_its_line(data_dir):
    write_org(data_dir, ORG.replace(
        "    longitude: -87.64\n",
        "    longitude: -87.64\n    transportation: The #70 Division bus stops outside.\n"))
    assert _warnings(data_dir) == [
        "data/organizations/sample-org.yaml:8: warning: locations[0].transportation: "
        + CUT.format(cut="#70 Division bus stops outside.")]
    catalogue, report, _ = check(data_dir, FIXTURE_DAY)
    assert not report.errors  # a warning: the build goes on, with what YAML read
    place = next(loc for loc in catalogue.locations if loc["id"] == "sample-place")
    assert place["transportation"] == "The"


def test_every_cut_value_in_a_file_and_in_a_list_with_text_before_it(data_dir):
    write_org(data_dir, ORG.replace("name: Sample Org", "name: Café Niño #2").replace(
        "    name: Sample counselling\n",
        "    name: Sample counselling\n    description: Room #3, ask at the desk\n"
        "    eligibility_description:\n      Anyone, see #rules\n"))
    found = _warnings(data_dir)
    assert [m.split(": warning: ")[0] for m in found] == [
        "data/organizations/sample-org.yaml:2", "data/organizations/sample-org.yaml:11",
        "data/organizations/sample-org.yaml:13"]
    assert [m.split(": ")[2] for m in found] == ["name", "services[0].description",
                                                 "services[0].eligibility_description"]
    assert 'stops before "#2"' in found[0] and 'stops before "#rules"' in found[2]


def test_comments_and_quoted_values_are_left_alone(data_dir):
    write_org(data_dir, "# An organization file\n" + ORG.replace(
        "name: Sample Org", 'name: "Sample Org #2"  # quoted: kept whole').replace(
        "    name: Sample counselling\n",
        "    name: Sample counselling   # checked by phone\n"
        "    description: 'Room #3'\n"
        "    eligibility_description: |\n      Anyone, see #rules\n"
        "    fees_description: Free#forever\n"))
    assert _warnings(data_dir) == []
    catalogue, _, _ = check(data_dir, FIXTURE_DAY)
    assert any(o["name"] == "Sample Org #2" for o in catalogue.organizations)


def test_a_list_item_cut_is_said_with_its_index(tmp_path):
    from directory.records.fields import At, list_of, simple, text
    from directory.records.load import read_yaml
    from directory.records.problems import Report

    path = tmp_path / "x.yaml"
    path.write_text("- first\n- Suite #200, second floor\n- '#3 quoted'\n")
    items = read_yaml(path, [], tmp_path)
    report = Report()
    assert list_of(simple(text))(items, At(str(path), 1, "rooms"), report) == \
        ["first", "Suite", "#3 quoted"]
    assert [(p.line, p.field) for p in report.warnings] == [(2, "rooms[1]")]
