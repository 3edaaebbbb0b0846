"""Referral and street sheets for outreach workers: print-ready pages, and the same pages as PDF.

A referral sheet lists the services in ``?ids=a,b,c`` in that order, six to a printed page,
under the crisis lines, with an optional note from the worker, the date and a QR code that
opens the same list online. A street sheet lists every service of a kind of help, grouped by
category. Nothing is stored on the server: the list lives in the address (and, with
JavaScript, in the browser's localStorage; see ``static/referral.js``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from ..records.fields import SLUG
from ..search import nearby, queries
from . import clock, current, marked, params, where
from .i18n import localized, own_name, page_language, ui_languages
from .pdf import render_pdf
from .sharing import public_url, qr_code, share_links
from .store import get_build, get_db

bp = Blueprint("sheets", __name__)

MAX_SERVICES = 20  # a list of at most four printed pages
MAX_NOTE = 500  # characters: a few lines at the top of the sheet
PER_PAGE = 6  # services on one printed page
STREET_LIMIT = 30  # a street sheet stays a two-page handout, and its PDF quick to make
LETTER_COUNTRIES = {"US", "CA", "MX", "PH"}  # where offices print on US Letter, not A4
SERVICE_ID = SLUG  # what the data format allows as an id


# --- what was asked for ----------------------------------------------------------------


def _id_list(raw: str) -> list[str]:
    """'a, b,,a' → ['a', 'b']: order kept, blanks and repeats dropped."""
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def requested_ids() -> list[str]:
    """``?ids=a,b,c`` (repeated ``ids=`` are joined): the list in order, at most 20."""
    ids = _id_list(params._clean(",".join(request.args.getlist("ids"))))
    if len(ids) > MAX_SERVICES:
        raise BadRequest(_("This list has %(count)d services; a referral sheet holds at most "
                           "%(limit)d. Remove some and try again.",
                           count=len(ids), limit=MAX_SERVICES))
    return ids


def requested_note() -> str:
    """``?note=``: the worker's words, line breaks kept, control characters dropped."""
    lines = request.args.get("note", "").replace("\r\n", "\n").split("\n")
    note = "\n".join(params._clean(line) for line in lines).strip()
    if len(note) > MAX_NOTE:
        raise BadRequest(_("The note is %(length)d characters long; please keep it to "
                           "%(limit)d.", length=len(note), limit=MAX_NOTE))
    return note


def requested_paper() -> str:
    """``?paper=a4|letter``, else the paper offices use in the site's country."""
    papers = {"a4": _("A4"), "letter": _("US Letter")}
    chosen = params.choice("paper", papers, _("paper size"))
    return chosen or ("letter" if get_build().site.get("country") in LETTER_COUNTRIES else "a4")


def requested_language() -> str:
    """``?sheet_lang=``: the language the sheet is printed in, chosen on the sheet (the
    client's), whatever the page's (the worker's); by default the page's."""
    chosen = params.choice("sheet_lang", {code: own_name(code) for code in ui_languages()},
                           _("sheet language"))
    return chosen or page_language()


def carried_list() -> list[str]:
    """The list a page without JavaScript carries along in ``?list=``; lenient, never an error."""
    if not has_request_context():
        return []
    if "carried_list" not in g:  # every card's "add" link asks
        ids = _id_list(request.args.get("list", "")[:MAX_SERVICES * 101])
        g.carried_list = [i for i in ids if SERVICE_ID.fullmatch(i)][:MAX_SERVICES]
    return list(g.carried_list)


# --- links -----------------------------------------------------------------------------


def referral_url(ids: list[str], **extra) -> str:
    """The sheet for ``ids``, with ``extra`` parameters (note, paper) kept where given."""
    args = {"ids": ",".join(ids)} if ids else {}
    return url_for("sheets.referral", **args, **{k: v for k, v in extra.items() if v})


def add_url(service_id: str) -> str:
    """'Add to referral list' without JavaScript: the sheet with this service appended."""
    ids = carried_list()
    if service_id in ids:
        return referral_url(ids)
    return marked.with_id("add", lambda one: referral_url([*ids, one]), service_id)


@bp.app_template_filter("short_date")
def short_date(iso: str) -> str:
    """'2026-10-01' → 'Oct 1, 2026' in the page's language: short enough for a sheet."""
    return format_date(dt.date.fromisoformat(iso), "medium")


