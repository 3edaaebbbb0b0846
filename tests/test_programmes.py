"""Sessions and volunteer roles in the data files: each mistake one message with file, line
and field; dates all past a warning; an end before a start an error."""

from __future__ import annotations

import shutil

import pytest

from directory.build.pipeline import check
from directory.review import diff
from tests.conftest import FIXTURE_DATA, FROZEN_TODAY
from tests.test_validate import ORG, messages, write_org

SESSION = ORG + """\
    sessions:
      - title: Winter workshop
        date: 2026-12-10
        time: "18:00-20:00"
        repeat: weekly
        count: 3
        registration: {phone: "+1 312 555 0151", url: "https://sample.example.org/book"}
volunteer:
  - id: sample-helper
    name: Drop-in helper
    description: Welcome people and make tea.
    commitment: Two hours a week.
    at: [sample-place]
    contact: {email: help@sample.example.org}
"""
FILE = "data/organizations/sample-org.yaml"


def test_sessions_and_roles_are_valid(data_dir):
    write_org(data_dir, SESSION)
    assert messages(data_dir, errors_only=False) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('time: "18:00-20:00"', 'time: "20:00-18:00"',
     f'{FILE}:18: services[0].sessions[0].time: "20:00-18:00" ends before it starts; write '
     "the end after the start (a session that runs past midnight ends at 24:00)"),
    ('time: "18:00-20:00"', 'time: "6pm"',
     f'{FILE}:18: services[0].sessions[0].time: "6pm" is not a start and an end (expected a '
     'start and an end such as "18:00-20:00")'),
    ("date: 2026-12-10", "date: 10 December",
     f'{FILE}:17: services[0].sessions[0].date: "10 December" is not a date (expected '
     "YYYY-MM-DD, e.g. 2026-10-01)"),
    ("count: 3", "until: 2026-12-01",
     f"{FILE}:20: services[0].sessions[0].until: 2026-12-01 is before the first date "
     "2026-12-10; the series would end before it starts"),
    ("count: 3", "count: 3\n        until: 2027-01-10",
     f"{FILE}:20: services[0].sessions[0].count: give until or count, not both (RFC 5545 "
     "allows one)"),
    ("        repeat: weekly\n", "",
     f"{FILE}:19: services[0].sessions[0].count: only applies to a series; add repeat: weekly "
     "or repeat: monthly, or remove it for a one-off session"),
    ("repeat: weekly", "repeat: fortnightly",
     f'{FILE}:19: services[0].sessions[0].repeat: "fortnightly" is not a repeat (expected one '
     "of: weekly, monthly)"),
    ('        time: "18:00-20:00"\n', "",
     f"{FILE}:16: services[0].sessions[0].time: is missing; every session needs one"),
    ("        count: 3\n", "        count: 3\n        at: sample-plaice\n",
     f'{FILE}:21: services[0].sessions[0].at: "sample-plaice" is not a location id; did you '
     'mean "sample-place"?'),
    ('url: "https://sample.example.org/book"', 'link: "https://sample.example.org/book"',
     f'{FILE}:21: services[0].sessions[0].registration.link: is not a known field; allowed here: '
     "url, phone, email, description"),
    ("    at: [sample-place]\n    contact", "    at: [elsewhere]\n    contact",
     f'{FILE}:27: volunteer[0].at[0]: "elsewhere" is not a location id; list the location '
     "under locations:"),
    ("contact: {email: help@sample.example.org}", "contact: {name: Sam}",
     f"{FILE}:28: volunteer[0].contact: needs an email, phone or url, so people who want to "
     "help can reach someone"),
    ("    description: Welcome people and make tea.\n", "",
     f"{FILE}:23: volunteer[0].description: is missing; every volunteer role needs one"),
    ("    commitment: Two hours a week.", "    hours_needed: Two hours a week.",
     f"{FILE}:26: volunteer[0].hours_needed: is not a known field; allowed here: id, name, "
     "kind, description, commitment, training, requirements, categories, at, languages, "
     "contact"),
    ("name: Drop-in helper", "name: Drop-in helper\n    kind: mentor",
     f'{FILE}:25: volunteer[0].kind: "mentor" is not a kind of role (expected one of: '
     "volunteer, peer-training)"),
])
def test_each_mistake_has_one_message(data_dir, old, new, expected):
    assert old in SESSION, old
    write_org(data_dir, SESSION.replace(old, new))
    assert messages(data_dir) == [expected]


def test_a_session_whose_dates_are_all_past_is_a_warning(data_dir):
    write_org(data_dir, SESSION.replace("date: 2026-12-10", "date: 2026-10-01"))
    assert messages(data_dir) == []
    assert messages(data_dir, errors_only=False) == [
        f"{FILE}:17: warning: services[0].sessions[0].date: every date of this session is "
        "past (the last was 2026-10-15); remove it or give its new dates"]


def test_an_ongoing_series_is_never_past(data_dir):
    write_org(data_dir, SESSION.replace("date: 2026-12-10", "date: 2025-01-04")
              .replace("repeat: weekly\n        count: 3", "repeat: monthly"))
    assert messages(data_dir, errors_only=False) == []


def test_a_role_id_used_twice(data_dir):
    write_org(data_dir, SESSION)
    other = SESSION.replace("sample-org", "other-org").replace("sample-place", "other-place") \
        .replace("sample-service", "other-service").replace("Sample Org", "Other Org") \
        .replace("Sample counselling", "Other counselling").replace("0150", "0152") \
        .replace("0151", "0153").replace("1 Main St", "2 Main St")
    write_org(data_dir, other.replace("other-place]\n    contact", "sample-place]\n    contact"),
              "other-org")
    assert messages(data_dir) == [
        'data/organizations/sample-org.yaml:23: volunteer[0].id: "sample-helper" is already '
        "used by the role at data/organizations/other-org.yaml:23; role ids must be unique"]


def test_diff_names_the_session_and_the_role_that_changed(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURE_DATA, old)
    shutil.copytree(FIXTURE_DATA, new)
    org = new / "organizations" / "harbour-youth-trust.yaml"
    org.write_text(org.read_text().replace('time: "18:00-20:00"', 'time: "18:30-20:00"')
                   .replace("name: Peer mentor training", "name: Peer mentoring course"))
    (before, _, _), (after, _, _) = check(old, FROZEN_TODAY), check(new, FROZEN_TODAY)
    report = diff.to_text(diff.compare(before, after), "old", "new")
    assert ("Parents' evening circle (harbour-parent-group): session \"Talking with teens "
            "about stress\": time 18:00-20:00 → 18:30-20:00") in report
    assert ('Harbour Youth Trust (harbour-youth-trust): volunteer role "Peer mentoring '
            'course": name Peer mentor training → Peer mentoring course') in report
