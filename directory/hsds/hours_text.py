"""Times, weekdays and opening hours as HSDS exports write them, read into this project's syntax.

``9:00am``, ``9am``, ``4:00 PM``, ``08:00``, ``08:00:00``, ``noon`` are times; ``Monday``,
``Mon``, ``Tues``, ``MO`` and the numbers ``1``-``7`` (ISO 8601: 1 = Monday, 7 = Sunday; 0 is
also Sunday) are weekdays. Free text such as ``"8:00am-5:00pm, Mon-Fri"`` or ``"Monday - Friday
9am to 5pm; Sat 10-2"`` is read into ``"Mo-Fr 08:00-17:00"`` when every part of it is
understood; anything less returns None, so hours are never invented from a half-read text.
"""

from __future__ import annotations

import re

from ..hours import syntax

DAY_NAMES = {
    "mo": 0, "mon": 0, "monday": 0, "tu": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "we": 2, "wed": 2, "weds": 2, "wednesday": 2, "th": 3, "thu": 3, "thur": 3, "thurs": 3,
    "thursday": 3, "fr": 4, "fri": 4, "friday": 4, "sa": 5, "sat": 5, "saturday": 5,
    "su": 6, "sun": 6, "sunday": 6,
}
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?(?::\d{2})?\s*([ap])?\.?\s*m?\.?$", re.I)
_WORDS = {"noon": 12 * 60, "midday": 12 * 60, "midnight": 24 * 60}


def clock(text) -> int | None:
    """Minutes after midnight for ``9:00am``, ``9am``, ``4:00 PM``, ``08:00``, ``0800``, None if
    it is not a time. ``12am`` is midnight, ``12pm`` noon."""
    value = str(text or "").strip().lower().replace(" ", "")
    if value in _WORDS:
        return _WORDS[value]
    match = _CLOCK.match(value)
    if not match:
        return None
    digits, minutes, half = match[1], match[2], match[3]
    if minutes is None and len(digits) > 2:
        return None
    hour, minute = int(digits), int(minutes or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekday(value) -> int | None:
    """0 = Monday ... 6 = Sunday, from a name, an abbreviation, an RFC 5545 code or 0-7."""
    text = str(value or "").strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return 6 if number in (0, 7) else number - 1 if 1 <= number <= 6 else None
    return DAY_NAMES.get(text)


def span_text(opens: int, closes: int) -> str:
    """``09:00-17:00``; a closing time of midnight is ``24:00``."""
    return f"{clock_text(opens)}-{clock_text(closes if closes else 24 * 60)}"


def rules_text(by_days: dict[tuple[int, ...], list[tuple[int, int]]]) -> str:
    """``{(0,1,2,3,4): [(540, 1020)]}`` → ``"Mo-Fr 09:00-17:00"`` in the project's syntax.

    Each day's spans are gathered first and days with the same spans become one rule: 1.x
    exports write a row per weekday ("Mo 09:00-17:00; Tu 09:00-17:00" reads "Mo-Tu ..."), and
    the syntax gives each day its hours once.
    """
    per_day: dict[int, set] = {}
    for days, spans in by_days.items():
        for day in days:
            per_day.setdefault(day, set()).update(spans)
    grouped: dict[tuple, list[int]] = {}
    for day in sorted(per_day):
        grouped.setdefault(tuple(sorted(per_day[day])), []).append(day)
    rules = sorted(grouped.items(), key=lambda item: item[1][0])
    return "; ".join(f"{days_text(days)} {','.join(span_text(*span) for span in spans)}"
                     for spans, days in rules)


def days_text(days) -> str:
    """(0, 1, 2, 4) → ``Mo-We,Fr``."""
    ordered = sorted(set(days))
    parts, start = [], None
    for index, day in enumerate(ordered):
        if start is None:
            start = day
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following != day + 1:
            names = syntax.DAYS[start] if start == day else \
                f"{syntax.DAYS[start]}-{syntax.DAYS[day]}"
            parts.append(names)
            start = None
    return ",".join(parts)


# --- free text -------------------------------------------------------------------------

_DASH = r"\s*(?:-|–|—|to|until|thru|through)\s*"
_TIME = r"(?:\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m?\.?)?|noon|midnight)"
_RANGE = re.compile(rf"({_TIME}){_DASH}({_TIME})", re.I)
_DAY = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|" \
       r"fri(?:day)?|sat(?:urday)?|sun(?:day)?|mo|tu|we|th|fr|sa|su)"
