"""The HTML pages residents use: home, search, service, organization, category, about, privacy."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, render_template

from . import nearby, params, queries, where
from .i18n import localized
from .store import NoBuild, get_build, get_db

bp = Blueprint("site", __name__)


@bp.app_context_processor
def site_context() -> dict:
    """Site settings and pinned crisis lines for every page, errors included."""
    try:
        site = get_build().site
    except NoBuild:
        site = {}
    return {"site": site, "crisis_lines": site.get("crisis_lines", [])}


def _categories() -> list[dict]:
    return queries.categories(get_db())


def _index():
    return get_build().index(lambda: queries.synonyms(get_db()))


@bp.get("/")
def home():
    categories = _categories()
    return render_template("home.html", categories=[c for c in categories if not c["parent_id"]])


@bp.get("/search")
def search():
    categories = _categories()
    names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
    q = params.text("q")
    category = params.choice("category", names, "category")
    page = params.page()
    per_page = current_app.config["PER_PAGE"]
    place = where.from_request()
    near = place is not None and place.point is not None
    if near:
        hits = nearby.search(get_db(), _index(), place, q, category=category, page=page,
                             per_page=per_page)
    else:
        hits = _index().search(q, category=category, page=page, per_page=per_page)
    results = queries.services(get_db(), hits.ids)
    nearby.attach(results, hits, where.unit())
    suggested = [c for c in categories if c["id"] in _index().categories_named_in(q)
                 and c["id"] != category] if q else []
    return render_template(
        "search.html", q=q, category=category, category_name=names.get(category),
        results=results, total=hits.total, all_words=hits.all_words, page=page,
        pages=max(1, math.ceil(hits.total / per_page)), per_page=per_page,
        categories=[c for c in categories if c["service_count"]], suggested=suggested,
        where=place, remote=nearby.remote(get_db(), _index(), place, q, category) if near else None)


@bp.get("/services/<service_id>")
def service(service_id: str):
    found = queries.service(get_db(), service_id)
    if found is None:
        abort(404, description="service")
    return render_template("service.html", service=found,
                           nearest=nearby.nearest_same_category(get_db(), found, where.unit()))


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
    hits = _index().search("", category=category_id, page=page, per_page=per_page)
    children = [c for c in _categories() if c["parent_id"] == category_id]
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
