"""The importer's cleaners one value at a time: what a messy export's cell becomes, and the report
line that says so. Hours are never invented from text only half understood."""

from __future__ import annotations

import pytest

from directory.hsds import cleaning, hours_text, schedules
from directory.hsds.notes import ImportReport
from directory.hsds.tables import Row
from directory.hsds.taxonomy_map import MapError, load_map, top_level


@pytest.fixture
def place():
    return cleaning.Place(ImportReport(), "services.csv", 7)


def said(place) -> list[str]:
    return [f"{line.kind}: {line.message}" for line in place.report.lines]


@pytest.mark.parametrize("written, minutes", [
    ("9:00am", 540), ("9am", 540), ("4:00 PM", 960), ("08:00", 480), ("08:00:00", 480),
    ("0900", 540), ("12am", 0), ("12pm", 720), ("noon", 720), ("9 a.m.", 540),
])
def test_times_as_exports_write_them(written, minutes):
    assert hours_text.clock(written) == minutes


@pytest.mark.parametrize("written", ["25:00", "13pm", "soon", "", "9:75"])
def test_what_is_not_a_time(written):
    assert hours_text.clock(written) is None


@pytest.mark.parametrize("written, day", [
    ("1", 0), ("7", 6), ("0", 6), ("Monday", 0), ("Tues", 1), ("THURS", 3), ("SA", 5),
    ("sun.", 6), ("8", None), ("Funday", None),
])
def test_weekdays_as_names_codes_or_iso_numbers(written, day):
    assert hours_text.weekday(written) == day


@pytest.mark.parametrize("text, hours", [
    ("8:00am-5:00pm, Mon-Fri", "Mo-Fr 08:00-17:00"),
    ("Mon-Fri 9am-5pm; Sat 10am-2pm", "Mo-Fr 09:00-17:00; Sa 10:00-14:00"),
    ("Monday - Friday: 9:00 AM - 5:00 PM", "Mo-Fr 09:00-17:00"),
    ("Mon, Wed, Fri 10-2", "Mo,We,Fr 10:00-14:00"),
    ("Tues & Thurs 6pm-8pm", "Tu,Th 18:00-20:00"),
    ("Weekdays 9-5", "Mo-Fr 09:00-17:00"),
    ("Daily 8am-8pm", "Mo-Su 08:00-20:00"),
    ("Mon-Fri 9am-12pm, 1pm-5pm", "Mo-Fr 09:00-12:00,13:00-17:00"),
    ("Fri 8pm-2am", "Fr 20:00-02:00"),
    ("Open Monday through Friday from 9:00 a.m. to 5:00 p.m.", "Mo-Fr 09:00-17:00"),
    ("24 hours", "24/7"), ("Open 24 hours", "24/7"), ("By appointment only", "by appointment"),
])
def test_free_text_hours_that_can_be_read(text, hours):
    assert hours_text.read_free_text(text) == hours


@pytest.mark.parametrize("text", [
    "call for hours", "9-5", "Mon-Fri", "Mon-Fri 9am-5pm except holidays",
    "varies by season", "first Tuesday of the month 6pm-8pm",
])
def test_free_text_only_half_understood_gives_no_hours(text):
    assert hours_text.read_free_text(text) is None


def test_weekday_rows_with_the_same_times_become_one_rule():
    by_days = {(day,): [(540, 1020)] for day in (0, 1, 2, 4)} | {(3,): [(540, 1140)]}
    assert hours_text.rules_text(by_days) == "Mo-We,Fr 09:00-17:00; Th 09:00-19:00"


def test_a_day_in_two_rows_gets_its_hours_once():
    rules = hours_text.rules_text({(0, 1, 2, 3, 4): [(540, 1020)], (0,): [(1080, 1200)]})
    assert rules == "Mo 09:00-17:00,18:00-20:00; Tu-Fr 09:00-17:00"


