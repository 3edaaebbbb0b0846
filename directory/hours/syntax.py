"""Opening hours as people write them: ``"Mo-Fr 09:00-17:00; Sa 10:00-14:00"``, ``"24/7"``.

The syntax, one rule per ``;``:

- days: ``Mo Tu We Th Fr Sa Su``, ranges ``Mo-Fr`` (``Fr-Mo`` wraps round the weekend) and
  lists ``Mo,We`` or ``Mo-We,Fr``;
- then one or more times ``09:00-12:00,13:00-17:00``; a closing time at or before the opening
  time runs past midnight (``Fr-Sa 20:00-02:00`` closes at 02:00 on Saturday and Sunday);
  ``24:00`` is midnight at the end of the day;
- or the whole string ``24/7``; a rule ``by appointment`` says other times can be arranged.

Parsing gives ``Hours``: for each weekday (0 = Monday) the periods that start on it, as minutes
after that day's midnight (``20:00-02:00`` is ``(1200, 1560)``). Dated ``closed`` days and
``special`` days are checked here too; ``opening`` turns all of it into "open now".
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from ..records.fields import At, Invalid, date, is_mapping, show
from ..records.problems import Report

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 / HSDS byday codes
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
ALWAYS = "24/7"
APPOINTMENT = "by appointment"
EXAMPLE = 'expected e.g. "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "24/7" or "by appointment"'
TIMES_EXAMPLE = 'expected times such as "09:00-12:00" or "09:00-12:00,13:00-17:00"'

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_RULE = re.compile(r"^(?P<days>[A-Za-z]+(?:\s*[-,]\s*[A-Za-z]+)*)\s*(?P<times>.*)$")

Span = tuple[int, int]  # minutes after midnight; closing > opening, up to 48:00


@dataclass(frozen=True)
class Rule:
    """One ``days times`` part, e.g. ``Mo-Fr 09:00-12:00,13:00-17:00``."""

    days: tuple[int, ...]
    spans: tuple[Span, ...]
    text: str


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours: the rules as written and whether appointments are offered."""

    rules: tuple[Rule, ...] = ()
    appointment: bool = False
    text: str = ""

    def periods(self) -> dict[int, list[Span]]:
        """Weekday → the periods that start that day, sorted."""
        by_day: dict[int, list[Span]] = {}
        for rule in self.rules:
            for day in rule.days:
                by_day.setdefault(day, []).extend(rule.spans)
        return {day: sorted(spans) for day, spans in sorted(by_day.items())}

    @property
    def always(self) -> bool:
        """Open every minute of the week (``24/7``, or e.g. ``Mo-Su 00:00-24:00``)."""
        return week_intervals(self.periods()) == [(0, WEEK_MINUTES)]


# --- parsing ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    # Dashes from word processors, and runs of spaces, are what people paste.
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split())


def parse_time(text: str, *, closing: bool = False) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise Invalid(f'"{text.strip()}" is not a time (write hours and minutes, e.g. 09:00)')
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not closing)):
        raise Invalid(f'"{text.strip()}" is not a time of day (00:00 to 23:59, or 24:00 to close '
                      "at midnight)")
    return hour * 60 + minute


def parse_spans(text: str) -> tuple[Span, ...]:
    """``"09:00-12:00,13:00-17:00"`` → ``((540, 720), (780, 1020))``; raises Invalid."""
    spans = []
    for part in _clean(text).split(","):
        part = part.strip()
        bounds = [piece.strip() for piece in part.split("-")]
        if len(bounds) != 2 or not all(bounds):
            raise Invalid(f'"{part}" is not a time range (write it as 09:00-17:00)')
        opens, closes = parse_time(bounds[0]), parse_time(bounds[1], closing=True)
        if opens == closes:
            raise Invalid(f'"{part}" opens and closes at the same time')
        spans.append((opens, closes if closes > opens else closes + DAY_MINUTES))
    for (_, ends), (starts, _) in zip(spans, spans[1:], strict=False):
        if starts < ends:  # inconsistent: out of order or overlapping periods
            raise Invalid(f'"{_clean(text).strip()}" has periods that overlap or are out of '
                          f"order ({clock_text(starts % DAY_MINUTES)} comes before "
                          f"{clock_text(ends % DAY_MINUTES)}); list each day's periods in order")
    return tuple(spans)


def parse_days(text: str) -> tuple[int, ...]:
    """``"Mo-Fr"`` → ``(0, 1, 2, 3, 4)``; ``"Mo,We"`` → ``(0, 2)``; raises Invalid."""
    days: list[int] = []
    for part in text.replace(" ", "").split(","):
        ends = [_day(name) for name in part.split("-")]
        if len(ends) == 1:
            days.append(ends[0])
        elif len(ends) == 2:
            first, last = ends
            days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
        else:
            raise Invalid(f'"{part}" is not a day or a range of days (e.g. Mo-Fr)')
    return tuple(dict.fromkeys(days))


def _day(name: str) -> int:
    for index, day in enumerate(DAYS):
        if name.lower() == day.lower():
            return index
    raise Invalid(f'"{name}" is not a day; use {" ".join(DAYS)}')


def _rule(text: str) -> Rule:
    match = _RULE.match(text)
    if not match:
        raise Invalid(f'"{text}" does not start with days such as Mo-Fr')
    days = parse_days(match["days"])
    if not match["times"]:
        raise Invalid(f'"{text}" needs opening times after the days, e.g. {match["days"]} '
                      "09:00-17:00")
    spans = parse_spans(match["times"])
    days_text = match["days"].replace(" ", "")
    days_text = re.sub(r"[A-Za-z]+", lambda m: DAYS[_day(m[0])], days_text)
    return Rule(days, spans, f"{days_text} {','.join(_span_text(s) for s in spans)}")


