"""Open now: a service's timetable (weekly hours, closed and special days) at a given moment.

Opening and closing are decided on the wall clock of the site's zone, as the hours are
written; how long is left ("closing soon") is real elapsed time. So on the night clocks go
back, "open until 02:00" lasts an hour longer, and "closing soon" still means 30 real minutes.
The open-now filter (``openness``) uses the same wall-clock rule, so a card that says "Open
now" and the filter always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import syntax as hours

CLOSING_SOON = dt.timedelta(minutes=30)
HORIZON_DAYS = 14  # look this far ahead for the next opening (a holiday may skip a week)
Span = hours.Span


@dataclass(frozen=True)
class Timetable:
    """Everything needed to say whether a service is open on a given day."""

    weekly: dict[int, list[Span]] = field(default_factory=dict)
    closed: frozenset[dt.date] = frozenset()
    special: dict[dt.date, list[Span]] = field(default_factory=dict)
    appointment: bool = False

    @classmethod
    def from_hours(cls, text: str | None, closed=(), special: dict | None = None) -> Timetable:
        """From the data's own strings (``hours``, ``closed``, ``special``)."""
        parsed = hours.parse(text) if text else hours.Hours()
        return cls(parsed.periods(), frozenset(closed),
                   {day: list(hours.parse_spans(times)) for day, times in (special or {}).items()},
                   parsed.appointment)

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Timetable:
        """From the build's HSDS ``schedules`` rows of one service (or one phone)."""
        weekly: dict[int, list[Span]] = {}
        special: dict[dt.date, list[Span]] = {}
        closed, appointment = set(), False
        for row in rows:
            kind = row["kind"]
            if kind == "session":  # a dated session is an event, not opening hours
                continue
            if kind == "appointment":
                appointment = True
            elif kind == "closed":
                closed.add(dt.date.fromisoformat(row["valid_from"]))
            else:
                span = _span(row["opens_at"], row["closes_at"])
                if kind == "special":
                    special.setdefault(dt.date.fromisoformat(row["valid_from"]), []).append(span)
                else:
                    for code in row["byday"].split(","):
                        weekly.setdefault(hours.BYDAY.index(code), []).append(span)
        return cls({day: sorted(spans) for day, spans in sorted(weekly.items())},
                   frozenset(closed), {day: sorted(s) for day, s in special.items()}, appointment)

    @property
    def has_hours(self) -> bool:
        return bool(self.weekly or self.special)

    @property
    def always(self) -> bool:
        return hours.week_intervals(self.weekly) == [(0, hours.WEEK_MINUTES)]

    def periods_on(self, day: dt.date) -> list[Span]:
        """The periods that start on a date: none when closed, the special ones when special."""
        if day in self.closed:
            return []
        if day in self.special:
            return self.special[day]
        return self.weekly.get(day.weekday(), [])

    def exceptions_between(self, first: dt.date, last: dt.date) -> bool:
        return any(first <= day <= last for day in (*self.closed, *self.special))

    def upcoming_exceptions(self, today: dt.date,
                            limit: int = 6) -> list[tuple[dt.date, list[Span]]]:
        """Closed (no periods) and special days from today on, soonest first."""
        days = sorted(day for day in (*self.closed, *self.special) if day >= today)
        return [(day, self.periods_on(day)) for day in days[:limit]]


def _span(opens_at: str, closes_at: str) -> Span:
    opens = hours.parse_time(opens_at)
    closes = hours.parse_time(closes_at, closing=True)
    return (opens, closes if closes > opens else closes + hours.DAY_MINUTES)


@dataclass(frozen=True)
class Status:
    """Where a timetable stands at a moment. Times are wall-clock times in the site's zone."""

    state: str  # always | open | closing | closed | appointment
    now: dt.datetime  # the local wall-clock time asked about (naive)
    closes: dt.datetime | None = None
    opens: dt.datetime | None = None
    appointment: bool = False

    @property
    def is_open(self) -> bool:
        return self.state in ("always", "open", "closing")


def status(timetable: Timetable, now: dt.datetime) -> Status | None:
    """Open, closing soon, closed (and when it opens) at ``now`` (aware, in the site's zone).

    None when the timetable has no hours at all and no appointments.
    """
    zone = now.tzinfo
    wall = now.replace(tzinfo=None)
    today = wall.date()
    if not timetable.has_hours:
        return Status("appointment", wall, appointment=True) if timetable.appointment else None
    last = today + dt.timedelta(days=HORIZON_DAYS)
    if timetable.always and not timetable.exceptions_between(today - dt.timedelta(days=1), last):
        return Status("always", wall)
    # In whole minutes from yesterday's midnight, on the wall clock (naive: no jumps).
    origin = dt.datetime.combine(today - dt.timedelta(days=1), dt.time())
    at = (wall - origin) // _MICROSECOND
    horizon = (HORIZON_DAYS + 1) * hours.DAY_MINUTES
    for start_minute, end_minute in _merged(timetable, today):
        if start_minute * _PER_MINUTE <= at < end_minute * _PER_MINUTE:
            if end_minute >= horizon:
                return Status("open", wall, appointment=timetable.appointment)
            end = origin + dt.timedelta(minutes=end_minute)
            # Real time left: aware datetimes in one zone subtract as wall clocks, so use UTC.
            left = _moment(end, zone, after=now) - now.astimezone(dt.UTC)
            state = "closing" if left <= CLOSING_SOON else "open"
            return Status(state, wall, closes=end, appointment=timetable.appointment)
        if start_minute * _PER_MINUTE > at:
            return Status("closed", wall, opens=origin + dt.timedelta(minutes=start_minute),
                          appointment=timetable.appointment)
    return Status("closed", wall, appointment=timetable.appointment)


_MICROSECOND = dt.timedelta(microseconds=1)
_PER_MINUTE = 60_000_000  # microseconds


def _merged(timetable: Timetable, today: dt.date) -> list[tuple[int, int]]:
    """Wall-clock intervals from yesterday (a night may still be running) to the horizon,
    in minutes from yesterday's midnight: whole numbers merge and compare without making
    a datetime of every span of sixteen days."""
    spans = []
    for offset in range(HORIZON_DAYS + 2):
        day = today + dt.timedelta(days=offset - 1)
        base = offset * hours.DAY_MINUTES
        spans += [(base + opens, base + closes) for opens, closes in timetable.periods_on(day)]
    return hours.merge_spans(spans)


def _moment(wall: dt.datetime, zone, after: dt.datetime) -> dt.datetime:
    """The real moment (in UTC) a wall-clock time comes round.

    A time the clocks jump over is the moment of the jump; a time that happens twice (clocks
    going back) is the first occurrence that is not already past.
    """
    step = dt.timedelta(minutes=1)
    for _ in range(24 * 60):  # at most the length of the gap; a real gap is an hour
        aware = wall.replace(tzinfo=zone)
        if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall:
            break
        wall += step
    moments = sorted({wall.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC) for fold in (0, 1)})
    upcoming = [moment for moment in moments if moment >= after]
    return upcoming[0] if upcoming else moments[-1]


def week_rows(timetable: Timetable, today: dt.date) -> list[tuple[int, list[Span], bool]]:
    """Monday to Sunday: (weekday, periods, is today) for the weekly hours table."""
    return [(day, timetable.weekly.get(day, []), day == today.weekday()) for day in range(7)]
