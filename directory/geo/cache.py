"""The geocode cache, ``data/geocodes.csv``: one row per address the geocoder was asked about.

Maintainers commit it, so a build with a warm cache never touches the network and every
build of the same data gives the same points. A row can be corrected by hand (fix the
numbers) or deleted to ask the geocoder again. Rows where the geocoder found nothing are
kept too (precision ``not-found``), so a miss is not asked about on every build.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..records.fields import Invalid, date, number
from ..records.files import display_path
from ..records.problems import Report
from ..records.sheets import missing_cell, read_csv, realigned

FILE = "geocodes.csv"
COLUMNS = ("address", "latitude", "longitude", "provider", "date", "precision")
FOUND = ("address", "place")  # a street address, or only a place (street, district, town)
NOT_FOUND = "not-found"
PRECISIONS = (*FOUND, NOT_FOUND)


@dataclass(frozen=True)
class Entry:
    address: str
    latitude: float | None
    longitude: float | None
    provider: str
    date: str
    precision: str

    @property
    def found(self) -> bool:
        return self.precision in FOUND


def address_line(address: dict, country: str | None = None) -> str:
    """The one line sent to the geocoder and kept as the cache key."""
    parts = [address.get("address_1"), address.get("address_2"), address.get("city"),
             " ".join(filter(None, [address.get("state_province"), address.get("postal_code")])),
             address.get("country") or country]
    return ", ".join(str(part).strip() for part in parts if part and str(part).strip())


def cache_key(line: str) -> str:
    return " ".join(line.casefold().split())


class Cache:
    """The rows of geocodes.csv by address key; ``save`` rewrites the file sorted."""

    def __init__(self, path: Path, entries: list[Entry] | None = None):
        self.path = path
        self._entries = {cache_key(e.address): e for e in entries or []}
        self.changed = False

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, line: str) -> Entry | None:
        return self._entries.get(cache_key(line))

    def put(self, entry: Entry) -> None:
        self._entries[cache_key(entry.address)] = entry
        self.changed = True

    def save(self) -> None:
        """Write every row, sorted by address, in one atomic replace of the file."""
        rows = sorted(self._entries.values(), key=lambda e: cache_key(e.address))
        handle = tempfile.NamedTemporaryFile(
            "w", dir=self.path.parent, prefix=".geocodes-", suffix=".csv", delete=False,
            newline="", encoding="utf-8")
        with handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for e in rows:
                writer.writerow([e.address, _coordinate(e.latitude), _coordinate(e.longitude),
                                 e.provider, e.date, e.precision])
        os.replace(handle.name, self.path)
        self.changed = False


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def today() -> str:
    return dt.date.today().isoformat()


def load_cache(data_dir: Path, report: Report) -> Cache:
    """Read geocodes.csv (missing is fine: an empty cache); bad rows are errors at their line."""
    path = data_dir / FILE
    if not os.path.lexists(path):
        return Cache(path)
    problems = []
    rows = read_csv(path, problems, data_dir)
    report.problems.extend(problems)
    name = display_path(path)
    entries = []
    for row in rows:
        found = Report()
        entry = _entry(row, name, found)
        missing = _missing_cell(row, name) if found.errors else None
        if missing:  # one message, not one per column the later cells slid into
            report.error(name, row.line, missing, missing_cell(row))
            continue
        report.problems.extend(found.problems)
        if entry:
            entries.append(entry)
    return Cache(path, entries)


def _missing_cell(row, file: str) -> str | None:
    """The column a short row lost, when an empty cell there makes the row right."""
    fits = None
    for column, candidate in realigned(row):
        found = Report()
        _entry(candidate, file, found)
        if all(problem.field == column for problem in found.errors):
            fits = column  # the latest place that fits: the cells before it are right
    return fits


def _entry(row, file: str, report: Report) -> Entry | None:
    problems_before = len(report.errors)
    unknown = [column for column in row if column not in COLUMNS]
    for column in unknown:
        report.error(file, row.line, column,
                     f"is not a known column; the columns are {', '.join(COLUMNS)}")
    address = row.get("address", "")
    if not address:
        report.error(file, row.line, "address", "is missing; every row needs the address it is for")
    precision = row.get("precision", "")
    if precision not in PRECISIONS:
        report.error(file, row.line, "precision",
                     f'"{precision}" is not a precision (expected one of: {", ".join(PRECISIONS)})')
    point = []
    for column, low, high, what in (("latitude", -90, 90, "a latitude"),
                                    ("longitude", -180, 180, "a longitude")):
        raw = row.get(column, "")
        if raw == "" and precision == NOT_FOUND:
            point.append(None)
            continue
        try:
            point.append(number(low, high, what)(raw))
        except Invalid as error:
            report.error(file, row.line, column, str(error)
                         if raw else f"is missing; a row with precision {precision} needs both "
                         "coordinates")
            point.append(None)
    when = row.get("date", "")
    try:
        when = date(when).isoformat() if when else ""
    except Invalid as error:
        report.error(file, row.line, "date", str(error))
    if len(report.errors) > problems_before:
        return None
    return Entry(address, point[0], point[1], row.get("provider", ""), when, precision)
