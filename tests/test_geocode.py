"""Geocoding in the build, with a fake geocoder: no test ever touches the network."""

from __future__ import annotations

import pytest
import sqlite_utils
from geopy.exc import GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from directory import cli as directory_cli
from directory.build import geocode, pipeline
from directory.geo import geocoder
from directory.web.app import create_app
from tests.conftest import FROZEN_TODAY

QUAYSIDE = """\
id: quayside-clinic
name: Quayside Clinic
locations:
  - id: quayside-main
    address: {address_1: 20 Quay Street, city: Testville, state_province: IL,
              postal_code: "60607", country: US}
services:
  - id: quayside-walk-in
    name: Quayside walk-in counselling
    categories: [counselling]
    at: [quayside-main]
    last_verified: 2026-10-01
"""
QUAYSIDE_LINE = "20 Quay Street, Testville, IL 60607, US"
# The day the fake geocoder answers on: the cache dates each answer with the day it was looked up.
LOOKED_UP = FROZEN_TODAY.isoformat()
# The services.csv row without coordinates: tests/data/geocodes.csv says it was not found.
LIBRARY_LINE = "9 Maple Street, Testville, IL 60614, US"


class FakeGeocoder:
    """Answers from a dict: a (lat, lon) pair, None (not found) or an exception to raise."""

    provider = "fake"

    def __init__(self, answers: dict):
        self.answers = answers
        self.asked: list[str] = []

    def geocode(self, query: str):
        self.asked.append(query)
        answer = self.answers.get(query)
        if isinstance(answer, Exception):
            raise answer
        return None if answer is None else Location(query, answer, {"type": "house"})


@pytest.fixture(autouse=True)
def looked_up_on_the_frozen_day(monkeypatch):
    """The cache's date of a look-up is the machine's today; in tests, the frozen one."""
    monkeypatch.setattr(geocode, "today", lambda: LOOKED_UP)


@pytest.fixture
def quayside(data_dir):
    (data_dir / "organizations" / "quayside-clinic.yaml").write_text(QUAYSIDE)
    return data_dir


def location(outcome, location_id: str) -> dict:
    return sqlite_utils.Database(outcome.build / "directory.db")["locations"].get(location_id)


def problems(outcome, data_dir) -> list[str]:
    return [str(p).replace(str(data_dir), "data") for p in outcome.report.sorted()
            if "last_verified" not in p.field]


def test_cache_miss_asks_then_a_warm_cache_never_does(quayside, instance):
    fake = FakeGeocoder({QUAYSIDE_LINE: (41.8801, -87.6402), LIBRARY_LINE: (41.9219, -87.6513)})
    first = pipeline.run(quayside, instance, geocoder=fake)
    assert fake.asked == [QUAYSIDE_LINE]  # the library's miss is already cached
    assert first.geocoding.looked_up == 1
    row = location(first, "quayside-main")
    assert (row["latitude"], row["longitude"], row["precision"]) == (41.8801, -87.6402, "address")
    assert location(first, "maple-library-drop-in-location")["precision"] == "postcode"
    assert (quayside / "geocodes.csv").read_text().splitlines() == [
        "address,latitude,longitude,provider,date,precision",
        f'"{QUAYSIDE_LINE}",41.8801,-87.6402,fake,{LOOKED_UP},address',
        f'"{LIBRARY_LINE}",,,nominatim,2026-11-01,not-found']
    again = FakeGeocoder({})
    second = pipeline.run(quayside, instance, geocoder=again)
    assert again.asked == [] and second.geocoding.looked_up == 0
    assert location(second, "quayside-main")["latitude"] == 41.8801


def test_a_miss_is_cached_and_falls_back_to_the_postcode(quayside, instance):
    fake = FakeGeocoder({})
    outcome = pipeline.run(quayside, instance, geocoder=fake)
    assert problems(outcome, quayside)[0] == (
        f'data/organizations/quayside-clinic.yaml:5: warning: locations[0].address: '
        f'"{QUAYSIDE_LINE}" was not found by the geocoder (fake, {LOOKED_UP}); using the centre '
        "of 60607 from places.csv instead (shown as an approximate location). Run `directory "
        "geocode`, or add latitude and longitude to the location")
    row = location(outcome, "quayside-main")
    assert (row["latitude"], row["longitude"], row["precision"]) == (41.8745, -87.6507, "postcode")
    assert (f'"{QUAYSIDE_LINE}",,,fake,{LOOKED_UP},not-found'
            in (quayside / "geocodes.csv").read_text())
    again = FakeGeocoder({})
    pipeline.run(quayside, instance, geocoder=again)
    assert again.asked == []


def test_offline_build_never_asks_and_reports_file_line_and_address(quayside, instance):
    outcome = pipeline.run(quayside, instance)  # no geocoder: offline
    assert outcome.build is not None
    assert problems(outcome, quayside) == [
        f'data/organizations/quayside-clinic.yaml:5: warning: locations[0].address: '
        f'"{QUAYSIDE_LINE}" is not in geocodes.csv yet and this build is offline; using the '
        "centre of 60607 from places.csv instead (shown as an approximate location). Run "
        "`directory geocode`, or add latitude and longitude to the location",
        f'data/services.csv:3: warning: address: "{LIBRARY_LINE}" was not found by the '
        "geocoder (nominatim, 2026-11-01); using the centre of 60614 from places.csv instead "
        "(shown as an approximate location). Run `directory geocode`, or add latitude and "
        "longitude to the location"]
    assert QUAYSIDE_LINE not in (quayside / "geocodes.csv").read_text()


