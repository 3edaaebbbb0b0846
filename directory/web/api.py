"""The Open Referral HSDS 3.0 API under ``/api``: JSON, open to any origin, cached per build.

Lists use HSDS's ``Page`` envelope; items are shaped as HSDS's compiled schemas
(``service_list.json`` in lists, ``service.json`` for one). Every object is found by its UUID
or by this directory's own id (slug); the ``Link: rel="canonical"`` header names the UUID URL.
``/api/services?search=`` runs the site's own search (``searching.find``), so the same words
and filters give the same services in the same order as ``/search``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

from flask import Blueprint, abort, current_app, request, send_file, url_for

from ..hsds import export as hsds_export
from ..search import queries
from . import api_params as ap
from . import api_search, params
from . import openapi as openapi_doc
from .current import all_categories, current_facets
from .hsds_build import lookup, source
from .store import get_build, get_db

bp = Blueprint("api", __name__, url_prefix="/api")
HSDS_VERSION = "3.0"
PROFILE = "https://docs.openreferral.org/en/latest/hsds/"
# Responses to these say what someone searched for, or where: never in a shared cache.
PRIVATE = ("search", "near", "lat", "lon", "postcode")


def respond(payload, canonical: str | None = None):
    """JSON with an ETag of the build and the body, so a harvester's conditional GET is a 304."""
    build = get_build()
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(f"{build.id}-{hashlib.sha1(body.encode()).hexdigest()[:16]}")
    response.last_modified = dt.datetime.fromisoformat(build.manifest["created"])
    private = any(request.args.get(name) for name in PRIVATE)
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    if canonical:
        response.headers["Link"] = f'<{canonical}>; rel="canonical"'
    return response.make_conditional(request)


def envelope(contents: list, total: int, page: int, per_page: int) -> dict:
    """HSDS's ``Page``: counts, where this page is, and its items."""
    pages = math.ceil(total / per_page)
    return {"total_items": total, "total_pages": pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page >= pages,
            "empty": total == 0, "contents": contents}


def _paged(items: list, page: int, per_page: int) -> tuple[list, int]:
    return items[(page - 1) * per_page:page * per_page], len(items)


@bp.get("/openapi.json")
def openapi():
    def document():
        audiences = queries.audiences(get_db())
        return openapi_doc.document(get_build().site, [c["id"] for c in all_categories()],
                                    [a["id"] for a in audiences])

    return respond(get_build().memo("openapi", document))


@bp.get("/")
def meta():
    return respond({"version": HSDS_VERSION, "profile": PROFILE,
                    "openapi_url": url_for("api.openapi", _external=True)})


# --- services ------------------------------------------------------------------------


@bp.get("/services")
def services():
    ap.check_format()
    full, minimal = ap.flag("full"), ap.flag("minimal")
    page, per_page = ap.page(), ap.per_page()
    hits = api_search.find(page, per_page)
    if minimal:
        contents = source().minimal(hits.ids)
    else:
        contents = source().services(hits.ids, full=full)
    return respond(envelope(contents, hits.total, page, per_page))


@bp.get("/services/<key>")
def service(key: str):
    slug, _ = lookup().find("service", key)
    if slug is None:
        abort(404, description="service")
    found = get_build().recent(("api-service", slug), lambda: source().services([slug])[0])
    return respond(found, url_for("api.service", key=found["id"], _external=True))


# --- service at location -------------------------------------------------------------


@bp.get("/service_at_locations")
def service_at_locations():
    ap.check_format()
    full = ap.flag("full")
    page, per_page = ap.page(), ap.per_page()
    pairs = get_build().memo("hsds-pairs", lambda: queries.service_locations(get_db()))
    # Every matching service, in the search's order, then each of its places.
    hits = api_search.find(1, max(1, current_facets().size), keep=False)
    rank = {service_id: n for n, service_id in enumerate(hits.ids)}
    chosen = sorted((pair for pair in pairs if pair[0] in rank), key=lambda p: rank[p[0]])
    shown, total = _paged(chosen, page, per_page)
    return respond(envelope(source().service_at_locations(shown, full=full), total, page,
                            per_page))


@bp.get("/service_at_locations/<path:key>")
def service_at_location(key: str):
    pair, _ = lookup().find("service_at_location", key)
    if pair is None:
        abort(404, description="service at location")
    found = source().service_at_locations([tuple(pair.split("/", 1))], full=True)[0]
    return respond(found, url_for("api.service_at_location", key=found["id"], _external=True))


