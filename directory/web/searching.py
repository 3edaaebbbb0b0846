"""One search of the served build, as ``/search`` runs it and ``/api/services`` reuses it, so
the same words and filters give the same services in the same order on both."""

from __future__ import annotations

from ..geo.distance import Point
from ..search import finder, nearby, spelling
from .current import current_facets, current_index
from .store import get_build, get_db


def find(q, chosen, page, per_page, categories, now, *, centre: Point | None = None,
         radius_km: float | None = None, among: int | None = None):
    """(finding, near) for words ``q``, filters ``chosen``, optionally only within
    ``radius_km`` of ``centre`` (nearest first) and only ``among`` a mask of documents."""
    near = None
    if centre is not None:
        points = nearby.points(get_build(), get_db(), current_index())
        near = nearby.within_radius(points, centre, radius_km)
    speller = spelling.for_build(get_build(), get_db())
    hits = finder.find(current_index(), current_facets(), speller, get_db(),
                       q, chosen, page=page, per_page=per_page, now=now,
                       categories=categories, nearest=near.docnums if near else None,
                       among=among)
    return hits, near