def test_no_fallback_keeps_the_location_without_a_point(quayside, instance):
    org = quayside / "organizations" / "quayside-clinic.yaml"
    org.write_text(QUAYSIDE.replace('postal_code: "60607"', 'postal_code: "60699"')
                   .replace("city: Testville", "city: Elsewhere"))
    outcome = pipeline.run(quayside, instance)
    assert any("kept without a point, so it is left out of near-me searches" in p
               for p in problems(outcome, quayside))
    row = location(outcome, "quayside-main")
    assert (row["latitude"], row["precision"]) == (None, None)


def test_strict_makes_an_unplaced_location_an_error_and_keeps_the_old_build(
        quayside, instance, rebuild):
    first = rebuild(quayside, instance).build
    (quayside / "site.yaml").write_text((quayside / "site.yaml").read_text() + "\n")
    outcome = pipeline.run(quayside, instance, strict=True)
    assert outcome.build is None
    errors = [str(p) for p in outcome.report.errors]
    assert (len(errors) == 2 and "was not found by the geocoder" in errors[1]
            and "is not in geocodes.csv yet and this build is offline" in errors[0])
    assert (instance / "current").resolve() == first.resolve()


def test_results_outside_the_region_are_rejected_with_a_warning(quayside, instance):
    fake = FakeGeocoder({QUAYSIDE_LINE: (40.7128, -74.006)})
    outcome = pipeline.run(quayside, instance, geocoder=fake)
    assert problems(outcome, quayside)[:1] == [
        f'data/organizations/quayside-clinic.yaml:5: warning: locations[0].address: '
        f'"{QUAYSIDE_LINE}" was placed by the geocoder at 40.7128, -74.006, outside the '
        "region's bounds in site.yaml, so that point was rejected; using the centre of 60607 "
        "from places.csv instead (shown as an approximate location). Run `directory geocode`, "
        "or add latitude and longitude to the location"]
    assert location(outcome, "quayside-main")["latitude"] == 41.8745


def test_a_failed_lookup_is_reported_and_not_cached(quayside, instance):
    fake = FakeGeocoder({QUAYSIDE_LINE: GeocoderUnavailable("no route to host"),
                         LIBRARY_LINE: (41.9219, -87.6513)})
    outcome = pipeline.run(quayside, instance, geocoder=fake)
    assert any(f'"{QUAYSIDE_LINE}" could not be looked up (GeocoderUnavailable: no route to '
               "host); using the centre of 60607" in p for p in problems(outcome, quayside))
    assert QUAYSIDE_LINE not in (quayside / "geocodes.csv").read_text()


def test_an_area_result_is_cached_as_place_precision_and_shown_approximate(quayside, instance):
    class AreaGeocoder(FakeGeocoder):
        def geocode(self, query):
            found = super().geocode(query)
            return found and Location(query, found.point, {"type": "postcode"})

    outcome = pipeline.run(quayside, instance, geocoder=AreaGeocoder(
        {QUAYSIDE_LINE: (41.8801, -87.6402), LIBRARY_LINE: (41.9219, -87.6513)}))
    assert location(outcome, "quayside-main")["precision"] == "place"


@pytest.mark.parametrize(("settings", "message"), [
    ("{provider: nominatimm, user_agent: x}",
     'data/site.yaml:15: geocoder.provider: "nominatimm" is not a geocoder geopy knows; '
     'did you mean "nominatim"?'),
    ("{provider: nominatim}",
     "data/site.yaml:15: geocoder.user_agent: is missing; geopy's Nominatim needs it "
     "(e.g. user_agent: my-directory)"),
    ("{provider: opencage}",
     "data/site.yaml:15: geocoder.api_key: is missing; geopy's OpenCage needs it "
     "(e.g. api_key: ...)"),
    ("{provider: nominatim, user_agent: x, timout: 5}",
     "data/site.yaml:15: geocoder.timout: is not an option of geopy's Nominatim; "
     'did you mean "timeout"?'),
    ("{provider: nominatim, user_agent: x, min_delay_seconds: soon}",
     'data/site.yaml:15: geocoder.min_delay_seconds: "soon" is not a number of seconds '
     "(expected 0 to 60, e.g. 1)"),
    ("nominatim",
     'data/site.yaml:15: geocoder: "nominatim" is not a mapping (expected e.g. '
     "{provider: nominatim, user_agent: my-directory})"),
])
def test_bad_geocoder_settings_name_the_line_and_the_fix(data_dir, settings, message):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace(
        "geocoder: {provider: nominatim, user_agent: directory-tests}", f"geocoder: {settings}"))
    _, report, _ = pipeline.check(data_dir)
    assert [str(p).replace(str(data_dir), "data") for p in report.errors] == [message]


