"""Distance math: points, exact distances with geopy's geodesic, boxes and a fast rank.

Exact distances (what a resident reads, and the radius edge) are geopy's ``geodesic`` on the
WGS-84 ellipsoid, computed as it computes them: Karney's inverse in ``geographiclib``
(geopy's own dependency), called directly. Importing ``geopy.distance`` would load all of
geopy's geocoders and their HTTP stack (~15 MB) into every web worker, which never geocodes.

Measuring thousands of candidates with it would be too slow (a quarter of a millisecond
each), so candidates are ranked by Lambert's formula, vectorised, whose error is bounded by
``APPROXIMATE_ERROR`` (see ``tests/test_geo.py``); only the page shown and the candidates
within that error of the radius edge are measured exactly.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np
from geographiclib.geodesic import Geodesic

KM_PER_UNIT = {"km": 1.0, "mi": 1.609344}
RADII = (1, 3, 10, 25)  # in the site's distance unit
DEFAULT_RADIUS = 10
MAX_RADIUS_KM = RADII[-1] * KM_PER_UNIT["mi"]
# ``approximate_km`` is never off by more than this fraction of the geodesic for distances
# up to MAX_RADIUS_KM at latitudes within ±MAX_LATITUDE (measured in the tests: 1.4e-6).
APPROXIMATE_ERROR = 1e-5
# Near the poles a box of longitudes stops making sense; no community lives there.
MAX_LATITUDE = 85.0
DECIMALS = 3  # ~100 m: what "use my location" sends, and all the site keeps of it

# WGS-84: semi-major axis, first eccentricity squared, flattening.
_A_KM = 6378.137
_E2 = 0.00669437999014
_F = 1 / 298.257223563
# geopy's ``ELLIPSOIDS["WGS-84"]``: the major axis in kilometres, so distances come in km.
_WGS84_KM = Geodesic(_A_KM, _F)
_PAIR = re.compile(r"^\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*[,; ]\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*$",
                   re.IGNORECASE)


class Point(NamedTuple):
    latitude: float
    longitude: float


class BadPoint(ValueError):
    """Text that looks like coordinates but is not a usable point; the message says why."""


def distance_km(a: Point, b: Point) -> float:
    """The exact distance on the WGS-84 ellipsoid, in kilometres (geopy's
    ``geodesic(a, b).km``, to the last bit: ``tests/test_geo.py``)."""
    return _WGS84_KM.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"]


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


class Reduced(NamedTuple):
    """Points as ``approximate_km`` takes them: sine and cosine of the reduced latitude,
    longitude in radians (numpy arrays, or numbers for one point). Worth keeping for points
    measured again and again."""

    sin: object
    cos: object
    longitude: object


def reduced(latitudes, longitudes) -> Reduced:
    beta = np.arctan((1 - _F) * np.tan(np.radians(latitudes)))
    return Reduced(np.sin(beta), np.cos(beta), np.radians(longitudes))


def approximate_km(centre: Point, points: Reduced):
    """Distances from the centre by Lambert's formula for the ellipsoid, in kilometres:
    within ``APPROXIMATE_ERROR`` of the geodesic and thousands of times faster, so every
    candidate of a near search can be ranked by it. Written with as few trigonometric
    calls per point as the formula allows, without the cancellations of small angles."""
    s1, c1, lon1 = reduced(centre.latitude, centre.longitude)
    s2, c2, lon2 = points
    # The half differences of reduced latitude (q) and the half sums (p), squared.
    sin_diff, cos_diff = s2 * c1 - c2 * s1, c1 * c2 + s1 * s2
    sin2_q = sin_diff * sin_diff / (2 * (1 + cos_diff))
    sin2_p = (1 - (c1 * c2 - s1 * s2)) / 2
    # The central angle on the sphere of reduced latitudes (haversine) ...
    h = np.clip(sin2_q + c1 * c2 * np.sin((lon2 - lon1) / 2) ** 2, 0, 1)
    sigma = 2 * np.arcsin(np.sqrt(h))
    sin_sigma = np.sin(sigma)
    # ... corrected for the flattening.
    with np.errstate(divide="ignore", invalid="ignore"):  # sigma = 0: the centre itself
        x = (sigma - sin_sigma) * sin2_p * (1 - sin2_q) / (1 - h)
        y = (sigma + sin_sigma) * (1 - sin2_p) * sin2_q / h
        km = _A_KM * (sigma - _F / 2 * (x + y))
    return np.where(sigma > 0, km, 0.0)


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
    if any(isinstance(value, str) and not value.isascii() for value in (latitude, longitude)):
        raise BadPoint("not numbers")  # float() reads "١٢" as 12: no browser sends that
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
