"""What is near a point: distance search, the "Call, text or chat" block, nearest others.

A near search keeps the keyword and category filters and orders what matches by distance,
nearest first (relevance already decided *what* matches: every word, else any word). It
runs in three steps:

1. The build's places (``near_points``, held as arrays per build: ``Points``) inside the
   radius's bounding box are ranked by ``geo.approximate_km``; geopy's geodesic measures
   exactly the few within its error of the radius edge.
2. The index matches the words and category; the mask of services in the radius keeps
   those near.
3. The page shown is the nearest matches, measured exactly with geopy's geodesic.

Services without a location are not in that list: those that serve the searched area
(``service_area``) are offered in their own block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import reduce

import numpy as np

from ..geo import distance as geo
from ..geo.places import Gazetteer, Place
from . import queries
from .index import Index
from .masks import first_in, mask_of, to_array

REMOTE_SHOWN = 5
NEAREST_SHOWN = 3
# A nearest-few list sorts this many places per service asked for, then all if too few.
NEAREST_PLACES = 16
# The band around an approximate distance that holds the exact one: twice the stated error,
# so a distance written from the approximation is one the exact distance writes alike.
BAND = 2 * geo.APPROXIMATE_ERROR


@dataclass
class Where:
    """A resolved point and radius, or the text typed and what it might have meant."""

    typed: str
    radius: int  # in the site's unit
    unit: str  # "km" or "mi"
    point: geo.Point | None = None
    label: str = ""  # how the page names the point: "Uptown", "your location"
    place: Place | None = None
    suggestions: list[Place] = field(default_factory=list)
    in_region: bool = True

    @property
    def radius_km(self) -> float:
        return geo.to_km(self.radius, self.unit)

    @property
    def wider(self) -> int | None:
        """The next radius choice, to offer when too little is nearby."""
        return next((r for r in geo.RADII if r > self.radius), None)


def gazetteer(build, db) -> Gazetteer:
    """The build's places (``places.csv``), read from its database once per build."""
    return build.memo("gazetteer", lambda: Gazetteer(
        [Place(**{**row, "aliases": tuple(row["aliases"])}) for row in queries.places(db)]))


class Points:
    """Where the services of a build are, read once per build.

    Every place of an active service (``near_points``) as arrays: picking the box and the
    circle is then a few vector operations, where SQLite would hand over a wide radius's
    thousands of rows one by one. And the services without a place, with the areas they
    serve (``service_area``), for the "Call, text or chat" block."""

    def __init__(self, db, size: int):
        rows = np.array(queries.near_points(db), dtype=np.float64).reshape(-1, 3)
        self.latitudes, self.longitudes = rows[:, 0], rows[:, 1]
        self.reduced = geo.reduced(self.latitudes, self.longitudes)
        self.docnums = rows[:, 2].astype(np.int64)  # in order: ties stay in document order
        self.size = size
        self.one_place_each = len(np.unique(self.docnums)) == len(self.docnums)
        self.remote: dict[int, set[str]] = {}
        self._serving: dict[str | None, int] | None = None  # by area, when first asked
        for docnum, area in queries.remote_areas(db):
            self.remote.setdefault(docnum, set()).update([area] if area else [])
        # A kind of help's places, by latitude (``in_category``), made when first asked.
        self._categories: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def in_category(self, category: str, mask: int) -> tuple[np.ndarray, np.ndarray]:
        """The places of the services in a category's ``mask``: their latitudes, ascending,
        and their positions in these arrays, in that order. A band of latitudes is then
        two binary searches, where the whole list would be read for it."""
        found = self._categories.get(category)
        if found is None:
            positions = np.flatnonzero(to_array(mask, self.size)[self.docnums])
            positions = positions[np.argsort(self.latitudes[positions], kind="stable")]
            found = self._categories[category] = (self.latitudes[positions], positions)
        return found

    def serving(self, areas: list[str], in_region: bool) -> list[int]:
        """Services without a place that serve one of the areas; inside the region also
        those serving all of it (``region``, or no service_area at all)."""
        wanted = set(areas) | ({"region"} if in_region else set())
        return [docnum for docnum, served in self.remote.items()
                if served & wanted or (in_region and not served)]

    def serving_mask(self, areas: list[str], in_region: bool) -> int:
        """``serving`` as a mask: the masks of the services serving each area (made once per
        build) joined; walking every remote service's areas took milliseconds at 50,000
        services, and a resident's own point can fall in sets of areas nobody asked yet."""
        if self._serving is None:
            by_area: dict[str | None, list[int]] = {}
            for docnum, served in self.remote.items():
                for area in served or (None,):  # None: no service_area, the whole region
                    by_area.setdefault(area, []).append(docnum)
            self._serving = {area: mask_of(docnums, self.size)
                             for area, docnums in by_area.items()}
        wanted = [*areas, "region", None] if in_region else areas
        return reduce(int.__or__, (self._serving.get(area, 0) for area in wanted), 0)


