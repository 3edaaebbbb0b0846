"""What is near a point: distance search, the "Call, text or chat" block, nearest others.

A near search keeps the keyword and category filters and orders what matches by distance,
nearest first (relevance already decided *what* matches: every word, else any word). It
runs in three steps:

1. SQLite gives every active service at a location inside the radius's bounding box
   (index on locations' latitude/longitude), as Whoosh document numbers.
2. Whoosh matches the words and category among just those documents (a docnum filter).
3. The matches are ranked by a planar distance (``geo.PlanarRank``); geopy's geodesic
   then measures exactly the ones near the radius edge and the page shown.

Services without a location are not in that list: those that serve the searched area
(``service_area``) are offered in their own block.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _

from . import geo, queries
from .search import Hits, Index
from .where import Where, gazetteer

REMOTE_SHOWN = 5
NEAREST_SHOWN = 3


@dataclass(frozen=True)
class NearHits(Hits):
    """One page of ids nearest first, with each one's distance (km) from ``centre``."""

    distances: dict[str, float] = field(default_factory=dict)
    centre: geo.Point | None = None


def within_radius(db, where: Where) -> dict[int, tuple[float, float, float]]:
    """Document numbers of active services with a place inside the radius, each with
    (planar squared distance, latitude, longitude) of its nearest such place."""
    radius = where.radius_km
    rank = geo.PlanarRank(where.point)
    reach = (radius * (1 + geo.PLANAR_ERROR)) ** 2
    nearest: dict[int, tuple[float, float, float]] = {}
    for lat, lon, docnum in queries.located_in_box(db, *geo.bounding_box(where.point, radius)):
        squared = rank.squared(lat, lon)
        if squared <= reach and (docnum not in nearest or squared < nearest[docnum][0]):
            nearest[docnum] = (squared, lat, lon)
    # Only the planar ranks close to the edge could be on the wrong side of it.
    sure = (radius * (1 - geo.PLANAR_ERROR)) ** 2
    for docnum in [d for d, near in nearest.items() if near[0] > sure]:
        if _measure(where.point, nearest[docnum]) > radius:
            del nearest[docnum]
    return nearest


def by_distance(nearest: dict[int, tuple]) -> list[int]:
    """Document numbers nearest first; equal distances keep the data's order (stable pages)."""
    return sorted(nearest, key=lambda d: (nearest[d][0], d))


def distances(where: Where, nearest: dict[int, tuple], docnums: list[int]) -> dict[int, float]:
    """Exact distances (km, geopy's geodesic) of the documents shown."""
    return {docnum: _measure(where.point, nearest[docnum]) for docnum in docnums}


def search(db, index: Index, where: Where, text: str, *, category: str | None = None,
           page: int = 1, per_page: int = 20) -> NearHits:
    """A page of the services matching ``text``/``category`` within the radius, nearest first."""
    nearest = within_radius(db, where)
    within = set(nearest)
    all_words = True
    matches = index.documents(text, category=category, within=within)
    if not matches and len(text.split()) > 1:
        matches = index.documents(text, category=category, within=within, all_words=False)
        all_words = False
    start = (page - 1) * per_page
    shown = [d for d in by_distance(nearest) if d in matches][start:start + per_page]
    exact = distances(where, nearest, shown)
    ids = queries.service_ids(db, shown)
    return NearHits(ids=[ids[d] for d in shown], total=len(matches), all_words=all_words,
                    distances={ids[d]: exact[d] for d in shown}, centre=where.point)


def _measure(point: geo.Point, candidate: tuple) -> float:
    return geo.distance_km(point, geo.Point(candidate[1], candidate[2]))


def remote(db, index: Index, where: Where, text: str, category: str | None) -> dict:
    """The best few services without a location that serve the area around the point,
    and how many there are in all."""
    areas = gazetteer().areas_around(where.point)
    if where.place and where.place.name not in areas:
        areas.append(where.place.name)
    within = queries.remote_documents(db, areas, where.in_region)
    hits = index.search(text, category=category, per_page=REMOTE_SHOWN, within=within)
    return {"services": queries.services(db, hits.ids), "total": hits.total}


def nearest_same_category(db, service: dict, unit: str) -> list[dict]:
    """A few other active services sharing a category, nearest to this one's first place."""
    located = [loc for loc in service["locations"] if loc["latitude"] is not None]
    categories = [c["id"] for c in service["categories"]]
    if not located or not categories:
        return []
    point = geo.Point(located[0]["latitude"], located[0]["longitude"])
    rows = queries.nearest_sharing_a_category(
        db, service["id"], categories, point, geo.bounding_box(point, geo.MAX_RADIUS_KM),
        geo.degree_lengths(point.latitude), limit=NEAREST_SHOWN * 4)
    best: dict[str, float] = {}
    for service_id, lat, lon in rows:
        km = geo.distance_km(point, geo.Point(lat, lon))
        best[service_id] = min(km, best.get(service_id, km))
    chosen = sorted(best, key=best.get)[:NEAREST_SHOWN]
    found = queries.services(db, chosen)
    for row in found:
        row["distance"] = geo.from_km(best[row["id"]], unit)
        row["distance_unit"] = unit
        _nearest_first(row["locations"], point)
    return found


def _nearest_first(locations: list[dict], point: geo.Point) -> None:
    rank = geo.PlanarRank(point)
    locations.sort(key=lambda loc: math.inf if loc["latitude"] is None
                   else rank.squared(loc["latitude"], loc["longitude"]))


def attach(results: list[dict], distances_km: dict[str, float], centre: geo.Point,
           unit: str) -> None:
    """Give each result its distance and put its nearest location first, for the cards."""
    for row in results:
        row["distance"] = geo.from_km(distances_km[row["id"]], unit)
        row["distance_unit"] = unit
        _nearest_first(row["locations"], centre)


def format_distance(value: float, unit: str) -> str:
    """1.234 → '1.2 mi'; 3 → '3 mi'; 12.6 → '13 mi'; at least 0.1, so nothing reads as 'here'."""
    number = format_decimal(max(value, 0.1), "#,##0.#" if value < 10 else "#,##0")
    return _("%(distance)s mi", distance=number) if unit == "mi" else \
        _("%(distance)s km", distance=number)


def approximate(location: dict) -> bool:
    """A point that is only the centre of the location's postcode or city (or area)."""
    return location.get("precision") not in (None, "address")


def init_app(app) -> None:
    app.jinja_env.globals.update(format_distance=format_distance, approximate=approximate,
                                 near_radii=geo.RADII)