# --- organizations -------------------------------------------------------------------


@bp.get("/organizations")
def organizations():
    ap.check_format()
    q = params.text("search").casefold()
    full, full_service = ap.flag("full"), ap.flag("full_service")
    page, per_page = ap.page(), ap.per_page()
    names = get_build().memo("hsds-org-names", lambda: [
        (org_id, org["name"], org.get("alternate_name") or "")
        for org_id, org in queries.organizations_in_bulk(
            get_db(), queries.all_organization_ids(get_db())).items()])
    matching = [org_id for org_id, name, other in names
                if not q or all(word in f"{name} {other}".casefold() for word in q.split())]
    shown, total = _paged(matching, page, per_page)
    contents = source().organizations(shown, full=full or full_service,
                                      full_service=full_service)
    return respond(envelope(contents, total, page, per_page))


@bp.get("/organizations/<key>")
def organization(key: str):
    slug, _ = lookup().find("organization", key)
    if slug is None:
        abort(404, description="organization")
    found = source().organizations([slug], full=True,
                                   full_service=ap.flag("full_service"))[0]
    return respond(found, url_for("api.organization", key=found["id"], _external=True))


# --- taxonomies ----------------------------------------------------------------------


@bp.get("/taxonomies")
def taxonomies():
    ap.check_format()
    q = params.text("search").casefold()
    page, per_page = ap.page(), ap.per_page()
    taxonomy = source().mapper.taxonomy.hsds
    found = [taxonomy] if q in f"{taxonomy['name']} {taxonomy['description']}".casefold() else []
    shown, total = _paged(found, page, per_page)
    return respond(envelope(shown, total, page, per_page))


@bp.get("/taxonomies/<key>")
def taxonomy(key: str):
    known, _ = lookup().find("taxonomy", key)
    if known is None:
        abort(404, description="taxonomy")
    found = source().mapper.taxonomy.hsds
    return respond(found, url_for("api.taxonomy", key=found["id"], _external=True))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    ap.check_format()
    q = params.text("search").casefold()
    page, per_page = ap.page(), ap.per_page()
    taxonomy_id, parent = ap.reference("taxonomy_id"), ap.reference("parent_id")
    top_only = ap.flag("top_only")
    tax = source().mapper.taxonomy
    terms = [term.hsds for term in tax.terms.values()]
    if taxonomy_id and lookup().find("taxonomy", taxonomy_id)[0] is None:
        terms = []
    if parent:
        code, _ = lookup().find("taxonomy_term", parent)
        parent_uuid = tax.terms[code].hsds["id"] if code else None
        terms = [t for t in terms if parent_uuid and t.get("parent_id") == parent_uuid]
    if top_only:
        terms = [t for t in terms if "parent_id" not in t]
    if q:
        terms = [t for t in terms if all(
            word in f"{t['name']} {t['description']} {t['code']}".casefold()
            for word in q.split())]
    shown, total = _paged(terms, page, per_page)
    return respond(envelope([tax.full_term(t) for t in shown], total, page, per_page))


@bp.get("/taxonomy_terms/<key>")
def taxonomy_term(key: str):
    code, _ = lookup().find("taxonomy_term", key)
    if code is None:
        abort(404, description="taxonomy term")
    tax = source().mapper.taxonomy
    found = tax.full_term(tax.terms[code].hsds)
    return respond(found, url_for("api.taxonomy_term", key=found["id"], _external=True))


# --- the export, for download -------------------------------------------------------


@bp.get("/export/<any(hsds.zip, services.json):name>")
def export_file(name: str):
    build = get_build()
    path = build.path / hsds_export.FOLDER / (hsds_export.ZIP_NAME if name == "hsds.zip"
                                              else hsds_export.JSON_NAME)
    if not path.is_file():
        abort(404, description="export")
    day = build.manifest["created"][:10]
    stem, _, suffix = name.partition(".")
    response = send_file(path, as_attachment=True, download_name=f"{stem}-{day}.{suffix}",
                         etag=build.id, last_modified=dt.datetime.fromisoformat(
                             build.manifest["created"]), max_age=3600, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def allow_any_origin(response):
    """Open data: any web page may read the API (GET only; nothing here needs credentials)."""
    if request.path.startswith("/api/") or request.path == "/api":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Last-Modified"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.after_request(allow_any_origin)