def points(build, db, index: Index) -> Points:
    """The places of a build, read on first use and kept for the build's life."""
    return build.memo("points", lambda: Points(db, index.size()))


@dataclass(frozen=True)
class Nearby:
    """The services within a radius: document numbers nearest first, with each one's nearest
    place (ties in document order, so pages are stable)."""

    centre: geo.Point
    docnums: np.ndarray
    latitudes: np.ndarray
    longitudes: np.ndarray
    size: int
    km: np.ndarray  # each one's distance by ``geo.approximate_km``

    def mask(self) -> int:
        return mask_of(self.docnums, self.size)

    def page(self, mask: int, start: int, count: int) -> list[int]:
        """Of the services in the mask, nearest first, ``count`` from position ``start``."""
        return first_in(self.docnums, mask, self.size, start, count)

    def distances(self, docnums: list[int], shown=None) -> dict[int, float]:
        """The distances (km) of the documents shown: geopy's geodesic, exactly.

        ``shown``: how a page writes a distance in km ("1.2 mi"). Then a distance is
        measured exactly only when the approximation's error band could be written in two
        ways (a rounding step falls inside it); otherwise the approximation is given, which
        the page writes as it would write the exact distance (the writing only ever grows
        with the distance, so both ends of the band written alike means everything between
        them is too). A page of twenty results then measures about one in a few hundred."""
        found = np.flatnonzero(np.isin(self.docnums, docnums)).tolist()
        return {int(self.docnums[position]): _as_shown(
                    float(self.km[position]), self.centre, self.point(position), shown)
                for position in found}

    def point(self, position: int) -> geo.Point:
        return geo.Point(float(self.latitudes[position]), float(self.longitudes[position]))


def _as_shown(km: float, centre: geo.Point, point: geo.Point, shown=None) -> float:
    """The approximate distance ``km`` when ``shown`` writes every distance in its error
    band alike, else geopy's geodesic, exactly (``Nearby.distances``)."""
    if shown is None or shown(km * (1 - BAND)) != shown(km * (1 + BAND)):
        return geo.distance_km(centre, point)
    return km


def within_radius(points: Points, centre: geo.Point, radius: float,
                  among: np.ndarray | None = None, nearest: int | None = None) -> Nearby:
    """The services with a place within ``radius`` km of the centre, nearest first.

    ``among``: a boolean array by document number; only those documents are measured and
    sorted (the order among them is the same as in the whole list: a stable sort of a
    subsequence keeps the subsequence's order).

    ``nearest``: only the first this many services are needed. Then only the places at or
    below the distance of the ``NEAREST_PLACES``-th nearest place are sorted: every place
    nearer than that distance and every tie at it, so the list is exactly the whole list's
    beginning; when it holds fewer services than asked (several places each), all are."""
    south, west, north, east = geo.bounding_box(centre, radius)
    lat, lon = points.latitudes, points.longitudes
    box = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    if among is not None:
        box &= among[points.docnums]
    inside = np.flatnonzero(box)
    km = geo.approximate_km(centre, geo.Reduced(*(part[inside] for part in points.reduced)))
    reach = km <= radius * (1 + geo.APPROXIMATE_ERROR)
    inside, km = inside[reach], km[reach]
    if nearest is not None:
        places = max(nearest * NEAREST_PLACES, NEAREST_PLACES)
        if len(km) > places:
            closest = km <= np.partition(km, places - 1)[places - 1]
            found = _sorted_within(points, centre, radius, inside[closest], km[closest])
            if len(found.docnums) >= nearest:
                return found
    return _sorted_within(points, centre, radius, inside, km)


