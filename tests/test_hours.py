"""The hours syntax: what each form means, the exact messages for mistakes, the schedule rows."""

from __future__ import annotations

import sqlite3

import pytest

from directory.build.pipeline import check
from directory.hours import syntax as hours
from directory.records.fields import Invalid
from tests.samples import ORG, messages, write_org

H = 60  # minutes in an hour


@pytest.mark.parametrize(("text", "tidy", "periods"), [
    ("Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
     {d: [(9 * H, 17 * H)] for d in range(5)} | {5: [(10 * H, 14 * H)]}),
    ("Mo-Fr 09:00-12:00,13:00-17:00", "Mo-Fr 09:00-12:00,13:00-17:00",
     {d: [(9 * H, 12 * H), (13 * H, 17 * H)] for d in range(5)}),
    ("Fr-Sa 20:00-02:00", "Fr-Sa 20:00-02:00", {4: [(20 * H, 26 * H)], 5: [(20 * H, 26 * H)]}),
    ("Mo,We 18:00-20:00", "Mo,We 18:00-20:00", {0: [(18 * H, 20 * H)], 2: [(18 * H, 20 * H)]}),
    ("Mo-We,Fr 10:00-11:00", "Mo-We,Fr 10:00-11:00", {d: [(10 * H, 11 * H)] for d in (0, 1, 2, 4)}),
    ("Sa-Mo 10:00-12:00", "Sa-Mo 10:00-12:00", {d: [(10 * H, 12 * H)] for d in (0, 5, 6)}),
    ("Mo-Su 14:00-24:00", "Mo-Su 14:00-24:00", {d: [(14 * H, 24 * H)] for d in range(7)}),
    ("24/7", "24/7", {d: [(0, 24 * H)] for d in range(7)}),
    ("by appointment", "by appointment", {}),
    # What people paste: lower case, single-digit hours, spaces, an en dash.
    ("mo-fr 9:00 - 17:00;sa 10:00\u201314:00", "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
     {d: [(9 * H, 17 * H)] for d in range(5)} | {5: [(10 * H, 14 * H)]}),
])
def test_each_form_parses(text, tidy, periods):
    parsed = hours.parse(text)
    assert parsed.text == tidy
    assert parsed.periods() == periods


def test_always_and_appointment():
    assert hours.parse("24/7").always and hours.parse("Mo-Su 00:00-24:00").always
    assert not hours.parse("Mo-Su 21:00-07:00").always
    both = hours.parse("Tu 18:00-20:00; by appointment")
    assert both.appointment and both.periods() == {1: [(18 * H, 20 * H)]}


def test_week_intervals_wrap_sunday_night_into_monday():
    assert hours.week_intervals(hours.parse("Su 22:00-02:00").periods()) == [
        (0, 2 * H), (6 * 24 * H + 22 * H, 7 * 24 * H)]
    # Overlapping and touching periods merge.
    # (The parser refuses overlaps in the data; the merge still guards schedules built otherwise.)
    assert hours.week_intervals({0: [(9 * H, 12 * H), (12 * H, 17 * H), (16 * H, 18 * H)]}) \
        == [(9 * H, 18 * H)]


EXPECTED = '(expected e.g. "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "24/7" or "by appointment")'


@pytest.mark.parametrize(("text", "reason"), [
    ("Mon-Fri 09:00-17:00", '"Mon" is not a day; use Mo Tu We Th Fr Sa Su'),
    ("Mo-Fr", '"Mo-Fr" needs opening times after the days, e.g. Mo-Fr 09:00-17:00'),
    ("Mo-Fr 9-17", '"9" is not a time (write hours and minutes, e.g. 09:00)'),
    ("Mo-Fr 9am-5pm", '"9am" is not a time (write hours and minutes, e.g. 09:00)'),
    ("Mo 25:00-26:00", '"25:00" is not a time of day (00:00 to 23:59, or 24:00 to close at '
                       "midnight)"),
    ("Mo 09:00-09:00", '"09:00-09:00" opens and closes at the same time'),
    ("Mo 09:00-17:00;; Tu 10:00-12:00", 'has an empty part between ";" (remove the extra ";")'),
    ("9:00-17:00", '"9:00-17:00" does not start with days such as Mo-Fr'),
    ("Mo-Fr 09:00-17:00; 24/7", '"24/7" must be the whole of the hours, not one part'),
    ("Mo 09:00", '"09:00" is not a time range (write it as 09:00-17:00)'),
])
def test_mistakes_say_what_is_wrong_and_the_expected_form(text, reason):
    with pytest.raises(Invalid) as error:
        hours.check_hours(text)
    assert str(error.value) == f'"{text}" is not opening hours: {reason} {EXPECTED}'


