"""A resident's place, kept from page to page in the address alone: no cookie, no session.

Once someone searches near a place (``near=``, or ``lat=``/``lon=``, with ``radius=``), every
later link and form of the resident's pages carries it (home, search, categories, services,
organizations), so browsing on stays near them until they change or clear it. The server
keeps nothing: the place is in the URL the resident already has, and nowhere else.

Addresses made for someone else (a shared link, a QR code) never carry it: see
``sharing.public_url``.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from jinja2 import pass_context
from werkzeug.exceptions import HTTPException

from ..build.layout import NoBuild
from ..search.filters import PLACE
from . import where

CARRIED = {"site.home", "site.search", "site.category", "site.service", "site.organization",
           "site.remote_services"}


def carried_place() -> dict[str, str]:
    """The place this request is near, as URL parameters; {} when none, or not found."""
    if not has_request_context():
        return {}
    if "carried_place" not in g:
        g.carried_place = _place_args()
    return g.carried_place


def _place_args() -> dict[str, str]:
    if not any(request.args.get(name) for name in ("near", "lat", "lon")):
        return {}
    try:
        place = where.from_request()
    except (HTTPException, NoBuild):
        return {}  # the page itself answers 400 (or "no build yet"); its links start afresh
    if place is None or place.point is None:
        return {}  # an unknown place: the page offers what it might be, links do not repeat it
    # What the page itself kept: coordinates rounded to ~100 m (where.py), never the raw ones.
    if request.args.get("lat") or request.args.get("lon"):
        found = {"lat": str(place.point.latitude), "lon": str(place.point.longitude)}
    else:
        found = {"near": place.typed}
    if request.args.get("radius"):
        found["radius"] = str(place.radius)
    return found


def add_place(endpoint: str, values: dict) -> None:
    """``url_defaults``: a resident's page links on with their place, unless the link sets
    any place parameter itself (``near=None`` is how a link drops it)."""
    if endpoint in CARRIED and not any(name in values for name in PLACE):
        values.update(carried_place())


@pass_context
def search_carry(context) -> dict[str, str]:
    """What the header's search form carries as hidden fields: the place, and on a page of
    results its filters, so a new search keeps both."""
    carried = dict(carried_place())
    filters = context.get("filters")
    if filters is not None and hasattr(filters, "values"):
        carried |= dict(filters.values)
    return carried


def init_app(app) -> None:
    app.url_defaults(add_place)
    app.jinja_env.globals.update(search_carry=search_carry, carried_place=carried_place)
