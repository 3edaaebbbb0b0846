"""The site's side of the unmet-need counts (``search.unmet`` says what is counted and how).

Off unless ``site.yaml`` says ``count_unmet_need: true``. The search view notes what one
search adds (``note_search``: words already normalised, the place already rounded to its
area); after the page is sent, the note is added to the counts file under the instance
folder. A page served from the page cache carries the note it was made with, so a search
is counted however it is answered. A write that fails is logged without the search and
never breaks the page.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from babel import Locale
from flask import current_app, g
from flask_babel import get_locale

from ..data.catalogue import synonym_words
from ..search import queries
from ..search import unmet as counts
from ..search.filters import Filters
from ..search.index import normalise as index_words
from ..search.nearby import Where
from . import clock, where
from .current import all_categories
from .store import get_build, get_db

log = logging.getLogger(__name__)
# Filter values a "nothing found" count keeps: ids from fixed lists. Not age: a person's age.
KEPT_FILTERS = ("category", "language", "cost", "audience", "access", "remote", "wheelchair",
                "open_now")
AREA_KINDS = ("neighbourhood", "postcode", "city")  # the roundest first: never finer


def enabled() -> bool:
    return bool(get_build().site.get("count_unmet_need"))


def counts_path() -> Path:
    configured = current_app.config.get("UNMET_NEED_PATH")
    return Path(configured) if configured else counts.path_in(Path(current_app.instance_path))


def known_words() -> frozenset[str]:
    """Words the directory uses (names, categories, audiences, places, language names):
    public words, never taken for a person's name."""

    def compute() -> frozenset[str]:
        db = get_db()
        words = set(queries.spelling_words(db))
        texts = [name for c in all_categories() for name in
                 [*c["names"].values(), *synonym_words(c["synonyms"])]]
        texts += [name for a in queries.audiences(db) for name in a["names"].values()]
        texts += [p["name"] for p in queries.places(db)]
        for code in {"en", *(get_build().site.get("languages") or [])}:
            texts += list(Locale.parse(code).languages.values())
        words |= {word for text in texts for word in counts.words_of(text)}
        return frozenset(words)

    return get_build().memo("unmet_known_words", compute)


def crisis_words() -> list[set[str]]:
    """The phrases of the crisis categories (their names and synonyms), as word sets."""

    def compute():
        return [set(index_words(phrase).split()) for c in all_categories()
                if c["id"].startswith("crisis") for phrase in
                [*c["names"].values(), *synonym_words(c["synonyms"])]
                if index_words(phrase).strip()]

    return get_build().memo("unmet_crisis_words", compute)


def is_crisis(q: str, filters: Filters, hits) -> bool:
    """A crisis search: what the search engine says (``hits.crisis``, when it tells), else
    a crisis category chosen or the words of one typed."""
    said = getattr(hits, "crisis", None)
    if said is not None:
        return bool(said)
    category = filters.get("category") or ""
    if category.startswith("crisis"):
        return True
    typed = set(index_words(q).split())
    return any(phrase <= typed for phrase in crisis_words()) or counts.looks_like_crisis(q)


def area_of(place: Where | None) -> str:
    """The neighbourhood (else postcode, else city) of the place searched near; never the
    point or the words typed."""
    if place is None or place.point is None:
        return ""
    if place.place is not None and place.place.kind in AREA_KINDS[:2]:
        return place.place.name
    places = where.gazetteer()
    around = {found.kind: found.name for name in places.areas_around(place.point)
              if (found := places.find(name)) is not None}
    return next((around[kind] for kind in AREA_KINDS if kind in around), "elsewhere")


def note_search(q: str, filters: Filters, place: Where | None, hits, page: int) -> None:
    """Note what this search adds to the counts (sent after the page)."""
    if not enabled() or page != 1 or not (q or filters or place is not None):
        return
    kept = ";".join(f"{name}={value}" for name, value in filters.values
                    if name in KEPT_FILTERS)
    g.unmet_note = counts.Search(
        day=clock.today().isoformat(), language=str(get_locale() or "en"),
        words=counts.normalise(q, known_words()), category=filters.get("category") or "",
        area=area_of(place), filters=kept, crisis=is_crisis(q, filters, hits),
        found_nothing=hits.total == 0)


def write_note(response):
    note = g.pop("unmet_note", None)
    if note is not None and response.status_code == 200:
        try:
            counts.record(counts_path(), [note])
        except (OSError, sqlite3.Error) as error:
            # Say that counting failed, never what was searched.
            log.warning("unmet-need counts not written: %s", type(error).__name__)
    return response


def init_app(app) -> None:
    app.after_request(write_note)
