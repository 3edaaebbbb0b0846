"""Where the resident is: ``near=`` (a place, postcode or "lat,lon"), ``lat=``/``lon=`` and
``radius=`` read strictly from the request and resolved offline through the build's places.

A place nobody knows is not a bad request: it comes back unresolved, with the closest names
to offer ("Did you mean …?"). Malformed coordinates or radii are 400s that say what was
wrong. Coordinates are rounded to ~100 m (``geo.DECIMALS``) before anything uses them, and
nothing here logs them.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..geo import distance as geo
from ..geo.places import Gazetteer
from ..search import nearby
from ..search.nearby import Where
from . import params
from .params import BadParameter
from .store import get_build, get_db


def gazetteer() -> Gazetteer:
    """The served build's places, read from its database once per build."""
    return nearby.gazetteer(get_build(), get_db())


def unit() -> str:
    return get_build().site.get("distance_unit") or "km"


def from_request() -> Where | None:
    """The place asked for, or None when the search is not about a place."""
    site = get_build().site
    radius = _radius(unit())
    lat, lon = (params.text(name, 40) for name in ("lat", "lon"))
    near = params.text("near", 100)
    where = Where(typed=near, radius=radius, unit=unit())
    if lat or lon:
        if not (lat and lon):
            raise BadParameter("lon" if lat else "lat", _(
                "lat and lon go together: give both, e.g. lat=41.882&lon=-87.648, "
                "or type a place instead."))
        where.point = _point(lat, lon, f"{lat},{lon}", site)
        where.label = _("your location")
    elif near:
        try:
            where.point = geo.parse_point(near)
        except geo.BadPoint as error:
            raise BadParameter("near", _bad_point(near, error, site)) from None
        if where.point:
            # Show back only what the site kept: the point rounded to ~100 m.
            where.typed = f"{where.point.latitude},{where.point.longitude}"
            where.label = _("your location")
        else:
            found = gazetteer().lookup(near)
            if found.place:
                where.place, where.point, where.label = found.place, found.place.point, \
                    found.place.name
            else:
                where.suggestions = found.suggestions
    else:
        return None
    if where.point:
        where.in_region = geo.in_bounds(where.point, site.get("bounds"))
    return where


def _radius(unit_name: str) -> int:
    raw = params.text("radius", 20)
    if not raw:
        return geo.DEFAULT_RADIUS
    if params.digits(raw) in geo.RADII:  # not isdigit(): "²" passes it and int() fails
        return int(raw)
    choices = ", ".join(str(r) for r in geo.RADII)
    units = _("miles") if unit_name == "mi" else _("kilometres")
    raise BadParameter(
        "radius", _('"%(value)s" is not a distance you can choose; use one of %(choices)s '
                       "(%(units)s).", value=raw, choices=choices, units=units))


def _point(lat: str, lon: str, shown: str, site: dict) -> geo.Point:
    try:
        return geo.make_point(lat, lon)
    except geo.BadPoint as error:
        raise BadParameter("lat", _bad_point(shown, error, site)) from None


def _bad_point(shown: str, error: geo.BadPoint, site: dict) -> str:
    reason = str(error)
    if reason == "too close to a pole":
        return _('"%(value)s" is too close to a pole to search near; this directory covers '
                 "%(region)s.", value=shown, region=site.get("region", ""))
    if reason == "out of range":
        return _('"%(value)s" is not a place on the map: latitude goes from -90 to 90 and '
                 "longitude from -180 to 180, e.g. 41.882,-87.648.", value=shown)
    return _('"%(value)s" is not a latitude and longitude; use two numbers such as '
             "41.882,-87.648, or type a neighbourhood or postcode.", value=shown)