def test_schedule_rows_give_hours_closed_and_special_days(place):
    rows = [Row({"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "9:00am",
                 "closes_at": "5:00 PM"}),
            Row({"valid_from": "2026-12-25", "valid_to": "2026-12-25"}),
            Row({"valid_from": "2026-12-24", "valid_to": "2026-12-24", "opens_at": "09:00",
                 "closes_at": "12:00"}),
            Row({"description": "by appointment"})]
    read = schedules.opening(rows, lambda row: place)
    assert read.hours == "Mo-Fr 09:00-17:00; by appointment"
    assert [day.isoformat() for day in read.closed] == ["2026-12-25"]
    assert {day.isoformat(): times for day, times in read.special.items()} == \
        {"2026-12-24": "09:00-12:00"}
    assert said(place) == ['time-read: "9:00am" → 09:00', 'time-read: "5:00 PM" → 17:00']


def test_a_monthly_schedule_is_kept_as_text_not_guessed(place):
    rows = [Row({"freq": "MONTHLY", "byday": "1TU", "opens_at": "18:00", "closes_at": "20:00",
                 "description": "First Tuesday of the month"})]
    read = schedules.opening(rows, lambda row: place)
    assert read.hours is None and read.as_text == ["First Tuesday of the month"]
    assert said(place)[0].startswith("hours-kept-as-text: MONTHLY schedules")


def test_a_holiday_range_becomes_each_closed_day(place):
    rows = [Row({"dated": True, "closed": "true", "valid_from": "2026-12-24",
                 "valid_to": "2026-12-26"})]
    read = schedules.opening(rows, lambda row: place)
    assert [day.isoformat() for day in read.closed] == ["2026-12-24", "2026-12-25",
                                                        "2026-12-26"]


@pytest.mark.parametrize("raw, number", [
    ("(312) 555-0110", "+1 312-555-0110"), ("312.555.0110 x12", "+1 312-555-0110 ext. 12"),
    ("+1 773 555 0142", "+1 773-555-0142"), ("1-800-273-8255", "+1 800-273-8255"),
    ('"+1 312 555 0110"', "+1 312-555-0110"), ("988", "988"),
])
def test_phones_in_national_formats_and_with_extensions(place, raw, number):
    assert cleaning.phone(raw, None, "US", place, "number") == number


def test_a_phone_extension_column_joins_the_number(place):
    assert cleaning.phone("312-555-0110", "105.0", "US", place, "number") == \
        "+1 312-555-0110 ext. 105"


@pytest.mark.parametrize("raw", ["call us", "555-01", "n/a"])
def test_phones_that_are_not_are_dropped_and_said(place, raw):
    assert cleaning.phone(raw, None, "US", place, "number") is None
    assert said(place) == [f'phone-dropped: "{raw}" is not a phone number; dropped']


@pytest.mark.parametrize("raw, codes, kinds", [
    ("Spanish (limited)", ["es"], ["language-mapped"]),
    ("Chinese (Mandarin)", ["zh"], ["language-mapped"]),
    ("eng", ["en"], ["language-mapped"]),
    ("en", ["en"], []),
    ("English, Korean", ["en", "ko"], ["language-mapped", "language-mapped"]),
    ("other languages available upon request", [], ["language-dropped"]),
    ("ASL", [], ["language-dropped"]),
])
def test_languages_as_free_text(place, raw, codes, kinds):
    assert cleaning.language(raw, place, "language") == codes
    assert [line.kind for line in place.report.lines] == kinds


@pytest.mark.parametrize("name, fixed", [
    ("NORTHSIDE YMCA COUNSELING FOR ADULTS", "Northside YMCA Counseling for Adults"),
    ("NAMI CHICAGO - PEER SUPPORT", "NAMI Chicago - Peer Support"),
    ("LGBTQ YOUTH DROP-IN", "LGBTQ Youth Drop-in"),
    ("O'BRIEN CHILDREN'S CENTER", "O'Brien Children's Center"),
    ("CBT GROUP", "CBT Group"),
])
def test_fix_case_keeps_acronyms(place, name, fixed):
    assert cleaning.name(name, place, "name", fix_case=True) == fixed


