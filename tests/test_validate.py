"""Each kind of data mistake gives one exact message: file, line, field, value, expected form."""

from __future__ import annotations

import pytest

from directory.build.pipeline import check
from tests.conftest import FROZEN_TODAY
from tests.samples import ORG, messages, write_org


def test_fixture_data_is_valid(data_dir):
    catalogue, report, _ = check(data_dir, FROZEN_TODAY)
    assert report.errors == []
    assert catalogue.counts() == {"organizations": 4, "services": 8, "locations": 3,
                                  "categories": 6}


def test_sample_org_is_valid(data_dir):
    write_org(data_dir, ORG)
    assert messages(data_dir) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('"+1 312 555 0150"', '"12"',
     'data/organizations/sample-org.yaml:13: services[0].phones[0].number: '
     '"12" is not a phone number (expected e.g. +1 555 0100)'),
    ("type: voice", "type: pager",
     'data/organizations/sample-org.yaml:13: services[0].phones[0].type: "pager" is not a '
     "phone type (expected one of: voice, text, fax, textphone, video)"),
    ("categories: [counselling]", "categories: [counseling]",
     'data/organizations/sample-org.yaml:11: services[0].categories[0]: "counseling" is not a '
     "category id (expected one of: counselling, crisis-hotline, drop-in, peer-support, "
     'support-group, grief-support); did you mean "counselling"?'),
    ("at: [sample-place]", "at: [sample-plaice]",
     'data/organizations/sample-org.yaml:12: services[0].at[0]: "sample-plaice" is not a '
     'location id; did you mean "sample-place"?'),
    ("last_verified: 2026-10-01", "last_verified: 1st October",
     'data/organizations/sample-org.yaml:14: services[0].last_verified: "1st October" is not a '
     "date (expected YYYY-MM-DD, e.g. 2026-10-01)"),
    ("latitude: 41.88", "latitude: 141.88",
     "data/organizations/sample-org.yaml:6: locations[0].latitude: 141.88 is not a latitude "
     "(expected a number from -90 to 90)"),
    ('postal_code: "60607"', 'postal_code: "6060"',
     'data/organizations/sample-org.yaml:5: locations[0].address.postal_code: "6060" is not a '
     "postal code for US (expected e.g. 12345 or 12345-6789)"),
    ("    name: Sample counselling", "    nmae: Sample counselling",
     'data/organizations/sample-org.yaml:10: services[0].nmae: is not a known field; '
     'did you mean "name"?'),
    ("id: sample-service", "id: Sample Service",
     'data/organizations/sample-org.yaml:9: services[0].id: "Sample Service" is not an id '
     "(expected lowercase letters, digits and dashes, e.g. harbour-youth-drop-in)"),
    ("name: Sample Org\n", "",
     "data/organizations/sample-org.yaml:1: name: is missing; every organization needs one"),
])
def test_each_mistake_has_an_exact_message(data_dir, old, new, expected):
    assert old in ORG
    write_org(data_dir, ORG.replace(old, new))
    assert messages(data_dir) == [expected]


def test_every_problem_is_reported_at_once(data_dir):
    broken = (ORG.replace('"+1 312 555 0150"', '"12"').replace("[counselling]", "[nope]")
              .replace("latitude: 41.88", "latitude: north"))
    write_org(data_dir, broken)
    found = messages(data_dir)
    assert len(found) == 3
    assert [m.split(": ")[1] for m in found] == [
        "locations[0].latitude", "services[0].categories[0]", "services[0].phones[0].number"]


def test_ages_values_and_emails(data_dir):
    extra = ("    minimum_age: 30\n    maximum_age: 12\n    email: not-an-email\n"
             "    url: example.org\n    cost: cheap\n")
    write_org(data_dir, ORG + extra)
    assert messages(data_dir) == [
        'data/organizations/sample-org.yaml:16: services[0].maximum_age: 12 is below '
        "minimum_age 30; swap them or fix one",
        'data/organizations/sample-org.yaml:17: services[0].email: "not-an-email" is not an '
        "email address (expected e.g. help@example.org)",
        'data/organizations/sample-org.yaml:18: services[0].url: "example.org" is not a web '
        "address (expected e.g. https://example.org/page)",
        'data/organizations/sample-org.yaml:19: services[0].cost: "cheap" is not a cost '
        "(expected one of: free, sliding-scale, paid)",
    ]