@bp.app_context_processor
def referral_helpers() -> dict:
    return {"referral_list": carried_list(), "referral_max": MAX_SERVICES}


# A global, not context: result cards are macros imported without the page's context.
bp.add_app_template_global(add_url, "referral_add_url")


def today() -> dt.date:
    """Today in the site's time zone: the date printed on a sheet."""
    return clock.today()


# --- what a sheet shows ----------------------------------------------------------------


def _with_phones(db, services: list[dict]) -> list[dict]:
    """A service without its own phone shows its organization's, as the service page does."""
    organization_phones: dict[str, list] = {}
    for service in services:
        if not service["phones"]:
            owner = service["organization_id"]
            if owner not in organization_phones:
                organization_phones[owner] = (queries.organization_row(db, owner) or {}).get(
                    "phones", [])
            service["phones"] = organization_phones[owner]
    return services


def referral_context() -> dict:
    """Everything the referral sheet shows, from the request's ``ids``, ``note`` and ``paper``."""
    ids, note, paper = requested_ids(), requested_note(), requested_paper()
    language = requested_language()
    chosen = request.args.get("sheet_lang") or None  # kept on the sheet's own links
    db = get_db()
    found = {s["id"]: s for s in queries.services(db, [i for i in ids if SERVICE_ID.fullmatch(i)])}
    listed = _with_phones(db, [found[i] for i in ids
                               if i in found and found[i]["status"] == "active"])
    kept = [s["id"] for s in listed]
    # Retired or unknown ids are named, not fatal: a list texted months ago still opens.
    gone = [{"id": i[:60], "name": found[i]["name"] if i in found else None}
            for i in ids if i not in kept]
    with force_locale(language):  # the QR code opens the list in the sheet's language
        online = public_url("sheets.referral", **({"ids": ",".join(kept)} if kept else {}))
        qr = qr_code(online, _("QR code: scan to open this list online")) if kept else None
    return {
        "services": listed, "gone": gone, "note": note, "paper": paper,
        "printed": today().isoformat(), "per_page": PER_PAGE, "list_url": online,
        "qr": qr, "share": share_links(online),
        "edits": _edit_links(kept, note=note, paper=request.args.get("paper"),
                             sheet_lang=chosen),
        "without_gone": referral_url(kept, note=note, paper=request.args.get("paper"),
                                     sheet_lang=chosen),
        "list_param": ",".join(kept), "max_services": MAX_SERVICES, "max_note": MAX_NOTE,
        "pdf_url": url_for("sheets.referral_pdf", ids=",".join(ids) or None, note=note or None,
                           paper=request.args.get("paper") or None, sheet_lang=chosen),
        **_languages(language),
    }


def _languages(language: str) -> dict:
    """What the sheet's language picker shows: the sheet's language and those on offer."""
    return {"sheet_lang": language,
            "sheet_languages": [(code, own_name(code)) for code in ui_languages()]}


def _edit_links(ids: list[str], **keep) -> list[dict]:
    """Move up, move down and remove, per service, as plain links (they work without JS)."""
    links = []
    for n, service_id in enumerate(ids):
        swapped = list(ids)
        up = down = None
        if n > 0:
            swapped[n - 1], swapped[n] = swapped[n], swapped[n - 1]
            up = referral_url(swapped, **keep)
        if n < len(ids) - 1:
            swapped = list(ids)
            swapped[n], swapped[n + 1] = swapped[n + 1], swapped[n]
            down = referral_url(swapped, **keep)
        links.append({"up": up, "down": down,
                      "remove": referral_url([i for i in ids if i != service_id], **keep)})
    return links


