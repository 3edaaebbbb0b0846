"""The HTML pages residents use: home, search, service, organization, category, about, privacy."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.exceptions import BadRequest

from ..geo import distance as geo
from ..search import crisis, nearby, queries
from . import clock, params, searching, unmet, where
from .cards import page_of_cards
from .carry import carried_place
from .current import all_categories, current_facets, current_index, current_stretch
from .distance import format_distance
from .i18n import gettext as _
from .i18n import localized
from .sharing import public_url, share_links
from .store import get_build, get_db

bp = Blueprint("site", __name__)
# Answers kept per worker, besides whole pages (``pagecache``, which answers a repeated URL
# before these are asked): a few hundred, as each holds rows of services (a near search's
# hotlines, a service's nearest others) and a worker's memory is the limit (issue #19).
ANSWERS_KEPT = 256
HOTLINES_SHOWN = 3  # "Call, text or chat" services on a near search's first screen


@bp.get("/")
def home():
    categories = all_categories()
    # A place carried from an earlier search fills the place field (carry.py).
    place = where.from_request() if carried_place() else None
    return render_template("home.html", categories=[c for c in categories if not c["parent_id"]],
                           where=place)


# ``/search?kind=``: residents' searches find services; the other kinds have their pages.
ELSEWHERE = {"volunteer": ("volunteer.listing", ("q", "category", "language", "near", "lat",
                                                 "lon", "radius")),
             "events": ("events.listing", ("category", "language", "near", "lat", "lon",
                                           "radius"))}


@bp.get("/search")
def search():
    if any(not value.strip() for _name, value in request.args.items(multi=True)):
        return _without_empty_fields()
    kind = params.choice("kind", {"help": _("help"), "volunteer": _("ways to volunteer"),
                                  "events": _("groups and workshops")}, _("kind of result"))
    if kind in ELSEWHERE:
        endpoint, kept = ELSEWHERE[kind]
        return redirect(url_for(endpoint, **{key: value for key, value in request.args.items()
                                             if key in kept and value}))
    categories = all_categories()
    names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
    audiences = {a["id"]: localized(a["names"], a["name"]) for a in
                 get_build().memo("audiences", lambda: queries.audiences(get_db()))}
    q = params.text("q")
    chosen = params.filters(names, audiences)
    category = chosen.get("category")
    page = params.page()
    per_page = current_app.config["PER_PAGE"]
    place = where.from_request()
    words = searching.read_words(q, chosen)
    if words.filters:
        # "free counselling" is /search?q=counselling&cost=free: a chip the person can remove.
        text = " ".join(filter(None, [words.text, words.place_phrase]))
        args = {k: v for k, v in request.args.items() if k != "q"}  # the page stays
        return redirect(url_for("site.search", q=text or None, **args,
                                **dict(words.filters)))
    ask_place = words.ask_place and place is None
    if words.ask_place:  # "therapist near me": search "therapist", ask where
        q = words.text
    near = place is not None and place.point is not None
    now = clock.now()
    # The words are read in the page's language (its stemmer), so the answer depends on it.
    key = ("search", current_index().language, q, chosen.values, page, per_page,
           (place.point, place.radius_km) if near else None,
           # Every answer counts what is open now.
           current_stretch())
    hits, distances, remote = get_build().recent(
        key, lambda: _find(q, chosen, category, page, per_page, place if near else None,
                           categories, now), size=ANSWERS_KEPT)
    unmet.note_search(q, chosen, place, hits, page)
    results = page_of_cards(get_db(), hits.ids,
                            (distances, place.point, where.unit()) if near else None)
    if remote:
        remote = {"services": page_of_cards(get_db(), remote["ids"], kind="hotline"),
                  "total": remote["total"]}
    return render_template(
        "search.html", q=q, category=category, category_name=names.get(category),
        results=results, total=hits.total, all_words=hits.all_words, page=page,
        pages=max(1, math.ceil(hits.total / per_page)), per_page=per_page,
        categories=[c for c in categories if c["service_count"]],
        finding=hits, filters=chosen, category_names=names, audience_names=audiences,
        where=place, remote=remote, ask_place=ask_place)


def _without_empty_fields():
    """A form's untouched fields (``category=&cost=&…``) dropped from the address: the same
    search at a URL a person can read, share and bookmark; works without JavaScript."""
    kept = [(name, value) for name, value in request.args.items(multi=True) if value.strip()]
    # The request's own path: url_for would add the carried language and place a second time.
    return redirect(f"{request.path}?{urlencode(kept)}" if kept else request.path)


def _find(q, chosen, category, page, per_page, place, categories, now):
    """One search's answer: the finding, the distances of the page shown, the remote block."""
    hits, near = searching.find(q, chosen, page, per_page, categories, now,
                                centre=place.point if place else None,
                                radius_km=place.radius_km if place else None)
    if near is None:
        return hits, None, None
    points = nearby.points(get_build(), get_db(), current_index())
    # Measured exactly only where the approximation could be written otherwise.
    km = near.distances(hits.docnums, shown=_written(place.unit))
    distances = dict(zip(hits.ids, (km[d] for d in hits.docnums), strict=False))
    # Hotlines in sight: the few lines serving the area, open now first (crisis lines
    # before all on a crisis search), on the first screen above the distance list.
    facets = current_facets()
    first = (facets.open_mask(get_db(), now),)
    if hits.crisis:
        first = (facets.value_mask("category", crisis.CATEGORY), *first)
    remote = nearby.remote(get_db(), current_index(), points, where.gazetteer(), place, q,
                           category, per_page=HOTLINES_SHOWN, first=first)
    return hits, distances, remote