def test_ids_are_unique_across_files(data_dir):
    write_org(data_dir, ORG.replace("sample-service", "harbour-youth-drop-in"))
    found = messages(data_dir)
    assert len(found) == 1
    assert found[0].startswith("data/organizations/sample-org.yaml:9: id: "
                               '"harbour-youth-drop-in" is already used by another service at '
                               "data/organizations/harbour-youth-trust.yaml:")


def test_file_name_must_match_id(data_dir):
    write_org(data_dir, ORG, name="other-name")
    assert messages(data_dir) == [
        'data/organizations/other-name.yaml:1: id: "sample-org" does not match the file name '
        "other-name.yaml; rename the file or change the id so they agree"]


def test_duplicate_key_and_yaml_gotchas(data_dir):
    write_org(data_dir, ORG.replace("name: Sample Org\n", "name: Sample Org\nname: Again\n")
              .replace("categories: [counselling]",
                       "categories: [counselling]\n    languages: [no]"))
    assert messages(data_dir) == [
        "data/organizations/sample-org.yaml:3: name: appears twice in the same block; keep one",
        "data/organizations/sample-org.yaml:13: services[0].languages[0]: false (YAML reads "
        "yes/no/on/off as true/false; quote it) is not a language code (expected an ISO 639-1 "
        "code such as en, es, zh)",
    ]


def test_not_a_mapping_and_empty_file(data_dir):
    write_org(data_dir, "- just\n- a list\n")
    write_org(data_dir, "", name="empty-org")
    assert messages(data_dir) == [
        "data/organizations/empty-org.yaml:1: is empty; remove it or add an organization",
        "data/organizations/sample-org.yaml:1: a list is not an organization "
        "(expected fields such as id, name, alternate_name)",
    ]


def test_warnings_do_not_fail(data_dir):
    write_org(data_dir, ORG.replace("    last_verified: 2026-10-01\n", ""))
    assert messages(data_dir) == []
    assert messages(data_dir, errors_only=False) == [
        "data/organizations/sample-org.yaml:9: warning: services[0].last_verified: is missing; "
        "add the date someone last checked this service (e.g. last_verified: 2026-10-01)"]


def test_csv_errors_name_the_column(data_dir):
    path = data_dir / "services.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("+1 312 555 0112", "call us").replace(",paid,", ",cheap,")
    lines.append(lines[2].replace("maple-library-drop-in", "ghost").replace(
        "maple-library,Maple Street Library", "ghost-org,"))
    path.write_text("\n".join(lines) + "\n")
    assert messages(data_dir) == [
        'data/services.csv:2: phone.number: "call us" is not a phone number '
        "(expected e.g. +1 555 0100)",
        'data/services.csv:2: cost: "cheap" is not a cost (expected one of: free, '
        "sliding-scale, paid)",
        'data/services.csv:4: organization: "ghost-org" is not an organization in '
        "organizations/; use an existing id or fill organization_name to add a new one",
    ]


def test_taxonomy_parent_must_exist(data_dir):
    path = data_dir / "taxonomy.yaml"
    path.write_text(path.read_text().replace("parent: support-group", "parent: support-groups"))
    assert messages(data_dir) == [
        'data/taxonomy.yaml:31: categories[5].parent: "support-groups" is not a category id in '
        "this file"]


def test_a_three_letter_country_is_a_message_not_a_crash(data_dir):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("country: US", "country: USA"))
    assert messages(data_dir) == [
        'data/site.yaml:5: country: "USA" is not a country code (expected two letters, e.g. US)']