def test_connect_rate_limits_the_provider_from_site_yaml():
    connected = geocoder.connect({"provider": "nominatim", "user_agent": "directory-tests",
                                 "min_delay_seconds": 1.0})
    assert connected.provider == "nominatim"
    assert isinstance(connected.geocode, RateLimiter)
    assert connected.geocode.min_delay_seconds == 1.0
    assert connected.geocode.func.__self__.headers["User-Agent"] == "directory-tests"


def test_bad_cache_rows_are_errors_with_their_line(quayside, instance):
    (quayside / "geocodes.csv").write_text(
        "address,latitude,longitude,provider,date,precision\n"
        f'"{QUAYSIDE_LINE}",north,-87.64,fake,2026-11-01,address\n'
        f'"{LIBRARY_LINE}",41.92,-87.65,fake,2026-11-01,exact\n')
    outcome = pipeline.run(quayside, instance)
    assert outcome.build is None
    assert [str(p).replace(str(quayside), "data") for p in outcome.report.errors] == [
        'data/geocodes.csv:2: latitude: "north" is not a latitude (expected a number from '
        "-90 to 90)",
        'data/geocodes.csv:3: precision: "exact" is not a precision (expected one of: '
        "address, place, not-found)"]


def test_a_hand_corrected_cache_row_wins(quayside, instance):
    (quayside / "geocodes.csv").write_text(
        "address,latitude,longitude,provider,date,precision\n"
        f'"{QUAYSIDE_LINE.upper()}",41.8811,-87.6411,manual,2026-11-01,address\n')
    outcome = pipeline.run(quayside, instance)
    assert location(outcome, "quayside-main")["latitude"] == 41.8811


def run_cli(instance, *args):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    return app.test_cli_runner().invoke(directory_cli.group(), args=list(args))


def test_geocode_command_fills_the_cache_with_plain_progress_lines(quayside, instance, monkeypatch):
    fake = FakeGeocoder({QUAYSIDE_LINE: (41.8801, -87.6402), LIBRARY_LINE: (41.9219, -87.6513)})
    monkeypatch.setattr(geocoder, "connect", lambda settings: fake)
    result = run_cli(instance, "geocode", str(quayside))
    assert result.exit_code == 0, result.output
    assert "geocoding 1 address not in geocodes.csv yet" in result.output
    assert "geocoding: 1/1 (100%)" in result.output
    assert ("looked up 1 address; of the locations without coordinates, 1 placed from "
            "geocodes.csv, 1 approximate (postcode or city centre), 0 without a point"
            ) in result.output
    assert not (instance / "current").exists()  # nothing was built
    assert QUAYSIDE_LINE in (quayside / "geocodes.csv").read_text()


def test_build_offline_never_connects(quayside, instance, monkeypatch):
    def refuse(settings):
        raise AssertionError("an offline build connected to a geocoder")

    monkeypatch.setattr(geocoder, "connect", refuse)
    result = run_cli(instance, "build", "--offline", str(quayside))
    assert result.exit_code == 0
    assert "is not in geocodes.csv yet and this build is offline" in result.output
    strict = run_cli(instance, "build", "--offline", "--strict", str(quayside))
    assert strict.exit_code == 1 and "build failed: 2 errors" in strict.output


def test_help_shows_an_example(instance):
    result = run_cli(instance, "geocode", "--help")
    assert result.exit_code == 0 and "Example" in result.output


MANY = """\
id: many-places
name: Many Places
locations:
""" + "".join(f"""  - id: place-{n}
    address: {{address_1: {n} Harbour Road, city: Testville, state_province: IL,
              postal_code: "60607", country: US}}
""" for n in range(1, 7)) + """services:
  - id: many-places-service
    name: A service in many places
    categories: [counselling]
    at: [place-1]
    last_verified: 2026-10-01
"""


class StoppedGeocoder(FakeGeocoder):
    """Answers every address, until Ctrl-C arrives during lookup number ``stop_at``."""

    def __init__(self, stop_at: int | None = None):
        super().__init__({})
        self.stop_at = stop_at

    def geocode(self, query: str):
        self.asked.append(query)
        if len(self.asked) == self.stop_at:
            raise KeyboardInterrupt
        return Location(query, (41.88, -87.64), {"type": "house"})


def test_geocode_stopped_midway_keeps_every_answer_so_far(data_dir):
    import csv

    (data_dir / "organizations" / "many-places.yaml").write_text(MANY)
    stopped = StoppedGeocoder(stop_at=5)
    with pytest.raises(KeyboardInterrupt):
        pipeline.geocode_only(data_dir, stopped)
    with (data_dir / "geocodes.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))  # whole rows only: each save replaced the file
    saved = {row["address"] for row in rows if row["provider"] == "fake"}
    assert saved == set(stopped.asked[:4])
    rerun = StoppedGeocoder()
    outcome = pipeline.geocode_only(data_dir, rerun)
    assert not outcome.report.errors
    assert len(rerun.asked) == 2 and not set(rerun.asked) & saved  # only what was missing