def street_context() -> dict:
    """Every active service matching ``category`` (and ``q``), grouped by kind of help."""
    db = get_db()
    categories = current.all_categories()
    names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
    category = params.choice("category", names, _("category"))
    q = params.text("q")
    paper = requested_paper()
    limit = current_app.config.get("STREET_SHEET_LIMIT", STREET_LIMIT)
    place = where.from_request()
    near = place is not None and place.point is not None
    index = current.current_index()
    # An area guide: only the services with a place inside the radius.
    points = nearby.points(get_build(), db, index) if near else None
    within = nearby.within_radius(points, place.point, place.radius_km).mask() if near else None
    hits = index.search(q, category=category, page=1, per_page=limit, within=within)
    services = _with_phones(db, queries.services(db, hits.ids))
    ordered = _grouped(services, categories, category)
    args = {key: value for key, value in (("category", category), ("q", q)) if value}
    if near:
        args |= {key: request.args[key] for key in ("near", "lat", "lon", "radius")
                 if request.args.get(key)}
    language = requested_language()
    with force_locale(language):
        online = public_url("sheets.street", **args)
        qr = qr_code(online, _("QR code: scan to open this sheet online"))
        # The sheet's headings in its language (the form around it is in the page's).
        printed_names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
        other = _("Other")
    return {
        "groups": [(printed_names.get(key, other), items) for key, items in ordered],
        "sheet_category_name": printed_names.get(category),
        "total": hits.total, "shown": len(services), "category": category,
        "category_name": names.get(category), "q": q, "paper": paper,
        "where": place if near else None,
        "unknown_place": place.typed if place is not None and not near and place.typed else None,
        "categories": [c for c in categories if c["service_count"]],
        "printed": today().isoformat(), "list_url": online,
        "qr": qr, **_languages(language),
    }


def _grouped(services: list[dict], categories: list[dict],
             chosen: str | None) -> list[tuple[str, list[dict]]]:
    """Services by kind of help, each once, A to Z within a kind.

    A service goes under the sheet's own category when it has it (a "Drop-in" sheet opens
    with "Drop-in"), else under its first; the sheet's category comes first, then the
    taxonomy's order.
    """
    position = {c["id"]: n for n, c in enumerate(categories)}
    groups: dict[str, list[dict]] = {}
    for service in sorted(services, key=lambda s: s["name"].casefold()):
        own = [c["id"] for c in service["categories"]]
        key = chosen if chosen in own else (own[0] if own else "")
        groups.setdefault(key, []).append(service)
    return sorted(groups.items(), key=lambda item: (item[0] != chosen,
                                                    position.get(item[0], len(position))))


# --- pages and PDFs --------------------------------------------------------------------


def _pdf(html: str) -> bytes:
    return render_pdf(html, base_url=request.url_root, static_folder=current_app.static_folder,
                      static_url_path=request.script_root + current_app.static_url_path)


def _pdf_response(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A sheet may carry a worker's note about a person: keep it out of every cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def referral_pdf_bytes() -> bytes:
    # The whole PDF in the sheet's language: it is all the client gets.
    with force_locale(requested_language()):
        return _pdf(render_template("sheets/referral.html", pdf=True, **referral_context()))


def street_pdf_bytes() -> bytes:
    with force_locale(requested_language()):
        return _pdf(render_template("sheets/street.html", pdf=True, **street_context()))


def referral_filename() -> str:
    return f"referral-{today().isoformat()}.pdf"


def street_filename() -> str:
    category = request.args.get("category", "")
    label = category if SERVICE_ID.fullmatch(category) else "all"
    return f"street-sheet-{label}-{today().isoformat()}.pdf"


@bp.get("/referral")
def referral():
    return render_template("sheets/referral.html", pdf=False, **referral_context())


@bp.get("/referral.pdf")
def referral_pdf():
    return _pdf_response(referral_pdf_bytes(), referral_filename())


@bp.get("/sheets/street")
def street():
    return render_template("sheets/street.html", pdf=False, **street_context())


@bp.get("/sheets/street.pdf")
def street_pdf():
    return _pdf_response(street_pdf_bytes(), street_filename())


@dataclass
class OfflineSheet:
    pdf: bytes
    filename: str
    missing: list[str]  # ids that printed as "no longer listed"


def pdf_outside_request(app, *, street: bool, args: dict) -> OfflineSheet:
    """A sheet's PDF for the command line, made by the same code as the site's PDF links.

    A test request context (not the test client) keeps this a plain function call: a bad
    parameter arrives as the view's own ``BadRequest``, whose message the CLI prints as is,
    and nothing passes through HTTP, headers or error pages on the way.
    """
    base = app.config.get("PUBLIC_URL") or "http://localhost:5000/"
    path = "/sheets/street.pdf" if street else "/referral.pdf"
    with app.test_request_context(path, base_url=base, query_string=args):
        if street:
            return OfflineSheet(street_pdf_bytes(), street_filename(), [])
        with force_locale(requested_language()):
            context = referral_context()
            html = render_template("sheets/referral.html", pdf=True, **context)
        return OfflineSheet(_pdf(html), referral_filename(), [g["id"] for g in context["gone"]])