def test_validation_names_file_line_and_field(data_dir):
    write_org(data_dir, ORG.replace("    last_verified", '    hours: "Mo-Fr 9-5"\n'
                                    '    closed: [2026-12-25, christmas]\n'
                                    '    special: {2026-12-24: "9-12", 2026-12-25: "10:00-12:00"}\n'
                                    '    phones: [{number: "+1 312 555 0151", '
                                    "hours: Mo-Fx 10:00-11:00}]\n"
                                    "    last_verified").replace(
        '    phones: [{number: "+1 312 555 0150", type: voice}]\n', ""))
    assert messages(data_dir) == [
        'data/organizations/sample-org.yaml:13: services[0].hours: "Mo-Fr 9-5" is not opening '
        f'hours: "9" is not a time (write hours and minutes, e.g. 09:00) {EXPECTED}',
        'data/organizations/sample-org.yaml:14: services[0].closed[1]: "christmas" is not a date '
        "(expected YYYY-MM-DD, e.g. 2026-10-01)",
        'data/organizations/sample-org.yaml:15: services[0].special.2026-12-24: "9-12" is not '
        'opening times: "9" is not a time (write hours and minutes, e.g. 09:00) (expected times '
        'such as "09:00-12:00" or "09:00-12:00,13:00-17:00")',
        'data/organizations/sample-org.yaml:15: services[0].special: 2026-12-25 is also listed '
        "under closed; keep it in one of them",
        'data/organizations/sample-org.yaml:16: services[0].phones[0].hours: "Mo-Fx 10:00-11:00" '
        f'is not opening hours: "Fx" is not a day; use Mo Tu We Th Fr Sa Su {EXPECTED}',
    ]


def test_csv_hours_closed_and_special(data_dir):
    path = data_dir / "services.csv"
    path.write_text(path.read_text().replace("Th 10:00-11:00", "Thu 10-11")
                    .replace("2026-11-26,2026-12-24 09:00-10:00", "2026-11-31,2026-12-24"))
    assert messages(data_dir) == [
        'data/services.csv:3: hours: "Thu 10-11" is not opening hours: "Thu" is not a day; use '
        f"Mo Tu We Th Fr Sa Su {EXPECTED}",
        'data/services.csv:3: closed[0]: "2026-11-31" is not a day in the calendar (day is out '
        "of range for month); check the year, month and day",
        'data/services.csv:3: special.2026-12-24: "" is not opening times: "" is not a time '
        'range (write it as 09:00-17:00) (expected times such as "09:00-12:00" or '
        '"09:00-12:00,13:00-17:00")',
    ]


def test_site_timezone_must_be_known(data_dir):
    path = data_dir / "site.yaml"
    path.write_text(path.read_text().replace("America/Chicago", "America/Chicag"))
    assert messages(data_dir) == [
        'data/site.yaml:6: timezone: "America/Chicag" is not a time zone (expected an IANA name '
        "such as America/Chicago or Europe/London)"]


@pytest.mark.moves_with_today
def test_every_hours_string_in_the_demo_data_is_valid(frozen_today):
    from pathlib import Path

    catalogue, report, _ = check(Path(__file__).parent.parent / "data", frozen_today)
    assert [str(p) for p in report.errors] == []
    with_hours = [s for s in catalogue.services if s.get("hours")]
    assert len(with_hours) > 80
    assert any(s.file.endswith("services.csv") for s in with_hours)  # the sheet's too


