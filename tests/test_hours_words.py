"""Opening hours in words for paper (``web/hours_words``): days, the region's clock, closures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import Locale

from directory.hours.opening import Timetable
from directory.web import hours_words

TODAY = dt.date(2026, 11, 24)  # a Tuesday


def plain(markup) -> str:
    """What a reader sees: tags dropped, Babel's narrow no-break spaces as spaces."""
    return re.sub(r"<[^>]+>", "", str(markup)).replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def page(app):
    with app.test_request_context("/referral"):
        yield


@pytest.mark.parametrize(("hours", "expected"), [
    ("Mo-Fr 10:00-18:00; Sa 10:00-14:00", "Mon–Fri 10 AM–6 PM, Sat 10 AM–2 PM"),
    ("Mo,We,Fr 09:30-17:00", "Mon, Wed, Fri 9:30 AM–5 PM"),
    ("Mo-Fr 09:00-12:00,13:00-17:00", "Mon–Fri 9 AM–12 PM and 1 PM–5 PM"),
    ("Mo-Th 15:00-23:00; Fr-Sa 15:00-01:00; Su 15:00-23:00",
     "Mon–Thu, Sun 3 PM–11 PM, Fri–Sat 3 PM–1 AM"),
    ("We 18:00-24:00", "Wed 6 PM–midnight"),
    ("24/7", "Open 24 hours, every day"),
    ("by appointment", "By appointment: call to arrange a time"),
    ("Tu 10:00-12:00; by appointment", "Tue 10 AM–12 PM; other times by appointment"),
])
def test_the_week_in_words_on_a_us_site(page, hours, expected):
    assert plain(hours_words.week_words(Timetable.from_hours(hours))) == expected


def test_the_clock_follows_the_region():
    assert plain(hours_words.time_words(18 * 60 + 30, Locale.parse("en_US"))) == "6:30 PM"
    assert plain(hours_words.time_words(18 * 60 + 30, Locale.parse("en_GB"))) == "18:30"
    assert plain(hours_words.time_words(10 * 60, Locale.parse("es_ES"))) == "10:00"


def test_a_language_without_the_regions_variant_falls_back_to_the_language():
    assert hours_words._region_locale("id", "US") == Locale.parse("id")
    assert hours_words._region_locale("es", "US") == Locale.parse("es_US")


def test_coming_closures_of_the_next_six_weeks(page):
    timetable = Timetable.from_hours(
        "Mo-Fr 10:00-18:00", closed=[dt.date(2026, 11, 26), dt.date(2026, 12, 25),
                                     dt.date(2026, 12, 31), dt.date(2027, 3, 1),
                                     dt.date(2026, 11, 1)],
        special={dt.date(2026, 12, 24): "10:00-14:00"})
    assert [plain(w) for w in hours_words.closure_words(timetable, TODAY)] == [
        "Dec 24: 10 AM–2 PM", "Closed Nov 26, Dec 25 and Dec 31"]


def test_hours_words_of_a_service_row_set(client):
    # Through the page, from the build's schedule rows: the week, then what is coming.
    page = client.get("/referral?ids=harbour-youth-drop-in").get_data(as_text=True)
    assert ("Mon–Fri 3 PM–7 PM</span>, <span class=\"hours-part\">Sat 12 PM–4 PM</span>. "
            "<span class=\"hours-part\">Dec 24: 12 PM–2 PM</span>, Closed Dec 25") \
        in page.replace("\u202f", " ")
