"""Opening hours in words, as people write them on paper: "Mon–Fri 10 AM–6 PM, Sat 10 AM–2 PM".

A referral sheet is read later, alone, without the site: the week in one line, in the page's
language and on the clock the site's region uses (12-hour in the US, 24-hour in most places),
then the closed and special days of the coming weeks ("Closed Dec 25"). Day names, times and
dates come from Babel, every word through gettext, so a translation needs no code.
"""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, get_day_names
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..build.layout import NoBuild
from ..hours import syntax
from ..hours.opening import Timetable
from . import clock
from .hours import day_runs, service_timetable
from .i18n import page_language
from .store import get_build

CLOSURE_DAYS = 42  # "the next weeks": six weeks of closed and special days on a sheet


def region_locale() -> Locale:
    """The page's language on the site's regional clock: ``en`` + US → ``en_US``."""
    language = page_language()
    try:
        country = get_build().site.get("country") or ""
    except NoBuild:
        country = ""
    return _region_locale(language, country.upper())


@functools.lru_cache(maxsize=64)
def _region_locale(language: str, country: str) -> Locale:
    try:
        return Locale.parse(f"{language}_{country}") if country else Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(language)


def _twelve_hour(locale: Locale) -> bool:
    return "h" in locale.time_formats["short"].pattern


def time_words(minutes: int, locale: Locale) -> str:
    """Minutes after midnight → "10 AM", "6:30 PM", "midnight" (en_US) or "18:30" (es_ES)."""
    minutes %= syntax.DAY_MINUTES
    if minutes == 0:
        return _("midnight")
    moment = dt.time(minutes // 60, minutes % 60)
    if _twelve_hour(locale) and moment.minute == 0:
        return format_skeleton("h", moment, locale=locale)  # "10 AM": the minutes say nothing
    return format_time(moment, "short", locale=locale)


def spans_words(spans, locale: Locale) -> str:
    """``[(600, 720), (780, 1020)]`` → "10 AM–12 PM and 1 PM–5 PM"."""
    parts = [_("%(opens)s–%(closes)s", opens=time_words(opens, locale),
               closes=time_words(closes, locale)) for opens, closes in spans]
    return _(" and ").join(parts)


def _unbroken(words: str) -> Markup:
    # "Mon–Fri 9 AM–7 PM" read across a line break ("9 AM–" / "7 PM") is easy to misread.
    return Markup('<span class="hours-part">%s</span>') % escape(words)


def _day_runs(days: list[int], names: dict[int, str]) -> str:
    """Weekdays [0, 1, 2, 3, 4, 6] → "Mon–Fri, Sun": runs of two or more days as ranges."""
    return ", ".join(names[run[0]] if len(run) == 1 else
                     _("%(first)s–%(last)s", first=names[run[0]], last=names[run[-1]])
                     for run in day_runs(days))


def week_words(timetable: Timetable) -> Markup:
    """The weekly hours in one line; days with the same hours share their times."""
    if timetable.weekly and timetable.always:
        return escape(_("Open 24 hours, every day"))
    locale = region_locale()
    names = get_day_names("abbreviated", locale=locale)
    same: dict[tuple, list[int]] = {}
    for day in range(7):
        spans = tuple(timetable.weekly.get(day, ()))
        if spans:
            same.setdefault(spans, []).append(day)
    groups = sorted(same.items(), key=lambda item: item[1][0])
    words = Markup(", ").join(_unbroken(_("%(days)s %(hours)s", days=_day_runs(days, names),
                                          hours=spans_words(spans, locale)))
                              for spans, days in groups)
    if timetable.appointment:
        return Markup(escape(_("%(hours)s; other times by appointment", hours="\0"))
                      .replace("\0", words)) if words else \
            escape(_("By appointment: call to arrange a time"))
    return words


def closure_words(timetable: Timetable, today: dt.date) -> list[Markup]:
    """Closed and special days of the coming weeks: "Closed Dec 25", "Dec 24: 12 PM–2 PM"."""
    locale = region_locale()
    last = today + dt.timedelta(days=CLOSURE_DAYS)
    closed, special = [], []
    for day, spans in timetable.upcoming_exceptions(today, limit=8):
        if day > last:
            break
        date = format_skeleton("MMMd", day, locale=locale)
        if spans:
            special.append(_unbroken(_("%(date)s: %(hours)s", date=date,
                                       hours=spans_words(spans, locale))))
        else:
            closed.append(date)
    # One "Closed" for all the closed days: "Closed Nov 26 and Dec 25".
    shut = [escape(_("Closed %(dates)s", dates=_(" and ").join(closed) if len(closed) < 3 else
                     _("%(dates)s and %(last)s", dates=", ".join(closed[:-1]), last=closed[-1])))]
    return special + shut if closed else special


def hours_words(service: dict) -> Markup:
    """A service's hours for paper (HTML-safe): the week, then the coming closures; empty
    when not listed."""
    timetable = service_timetable(service)
    week = escape(week_words(timetable)) if (timetable.weekly or timetable.appointment) else ""
    closures = Markup(", ").join(closure_words(timetable, clock.today()))
    if week and closures:
        return Markup(escape(_("%(week)s. %(closures)s", week="\0", closures="\1"))
                      .replace("\0", week).replace("\1", closures))
    return Markup(week or closures)


def init_app(app) -> None:
    app.jinja_env.filters.update(hours_words=hours_words)
