"""Filters as bit masks over the build's Whoosh document numbers: fast AND, fast counts.

Each filter value ("cost=free", "language=es", a category) is one Python ``int`` whose bit
``n`` is set when document ``n`` has it. A search ANDs the masks of its filters with the mask
of its text matches; a facet count is ``(mask & other).bit_count()``. At 50,000 services a mask
is 6 KB and an AND or a count takes microseconds, so every option's count is exact and cheap.

Document numbers are fixed once the index is written, so the build computes the masks then
(``write_facets``) and stores them in the database (document numbers themselves are in
``search_documents``, written by the build): ``filter_masks``, one blob per filter value.
The site loads them in milliseconds. "Open now" needs the time: the services
whose weekly hours cover this minute of the week (``open_intervals``), corrected for the few
with a closed or special day today or yesterday; it is cached per stretch of the week in which
nothing opens or closes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import defaultdict
from pathlib import Path

from whoosh import index as whoosh_index

from ..hours import syntax as hours
from ..hours.opening import CLOSING_SOON, Timetable, status
from . import queries
from .masks import mask_of

OPEN_CACHE = 512  # open-now masks kept per worker (stretches of the week × dates)


# --- in the build, once the index is written -------------------------------------------


def write_facets(database: Path, index_dir: Path) -> None:
    """Store every filter value's mask in the database."""
    ix = whoosh_index.open_dir(str(index_dir), readonly=True)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        size = reader.doc_count_all()
        docnums = {stored["id"]: docnum for docnum, stored in reader.iter_docs()}
        values: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for term in reader.lexicon("category"):  # ancestors included, as the index has them
            values["category"][term.decode()] = list(reader.postings("category", term).all_ids())
    import sqlite_utils  # the build's alone: a web worker need not hold it (~14 MB)

    db = sqlite_utils.Database(database)
    for service_id, name, value in queries.filter_values(db.conn):
        if service_id in docnums:  # inactive services are not in the index
            values[name][value].append(docnums[service_id])
    db["filter_masks"].insert_all(
        ({"filter": name, "value": value,
          "mask": mask_of(docs, size).to_bytes((size + 7) // 8 or 1, "little")}
         for name, by_value in values.items() for value, docs in sorted(by_value.items())),
        pk=("filter", "value"))
    db.close()


# --- on the site -----------------------------------------------------------------------


class FacetIndex:
    """The filter masks of one build, and its documents in name order for browsing."""

    def __init__(self, db, index):
        with index.searcher() as searcher:
            reader = searcher.reader()
            self.size = reader.doc_count_all()
            self.all = mask_of(reader.all_doc_ids(), self.size) if reader.has_deletions() \
                else (1 << self.size) - 1
        self.masks: dict[str, dict[str, int]] = defaultdict(dict)
        for name, value, blob in queries.filter_masks(db):
            self.masks[name][value] = int.from_bytes(blob, "little")
        self.by_name = index.by_name()
        self._ages = list(queries.age_limits(db))
        self._age_masks: dict[int, int] = {}
        self._bounds = self._moments_of_change(db)
        self._weekly: dict[int, int] = {}
        self._open: dict[tuple, int] = {}
        self._lock = threading.Lock()

    def value_mask(self, name: str, value: str) -> int:
        return self.masks.get(name, {}).get(value, 0)

    def age_mask(self, age: int) -> int:
        """Services that take people of this age: no limit, or limits around it."""
        if age not in self._age_masks:
            too_young_or_old = mask_of((docnum for docnum, low, high in self._ages
                                        if (low is not None and age < low)
                                        or (high is not None and age > high)), self.size)
            self._age_masks[age] = self.all & ~too_young_or_old
        return self._age_masks[age]

    # --- open now ----------------------------------------------------------------------

    def _moments_of_change(self, db) -> list[int]:
        """Minutes of the week at which any status line can change: a service or a phone
        line opens or closes, "closing soon" begins, a day begins (closed and special days,
        "opens tomorrow"). Special days count on their weekday every week: a few extra
        moments, never a missed one."""
        week, day = hours.WEEK_MINUTES, hours.DAY_MINUTES
        soon = CLOSING_SOON // dt.timedelta(minutes=1)
        bounds = {0, week} | {d * day for d in range(7)}
        for kind, byday, date, opens_at, closes_at in queries.timed_schedules(db):
            opens = hours.parse_time(opens_at)
            closes = hours.parse_time(closes_at, closing=True)
            closes = closes if closes > opens else closes + day
            if kind == "weekly":
                days = [hours.BYDAY.index(code) for code in byday.split(",")]
            elif kind == "session" and byday:  # "1SA": on Saturdays, some weeks
                days = [hours.BYDAY.index(byday[-2:])]
            else:
                days = [dt.date.fromisoformat(date).weekday()]
            # A session is "next" up to its start minute, and listed until it ends.
            after_start = (opens + 1,) if kind == "session" else ()
            for start in (d * day for d in days):
                bounds |= {(start + minute) % week
                           for minute in (opens, *after_start, closes - soon, closes)}
        return sorted(bounds)

    def stretch(self, now: dt.datetime) -> tuple:
        """The stretch of time ``now`` (aware, site zone) is in: at two moments with the same
        stretch, every status line, the open-now filter and every date read the same.

        Around a change of clocks "closing soon" is 30 real minutes, not wall-clock ones:
        those days are cut into single minutes."""
        wall = now.replace(tzinfo=None)
        minute = wall.weekday() * hours.DAY_MINUTES + wall.hour * 60 + wall.minute
        if _clocks_change_near(now):
            return (wall.date(), "minute", minute)
        return (wall.date(), bisect.bisect_right(self._bounds, minute))

    def open_mask(self, db, now: dt.datetime) -> int:
        """Services open at ``now`` (aware, in the site's zone), by the same rule as ``status``."""
        wall = now.replace(tzinfo=None)
        minute = wall.weekday() * hours.DAY_MINUTES + wall.hour * 60 + wall.minute
        stretch = bisect.bisect_right(self._bounds, minute)
        key = (wall.date(), stretch)
        with self._lock:
            cached = self._open.get(key)
        if cached is not None:
            return cached
        if stretch not in self._weekly:
            self._weekly[stretch] = mask_of(queries.open_at_minute(db, minute), self.size)
        mask = self._weekly[stretch]
        today = wall.date()
        changed = queries.services_with_exceptions(
            db, (today - dt.timedelta(days=1)).isoformat(), today.isoformat())
        for docnum, rows in queries.schedules_by_docnum(db, changed).items():
            result = status(Timetable.from_rows(rows), now)
            mask = mask | 1 << docnum if result and result.is_open else mask & ~(1 << docnum)
        with self._lock:
            if len(self._open) >= OPEN_CACHE:
                self._open.clear()
            self._open[key] = mask
        return mask


_indexes: dict[str, FacetIndex] = {}
_indexes_lock = threading.Lock()


def for_build(build, db, index) -> FacetIndex:
    """The facet index of a build, made on first use and kept while that build is current."""
    with _indexes_lock:
        found = _indexes.get(build.id)
        if found is None:
            found = FacetIndex(db, index)
            _indexes.clear()  # only the current build is needed
            _indexes[build.id] = found
        return found


def _clocks_change_near(now: dt.datetime) -> bool:
    """Whether the zone's offset from UTC changes between yesterday and tomorrow."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    offsets = {(midnight + dt.timedelta(days=d)).replace(tzinfo=now.tzinfo).utcoffset()
               for d in (-1, 0, 1, 2)}
    return len(offsets) > 1