@lru_cache(maxsize=4096)
def parse(text: str) -> Hours:
    """Parse an hours string; raises Invalid with the reason (without the expected form)."""
    cleaned = _clean(text)
    if not cleaned:
        raise Invalid("is empty")
    if cleaned.lower() == ALWAYS:
        return Hours((Rule(tuple(range(7)), ((0, DAY_MINUTES),), ALWAYS),), text=ALWAYS)
    rules, appointment, texts = [], False, []
    for part in cleaned.split(";"):
        part = part.strip()
        if not part:
            raise Invalid('has an empty part between ";" (remove the extra ";")')
        if part.lower() == APPOINTMENT:
            appointment = True
            texts.append(APPOINTMENT)
            continue
        if part.lower() == ALWAYS:
            raise Invalid('"24/7" must be the whole of the hours, not one part')
        rule = _rule(part)
        for earlier in rules:
            twice = [DAYS[day] for day in rule.days if day in earlier.days]
            if twice:
                raise Invalid(f'{twice[0]} has hours in two parts ("{earlier.text}" and '
                              f'"{rule.text}"); give each day its hours once, e.g. '
                              '"Mo 09:00-12:00,13:00-17:00"')
        rules.append(rule)
        texts.append(rule.text)
    return Hours(tuple(rules), appointment, "; ".join(texts))


def _span_text(span: Span) -> str:
    opens, closes = span
    # 24:00 stays as written; past midnight is the next day's clock time.
    closing = closes if closes == DAY_MINUTES else closes % DAY_MINUTES
    return f"{clock_text(opens)}-{clock_text(closing)}"


def clock_text(minutes: int) -> str:
    """Minutes after midnight → ``"HH:MM"`` (``24:00`` stays as written)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- weekly intervals ------------------------------------------------------------------


def week_intervals(periods: dict[int, list[Span]]) -> list[tuple[int, int]]:
    """Merged minute-of-week intervals (Monday 00:00 = 0), wrapping Sunday night into Monday."""
    raw = []
    for day, spans in periods.items():
        for opens, closes in spans:
            start, end = day * DAY_MINUTES + opens, day * DAY_MINUTES + closes
            if end > WEEK_MINUTES:  # Sunday night past midnight continues on Monday
                raw += [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]
            else:
                raw.append((start, end))
    return merge_spans(raw)


def merge_spans(spans):
    """Intervals (start, end) sorted, with those that touch or overlap joined into one."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- checkers for the data format ------------------------------------------------------


def check_hours(value) -> str:
    """The ``hours`` field: valid hours, returned in their tidy form."""
    if not isinstance(value, str):
        raise Invalid(f"{show(value)} is not opening hours ({EXAMPLE}; quote the value)")
    try:
        return parse(value).text
    except Invalid as error:
        raise Invalid(f"{show(value)} is not opening hours: {error} ({EXAMPLE})") from None


def check_times(value) -> str:
    """A special day's times: ``"09:00-12:00"`` or ``"09:00-12:00,13:00-17:00"``."""
    if isinstance(value, str) and value.strip().lower() == "closed":
        raise Invalid('"closed" is not opening times; list the date under closed: instead')
    if not isinstance(value, str):
        raise Invalid(f"{show(value)} is not opening times ({TIMES_EXAMPLE}; quote the value)")
    try:
        return ",".join(_span_text(span) for span in parse_spans(value))
    except Invalid as error:
        raise Invalid(f"{show(value)} is not opening times: {error} ({TIMES_EXAMPLE})") from None


def check_special(value, at: At, report: Report) -> dict[dt.date, str] | None:
    """``special: {2026-12-24: "09:00-12:00"}``: dates with different hours."""
    if not is_mapping(value, at, report, "a list of special days",
                      'expected e.g. {2026-12-24: "09:00-12:00"}'):
        return None
    line_of = getattr(value, "line_of", lambda key: at.line)
    out: dict[dt.date, str] = {}
    for key, times in value.items():
        here = at.key(str(key), line_of(key))
        try:
            day = date(key)
            out[day] = check_times(times)
        except Invalid as error:
            report.error(here.file, here.line, here.path, str(error))
    return out


def parse_special_cell(cell: str) -> dict[str, str]:
    """A CSV cell ``2026-12-24 09:00-12:00; 2026-12-31 10:00-14:00`` as a mapping to check."""
    out = {}
    for part in str(cell).split(";"):
        part = part.strip()
        if part:
            day, _, times = part.partition(" ")
            out[day] = times.strip()
    return out


def timezone(value) -> str:
    """An IANA time zone name that zoneinfo knows, e.g. ``America/Chicago``."""
    try:
        zoneinfo.ZoneInfo(str(value).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{show(value)} is not a time zone (expected an IANA name such as "
                      "America/Chicago or Europe/London)") from None
    return str(value).strip()


def check_dates(service, path: str, report: Report) -> None:
    """A day cannot be both closed and special."""
    both = sorted(set(service.get("closed") or []) & set(service.get("special") or {}))
    for day in both:
        field = f"{path}.special" if path else "special"
        report.error(service.file, service.line_of("special"), field,
                     f"{day.isoformat()} is also listed under closed; keep it in one of them")
