"""One search of the served build, as ``/search`` runs it and ``/api/services`` reuses it, so
the same words and filters give the same services in the same order on both."""

from __future__ import annotations

from ..geo.distance import Point
from ..search import crisis, finder, nearby, reading, spelling
from ..search.filters import ORDER, Filters
from ..search.masks import to_array
from .current import current_facets, current_index
from .store import get_build, get_db


def read_words(q: str, chosen: Filters) -> reading.Reading:
    """The filters and place a search's words ask for ("free counselling" → cost=free); none
    in a crisis search, and none over a filter the person already chose."""
    if not q or crisis.for_build(get_build(), get_db()).match(q):
        return reading.Reading(q)
    facets = current_facets()
    return reading.for_build(get_build(), get_db()).read(
        q, lambda name, value: reading.available(facets, name, value), set(chosen.names()))


def with_words_read(q: str, chosen: Filters) -> tuple[str, Filters]:
    """The search the site redirects to when words are filters: the words left (with a
    place phrase kept as words) and the filters, as one (q, filters) pair."""
    words = read_words(q, chosen)
    if not words.changed:
        return q, chosen
    text = " ".join(filter(None, [words.text, words.place_phrase])) if words.filters \
        else words.text
    values = dict(chosen.values) | dict(words.filters)
    return text, Filters(tuple((name, values[name]) for name in ORDER if name in values),
                         chosen.place)


def find(q, chosen, page, per_page, categories, now, *, centre: Point | None = None,
         radius_km: float | None = None, among: int | None = None):
    """(finding, near) for words ``q``, filters ``chosen``, optionally only within
    ``radius_km`` of ``centre`` (nearest first) and only ``among`` a mask of documents."""
    measured: list[nearby.Nearby] = []
    nearest = None
    if centre is not None:
        points = nearby.points(get_build(), get_db(), current_index())

        def nearest(wanted: int):
            # Only the services the words match are measured and sorted by distance: a
            # wide radius holds most of the build's places, and the page counts and shows
            # none of the others.
            measured.append(nearby.within_radius(points, centre, radius_km,
                                                 among=to_array(wanted, points.size)))
            return measured[-1].docnums

    speller = spelling.for_build(get_build(), get_db())
    hits = finder.find(current_index(), current_facets(), speller, get_db(),
                       q, chosen, page=page, per_page=per_page, now=now,
                       categories=categories, nearest=nearest,
                       crisis=crisis.for_build(get_build(), get_db()), among=among)
    return hits, (measured[0] if measured else None)
