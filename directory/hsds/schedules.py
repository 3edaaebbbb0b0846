"""HSDS schedule rows → a service's ``hours``, ``closed`` and ``special`` days.

Weekly rows (``freq`` WEEKLY or a 1.x weekday) give the hours, grouped by their days as the
export wrote them; a row with ``valid_from`` = ``valid_to`` and no times is a closed day, with
times a special day (1.x ``holiday_schedules`` too, a range of dates day by day); a row that says
only "by appointment" is that. A row with only a description is read as free text. What cannot
be read is returned as text for the description, with a report line: hours are never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..hours import syntax
from . import hours_text
from .cleaning import Place, show
from .tables import Row

_HHMM = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
MAX_HOLIDAY_DAYS = 62  # a longer closure is a note, not hundreds of dates


@dataclass
class Opening:
    hours: str | None = None
    closed: list[dt.date] = field(default_factory=list)
    special: dict[dt.date, str] = field(default_factory=dict)
    as_text: list[str] = field(default_factory=list)  # what could not be read


def opening(rows: list[Row], place_of) -> Opening:
    """Read all schedule rows of one service; ``place_of(row)`` gives each row's Place."""
    weekly: dict[tuple[int, ...], list] = {}
    written: list[str] = []  # the rules as the export wrote them (HSDS description)
    appointment = False
    texts: list[str] = []
    out = Opening()
    for row in rows:
        place = place_of(row)
        if row.text("dtstart"):  # a dated session: a group or workshop, not opening hours
            title = row.text("description") or "a session"
            place.note("session-not-imported", "dtstart",
                       f"{show(title)} starting {row.text('dtstart')[:10]} is a dated session; "
                       "it is not imported as hours (add it under sessions: by hand)")
            continue
        if _is_dated(row):
            _dated(row, place, out)
            continue
        description = row.text("description")
        days = _days(row, place)
        opens, closes = _time(row, "opens_at", place), _time(row, "closes_at", place)
        freq = row.text("freq").upper()
        if freq and freq != "WEEKLY":
            out.as_text.append(description or f"{freq.lower()} schedule")
            place.note("hours-kept-as-text", "freq", f"{freq} schedules cannot be written as "
                       "weekly hours; kept in the description")
            continue
        if days and opens is not None and closes is not None:
            weekly.setdefault(days, []).append((opens, closes))
            written.append(description)
        elif not days and opens is None and closes is None:
            if description.lower().strip(". ") in ("by appointment", "by appointment only"):
                appointment = True
            elif description:
                texts.append((description, place))
        else:
            place.note("schedule-dropped", "opens_at", "a schedule row with days but no times "
                       "(or times but no day); dropped")
    if weekly:
        out.hours = _as_written(written) or hours_text.rules_text(weekly)
        if not _same_periods(out.hours, hours_text.rules_text(weekly)):
            out.hours = hours_text.rules_text(weekly)
    for description, place in texts:
        read = hours_text.read_free_text(description)
        if read and not out.hours:
            out.hours = read
            place.note("hours-read", "description", f"{show(description)} → {show(read)}")
        elif read == syntax.APPOINTMENT:
            appointment = True
        else:
            out.as_text.append(description)
            place.note("hours-kept-as-text", "description",
                       f"{show(description)} is not hours this directory can read; kept in the "
                       "description")
    if appointment:
        out.hours = f"{out.hours}; {syntax.APPOINTMENT}" if out.hours and \
            out.hours != syntax.APPOINTMENT else syntax.APPOINTMENT
    for day in list(out.special):
        if day in out.closed:
            del out.special[day]  # a closed day wins over special hours the same day
    out.closed = sorted(set(out.closed))
    return out


def _as_written(descriptions: list[str]) -> str | None:
    """The rules' own words when every weekly row carries them (an export of this directory
    writes each rule as it was typed: "Fr-Sa 20:00-02:00", "24/7")."""
    if not descriptions or not all(descriptions):
        return None
    try:
        rules = sorted(dict.fromkeys(descriptions),
                       key=lambda text: syntax.parse(text).rules[0].days[0])
        joined = "; ".join(rules)
        syntax.parse(joined)
    except Exception:  # noqa: BLE001 - free words in a description: use the rows themselves
        return None
    return joined


def _same_periods(one: str, other: str) -> bool:
    try:
        return syntax.parse(one).periods() == syntax.parse(other).periods()
    except Exception:  # noqa: BLE001
        return False


def free_text(text: str, place: Place, field_name: str) -> tuple[str | None, str | None]:
    """(hours, None) when a free-text hours field reads; (None, text) to keep it as a note."""
    read = hours_text.read_free_text(text)
    if read:
        place.note("hours-read", field_name, f"{show(text)} → {show(read)}")
        return read, None
    place.note("hours-kept-as-text", field_name, f"{show(text)} is not hours this directory can "
               "read; kept in the description")
    return None, text


def _is_dated(row: Row) -> bool:
    start, end = row.text("valid_from"), row.text("valid_to")
    return bool(row.get("dated")) or (bool(start) and start[:10] == end[:10]
                                      and not row.text("byday") and not row.text("weekday"))


def _dated(row: Row, place: Place, out: Opening) -> None:
    try:
        start = dt.date.fromisoformat(row.text("valid_from")[:10])
        end = dt.date.fromisoformat((row.text("valid_to") or row.text("valid_from"))[:10])
    except ValueError:
        place.note("schedule-dropped", "valid_from",
                   f"{show(row.text('valid_from'))} is not a date; the dated row is dropped")
        return
    if (end - start).days > MAX_HOLIDAY_DAYS or end < start:
        out.as_text.append(f"Closed {start.isoformat()} to {end.isoformat()}")
        place.note("hours-kept-as-text", "valid_to",
                   f"{start.isoformat()}-{end.isoformat()} is too long a range for dated days; "
                   "kept in the description")
        return
    opens, closes = _time(row, "opens_at", place), _time(row, "closes_at", place)
    closed = row.text("closed").lower() in ("true", "1", "yes", "y", "t") or \
        (opens is None and closes is None)
    day = start
    while day <= end:
        if closed:
            out.closed.append(day)
        elif opens is not None and closes is not None:
            span = hours_text.span_text(opens, closes)
            out.special[day] = f"{out.special[day]},{span}" if day in out.special else span
        day += dt.timedelta(days=1)


def _days(row: Row, place: Place) -> tuple[int, ...]:
    raw = row.text("byday") or row.text("weekday")
    days = []
    for part in re.split(r"[,\s;]+", raw):
        if not part:
            continue
        day = hours_text.weekday(re.sub(r"^[+-]?\d+(?=[A-Za-z])", "", part))
        if day is None:
            place.note("schedule-dropped", "byday", f"{show(part)} is not a weekday; ignored")
            continue
        days.append(day)
    return tuple(sorted(set(days)))


def _time(row: Row, key: str, place: Place) -> int | None:
    raw = row.text(key)
    if not raw:
        return None
    if key == "closes_at" and raw == "23:59:59":
        return 24 * 60  # how HSDS writes closing at midnight, the end of the day
    minutes = hours_text.clock(raw)
    if minutes is None:
        place.note("schedule-dropped", key, f"{show(raw)} is not a time; ignored")
        return None
    if not _HHMM.match(raw):
        place.note("time-read", key, f"{show(raw)} → {hours_text.clock_text(minutes)}")
    if key == "opens_at" and minutes == 24 * 60:
        return 0
    return minutes % (24 * 60) if key == "opens_at" else minutes
