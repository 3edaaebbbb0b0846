"""The gazetteer: places.csv checked with file:line, typed places resolved offline."""

from __future__ import annotations

import pytest

from directory.build.pipeline import check
from directory.geo.places import Gazetteer, Place, key
from tests.conftest import FIXTURE_DAY

PLACES = [
    Place("Testville", "city", 41.88, -87.63, ("Test City",)),
    Place("Harbourside", "neighbourhood", 41.883, -87.648, ("Harbour", "The Quays")),
    Place("Northside", "neighbourhood", 41.97, -87.66, ("North End",)),
    Place("Southside", "neighbourhood", 41.78, -87.60),
    Place("Lincoln Park", "neighbourhood", 41.9214, -87.6513),
    Place("Lincoln Square", "neighbourhood", 41.968, -87.689),
    Place("60607", "postcode", 41.8745, -87.6507),
    Place("Quay Street Station", "landmark", 41.881, -87.646),
]


@pytest.fixture
def gazetteer():
    return Gazetteer(PLACES)


@pytest.mark.parametrize(("typed", "found"), [
    ("Harbourside", "Harbourside"), ("harbour side", "Harbourside"), ("HARBOURSIDE", "Harbourside"),
    ("the quays", "Harbourside"), ("Test City", "Testville"), ("60607", "60607"),
    ("60607-1234", "60607"), ("north", "Northside"), ("lin sq", "Lincoln Square"),
    ("Quay Station", "Quay Street Station"), ("quay street", "Quay Street Station"),
])
def test_lookup_finds_names_aliases_and_unique_beginnings(gazetteer, typed, found):
    result = gazetteer.lookup(typed)
    assert (result.place.name if result.place else None) == found


@pytest.mark.parametrize(("typed", "suggested"), [
    ("Lincoln", ["Lincoln Park", "Lincoln Square"]),  # ambiguous: both begin so
    ("Sothside", ["Southside"]),  # a typo
    ("Narthside", ["Northside"]),
    ("zzzz", []),
])
def test_unknown_or_ambiguous_places_come_with_suggestions(gazetteer, typed, suggested):
    result = gazetteer.lookup(typed)
    assert result.place is None
    assert [p.name for p in result.suggestions] == suggested


def test_areas_around_a_point_are_the_nearest_of_each_kind(gazetteer):
    assert gazetteer.areas_around(PLACES[1].point) == ["60607", "Harbourside", "Testville"]
    # Far from every neighbourhood and postcode centre: only the city is in reach.
    assert gazetteer.areas_around(Place("x", "city", 41.70, -87.80).point) == ["Testville"]


def test_address_fallback_prefers_the_postcode_then_the_city(gazetteer):
    assert gazetteer.for_address({"postal_code": "60607", "city": "Testville"}) == (
        PLACES[6], "postcode")
    assert gazetteer.for_address({"postal_code": "60699", "city": "test city"}) == (
        PLACES[0], "city")
    assert gazetteer.for_address({"postal_code": "60699", "city": "Elsewhere"}) is None


def test_key_folds_case_spaces_and_accents():
    assert key("Pilsén") == key("pilsen") == "pilsen"
    assert key("Lake View") == key("lakeview")


def messages(data_dir, errors_only=True) -> list[str]:
    """The problems, checked on the fixture's day: later on, its listings are stale too."""
    _, report, _ = check(data_dir, FIXTURE_DAY)
    return [str(p).replace(str(data_dir), "data") for p in report.sorted()
            if p.is_error or not errors_only]


def add_places(data_dir, *rows: str) -> None:
    path = data_dir / "places.csv"
    path.write_text(path.read_text() + "".join(row + "\n" for row in rows))


def test_fixture_places_are_valid(data_dir):
    assert messages(data_dir, errors_only=False) == []


def test_each_places_mistake_names_its_line_and_column(data_dir):
    add_places(data_dir,
               "Eastside,neighborhood,41.88,-87.6,",  # line 15
               "Westside,neighbourhood,north,-87.7,",
               "6060,postcode,41.9,-87.6,",
               "Harbour Point,landmark,41.88,-87.64,The Quays",
               ",city,41.9,-87.6,",
               "Faraway,city,40.71,-74.0,")
    assert messages(data_dir, errors_only=False) == [
        'data/places.csv:15: kind: "neighborhood" is not a kind of place (expected one of: '
        'city, neighbourhood, postcode, landmark); did you mean "neighbourhood"?',
        'data/places.csv:16: latitude: "north" is not a latitude (expected a number from '
        "-90 to 90)",
        'data/places.csv:17: name: "6060" is not a postal code for US (expected e.g. 12345 '
        "or 12345-6789)",
        'data/places.csv:18: aliases: "The Quays" already names Harbourside at line 3; a name '
        "or alias may belong to one place only",
        "data/places.csv:19: name: is missing; every place needs one",
        "data/places.csv:20: warning: latitude: Faraway (40.71, -74.0) is outside the region's "
        "bounds in site.yaml; check the numbers (latitude first)",
    ]


def test_an_unknown_column_is_an_error(data_dir):
    path = data_dir / "places.csv"
    path.write_text(path.read_text().replace("aliases", "alias", 1))
    assert messages(data_dir) == [
        'data/places.csv:1: alias: is not a known column; did you mean "aliases"?']


@pytest.mark.parametrize(("areas", "expected"), [
    ('[region, Northside, north end, "60640"]', []),
    ("[Nortside]", ['data/organizations/northside-warmline.yaml:16: '
                    'services[0].service_area[0]: "Nortside" is not a place in places.csv; '
                    'did you mean "Northside"?']),
    ("[Quay Street Station]", ['data/organizations/northside-warmline.yaml:16: '
                               'services[0].service_area[0]: "Quay Street Station" is a '
                               "landmark in places.csv; a service area is region, a city, a "
                               "neighbourhood or a postcode"]),
])
def test_service_area_names_places_in_the_gazetteer(data_dir, areas, expected):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace('service_area: [Northside, "60640"]',
                                           f"service_area: {areas}"))
    assert messages(data_dir) == expected


def test_service_area_is_a_column_in_the_sheet(data_dir):
    path = data_dir / "services.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",service_area"
    lines[1] += ",,,Northside;Sothside"  # after the empty closed and special cells
    lines[2] += ","
    path.write_text("\n".join(lines) + "\n")
    assert messages(data_dir) == [
        'data/services.csv:2: service_area[1]: "Sothside" is not a place in places.csv; '
        'did you mean "Southside"?']
