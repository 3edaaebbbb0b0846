"""What happens when: the dated sessions of the coming weeks, and a service's next session.

Sessions come from the build as schedule rows (``queries.sessions``); their dates are
expanded here at the moment asked (``hours.sessions.occurrences``), so a session drops off
the list once it has ended and "Next session" moves on as days pass, with no rebuild.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..geo import distance as geo
from ..hours import sessions as dated

DEFAULT_WEEKS = 6
MAX_WEEKS = 26


@dataclass(frozen=True)
class Event:
    """One date of one session, with the session's details and, for a near search, how far."""

    session: dict
    when: dated.Occurrence
    distance_km: float | None = None


def matches(row: dict, categories: set[str] | None, language: str | None) -> bool:
    """Whether a session or a role has one of the ``categories`` (a kind of help and its
    narrower kinds) and is offered in ``language``; None means any."""
    if categories is not None and not categories.intersection(row.get("categories") or []):
        return False
    return language is None or language in (row.get("languages") or [])


def distance(row: dict, point: geo.Point | None) -> float | None:
    """Kilometres from ``point`` to the row's place (None without a point or a place)."""
    if point is None or row.get("latitude") is None or row.get("longitude") is None:
        return None
    return geo.distance_km(point, geo.Point(row["latitude"], row["longitude"]))


def upcoming(rows: list[dict], zone, now: dt.datetime, weeks: int = DEFAULT_WEEKS, *,
             categories: set[str] | None = None, language: str | None = None,
             point: geo.Point | None = None, radius_km: float | None = None) -> list[Event]:
    """Every date of every session from ``now`` until ``weeks`` ahead that has not ended, by
    start time. With a point, sessions at places beyond ``radius_km`` are left out; those
    without a place (online, by phone) stay."""
    today = now.date()
    last = today + dt.timedelta(weeks=weeks)
    found = []
    for row in rows:
        if not matches(row, categories, language):
            continue
        km = distance(row, point)
        if km is not None and radius_km is not None and km > radius_km:
            continue
        for when in dated.occurrences(row, zone, today, last):
            if when.ends > now:
                found.append(Event(row, when, km))
    return sorted(found, key=lambda e: (e.when.starts, e.session.get("title") or "",
                                        e.session["id"]))


def next_session(schedules: list[dict], zone, now: dt.datetime) -> dated.Occurrence | None:
    """The next start of any of a service's sessions (its ``session`` schedule rows)."""
    today = now.date()
    starts = [when for row in schedules if row.get("kind") == "session"
              for when in dated.occurrences(row, zone, today,
                                            today + dt.timedelta(days=dated.OPEN_ENDED_DAYS))
              if when.starts >= now]
    return min(starts, key=lambda when: when.starts, default=None)


def coming(schedules: list[dict], zone, now: dt.datetime, limit: int = 6) -> list[tuple]:
    """(session row, occurrence) of a service's next dates that have not ended, soonest first."""
    today = now.date()
    found = [(row, when) for row in schedules if row.get("kind") == "session"
             for when in dated.occurrences(row, zone, today,
                                           today + dt.timedelta(days=dated.OPEN_ENDED_DAYS))
             if when.ends > now]
    return sorted(found, key=lambda pair: pair[1].starts)[:limit]
