"""Opening hours as residents read them: "Open now · closes 5:00 PM", the weekly table.

Jinja filters over the rows ``queries`` returns (a service's ``schedules``, a phone's
``hours``); every word goes through gettext, and day names and clock times come from Babel
in the page's language on the site's regional clock (CLDR: 12-hour for English and Spanish
in the US, 24-hour for Indonesian in Indonesia), so ``Mo-Fr 09:00-17:00`` as written in a
data file never reaches a page.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import NamedTuple

from babel import Locale
from babel.dates import format_time, get_day_names
from flask import current_app, has_request_context
from flask_babel import format_date
from markupsafe import Markup

from ..build.layout import NoBuild
from ..hours import syntax as hours
from ..hours.opening import Status, Timetable, status, week_rows
from . import clock
from .current import current_stretch
from .i18n import gettext as _
from .i18n import page_language, regional_locale
from .store import get_build


def service_timetable(service: dict) -> Timetable:
    rows = [row for row in service.get("schedules") or [] if row.get("phone_id") is None]
    return Timetable.from_rows(rows)


def open_status(service: dict) -> Status | None:
    """The service's status now, from its schedule rows in the build."""
    return status(service_timetable(service), clock.now())


def phone_status(phone: dict) -> Status | None:
    """A phone line's own hours, when it has them."""
    if not phone.get("hours"):
        return None
    return status(Timetable.from_hours(phone["hours"]), clock.now())


class Line(NamedTuple):
    """A status line as a page shows it: its state (``open``, ``closed``... for the class)
    and its words ("Open now · closes 5 PM")."""

    state: str
    text: str


# Status lines kept per worker: many services and phone lines keep the same hours, and a
# line reads the same all through a stretch of time (``current.current_stretch``), so a
# line is worked out once per hours, language and stretch, not once per card (issue #19).
LINES_KEPT = 4096


def status_line(service: dict) -> Line | None:
    """The service's status line now (``open_status`` in words), kept by its hours."""
    return _line(("service", _timed_rows(service)), lambda: open_status(service))


def phone_line(phone: dict) -> Line | None:
    """A phone line's own status line now, when it has hours (``phone_status`` in words)."""
    if not phone.get("hours"):
        return None
    return _line(("phone", phone["hours"]), lambda: phone_status(phone))


def _line(hours_key: tuple, state) -> Line | None:
    def made() -> Line | None:
        found = state()
        return None if found is None else Line(found.state, status_text(found))
    # Kept like the cards that show them: not when the page cache is off (tests compare).
    if not has_request_context() or "page_cache" not in current_app.extensions:
        return made()
    try:
        build = get_build()
        key = ("status", hours_key, page_language(), current_stretch())
    except NoBuild:
        return made()
    return build.recent(key, made, size=LINES_KEPT)


def clock_time(moment: dt.datetime) -> str:
    if moment.time() == dt.time():
        return _("midnight")
    return _clock(moment.time())


