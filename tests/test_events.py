"""Dated groups and workshops as a resident meets them: /events on frozen dates, the calendar
file read back with the icalendar library, "Next session" on cards and service pages."""

from __future__ import annotations

import datetime as dt
import html
import sqlite3
import zoneinfo
from urllib.parse import urlencode

import icalendar
import pytest
from dateutil import rrule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_site
from tests.test_bad_input import NASTY

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def text(response) -> str:
    """The page's visible words, with entities read (``Parents' evening``)."""
    return html.unescape(test_site.text(response))


def events_on(app, moment: str, url: str = "/events") -> str:
    app.config["NOW"] = moment
    page = app.test_client().get(url)
    assert page.status_code == 200, url
    return text(page)


def test_events_page_lists_the_coming_weeks_by_date(app):
    words = events_on(app, "2026-11-24T10:00:00")
    assert "4 sessions in the next 6 weeks." in words
    # By date, each with its time, place, cost and languages.
    assert words.index("Wednesday 2 December") < words.index("Saturday 5 December") \
        < words.index("Thursday 10 December") < words.index("Saturday 2 January")
    assert "Talking with teens about stress Harbour Youth Trust · Parents' evening circle " \
           "6 PM–8 PM Harbour Youth Centre: 12 Quay Street, Testville, IL 60607 Free" in words
    assert "Saturday remembrance circle Riverside Counseling Center · Grief support groups " \
           "10 AM–12 PM · every month" in words
    assert "Languages: English, Spanish" in words
    assert "Online peer support evening" in words and "Online or by phone" in words
    # The six-week course starts after the default window.
    assert "Parenting through change" not in words


def test_registration_and_add_to_calendar(client):
    page = client.get("/events")
    html, words = page.get_data(as_text=True), text(page)
    assert "Registration: Places are limited; please book. Call (312) 555-0103 Register online" \
        in words
    assert 'href="tel:+13125550103"' in html
    assert 'href="https://harbour.example.org/workshops"' in html
    assert "No need to register." in words
    assert 'href="/events/harbour-parent-group-session-1.ics"' in html
    assert "Add to calendar (Talking with teens about stress, Thu 10 Dec, 6 PM)" in words


def test_past_sessions_leave_the_page_as_days_pass(app):
    """The same app and page cache, on two dates: no rebuild between them."""
    before = events_on(app, "2026-11-24T10:00:00")
    after = events_on(app, "2026-12-11T09:00:00")
    assert "Talking with teens about stress" in before
    assert "Talking with teens about stress" not in after
    assert "Online peer support evening" not in after
    assert "Thursday 10 December" not in after
    # The monthly group moves on to its next first Saturday; the course comes into view.
    assert "Saturday 2 January" in after and "Saturday 6 February" not in after
    assert after.index("Saturday 2 January") < after.index("Tuesday 12 January")
    assert "Parenting through change" in after and "Tuesday 19 January" in after


def test_a_session_stays_listed_until_it_ends(app):
    assert "Talking with teens about stress" in events_on(app, "2026-12-10T19:30:00")
    assert "Talking with teens about stress" not in events_on(app, "2026-12-10T20:01:00")


def test_more_weeks_and_the_last_date_of_a_course(app):
    words = events_on(app, "2026-11-24T10:00:00", "/events?weeks=26")
    assert "Tuesday 16 February" in words  # the sixth and last evening of the course
    assert "Tuesday 23 February" not in words
    assert "Saturday 6 March" in words  # the first Saturday of March


@pytest.mark.parametrize(("url", "shown", "hidden"), [
    # A kind of help takes in its narrower kinds: grief support is a support group.
    ("/events?category=support-group", ["Saturday remembrance circle",
                                        "Talking with teens about stress"],
     ["Online peer support evening"]),
    ("/events?category=grief-support", ["Saturday remembrance circle"],
     ["Talking with teens about stress"]),
    ("/events?language=es", ["Saturday remembrance circle", "Online peer support evening"],
     ["Talking with teens about stress"]),
    # Near a place: what is within the radius, and what needs no trip.
    ("/events?near=Harbourside&radius=1", ["Talking with teens about stress",
                                           "Online peer support evening"],
     ["Saturday remembrance circle"]),
])
def test_filters(client, url, shown, hidden):
    words = text(client.get(url))
    for title in shown:
        assert title in words, title
    for title in hidden:
        assert title not in words, title


def test_nothing_in_the_weeks_is_not_a_dead_end(client):
    words = text(client.get("/events?category=drop-in"))
    assert "0 sessions in the next 6 weeks." in words
    assert "Nothing is listed for these weeks" in words and "Search all services" in words


@pytest.mark.parametrize(("url", "message"), [
    ("/events?category=nope", '"nope" is not a known category'),
    ("/events?language=zzzz", '"zzzz" is not a language code'),
    ("/events?weeks=0", '"0" is not a number of weeks; use a whole number from 1 to 26.'),
    ("/events?radius=7&near=Harbourside", '"7" is not a distance you can choose'),
])
def test_bad_filters_are_400s_that_say_which(client, url, message):
    page = client.get(url)
    assert page.status_code == 400
    assert message in text(page)


