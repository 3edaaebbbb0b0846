"""A reviewer's checks across the catalogue: each gives one exact message, at the right level."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from directory.build.pipeline import check
from tests.conftest import FIXTURE_DAY
from tests.samples import ORG as VALID_ORG
from tests.samples import write_org as write

# Most of these checks are not about dates: they look at the fixture data on the day it is
# written for, when nothing in it is stale. The date checks move with today.
pytestmark = pytest.mark.on_fixture_day

# test_validate's valid sample, with an organization-wide phone line for the phone checks.
ORG = VALID_ORG.replace("name: Sample Org\n", "name: Sample Org\n"
                        'phones: [{number: "+1 312 555 0190", type: voice}]\n')
FILE = "data/organizations/sample-org.yaml"
DAY = dt.timedelta(days=1)


def problems(data_dir: Path, today: dt.date = FIXTURE_DAY, about: str = "") -> list[str]:
    """Every problem on ``today`` (only those in files whose name starts with ``about``)."""
    _, report, _ = check(data_dir, today)
    found = [str(p).replace(str(data_dir), "data") for p in report.sorted()]
    return [line for line in found if line.startswith(about)]


def verified_on(day: dt.date | str) -> str:
    """The sample, last verified on ``day``."""
    return ORG.replace("last_verified: 2026-10-01", f"last_verified: {day}")


def test_the_sample_has_no_problems(data_dir):
    write(data_dir, ORG)
    assert problems(data_dir) == []


@pytest.mark.moves_with_today
def test_last_verified_in_the_future_is_an_error(data_dir, frozen_today):
    tomorrow = frozen_today + DAY
    write(data_dir, verified_on(tomorrow))
    assert problems(data_dir, frozen_today, about=FILE) == [
        f"{FILE}:15: services[0].last_verified: {tomorrow} is in the future; "
        "use the date it was checked"]


@pytest.mark.moves_with_today
def test_today_is_not_the_future(data_dir, frozen_today):
    write(data_dir, verified_on(frozen_today))
    assert problems(data_dir, frozen_today, about=FILE) == []


@pytest.mark.moves_with_today
@pytest.mark.parametrize("days", [180, 181])
def test_stale_verification_is_a_warning_after_the_threshold(data_dir, frozen_today, days):
    verified = frozen_today - days * DAY  # on 2026-11-24: 2026-05-28, 2026-05-27
    write(data_dir, verified_on(verified))
    expected = [] if days == 180 else [  # exactly stale_after_days (180) ago: still fresh
        f"{FILE}:15: warning: services[0].last_verified: {verified} is 181 days ago, more than "
        "stale_after_days (180) in site.yaml; check the listing with the service, then update "
        "the date"]
    assert problems(data_dir, frozen_today, about=FILE) == expected


@pytest.mark.moves_with_today
def test_inactive_services_are_not_stale(data_dir, frozen_today):
    write(data_dir, verified_on("2024-01-01\n    status: inactive"))
    assert problems(data_dir, frozen_today, about=FILE) == []


@pytest.mark.moves_with_today
def test_csv_rows_are_checked_too(data_dir, frozen_today):
    tomorrow = frozen_today + DAY
    path = data_dir / "services.csv"
    path.write_text(path.read_text().replace("2026-10-10", tomorrow.isoformat())
                    .replace("2026-06-30", ""))
    assert problems(data_dir, frozen_today, about="data/services.csv") == [
        "data/services.csv:2: warning: last_verified: is missing; add the date someone last "
        "checked this service (e.g. last_verified: 2026-10-01)",
        f"data/services.csv:3: last_verified: {tomorrow} is in the future; "
        "use the date it was checked"]


def test_possible_but_invalid_phone_number_is_a_warning(data_dir):
    write(data_dir, ORG.replace('"+1 312 555 0150"', '"+1 555 0100"'))
    assert problems(data_dir) == [
        f'{FILE}:14: warning: services[0].phones[0].number: "+1 555 0100" has the right '
        "length but is not a valid US number (no such area code or exchange); check the digits"]


def test_crisis_line_numbers_are_checked_once(data_dir):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace('{number: "988", type: text',
                                             '{number: "98", type: text'))
    assert problems(data_dir) == [
        'data/site.yaml:20: crisis_lines[0].phones[1].number: "98" is not a phone number '
        "(expected e.g. +1 555 0100)"]


def test_impossible_phone_number_stays_an_error(data_dir):
    write(data_dir, ORG.replace('"+1 312 555 0150"', '"+1 312 555"'))
    assert problems(data_dir) == [
        f'{FILE}:14: services[0].phones[0].number: "+1 312 555" is not a phone number '
        "(expected e.g. +1 555 0100)"]


@pytest.mark.parametrize(("latitude", "longitude", "hint"), [
    ("41.50", "-87.64", ""),
    ("-87.64", "41.88", "; latitude and longitude look swapped"),
    ("41.88", "87.64", "; the longitude's sign looks wrong (west of Greenwich is negative)"),
])
def test_coordinates_outside_the_region_are_a_warning(data_dir, latitude, longitude, hint):
    write(data_dir, ORG.replace("latitude: 41.88", f"latitude: {latitude}")
          .replace("longitude: -87.64", f"longitude: {longitude}"))
    assert problems(data_dir) == [
        f"{FILE}:7: warning: locations[0].latitude: {float(latitude):g}, {float(longitude):g} "
        "is outside the region's bounds in site.yaml (south 41.64, west -87.94, north 42.03, "
        f"east -87.52){hint}; check the coordinates"]


def test_broken_bounds_are_reported_once(data_dir):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("south: 41.64", "south: far"))
    assert problems(data_dir) == [
        'data/site.yaml:10: bounds.south: "far" is not a latitude (expected a number from -90 '
        "to 90)"]


def test_same_name_at_the_same_address_in_another_file_is_an_error(data_dir):
    write(data_dir, ORG.replace("Sample counselling", "Youth Drop-in Counselling")
          .replace("1 Main St", "12 Quay Street"))
    assert problems(data_dir) == [
        f'{FILE}:11: services[0].name: "Youth Drop-in Counselling" at 12 Quay Street, Testville '
        'is already listed as "harbour-youth-drop-in" '
        "(data/organizations/harbour-youth-trust.yaml:17); remove the duplicate, or give each "
        "a name that tells them apart"]


def test_same_name_at_another_address_is_fine(data_dir):
    write(data_dir, ORG.replace("Sample counselling", "Youth drop-in counselling"))
    assert problems(data_dir) == []


def test_a_csv_row_duplicating_a_yaml_service_is_an_error(data_dir):
    path = data_dir / "services.csv"
    path.write_text(path.read_text().replace("Couples counseling", "Individual counseling"))
    assert problems(data_dir) == [
        'data/services.csv:2: name: "Individual counseling" at 400 River Road, Testville is '
        'already listed as "riverside-therapy" '
        "(data/organizations/riverside-counseling-center.yaml:11); remove the duplicate, or "
        "give each a name that tells them apart"]


def test_a_phone_listed_by_another_organization_is_a_warning(data_dir):
    write(data_dir, ORG.replace('"+1 312 555 0150"', '"(312) 555-0110"'))
    assert problems(data_dir) == [
        f'{FILE}:14: warning: services[0].phones[0].number: "(312) 555-0110" is also listed by '
        "Riverside Counseling Center (data/organizations/riverside-counseling-center.yaml:16); "
        "if the line is not shared, check which listing has the right number"]


def test_one_organization_may_share_its_number_between_services(data_dir):
    write(data_dir, ORG.replace('"+1 312 555 0150"', '"+1 312 555 0190"'))
    assert problems(data_dir) == []


def test_a_retired_id_cannot_be_reused(data_dir):
    write(data_dir, ORG.replace("id: sample-service", "id: harbour-summer-camp-2024")
          .replace("id: sample-place", "id: harbour-annex")
          .replace("at: [sample-place]", "at: [harbour-annex]"))
    assert problems(data_dir) == [
        f'{FILE}:5: locations[0].id: "harbour-annex" was retired on 2026-02-01 '
        "(data/retired.yaml:8); old links and printed referral sheets still point at it, so "
        "choose a new id",
        f'{FILE}:10: services[0].id: "harbour-summer-camp-2024" was retired on 2025-09-01 '
        "(data/retired.yaml:3); old links and printed referral sheets still point at it, so "
        "choose a new id"]


def test_retired_file_is_checked(data_dir):
    (data_dir / "retired.yaml").write_text("services:\n  - id: gone\n  - {id: Old One}\n"
                                           "places: []\n")
    assert problems(data_dir) == [
        'data/retired.yaml:2: services[0].retired: is missing; every retired id needs one',
        'data/retired.yaml:3: services[1].id: "Old One" is not an id (expected lowercase '
        "letters, digits and dashes, e.g. harbour-youth-drop-in)",
        "data/retired.yaml:3: services[1].retired: is missing; every retired id needs one",
        'data/retired.yaml:4: places: is not a known field; allowed here: organizations, '
        "locations, services"]


def test_link_patterns_accept_only_their_placeholders(data_dir):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("#L{line}", "#L{row}"))
    assert problems(data_dir) == [
        'data/site.yaml:13: edit_url: "{row}" is not a placeholder here (use {path}, {line})']


def test_listings_remember_their_path_inside_the_repository(data_dir):
    catalogue, _, _ = check(data_dir, FIXTURE_DAY)
    paths = {s["id"]: (s.repository_path, s.line) for s in catalogue.services}
    assert paths["harbour-youth-drop-in"] == ("data/organizations/harbour-youth-trust.yaml", 16)
    assert paths["maple-library-drop-in"] == ("data/services.csv", 3)