def _sorted_within(points: Points, centre: geo.Point, radius: float, inside: np.ndarray,
                   km: np.ndarray) -> Nearby:
    """The places ``inside`` (positions in ``points``, ``km`` away, approximately) as the
    services they belong to, nearest first, those beyond the radius dropped."""
    lat, lon = points.latitudes, points.longitudes
    # Each service's nearest place: by distance (a stable sort keeps ties in document
    # order), then the first place of each service.
    order = np.argsort(km, kind="stable")
    if points.one_place_each:
        nearest_first = order
    else:
        # A service's first place in that order is the one of least rank: found with one
        # pass (``minimum.at``), where ``np.unique`` sorted every place again (3.9 against
        # 0.4 ms for a 40 km radius at 50,000 services).
        docnums = points.docnums[inside]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        least = np.full(points.size, len(order), dtype=np.int64)
        np.minimum.at(least, docnums, rank)
        nearest_first = order[(rank == least[docnums])[order]]
    chosen = inside[nearest_first]
    # Only those within the approximation's error of the edge could be on the wrong side.
    edge = km[nearest_first] > radius * (1 - geo.APPROXIMATE_ERROR)
    approximate = km[nearest_first]
    found = Nearby(centre, points.docnums[chosen], lat[chosen], lon[chosen], points.size,
                   approximate)
    keep = np.ones(len(chosen), dtype=bool)
    for position in np.flatnonzero(edge).tolist():
        keep[position] = geo.distance_km(centre, found.point(position)) <= radius
    if keep.all():
        return found
    chosen = chosen[keep]
    return Nearby(centre, points.docnums[chosen], lat[chosen], lon[chosen], points.size,
                  approximate[keep])


def remote(db, index: Index, points: Points, places: Gazetteer, where: Where, text: str,
           category: str | None, page: int = 1, per_page: int = REMOTE_SHOWN,
           first: tuple[int, ...] = ()) -> dict:
    """The best services without a location that serve the area around the point (a page
    of them: by default the few a search shows), and how many there are in all: their
    ids (kept with a search's answer; the rows are read for the page shown) and total.

    ``first``: masks in order of preference (the crisis lines, those open now): the
    services in the first mask come before those only in the second, and so on; each
    group best match first. (The hotlines a search shows on its first screen.)"""
    areas = places.areas_around(where.point)
    if where.place and where.place.name not in areas:
        areas.append(where.place.name)
    within = points.serving_mask(areas, where.in_region)
    if not first:
        hits = index.search(text, category=category, page=page, per_page=per_page,
                            within=within)
        return {"ids": hits.ids, "total": hits.total}
    groups, left = [], within
    for preferred in (*_preferences(first), -1):
        group = left & preferred
        if group:
            groups.append(group)
            left &= ~group
    hits = index.search_in_groups(text, groups, category=category, per_page=per_page)
    return {"ids": hits.ids, "total": hits.total}


def _preferences(masks: tuple[int, ...]) -> list[int]:
    """Every combination of the preference masks, most preferred first: (a, b) gives
    a & b, a, b, so a crisis line open now comes before one that is closed."""
    if not masks:
        return []
    head, rest = masks[0], _preferences(masks[1:])
    return [head & r for r in rest] + [head] + rest


