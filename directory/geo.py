"""Distance math: points, exact distances with geopy's geodesic, boxes and a fast planar rank.

Exact distances (what a resident reads, and the radius edge) come from geopy's ``geodesic``
on the WGS-84 ellipsoid. Ranking thousands of candidates with it would be too slow, so
candidates are first ranked by a local planar approximation whose error is bounded by
``PLANAR_ERROR`` (see ``tests/test_geo.py``); only the page shown and the candidates near
the radius edge are measured exactly.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from geopy.distance import geodesic

KM_PER_UNIT = {"km": 1.0, "mi": 1.609344}
RADII = (1, 3, 10, 25)  # in the site's distance unit
DEFAULT_RADIUS = 10
MAX_RADIUS_KM = RADII[-1] * KM_PER_UNIT["mi"]
# The planar rank is never off by more than this fraction of the true distance for
# distances up to MAX_RADIUS_KM at latitudes within ±MAX_LATITUDE (measured in the tests).
PLANAR_ERROR = 0.002
# Near the poles a box of longitudes stops making sense; no community lives there.
MAX_LATITUDE = 85.0
DECIMALS = 3  # ~100 m: what "use my location" sends, and all the site keeps of it

# WGS-84: semi-major axis and first eccentricity squared.
_A_KM = 6378.137
_E2 = 0.00669437999014
_PAIR = re.compile(r"^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*[,; ]\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*$",
                   re.IGNORECASE)


class Point(NamedTuple):
    latitude: float
    longitude: float


class BadPoint(ValueError):
    """Text that looks like coordinates but is not a usable point; the message says why."""


def distance_km(a: Point, b: Point) -> float:
    """The exact distance on the WGS-84 ellipsoid, in kilometres."""
    return geodesic(a, b).km


def to_km(value: float, unit: str) -> float:
    return value * KM_PER_UNIT.get(unit, 1.0)


def from_km(km: float, unit: str) -> float:
    return km / KM_PER_UNIT.get(unit, 1.0)


def degree_lengths(latitude: float) -> tuple[float, float]:
    """Kilometres per degree of latitude and of longitude at a latitude, on WGS-84."""
    phi = math.radians(latitude)
    w = 1 - _E2 * math.sin(phi) ** 2
    meridional = _A_KM * (1 - _E2) / w ** 1.5
    normal = _A_KM / math.sqrt(w)
    return math.radians(meridional), math.radians(normal * math.cos(phi))


def bounding_box(centre: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) that holds every point within ``radius_km`` of ``centre``."""
    per_lat, _ = degree_lengths(centre.latitude)
    dlat = radius_km / per_lat * 1.01 + 1e-6
    # The longitude span is widest at the box edge nearest the pole.
    edge = min(89.9, abs(centre.latitude) + dlat)
    _, per_lon = degree_lengths(edge)
    dlon = radius_km / per_lon * 1.01 + 1e-6
    return (centre.latitude - dlat, centre.longitude - dlon,
            centre.latitude + dlat, centre.longitude + dlon)


class PlanarRank:
    """Squared planar distances (km²) from one centre, cheap enough for thousands of points.

    Latitude and longitude degrees are scaled by the ellipsoid's degree lengths at the
    midpoint latitude, which keeps the error within ``PLANAR_ERROR`` at city scale.
    """

    def __init__(self, centre: Point):
        self.latitude, self.longitude = centre
        self.per_lat, _ = degree_lengths(centre.latitude)
        _, per_lon = degree_lengths(centre.latitude)
        self._per_lon_at_centre = per_lon / math.cos(math.radians(centre.latitude))

    def squared(self, latitude: float, longitude: float) -> float:
        dy = (latitude - self.latitude) * self.per_lat
        dx = (longitude - self.longitude) * self._per_lon_at_centre * \
            math.cos(math.radians((latitude + self.latitude) / 2))
        return dx * dx + dy * dy


def parse_point(text: str) -> Point | None:
    """``"41.882,-87.648"`` → a Point rounded to ~100 m; None when it is not a pair of numbers.

    Raises ``BadPoint`` for pairs that are not a usable place: NaN, out of range, a pole.
    """
    match = _PAIR.match(text)
    if not match:
        return None
    return make_point(match.group(1), match.group(2))


def make_point(latitude, longitude) -> Point:
    """A point from two values (text or numbers), rounded to ~100 m, or ``BadPoint``."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise BadPoint("not numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise BadPoint("not numbers")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise BadPoint("out of range")
    if abs(lat) > MAX_LATITUDE:
        raise BadPoint("too close to a pole")
    return Point(round(lat, DECIMALS), round(lon, DECIMALS))


def in_bounds(point: Point, bounds: dict | None) -> bool:
    """Whether a point lies in a ``{south, west, north, east}`` box (no box: anywhere)."""
    if not bounds:
        return True
    return (bounds["south"] <= point.latitude <= bounds["north"]
            and bounds["west"] <= point.longitude <= bounds["east"])