_DAYS = re.compile(rf"\b({_DAY})\b\.?(?:{_DASH}\b({_DAY})\b\.?)?", re.I)
_ALWAYS = re.compile(r"^(?:24\s*/\s*7|24\s*hours?(?:\s*a\s*day)?(?:,?\s*7\s*days(?:\s*a\s*week)?)?"
                     r"|open\s*24\s*hours|always\s*open)\.?$", re.I)
_APPOINTMENT = re.compile(r"^by\s+appointment(?:\s+only)?\.?$", re.I)
_FILLER = re.compile(r"\b(?:and|from|open|hours)\b|[,:;.()&]", re.I)
_DAY_WORDS = [(re.compile(r"\bweekdays\b", re.I), "Mon-Fri"),
              (re.compile(r"\bweekends?\b", re.I), "Sat-Sun"),
              (re.compile(r"\b(?:daily|every\s*day|7\s*days(?:\s*a\s*week)?)\b", re.I),
               "Mon-Sun")]


def read_free_text(text: str) -> str | None:
    """Opening hours in the project's syntax from free text, or None if any part is unclear."""
    value = " ".join(str(text or "").split())
    if not value:
        return None
    if _ALWAYS.match(value):
        return syntax.ALWAYS
    if _APPOINTMENT.match(value):
        return syntax.APPOINTMENT
    for pattern, days in _DAY_WORDS:
        value = pattern.sub(days, value)
    merged: dict[tuple[int, ...], list] = {}
    # "Mon, Wed, Fri 10-2" and "8am-5pm, Mon-Fri": a part with days only and one with times
    # only belong together.
    pending_days: list[int] = []
    pending_spans: list = []
    for part in re.split(r"\s*[;\n]\s*|(?<![ap]\.m)\.\s+|,\s*(?=[A-Za-z])", value):
        if not part.strip():
            continue
        rule = _read_part(part)
        if rule is None:
            return None
        days, spans = rule
        if days and spans:
            merged.setdefault(tuple(sorted(set(days) | set(pending_days))), []).extend(spans)
            pending_days = []
        elif days and pending_spans:
            merged.setdefault(days, []).extend(pending_spans)
            pending_spans = []
        elif days:
            pending_days.extend(days)
        elif spans and pending_days:
            merged.setdefault(tuple(sorted(set(pending_days))), []).extend(spans)
            pending_days = []
        else:
            pending_spans.extend(spans)
    if pending_days or pending_spans:
        return None  # days without times or times without days: not hours we may write
    if not merged:
        return None
    result = rules_text(merged)
    try:
        syntax.parse(result)
    except Exception:  # noqa: BLE001 - a rule we built that the syntax refuses is not hours
        return None
    return result


def _read_part(part: str):
    """(days, spans) of one part of a free text; None if something in it is not understood."""
    spans, days = [], []
    rest = part
    for match in list(_RANGE.finditer(part)):
        opens, closes = _range_ends(match[1], match[2])
        if opens is None or closes is None:
            return None
        spans.append((opens, closes))
        rest = rest.replace(match[0], " ", 1)
    for match in list(_DAYS.finditer(rest)):
        first = weekday(match[1].rstrip("."))
        last = weekday(match[2].rstrip(".")) if match[2] else first
        if first is None or last is None:
            return None
        days.extend(_day_range(first, last))
        rest = rest.replace(match[0], " ", 1)
    if _FILLER.sub(" ", rest).strip():
        return None  # words we do not know: better a note than wrong hours
    return tuple(sorted(set(days))), spans


def _range_ends(start: str, end: str) -> tuple[int | None, int | None]:
    """Both ends of ``9-5``, ``9am-5pm``, ``10-2pm``: a bare number takes the other's half."""
    has_half = re.compile(r"[ap]\.?m?\.?\s*$", re.I)
    start, end = start.strip(), end.strip()
    if not has_half.search(start) and ":" not in start and start.isdigit():
        if has_half.search(end):
            half = has_half.search(end)[0]
            opens, closes = clock(start + half), clock(end)
            if opens is not None and closes is not None and opens >= closes:
                opens = clock(start + ("am" if half.lower().startswith("p") else "pm"))
            return opens, closes
        # "9-5": people mean working hours, morning to afternoon.
        opens = clock(start + ("am" if int(start) >= 6 and int(start) != 12 else "pm"))
        closes = clock(end + ("pm" if end.isdigit() and int(end) <= 11 else "")) \
            if end.isdigit() else clock(end)
        return opens, closes
    return clock(start), clock(end)


def _day_range(first: int, last: int) -> list[int]:
    if first <= last:
        return list(range(first, last + 1))
    return list(range(first, 7)) + list(range(0, last + 1))  # Fr-Mo wraps the weekend
