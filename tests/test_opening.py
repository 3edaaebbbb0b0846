"""Open now, with a frozen clock: period edges, past midnight, summer-time days, closures."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

from directory.hours.opening import Timetable, status

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def at(text: str) -> dt.datetime:
    """A moment in Chicago; an explicit offset picks a side of the repeated hour."""
    moment = dt.datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=CHICAGO)).astimezone(CHICAGO)


def state(hours: str, when: str, **exceptions) -> tuple:
    result = status(Timetable.from_hours(hours, **exceptions), at(when))
    return (result.state, result.closes and result.closes.isoformat(timespec="minutes"),
            result.opens and result.opens.isoformat(timespec="minutes"))


WEEKDAYS = "Mo-Fr 09:00-17:00; Sa 10:00-14:00"


@pytest.mark.parametrize(("when", "expected"), [
    # 2026-11-24 is a Tuesday.
    ("2026-11-24T08:59", ("closed", None, "2026-11-24T09:00")),
    ("2026-11-24T09:00", ("open", "2026-11-24T17:00", None)),  # opening minute counts
    ("2026-11-24T16:29", ("open", "2026-11-24T17:00", None)),
    ("2026-11-24T16:30", ("closing", "2026-11-24T17:00", None)),  # 30 minutes left
    ("2026-11-24T16:59", ("closing", "2026-11-24T17:00", None)),
    ("2026-11-24T17:00", ("closed", None, "2026-11-25T09:00")),  # closing minute does not
    ("2026-11-28T14:00", ("closed", None, "2026-11-30T09:00")),  # Saturday after closing
    ("2026-11-29T12:00", ("closed", None, "2026-11-30T09:00")),  # Sunday
])
def test_period_edges(when, expected):
    assert state(WEEKDAYS, when) == expected


def test_several_periods_a_day_and_touching_periods():
    lunch = "Mo-Fr 09:00-12:00,13:00-17:00"
    assert state(lunch, "2026-11-24T12:30") == ("closed", None, "2026-11-24T13:00")
    assert state(lunch, "2026-11-24T11:45") == ("closing", "2026-11-24T12:00", None)
    # Back-to-back periods are one opening: no "closing soon" at the seam.
    assert state("Tu 09:00-12:00,12:00-17:00", "2026-11-24T11:50") == (
        "open", "2026-11-24T17:00", None)


@pytest.mark.parametrize(("hours", "when", "expected"), [
    # Friday and Saturday nights, 20:00 to 02:00. 2026-11-27 is a Friday.
    ("Fr-Sa 20:00-02:00", "2026-11-27T19:59", ("closed", None, "2026-11-27T20:00")),
    ("Fr-Sa 20:00-02:00", "2026-11-28T01:00", ("open", "2026-11-28T02:00", None)),
    ("Fr-Sa 20:00-02:00", "2026-11-29T01:45", ("closing", "2026-11-29T02:00", None)),
    ("Fr-Sa 20:00-02:00", "2026-11-29T02:00", ("closed", None, "2026-12-04T20:00")),
    ("Fr-Sa 20:00-02:00", "2026-11-26T23:00", ("closed", None, "2026-11-27T20:00")),
    # Sunday night runs into Monday morning.
    ("Su 22:00-02:00", "2026-11-30T01:00", ("open", "2026-11-30T02:00", None)),
    # Every night: the evening's opening and the morning's close are one stretch.
    ("Mo-Su 21:00-07:00", "2026-11-25T03:00", ("open", "2026-11-25T07:00", None)),
])
def test_past_midnight(hours, when, expected):
    assert state(hours, when) == expected


def test_24_7_and_appointments_and_no_hours():
    assert state("24/7", "2026-11-24T03:00")[0] == "always"
    assert state("Mo-Su 00:00-24:00", "2026-11-24T03:00")[0] == "always"
    assert state("by appointment", "2026-11-24T10:00")[0] == "appointment"
    assert status(Timetable.from_hours(None), at("2026-11-24T10:00")) is None
    both = status(Timetable.from_hours("Tu 18:00-20:00; by appointment"), at("2026-11-24T10:00"))
    assert both.state == "closed" and both.appointment


class TestSpringForward:
    """2026-03-08, America/Chicago: at 02:00 the clocks jump to 03:00."""

    def test_a_night_closing_at_the_jump_counts_real_minutes(self):
        # Saturday night until 02:00: at 01:20 there are 40 real minutes left, at 01:45 only 15.
        assert state("Fr-Sa 20:00-02:00", "2026-03-08T01:20") == (
            "open", "2026-03-08T02:00", None)
        assert state("Fr-Sa 20:00-02:00", "2026-03-08T01:45") == (
            "closing", "2026-03-08T02:00", None)
        # One real minute later than 01:59 is 03:00: closed.
        assert state("Fr-Sa 20:00-02:00", "2026-03-08T03:00") == (
            "closed", None, "2026-03-13T20:00")

    def test_closing_soon_after_the_jump_uses_real_time(self):
        # 02:30 never happens that night; wall clocks read 03:00 at 08:00 UTC. A night line
        # closing 02:30 closes at the jump: at 01:40 CST that is 20 real minutes away.
        assert state("Sa 22:00-02:30", "2026-03-08T01:40") == (
            "closing", "2026-03-08T02:30", None)
        assert state("Sa 22:00-02:30", "2026-03-08T03:01")[0] == "closed"
        assert state("Mo-Su 21:00-07:00", "2026-03-08T06:40") == (
            "closing", "2026-03-08T07:00", None)

    def test_24_7_stays_open(self):
        for when in ("2026-03-08T01:59", "2026-03-08T03:00", "2026-03-08T03:30"):
            assert state("24/7", when)[0] == "always"


class TestFallBack:
    """2026-11-01, America/Chicago: 01:00-02:00 happens twice (CDT, then CST)."""

    def test_the_repeated_hour(self):
        # First 01:40 (CDT, -05:00): 80 real minutes to 02:00 CST. Second 01:40 (CST): 20.
        assert state("Fr-Sa 20:00-02:00", "2026-11-01T01:40-05:00") == (
            "open", "2026-11-01T02:00", None)
        assert state("Fr-Sa 20:00-02:00", "2026-11-01T01:40-06:00") == (
            "closing", "2026-11-01T02:00", None)
        assert state("Fr-Sa 20:00-02:00", "2026-11-01T02:00-06:00") == (
            "closed", None, "2026-11-06T20:00")

    def test_daytime_hours_are_unaffected(self):
        assert state("Su 09:00-17:00", "2026-11-01T16:40") == ("closing", "2026-11-01T17:00", None)
        assert state("24/7", "2026-11-01T01:30-06:00")[0] == "always"


class TestClosedAndSpecialDays:
    CLOSED = {"closed": [dt.date(2026, 12, 25)], "special": {dt.date(2026, 12, 24): "09:00-12:00"}}

    def test_special_day_replaces_the_weekly_hours(self):
        assert state(WEEKDAYS, "2026-12-24T08:00", **self.CLOSED) == (
            "closed", None, "2026-12-24T09:00")
        assert state(WEEKDAYS, "2026-12-24T11:40", **self.CLOSED) == (
            "closing", "2026-12-24T12:00", None)
        assert state(WEEKDAYS, "2026-12-24T13:00", **self.CLOSED) == (
            "closed", None, "2026-12-26T10:00")

    def test_closed_day(self):
        assert state(WEEKDAYS, "2026-12-25T10:00", **self.CLOSED) == (
            "closed", None, "2026-12-26T10:00")

    def test_a_night_that_began_before_a_closed_day_still_ends_as_usual(self):
        assert state("Mo-Su 20:00-02:00", "2026-12-25T01:00", closed=[dt.date(2026, 12, 25)]) == (
            "open", "2026-12-25T02:00", None)
        assert state("Mo-Su 20:00-02:00", "2026-12-25T21:00", closed=[dt.date(2026, 12, 25)]) == (
            "closed", None, "2026-12-26T20:00")

    def test_24_7_with_a_closed_day_is_not_24_7_around_it(self):
        assert state("24/7", "2026-12-24T10:00", closed=[dt.date(2026, 12, 25)]) == (
            "open", "2026-12-25T00:00", None)
        assert state("24/7", "2026-11-24T10:00", closed=[dt.date(2026, 12, 25)])[0] == "always"


# --- what residents read ---------------------------------------------------------------


def words(app, url: str) -> str:
    html = app.test_client().get(url).get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def at_time(app):
    """The app with its clock at ``now`` (read on every request)."""
    def make(now: str):
        app.config["NOW"] = now
        return app
    return make


@pytest.mark.parametrize(("now", "line"), [
    ("2026-11-24T10:00", "Closed · opens 3 PM"),  # Tuesday morning
    ("2026-11-24T16:00", "Open now · closes 7 PM"),
    ("2026-11-24T18:45", "Closing soon · closes 7 PM"),
    ("2026-11-27T20:00", "Closed · opens tomorrow 12 PM"),  # Friday evening
    ("2026-11-28T17:00", "Closed · opens Mon 3 PM"),  # Saturday evening
    ("2026-12-24T10:00", "Closed · opens 12 PM"),  # special day
    ("2026-12-25T10:00", "Closed · opens tomorrow 12 PM"),  # closed day
])
def test_service_page_status_line(at_time, now, line):
    assert line in words(at_time(now), "/services/harbour-youth-drop-in")


def test_weekly_table_marks_today_and_lists_coming_changes(at_time):
    app = at_time("2026-11-24T10:00")
    html = app.test_client().get("/services/harbour-youth-drop-in").get_data(as_text=True)
    today = re.search(r'<tr class="today" aria-current="date">(.*?)</tr>', html, re.S)[1]
    assert " ".join(re.sub(r"<[^>]+>", " ", today).split()) == "Tuesday (today) 3 PM–7 PM"
    text = words(app, "/services/harbour-youth-drop-in")
    assert "Sunday Closed" in text
    assert "Coming changes: December 24, 2026 : 12 PM–2 PM December 25, 2026 : Closed" in text
    assert "Closed today." in words(at_time("2026-12-25T10:00"), "/services/harbour-youth-drop-in")
    assert "Today only: 12 PM–2 PM." in words(at_time("2026-12-24T09:00"),
                                                "/services/harbour-youth-drop-in")


def test_24_7_and_appointment_pages(at_time):
    app = at_time("2026-03-08T03:00")  # the hour after the spring-forward jump
    text = words(app, "/services/northside-warmline")
    assert "Open 24/7" in text and "Open 24 hours a day, 7 days a week." in text
    text = words(app, "/services/riverside-therapy")
    assert "Hours by appointment" in text and "By appointment: call to arrange a time." in text


def test_cards_show_the_open_now_line(at_time):
    text = words(at_time("2026-11-24T18:45"), "/search?q=counselling")
    assert "Youth drop-in counselling" in text and "Closing soon · closes 7 PM" in text
    assert "Hours by appointment" in text  # Individual counseling


def test_phone_with_its_own_hours(at_time):
    text = words(at_time("2026-11-24T19:30"), "/services/harbour-youth-drop-in")
    assert "Text (312) 555-0102 Mon–Fri 3 PM–9 PM Open now · closes 9 PM" in text
    assert "Closed · opens tomorrow 3 PM" in text  # the drop-in itself closed at 7 PM


# --- the open-now filter and the status line always agree --------------------------------


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    """The demo data (real-world hours strings: past midnight, lists, 24/7) built once."""
    from pathlib import Path

    from tests.conftest import build_into

    instance = tmp_path_factory.mktemp("demo-instance")
    build_into(Path(__file__).parent.parent / "data", instance)
    return instance / "current"


def _moments():
    week = [dt.datetime(2026, 11, 23) + dt.timedelta(minutes=m) for m in range(0, 7 * 1440, 125)]
    nights = [dt.datetime(2026, 3, 7, 20) + dt.timedelta(minutes=m) for m in range(0, 720, 10)]
    # The night clocks go back, both sides of the repeated hour.
    start = at("2026-11-01T00:00-05:00").astimezone(dt.UTC)  # step in real time, not wall time
    back = [(start + dt.timedelta(minutes=m)).astimezone(CHICAGO) for m in range(0, 480, 10)]
    holidays = [dt.datetime(2026, 12, 24) + dt.timedelta(minutes=m) for m in range(0, 2880, 60)]
    return [at(m.isoformat()) if m.tzinfo is None else m for m in week + nights + holidays] + back


def assert_filter_matches_status_lines(demo_build, moments) -> int:
    """At each moment, the open-now filter keeps exactly the services whose status line says
    open; returns how many open services were seen in all."""
    import sqlite3

    from directory.search import queries
    from directory.search.facets import FacetIndex
    from directory.search.index import Index

    db = sqlite3.connect(demo_build / "directory.db")
    db.row_factory = sqlite3.Row
    index = Index(demo_build / "index", queries.synonyms(db))
    facets = FacetIndex(db, index)
    ids = list(queries.service_ids(db, list(range(facets.size))).values())
    timetables = {i: Timetable.from_rows(rows) for i, rows in queries.schedules(db, ids).items()}
    checked = 0
    for moment in moments:
        mask = facets.open_mask(db, moment)
        by_filter = set(queries.service_ids(
            db, [n for n in range(facets.size) if mask >> n & 1]).values())
        by_status = {i for i, t in timetables.items() if (s := status(t, moment)) and s.is_open}
        assert by_filter == by_status, moment
        checked += len(by_status)
    db.close()
    return checked


def test_open_now_filter_matches_every_status_line(demo_build):
    # The check saw plenty of open services, not an empty set.
    assert assert_filter_matches_status_lines(demo_build, _moments()) > 1000


@pytest.mark.moves_with_today
def test_open_now_filter_matches_every_status_line_all_today(demo_build, frozen_today):
    # Every 15 real minutes from midnight to midnight: 23 or 25 hours when the clocks change.
    start = dt.datetime.combine(frozen_today, dt.time(), tzinfo=CHICAGO).astimezone(dt.UTC)
    end = dt.datetime.combine(frozen_today + dt.timedelta(days=1), dt.time(), tzinfo=CHICAGO)
    moments = [(start + dt.timedelta(minutes=m)).astimezone(CHICAGO) for m in range(0, 1500, 15)]
    assert assert_filter_matches_status_lines(
        demo_build, [m for m in moments if m < end]) > 100


WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.mark.moves_with_today
def test_weekly_table_marks_the_frozen_day(client, frozen_today):
    # The youth drop-in: Mo-Fr 15:00-19:00; Sa 12:00-16:00.
    html = client.get("/services/harbour-youth-drop-in").get_data(as_text=True)
    row = re.search(r'<tr class="today" aria-current="date">(.*?)</tr>', html, re.S)[1]
    hours = {5: "12 PM–4 PM", 6: "Closed"}.get(frozen_today.weekday(), "3 PM–7 PM")
    assert " ".join(re.sub(r"<[^>]+>", " ", row).split()) == \
        f"{WEEK[frozen_today.weekday()]} (today) {hours}"
    assert html.count('<tr class="today"') == 1


def test_closing_at_24_00_is_tonight_at_midnight_not_tomorrow(app):
    from directory.web.hours import status_text

    zone = zoneinfo.ZoneInfo("America/Chicago")
    with app.test_request_context():
        line = status_text(status(Timetable.from_hours("Mo-Su 12:00-24:00"),
                                  dt.datetime(2026, 11, 24, 19, 40, tzinfo=zone)))
        assert line == "Open now · closes midnight"
        late = status_text(status(Timetable.from_hours("Mo-Su 12:00-24:00"),
                                  dt.datetime(2026, 11, 24, 23, 40, tzinfo=zone)))
        assert late == "Closing soon · closes midnight"