def clock_minutes(minutes: int, *, closing: bool = False) -> str:
    """Minutes after midnight as the page's locale writes a time; a closing 24:00 is midnight."""
    if closing and minutes % hours.DAY_MINUTES == 0:
        return _("midnight")
    minutes %= hours.DAY_MINUTES
    return _clock(dt.time(minutes // 60, minutes % 60))


def _clock(moment: dt.time) -> str:
    return _clock_in(moment, _locale())


@functools.lru_cache(maxsize=4096)  # 1,440 minutes a day, in a few languages
def _clock_in(moment: dt.time, locale: str) -> str:
    if moment.minute == 0 and _twelve_hour(locale):
        # "3 PM" rather than "3:00 PM": a sheet's hours line must stay one line.
        return format_time(moment, "h\u00a0a", locale=locale)
    # CLDR puts a narrow no-break space before AM/PM, which older phone fonts lack.
    return format_time(moment, "short", locale=locale).replace("\u202f", "\u00a0")


@functools.lru_cache(maxsize=64)
def _twelve_hour(locale: str) -> bool:
    return "h" in Locale.parse(locale).time_formats["short"].pattern


@functools.lru_cache(maxsize=64)
def _day_names(width: str, locale: str):
    return get_day_names(width, locale=locale)


def _locale() -> str:
    return regional_locale()


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    days = (moment.date() - now.date()).days
    if days == 0 or (days == 1 and moment.time() == dt.time()):  # 24:00 is tonight's midnight
        return clock_time(moment)
    if days == 1:
        return _("tomorrow %(time)s", time=clock_time(moment))
    if days < 7:
        return _("%(day)s %(time)s", day=format_date(moment.date(), "EEE"), time=clock_time(moment))
    return _("%(day)s %(time)s", day=format_date(moment.date(), "EEE d MMM"),
             time=clock_time(moment))


def status_text(state: Status | None) -> str:
    """One line: "Open now · closes 17:00", "Closed · opens Mon 09:00", "Open 24/7"."""
    if state is None:
        return ""
    if state.state == "always":
        return _("Open 24/7")
    if state.state == "appointment":
        return _("Hours by appointment")
    if state.state == "closing":
        return _("Closing soon · closes %(time)s", time=clock_time(state.closes))
    if state.state == "open":
        if state.closes is None:
            return _("Open now")
        return _("Open now · closes %(time)s", time=_when(state.closes, state.now))
    if state.opens is None:
        return _("Closed")
    return _("Closed · opens %(when)s", when=_when(state.opens, state.now))


def spans_text(spans: list[hours.Span]) -> str:
    """``[(540, 1020), (1200, 1560)]`` → "9:00 AM–5:00 PM, 8:00 PM–2:00 AM" (in en)."""
    def one(span):
        opens, closes = span
        return f"{clock_minutes(opens)}\u2013{clock_minutes(closes, closing=True)}"
    return ", ".join(one(span) for span in spans)


def written_hours(text: str | None) -> str:
    """Hours as written in a data file ("Mo-Fr 09:00-17:00; by appointment") in words of
    the page's language: "Mon–Fri 9:00 AM–5:00 PM; by appointment"."""
    if not text:
        return ""
    try:
        parsed = hours.parse(text)
    except hours.Invalid:  # validated at build time; never break a page over it
        return text
    if parsed.always:
        return _("24/7")
    names = _day_names("abbreviated", _locale())
    parts = []
    for rule in parsed.rules:
        days = ", ".join(names[run[0]] if len(run) == 1 else
                         f"{names[run[0]]}\u2013{names[run[-1]]}" for run in day_runs(rule.days))
        parts.append(f"{days} {spans_text(list(rule.spans))}")
    if parsed.appointment:
        parts.append(_("by appointment"))
    return "; ".join(parts)


def day_runs(days) -> list[list[int]]:
    """Weekdays in runs of consecutive days: (0, 1, 2, 4) → [[0, 1, 2], [4]]."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


@dataclass(frozen=True)
class WeekTable:
    rows: list[tuple[str, str, bool]]  # day name, hours, is today
    weekly: bool  # there are weekly hours at all
    exceptions: list[tuple[dt.date, str]]  # upcoming closed or special days
    always: bool
    appointment: bool
    today_note: str  # today is a closed or special day


def week_table(service: dict) -> WeekTable | None:
    """The weekly hours table for the service page, Monday first, today marked."""
    timetable = service_timetable(service)
    if not timetable.has_hours and not timetable.appointment:
        return None
    today = clock.now().date()
    names = _day_names("wide", _locale())
    rows = [(names[day], spans_text(spans) if spans else _("Closed"), is_today)
            for day, spans, is_today in week_rows(timetable, today)]
    exceptions = [(day, spans_text(spans) if spans else _("Closed"))
                  for day, spans in timetable.upcoming_exceptions(today)]
    note = ""
    if today in timetable.closed:
        note = _("Closed today.")
    elif today in timetable.special:
        note = _("Today only: %(hours)s.", hours=spans_text(timetable.special[today]))
    return WeekTable(rows, bool(timetable.weekly), exceptions, timetable.always,
                     timetable.appointment, note)


# The schedule fields a service's hours read (``Timetable.from_rows``).
_TIMED = ("kind", "byday", "valid_from", "opens_at", "closes_at")
HOURS_KEPT = 512  # hours blocks per worker


def hours_block(service: dict) -> Markup:
    """The service page's hours (``_hours.html``: status line, weekly table, coming
    changes). It reads only the service's own schedule rows, the page's language and the
    stretch of time (``current.current_stretch``: every status line reads the same all
    through one), and many services keep the same hours: each such block is made once."""
    key = ("hours", _timed_rows(service), page_language(), current_stretch())
    return get_build().recent(key, lambda: Markup(current_app.jinja_env.get_template(
        "_hours.html").render(service=service)), size=HOURS_KEPT)


def _timed_rows(service: dict) -> tuple:
    """What a service's hours are read from (``service_timetable``), as a key."""
    return tuple(tuple(row.get(name) for name in _TIMED)
                 for row in service.get("schedules") or [] if row.get("phone_id") is None)


def init_app(app) -> None:
    app.jinja_env.filters.update(open_status=open_status, phone_status=phone_status,
                                 status_line=status_line, phone_line=phone_line,
                                 status_text=status_text, week_table=week_table,
                                 written_hours=written_hours)
    app.jinja_env.globals["hours_block"] = hours_block
