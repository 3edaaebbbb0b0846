"""HSDS phone rows → this directory's phones: numbers through libphonenumber, HSDS types read
as ours, and a line's own hours taken back out of its description."""

from __future__ import annotations

import re

from ..hours import syntax
from . import cleaning
from .tables import Row

TYPES = {"voice": "voice", "text": "text", "sms": "text", "fax": "fax", "cell": "voice",
         "mobile": "voice", "video": "video", "textphone": "textphone", "tty": "textphone",
         "tdd": "textphone", "hotline": "voice", "main": "voice", "": None}
_HOURS = re.compile(r"(?:^|(?<=\.)\s+)Hours:\s*(?P<hours>.+)$")


def phones(rows: list[Row], country: str, place_of) -> list[dict]:
    """Each number once; staff contacts' phones are skipped (the assembler counts them)."""
    out, seen = [], set()
    for row in rows:
        if row.text("contact_id"):
            continue
        place = place_of(row)
        number = cleaning.phone(row.get("number"), row.get("extension"), country, place,
                                "number")
        if number is None or number in seen:
            continue
        seen.add(number)
        written = row.text("type").lower()
        kind = TYPES.get(written, "unknown")
        if kind == "unknown":
            place.note("value-dropped", "type",
                       f'"{written}" is not a phone type; the number is kept as a voice line')
            kind = None
        phone = {"number": number}
        if kind:
            phone["type"] = kind
        description, hours = line_hours(cleaning.text(row.get("description"), place,
                                                      "description"))
        if description:
            phone["description"] = description
        if hours:
            phone["hours"] = hours
        out.append(phone)
    return out


def line_hours(description: str | None) -> tuple[str | None, str | None]:
    """``"Text line. Hours: Mo-Su 12:00-24:00"`` → the description and the line's own hours,
    as an export of this directory writes them (HSDS 3.0 phones have no schedules)."""
    match = _HOURS.search(description or "")
    if not match:
        return description, None
    try:
        syntax.parse(match["hours"])
    except Exception:  # noqa: BLE001 - words after "Hours:" that are not hours stay as words
        return description, None
    rest = description[:match.start()].strip()
    return (rest[:-1] if rest.endswith(".") else rest) or None, match["hours"]
