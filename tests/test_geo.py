"""Distance math against geopy's own geodesic: the fast rank, boxes and typed points."""

from __future__ import annotations

import random

import numpy as np
import pytest
from geopy.distance import geodesic

from directory.geo import distance as geo


def test_the_fast_rank_stays_within_its_stated_error_of_the_geodesic():
    rng = random.Random(7)
    worst = 0.0
    for _ in range(1500):
        centre = geo.Point(rng.uniform(-geo.MAX_LATITUDE, geo.MAX_LATITUDE), rng.uniform(-179, 179))
        # Across the antimeridian too, and down to a few metres.
        km = rng.choice([rng.uniform(0.001, 0.1), rng.uniform(0.05, geo.MAX_RADIUS_KM)])
        there = geodesic(kilometers=km).destination(centre, rng.uniform(0, 360))
        fast = float(geo.approximate_km(centre, geo.reduced(there.latitude, there.longitude)))
        exact = geodesic(centre, (there.latitude, there.longitude)).km
        worst = max(worst, abs(fast - exact) / exact)
    assert worst < geo.APPROXIMATE_ERROR


def test_the_fast_rank_of_the_centre_itself_is_zero():
    centre = geo.Point(41.88, -87.63)
    km = geo.approximate_km(centre, geo.reduced(np.array([41.88, 41.89]),
                                                np.array([-87.63, -87.63])))
    assert list(km) == [0.0, pytest.approx(1.111, abs=1e-3)]


@pytest.mark.parametrize("latitude", [0.0, 41.88, -33.9, 60.17, 84.9])
def test_bounding_box_holds_the_whole_circle(latitude):
    centre, km = geo.Point(latitude, 10.0), 40.0
    south, west, north, east = geo.bounding_box(centre, km)
    for bearing in range(0, 360, 5):
        edge = geodesic(kilometers=km).destination(centre, bearing)
        assert south <= edge.latitude <= north and west <= edge.longitude <= east, bearing


def test_distance_is_geopys_geodesic():
    a, b = geo.Point(41.882, -87.6477), geo.Point(41.9088, -87.6796)
    assert geo.distance_km(a, b) == geodesic(a, b).km
    rng = random.Random(8)  # across the region, the globe, the poles' edge and the antimeridian
    for _ in range(500):
        a = geo.Point(rng.uniform(-85, 85), rng.uniform(-180, 180))
        near = geo.Point(a.latitude + rng.uniform(-0.3, 0.3), a.longitude + rng.uniform(-0.3, 0.3))
        far = geo.Point(rng.uniform(-85, 85), rng.uniform(-180, 180))
        for b in (near, far, a):
            assert geo.distance_km(a, b) == geodesic(a, b).km
    assert round(geo.from_km(geo.to_km(3, "mi"), "mi"), 9) == 3


@pytest.mark.parametrize(("text", "point"), [
    ("41.88312,-87.64811", geo.Point(41.883, -87.648)),
    (" 41.883 , -87.648 ", geo.Point(41.883, -87.648)),
    ("41.883 -87.648", geo.Point(41.883, -87.648)),
    ("Uptown", None), ("60607", None), ("", None),
])
def test_typed_points_are_rounded_to_about_100_m(text, point):
    assert geo.parse_point(text) == point


@pytest.mark.parametrize(("text", "reason"), [
    ("nan,nan", "not numbers"), ("1e999,0", "not numbers"), ("91,0", "out of range"),
    ("0,181", "out of range"), ("90,0", "too close to a pole"), ("-89.5,10", "too close to a pole"),
])
def test_unusable_points_say_why(text, reason):
    with pytest.raises(geo.BadPoint, match=reason):
        geo.make_point(*text.split(","))
    if "nan" not in text:  # "nan,nan" is not digits: as typed text it is a place name
        with pytest.raises(geo.BadPoint, match=reason):
            geo.parse_point(text)


def test_in_bounds():
    bounds = {"south": 41.64, "west": -87.94, "north": 42.03, "east": -87.52}
    assert geo.in_bounds(geo.Point(41.88, -87.63), bounds)
    assert not geo.in_bounds(geo.Point(40.71, -74.0), bounds)
    assert geo.in_bounds(geo.Point(40.71, -74.0), None)