@bp.get("/search/remote")
def remote_services():
    """The "Call, text or chat" block of a near search in full: every service without a
    place that serves the area, best match first, a page at a time."""
    place = where.from_request()
    if place is None:
        raise BadRequest(_("This list is of services serving a place: add near=, e.g. "
                           "near=Uptown, or lat= and lon=."))
    if place.point is None:  # unknown or ambiguous: the search page offers what it might be
        return redirect(url_for("site.search", **request.args))
    names = {c["id"]: localized(c["names"], c["name"]) for c in all_categories()}
    q = params.text("q")
    category = params.choice("category", names, _("category"))
    page = params.page()
    per_page = current_app.config["PER_PAGE"]
    found = get_build().recent(
        ("remote", current_index().language, q, category, place.point, place.in_region, page,
         per_page),
        lambda: nearby.remote(get_db(), current_index(),
                              nearby.points(get_build(), get_db(), current_index()),
                              where.gazetteer(), place, q, category, page=page,
                              per_page=per_page))
    back = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("remote.html", where=place, q=q, category_name=names.get(category),
                           results=page_of_cards(get_db(), found["ids"]),
                           total=found["total"], page=page,
                           pages=max(1, math.ceil(found["total"] / per_page)), back=back)


def _written(unit: str):
    """A distance in km as the cards write it in ``unit`` (for ``Nearby.distances``)."""
    return lambda km: format_distance(geo.from_km(km, unit), unit)


@bp.get("/services/<service_id>")
def service(service_id: str):
    found = queries.service(get_db(), service_id)
    if found is None:
        abort(404, description="service")
    share = share_links(public_url("site.service", service_id=service_id),
                        _("%(service)s, %(organization)s", service=found["name"],
                          organization=found["organization"]["name"]))
    nearest = get_build().recent(
        ("nearest", service_id),
        lambda: nearby.nearest_same_category(
            get_db(), nearby.points(get_build(), get_db(), current_index()), current_facets(),
            found, shown=_written(where.unit())),
        size=ANSWERS_KEPT)
    cards = page_of_cards(get_db(), nearest["ids"],
                          (nearest["km"], nearest["centre"], where.unit())) \
        if nearest["ids"] else []
    return render_template("service.html", service=found, share=share, nearest=cards)


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    found = queries.organization(get_db(), organization_id)
    if found is None:
        abort(404, description="organization")
    return render_template("organization.html", organization=found)


@bp.get("/categories/<category_id>")
def category(category_id: str):
    db = get_db()
    found = queries.category(db, category_id)
    if found is None:
        abort(404, description="category")
    if carried_place():
        # Browsing near a place is a near search of this kind of help: nearest first, with
        # the filters, the place kept on.
        return redirect(url_for("site.search", category=category_id, **carried_place()))
    page = params.page()
    per_page = current_app.config["PER_PAGE"]
    hits = get_build().recent(("category", category_id, page, per_page),
                              lambda: current_index().search("", category=category_id, page=page,
                                                      per_page=per_page))
    children = [c for c in all_categories() if c["parent_id"] == category_id]
    parent = queries.category(db, found["parent_id"]) if found["parent_id"] else None
    return render_template(
        "category.html", category=found, parent=parent, children=children,
        results=page_of_cards(db, hits.ids), total=hits.total, page=page,
        pages=max(1, math.ceil(hits.total / per_page)))


@bp.get("/about")
def about():
    return render_template("about.html", counts=_counts(), build=get_build())


@bp.get("/about/api")
def api_page():
    """How to use the open data: the downloads and the HSDS API, with curl examples."""
    return render_template("api.html", build=get_build(),
                           example=queries.all_service_ids(get_db())[:1])


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html")


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where browsers look for it first: no 404 on a first visit."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/healthz")
def healthz():
    build = get_build()
    return {"status": "ok", "build": build.id, "counts": _counts()}


def _counts() -> dict[str, int]:
    # Counting active services scans them all (20 ms at 50,000): once per build, not per
    # request; a load balancer asks /healthz every few seconds.
    return get_build().memo("counts", lambda: queries.counts(get_db()))