def nearest_same_category(db, points: Points, facet_index, service: dict,
                          shown=None) -> dict:
    """A few other active services sharing a kind of help (or one below it), nearest to
    this one's first place, within the largest radius: their ``ids``, nearest first, their
    distances (``km`` by id) and the ``centre`` measured from, for their cards (``attach``).

    ``shown``: how the cards write a distance in km, as ``Nearby.distances`` takes it (the
    same in every language: only the rounding decides when two distances read alike)."""
    located = [loc for loc in service["locations"] if loc["latitude"] is not None]
    if not located or not service["categories"]:
        return {"ids": [], "km": {}, "centre": None}
    point = geo.Point(located[0]["latitude"], located[0]["longitude"])
    masks = {category["id"]: facet_index.value_mask("category", category["id"])
             for category in service["categories"]}
    own = queries.docnum(db, service["id"])
    nearest = _nearest_sharing(points, point, masks, -1 if own is None else own,
                               NEAREST_SHOWN)
    if nearest is not None:
        chosen = [docnum for docnum, _ in nearest]
        km = {docnum: _as_shown(
                  float(geo.approximate_km(point, geo.Reduced(
                      *(part[position] for part in points.reduced)))),
                  point, geo.Point(float(points.latitudes[position]),
                                   float(points.longitudes[position])), shown)
              for docnum, position in nearest}
    else:  # few alike close by: measure every service sharing a kind of help
        sharing = 0
        for mask in masks.values():
            sharing |= mask
        if own is not None:
            sharing &= ~(1 << own)
        near = within_radius(points, point, geo.MAX_RADIUS_KM,
                             among=to_array(sharing, points.size), nearest=NEAREST_SHOWN)
        chosen = near.page(sharing, 0, NEAREST_SHOWN)
        km = near.distances(chosen, shown)
    ids = queries.service_ids(db, chosen)
    return {"ids": [ids[docnum] for docnum in chosen if docnum in ids],
            "km": {ids[docnum]: km[docnum] for docnum in chosen if docnum in ids},
            "centre": point}


# The first radius asked for the services nearest another (km): the nearest few alike are
# mostly within it in a city; each further try doubles it, up to half the largest radius.
FIRST_NEAREST_KM = 2.0


def _nearest_sharing(points: Points, point: geo.Point, masks: dict[str, int], own: int,
                     count: int) -> list[tuple[int, int]] | None:
    """``within_radius(points, point, MAX_RADIUS_KM, among=the masks less own,
    nearest=count)``'s first ``count`` services, each with the position of its nearest
    place, found by measuring only the places in a box around the point, a small one
    first: their list begins the same as the whole list once the ``count``-th service's
    distance is one that no place outside the box can be at. None when no box up to half
    the largest radius holds that many."""
    radius = FIRST_NEAREST_KM
    groups = [points.in_category(category, mask) for category, mask in masks.items()]
    while radius <= geo.MAX_RADIUS_KM / 2:
        south, west, north, east = geo.bounding_box(point, radius)
        parts = [positions[np.searchsorted(latitudes, south, "left"):
                           np.searchsorted(latitudes, north, "right")]
                 for latitudes, positions in groups]
        # In position order (document order), as ``within_radius`` ranks them: ties alike.
        inside = _ascending_once(parts)
        longitudes = points.longitudes[inside]
        inside = inside[(longitudes >= west) & (longitudes <= east)
                        & (points.docnums[inside] != own)]
        km = geo.approximate_km(point, geo.Reduced(*(part[inside] for part in points.reduced)))
        order = np.argsort(km, kind="stable")
        # Each service at its nearest place, nearest first (as ``_sorted_within``): the
        # first ``count`` of them are all a page needs, so only those are walked.
        found: dict[int, int] = {}
        for position, distance in zip(inside[order].tolist(), km[order].tolist(),
                                      strict=True):
            # Every place outside the box is more than ``radius`` away, so by the
            # approximation more than radius * (1 - error): the box holds every place up
            # to the count-th service's.
            if distance > radius * (1 - geo.APPROXIMATE_ERROR):
                break
            found.setdefault(int(points.docnums[position]), position)
            if len(found) == count:
                return list(found.items())
        radius *= 2
    return None


def _ascending_once(parts: list[np.ndarray]) -> np.ndarray:
    """The positions in any of the parts (each without repeats), ascending, each once."""
    if not parts:
        return np.empty(0, dtype=np.int64)
    if len(parts) == 1:
        return np.sort(parts[0])
    joined = np.sort(np.concatenate(parts))
    return joined[np.concatenate(([True], joined[1:] != joined[:-1]))]


def _nearest_first(locations: list[dict], point: geo.Point) -> None:
    if len(locations) < 2:  # nothing to order
        return
    locations.sort(key=lambda loc: math.inf if loc["latitude"] is None
                   else geo.approximate_km(point, geo.reduced(loc["latitude"], loc["longitude"])))


def attach(results: list[dict], distances_km: dict[str, float], centre: geo.Point,
           unit: str) -> None:
    """Give each result its distance and put its nearest location first, for the cards."""
    for row in results:
        row["distance"] = geo.from_km(distances_km[row["id"]], unit)
        row["distance_unit"] = unit
        _nearest_first(row["locations"], centre)
