"""The HTML pages residents use: home, search, service, organization, category, about, privacy."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from ..search import finder, nearby, queries, spelling
from . import clock, params, where
from .current import all_categories, current_facets, current_index, current_stretch
from .i18n import localized
from .store import get_build, get_db

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    categories = all_categories()
    return render_template("home.html", categories=[c for c in categories if not c["parent_id"]])


@bp.get("/search")
def search():
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
    near = place is not None and place.point is not None
    now = clock.now()
    # The words are read in the page's language (its stemmer), so the answer depends on it.
    key = ("search", current_index().language, q, chosen.values, page, per_page,
           (place.point, place.radius_km) if near else None,
           # Every answer counts what is open now.
           current_stretch())
    hits, distances, remote = get_build().recent(
        key, lambda: _find(q, chosen, category, page, per_page, place if near else None,
                           categories, now))
    results = queries.services(get_db(), hits.ids)
    if near:
        nearby.attach(results, distances, place.point, where.unit())
    return render_template(
        "search.html", q=q, category=category, category_name=names.get(category),
        results=results, total=hits.total, all_words=hits.all_words, page=page,
        pages=max(1, math.ceil(hits.total / per_page)), per_page=per_page,
        categories=[c for c in categories if c["service_count"]],
        finding=hits, filters=chosen, category_names=names, audience_names=audiences,
        where=place, remote=remote)


def _find(q, chosen, category, page, per_page, place, categories, now):
    """One search's answer: the finding, the distances of the page shown, the remote block."""
    points = nearby.points(get_build(), get_db(), current_index())
    near = nearby.within_radius(points, place.point, place.radius_km) if place else None
    speller = spelling.for_build(get_build(), get_db())
    hits = finder.find(current_index(), current_facets(), speller, get_db(),
                       q, chosen, page=page, per_page=per_page, now=now,
                       categories=categories, nearest=near.docnums if near else None)
    if near is None:
        return hits, None, None
    km = near.distances(hits.docnums)
    distances = dict(zip(hits.ids, (km[d] for d in hits.docnums), strict=False))
    remote = nearby.remote(get_db(), current_index(), points, where.gazetteer(), place, q,
                           category)
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
                           results=found["services"], total=found["total"], page=page,
                           pages=max(1, math.ceil(found["total"] / per_page)), back=back)


@bp.get("/services/<service_id>")
def service(service_id: str):
    found = queries.service(get_db(), service_id)
    if found is None:
        abort(404, description="service")
    return render_template("service.html", service=found,
                           nearest=get_build().recent(
                               ("nearest", service_id, where.unit()),
                               lambda: nearby.nearest_same_category(
                                   get_db(), nearby.points(get_build(), get_db(), current_index()),
                                   current_facets(), found, where.unit())))


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
    page = params.page()
    per_page = current_app.config["PER_PAGE"]
    hits = get_build().recent(("category", category_id, page, per_page),
                              lambda: current_index().search("", category=category_id, page=page,
                                                      per_page=per_page))
    children = [c for c in all_categories() if c["parent_id"] == category_id]
    parent = queries.category(db, found["parent_id"]) if found["parent_id"] else None
    return render_template(
        "category.html", category=found, parent=parent, children=children,
        results=queries.services(db, hits.ids), total=hits.total, page=page,
        pages=max(1, math.ceil(hits.total / per_page)))


@bp.get("/about")
def about():
    return render_template("about.html", counts=queries.counts(get_db()), build=get_build())


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html")


@bp.get("/healthz")
def healthz():
    build = get_build()
    return {"status": "ok", "build": build.id, "counts": queries.counts(get_db())}
