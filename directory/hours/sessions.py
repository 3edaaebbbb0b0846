"""Dated sessions: a workshop on one day, a six-week course, a group on the first Saturday.

A service's ``sessions`` are written as a first ``date``, a ``time`` and, for a series, how
it ``repeat``\\ s (``weekly``, or ``monthly`` on the same weekday of the month as ``date``:
2026-12-05 is the first Saturday, so ``1SA``; a date in the fifth week means the last one,
``-1SA``) and where it stops (``until`` a date, or after ``count`` sessions, or never).

In the build each session is one HSDS 3.0 schedule row (``dtstart``, ``until``, ``count``,
``freq``, ``byday``, ``opens_at``, ``closes_at``; see ``schedules``); on the site
``occurrences`` expands a row into the dates it falls on, with python-dateutil's RFC 5545
rules, so past sessions drop away as days pass without a rebuild.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil import rrule

from ..records.fields import Invalid, show
from ..records.problems import Report
from . import syntax as hours

REPEATS = ["weekly", "monthly"]
FREQ = {"weekly": "WEEKLY", "monthly": "MONTHLY"}
TIME_EXAMPLE = 'expected a start and an end such as "18:00-20:00"'
# An ongoing series (no until, no count) is expanded this far ahead at most.
OPEN_ENDED_DAYS = 400


def check_time(value) -> str:
    """A session's ``time``: one ``HH:MM-HH:MM`` span that ends after it starts, same day."""
    if not isinstance(value, str):
        raise Invalid(f"{show(value)} is not a time of day ({TIME_EXAMPLE}; quote the value)")
    bounds = [part.strip() for part in value.replace("\u2013", "-").split("-")]
    if len(bounds) != 2 or not all(bounds):
        raise Invalid(f"{show(value)} is not a start and an end ({TIME_EXAMPLE})")
    try:
        starts, ends = hours.parse_time(bounds[0]), hours.parse_time(bounds[1], closing=True)
    except Invalid as error:
        raise Invalid(f"{show(value)} is not a session time: {error} ({TIME_EXAMPLE})") from None
    if ends <= starts:
        raise Invalid(f"{show(value)} ends before it starts; write the end after the start "
                      "(a session that runs past midnight ends at 24:00)")
    return f"{hours.clock_text(starts)}-{hours.clock_text(ends)}"


def byday(first: dt.date, repeat: str | None) -> str | None:
    """The HSDS/RFC 5545 ``byday`` of a series: ``TH`` weekly, ``1SA`` or ``-1SA`` monthly."""
    code = hours.BYDAY[first.weekday()]
    if repeat == "weekly":
        return code
    if repeat == "monthly":
        week = (first.day - 1) // 7 + 1
        return f"{-1 if week == 5 else week}{code}"
    return None


def _rule(start: dt.datetime, freq: str | None, by: str | None, until: dt.date | None,
          count: int | None):
    if not freq:
        return None
    weekday = rrule.weekdays[hours.BYDAY.index(by[-2:])]
    nth = by[:-2]
    return rrule.rrule(
        rrule.WEEKLY if freq == "WEEKLY" else rrule.MONTHLY, dtstart=start,
        byweekday=weekday(int(nth)) if nth else weekday, count=count,
        until=dt.datetime.combine(until, dt.time.max) if until and not count else None)


def dates(first: dt.date, freq: str | None, by: str | None, until: dt.date | None = None,
          count: int | None = None, *, after: dt.date | None = None,
          before: dt.date | None = None) -> list[dt.date]:
    """The dates a session falls on, optionally only those from ``after`` to ``before``
    (inclusive). An open-ended series stops ``OPEN_ENDED_DAYS`` after ``after``."""
    rule = _rule(dt.datetime.combine(first, dt.time()), freq, by, until, count)
    if rule is None:
        found = [first]
    else:
        low = dt.datetime.combine(after or first, dt.time())
        end = before or (after or first) + dt.timedelta(days=OPEN_ENDED_DAYS)
        found = [moment.date() for moment in rule.between(
            low, dt.datetime.combine(end, dt.time.max), inc=True)]
    return [day for day in found
            if (after is None or day >= after) and (before is None or day <= before)]


def last_date(first: dt.date, freq: str | None, by: str | None, until: dt.date | None,
              count: int | None) -> dt.date | None:
    """The last date of a session (None for a series that never ends)."""
    if not freq:
        return first
    if count:
        rule = _rule(dt.datetime.combine(first, dt.time()), freq, by, None, count)
        return list(rule)[-1].date()
    return until


@dataclass(frozen=True)
class Occurrence:
    """One date of one session, with its start and end as aware datetimes."""

    day: dt.date
    starts: dt.datetime
    ends: dt.datetime


def occurrences(row: dict, zone, after: dt.date, before: dt.date) -> list[Occurrence]:
    """A ``session`` schedule row's dates from ``after`` to ``before``, with their times."""
    first = dt.date.fromisoformat(row["dtstart"])
    until = dt.date.fromisoformat(row["until"]) if row.get("until") else None
    opens, closes = (hours.parse_time(row["opens_at"]),
                     hours.parse_time(row["closes_at"], closing=True))
    found = []
    for day in dates(first, row.get("freq"), row.get("byday"), until, row.get("count"),
                     after=after, before=before):
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        found.append(Occurrence(day, _at(midnight, opens), _at(midnight, closes)))
    return found


def _at(midnight: dt.datetime, minutes: int) -> dt.datetime:
    # Wall-clock time on that day (24:00 is the next midnight), as the data writes it.
    return (midnight.replace(tzinfo=None) + dt.timedelta(minutes=minutes)).replace(
        tzinfo=midnight.tzinfo)


def check_session(session, path: str, report: Report, today: dt.date) -> None:
    """What one session's fields say together: an end before a start, a count and an until
    at once, a series word without ``repeat``; and, as a warning, dates all in the past."""
    file, first = session.file, session.get("date")
    repeat, until, count = session.get("repeat"), session.get("until"), session.get("count")

    def where(name):
        return file, session.line_of(name), f"{path}.{name}" if path else name

    if "repeat" in session and not repeat:
        return  # a misspelt repeat was reported; what it would have meant is unknown
    if not repeat:
        for name in ("until", "count"):
            if session.get(name) is not None:
                report.error(*where(name), "only applies to a series; add repeat: weekly or "
                             "repeat: monthly, or remove it for a one-off session")
        until = count = None
    if until is not None and count is not None:
        report.error(*where("count"), "give until or count, not both (RFC 5545 allows one)")
        return
    if first is None:
        return
    if until is not None and until < first:
        report.error(*where("until"), f"{until.isoformat()} is before the first date "
                     f"{first.isoformat()}; the series would end before it starts")
        return
    last = last_date(first, FREQ.get(repeat), byday(first, repeat), until, count)
    if last is not None and last < today:
        report.warning(*where("date"), f"every date of this session is past (the last was "
                       f"{last.isoformat()}); remove it or give its new dates")