def test_fix_case_leaves_mixed_case_alone(place):
    assert cleaning.name("McKinley Park HIV Services", place, "name", True) == \
        "McKinley Park HIV Services"
    assert said(place) == []


def test_texts_lose_escapes_and_markup(place):
    raw = "Line one\\nLine two<br/>three &amp; four <b>bold</b>"
    assert cleaning.text(raw, place, "description") == "Line one\nLine two\nthree & four bold"
    assert said(place)[0].startswith("text-cleaned:")


def test_codes_lose_trailing_spaces_with_a_line(place):
    assert cleaning.code("FL ", place, "state_province") == "FL"
    assert said(place) == ['code-trimmed: "FL " → "FL"']


@pytest.mark.parametrize("raw, kept", [
    ("www.example.org", "https://www.example.org"), ("https://example.org/a", "https://example.org/a"),
    ("n/a", None), ("see website", None),
])
def test_web_addresses(place, raw, kept):
    assert cleaning.web_address(raw, place, "url") == kept


@pytest.mark.parametrize("raw, kept", [("mailto:help@example.org", "help@example.org"),
                                       ("not an email", None), ("help@", None)])
def test_emails(place, raw, kept):
    assert cleaning.email(raw, place, "email") == kept


BOUNDS = {"south": 41.64, "west": -87.94, "north": 42.03, "east": -87.52}


@pytest.mark.parametrize("lat, lon, kept", [
    ("41.9", "-87.6", (41.9, -87.6)), ("0", "0", None), ("40.71", "-74.0", None),
    ("95", "10", None), ("north", "west", None),
])
def test_coordinates_outside_the_region_or_at_zero_are_dropped(place, lat, lon, kept):
    assert cleaning.coordinates(lat, lon, BOUNDS, place) == kept


@pytest.mark.parametrize("raw, kept", [("16", 16), ("18.0", 18), ("", None), ("adults", None),
                                       ("150", None)])
def test_ages(place, raw, kept):
    assert cleaning.age(raw, place, "minimum_age") == kept


def terms(*rows) -> dict:
    return {row["id"]: Row(row) for row in rows}


def test_the_default_map_finds_terms_by_code_start_name_and_parent():
    mapping = load_map()
    known = terms({"id": "a", "code": "RP-1500.1400-800.22"},
                  {"id": "b", "name": "  Warm Lines "},
                  {"id": "p", "code": "", "name": "Support Groups"},
                  {"id": "c", "code": "", "name": "Tuesday circle", "parent_id": "p"},
                  {"id": "d", "code": "RP-15009"})
    assert mapping.categories_of(known["a"], known) == ["crisis-hotline"]
    assert mapping.categories_of(known["b"], known) == ["peer-support"]
    assert mapping.categories_of(known["c"], known) == ["support-group"]
    assert mapping.categories_of(known["d"], known) == ["counselling"]  # RP, not RP-1500


def test_top_level_term_for_the_left_out_count():
    known = terms({"id": "bt", "code": "BT", "name": "Tax Organizations and Services"},
                  {"id": "x", "code": "BT-8300", "name": "Tax help", "parent_id": "bt"},
                  {"id": "y", "code": "BD-1800.2000", "name": "Food Pantries"})
    assert top_level(known["x"], known) == "Tax Organizations and Services"
    assert top_level(known["y"], known) == "BD"
    assert top_level(None, known) == "(no taxonomy term)"


def test_a_map_file_with_an_unknown_section_names_it(tmp_path):
    own = tmp_path / "map.yaml"
    own.write_text("categories:\n  RP: counselling\n")
    with pytest.raises(MapError, match="unknown section 'categories'"):
        load_map(own)