def read_calendar(client, session_id: str) -> icalendar.Event:
    response = client.get(f"/events/{session_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = icalendar.Calendar.from_ical(response.get_data())
    (event,) = calendar.walk("VEVENT")
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Chicago"
    return event


def test_calendar_file_of_a_workshop(client):
    event = read_calendar(client, "harbour-parent-group-session-1")
    assert str(event["SUMMARY"]) == "Talking with teens about stress"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == dt.datetime(2026, 12, 10, 18, 0, tzinfo=CHICAGO)
    assert end - start == dt.timedelta(hours=2)
    assert start.utcoffset() == dt.timedelta(hours=-6)
    assert "RRULE" not in event
    assert str(event["LOCATION"]) == "Harbour Youth Centre, 12 Quay Street, Testville, IL, 60607"
    description = str(event["DESCRIPTION"])
    assert "Run by Harbour Youth Trust" in description and "Free" in description
    assert "To register, call (312) 555-0103" in description
    assert "http://localhost/services/harbour-parent-group" in description


def test_calendar_file_of_a_monthly_group_and_a_course_keeps_the_rule(client):
    group = read_calendar(client, "riverside-grief-groups-session-1")
    rule = group["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYDAY"] == ["1SA"]
    assert "UNTIL" not in rule and "COUNT" not in rule
    course = read_calendar(client, "harbour-parent-group-session-2")
    assert course["RRULE"]["COUNT"] == [6]
    # Expanded as a calendar app would: six Tuesday evenings, the last on 16 February.
    dates = list(rrule.rrulestr(course["RRULE"].to_ical().decode(),
                                dtstart=course.decoded("DTSTART")))
    assert [d.date() for d in (dates[0], dates[-1])] == [dt.date(2027, 1, 12),
                                                         dt.date(2027, 2, 16)]
    assert len(dates) == 6 and all(d.hour == 18 for d in dates)
    assert "$5 per evening" in str(course["DESCRIPTION"])


def test_calendar_file_of_an_unknown_session_is_a_404(client):
    assert client.get("/events/nope.ics").status_code == 404


def test_next_session_on_service_pages_and_result_cards(app):
    client = app.test_client()
    assert "Next session: Thu 10 Dec, 6 PM" in text(client.get("/services/harbour-parent-group"))
    assert "Next session: Thu 10 Dec, 6 PM" in text(client.get("/search?q=parents"))
    assert "Next session: Sat 5 Dec, 10 AM" in text(client.get("/services/riverside-grief-groups"))
    assert "Next session" not in text(client.get("/services/harbour-youth-drop-in"))
    app.config["NOW"] = "2026-12-11T09:00:00"
    assert "Next session: Tue 12 Jan, 6 PM" in text(client.get("/services/harbour-parent-group"))
    assert "Next session: Tue 12 Jan, 6 PM" in text(client.get("/search?q=parents"))


def test_sessions_are_hsds_schedule_rows_in_the_build(built_instance):
    db = sqlite3.connect(built_instance / "current" / "directory.db")
    db.row_factory = sqlite3.Row
    rows = {row["id"]: dict(row) for row in db.execute(
        "select * from schedules where kind = 'session'")}
    assert {
        key: rows["riverside-grief-groups-session-1"][key]
        for key in ("dtstart", "freq", "byday", "until", "opens_at", "closes_at",
                    "location_id", "description")} == {
        "dtstart": "2026-12-05", "freq": "MONTHLY", "byday": "1SA", "until": None,
        "opens_at": "10:00", "closes_at": "12:00", "location_id": "riverside-office",
        "description": "Saturday remembrance circle"}
    course = rows["harbour-parent-group-session-2"]
    assert (course["freq"], course["byday"], course["count"], course["until"]) == \
        ("WEEKLY", "TU", 6, "2027-02-16")
    workshop = rows["harbour-parent-group-session-1"]
    assert (workshop["freq"], workshop["dtstart"], workshop["until"]) == \
        (None, "2026-12-10", "2026-12-10")
    # Sessions are not opening hours: the group's weekly rows are unchanged.
    assert db.execute("""select count(*) from open_intervals
                         where service_id = 'harbour-parent-group'""").fetchone()[0] == 1


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["/events", "/volunteer", "/search",
                              "/events/harbour-parent-group-session-1.ics"]),
       params=st.lists(st.tuples(st.sampled_from(["q", "category", "language", "near", "lat",
                                                  "lon", "radius", "weeks", "kind", "page"]),
                                 NASTY), max_size=5))
def test_no_parameter_causes_a_server_error(client, route, params):
    response = client.get(f"{route}?{urlencode(params)}")
    assert response.status_code < 500, (route, params, response.status_code)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=80).filter(lambda s: s not in (".", "..")))
def test_no_session_id_causes_a_server_error(client, segment):
    quoted = segment.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    assert client.get(f"/events/{quoted}.ics").status_code in (200, 308, 404)


def test_service_page_lists_its_coming_sessions_with_calendar_files(app):
    client = app.test_client()
    page = client.get("/services/harbour-parent-group")
    words, html = text(page), page.get_data(as_text=True)
    assert "Coming sessions Thu 10 Dec, 6 PM–8 PM : Talking with teens about stress · Add to " \
           "calendar (Talking with teens about stress, Thu 10 Dec, 6 PM)" in words
    assert "Tue 12 Jan, 6 PM–7:30 PM : Parenting through change" in words
    assert html.count('href="/events/harbour-parent-group-session-2.ics"') == 5  # 6 shown in all
    assert "Coming sessions" not in text(client.get("/services/harbour-youth-drop-in"))
    app.config["NOW"] = "2027-02-20T09:00:00"  # the course is over
    assert "Coming sessions" not in text(client.get("/services/harbour-parent-group"))


def test_an_unknown_place_offers_places_on_the_same_page(client):
    words = text(client.get("/events?near=Harbursid&category=support-group"))
    assert "We could not find “Harbursid”" in words
    html = client.get("/events?near=Harbursid&category=support-group").get_data(as_text=True)
    assert 'href="/events?category=support-group&amp;near=Harbourside&amp;radius=10"' in html
    html = client.get("/volunteer?near=Harbursid").get_data(as_text=True)
    assert 'href="/volunteer?near=Harbourside&amp;radius=10"' in html