def _rows(built_instance, sql, args=()):
    db = sqlite3.connect(built_instance / "current" / "directory.db")
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(sql, args)]
    finally:
        db.close()


def test_build_writes_hsds_schedule_rows(built_instance):
    rows = _rows(built_instance, """select kind, freq, byday, opens_at, closes_at, valid_from,
        valid_to, description from schedules where service_id = ? and phone_id is null
        order by id""", ["harbour-youth-drop-in"])
    assert rows == [
        {"kind": "weekly", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "15:00",
         "closes_at": "19:00", "valid_from": None, "valid_to": None,
         "description": "Mo-Fr 15:00-19:00"},
        {"kind": "weekly", "freq": "WEEKLY", "byday": "SA", "opens_at": "12:00",
         "closes_at": "16:00", "valid_from": None, "valid_to": None,
         "description": "Sa 12:00-16:00"},
        {"kind": "closed", "freq": None, "byday": None, "opens_at": None, "closes_at": None,
         "valid_from": "2026-12-25", "valid_to": "2026-12-25", "description": "closed"},
        {"kind": "special", "freq": None, "byday": None, "opens_at": "12:00",
         "closes_at": "14:00", "valid_from": "2026-12-24", "valid_to": "2026-12-24",
         "description": "special hours"},
    ]
    # (Its dated session is a row of its own: tests/test_events.py.)
    assert _rows(built_instance, "select byday, opens_at, closes_at from schedules "
                 "where service_id = 'northside-warmline' and kind != 'session'") == [
        {"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00"}]
    assert _rows(built_instance, "select kind, description from schedules "
                 "where service_id = 'riverside-therapy'") == [
        {"kind": "appointment", "description": "by appointment"}]


def test_phone_hours_are_kept_and_expanded(built_instance):
    phone = _rows(built_instance, "select id, hours from phones where e164 = '+13125550102'")[0]
    assert phone["hours"] == "Mo-Fr 15:00-21:00"
    assert _rows(built_instance, "select service_id, byday, opens_at, closes_at from schedules "
                 "where phone_id = ?", [phone["id"]]) == [
        {"service_id": "harbour-youth-drop-in", "byday": "MO,TU,WE,TH,FR", "opens_at": "15:00",
         "closes_at": "21:00"}]


def test_open_intervals_are_minutes_of_the_week(built_instance):
    assert _rows(built_instance, "select opens_minute, closes_minute from open_intervals "
                 "where service_id = 'harbour-parent-group'") == [
        {"opens_minute": 2 * 24 * H + 18 * H, "closes_minute": 2 * 24 * H + 20 * H}]
    assert _rows(built_instance, "select opens_minute, closes_minute from open_intervals "
                 "where service_id = 'northside-warmline'") == [
        {"opens_minute": 0, "closes_minute": 7 * 24 * H}]


@pytest.mark.parametrize(("hours", "reason"), [
    ("Mo-Fr 09:00-13:00,12:00-17:00",
     '"09:00-13:00,12:00-17:00" has periods that overlap or are out of order (12:00 comes '
     "before 13:00); list each day's periods in order"),
    ("Mo 13:00-17:00,09:00-12:00",
     '"13:00-17:00,09:00-12:00" has periods that overlap or are out of order (09:00 comes '
     "before 17:00); list each day's periods in order"),
    ("Mo-Fr 09:00-17:00; Fr 10:00-12:00",
     'Fr has hours in two parts ("Mo-Fr 09:00-17:00" and "Fr 10:00-12:00"); give each day its '
     'hours once, e.g. "Mo 09:00-12:00,13:00-17:00"'),
])
def test_inconsistent_hours_are_errors(hours, reason):
    from directory.hours.syntax import parse
    from directory.records.fields import Invalid

    with pytest.raises(Invalid) as error:
        parse(hours)
    assert str(error.value) == reason
