"""Result cards: made once per service and language, filled in on each page.

A card (``_service_card.html``) shows one service. Besides the service it depends on the
page's language, the stretch of time its status lines hold for (``current_stretch``) and, on
a near search, the place shown first; a card is kept by those. Three parts change from page
to page for the same card: the link to the service (it carries the resident's place and
language, carry.py), the distance, and the "add to referral list" link (the list in the
URL). The kept card holds a mark where each goes and every page fills them in, so a near
search's cards, each at its own distance, are kept like any other (issue #19).
"""

from __future__ import annotations

from flask import current_app, url_for
from markupsafe import Markup, escape

from ..search import nearby, queries
from . import marked
from .current import current_stretch
from .distance import format_distance
from .i18n import page_language
from .sheets import add_url
from .store import get_build

CARDS = 8192  # cards kept per worker (~2 KB each, ~16 MB): with one thread a worker (gunicorn_conf)
# there is room, and at 50k services it halves the cards a distinct near or filtered page makes
MARK = "\x00"  # around a part's name in a kept card: data files cannot hold it (fields.CONTROL)
# The kinds of card: a result card, and a line of a near search's "Call, text or chat" block.
MACROS = {"card": ("_service_card.html", "service_card"), "hotline": ("_hotline.html", "hotline")}


def card(service: dict, kind: str = "card") -> Markup:
    """The service's card, with this page's links and distance."""
    if "page_cache" not in current_app.extensions:  # switched off: always afresh
        return _made(service, kind)
    pieces = get_build().recent(_key(service, kind), lambda: _pieces(service, kind),
                                size=CARDS)
    return _filled(pieces, service, kind)


def page_of_cards(db, ids: list[str], near: tuple | None = None,
                  kind: str = "card") -> list[Markup]:
    """The cards of a page of results, in order. ``near``: (km by id, centre, unit).

    Only the services whose cards are not kept are read in full: a kept card needs its id
    and, on a near search, its distance and which of its places is nearest, which come
    from its places' points alone (``queries.service_places``)."""
    if "page_cache" not in current_app.extensions:
        return [card(service, kind) for service in _rows(db, ids, near)]
    if near is None:
        light = [{"id": service_id} for service_id in ids]
    else:
        places = queries.service_places(db, ids)
        light = [{"id": service_id, "locations": places[service_id]} for service_id in ids]
        nearby.attach(light, *near)
    build = get_build()
    kept = [build.kept(_key(service, kind)) for service in light]
    missing = [service["id"] for service, pieces in zip(light, kept, strict=True)
               if pieces is None]
    read = {row["id"]: row for row in _rows(db, missing, near)} if missing else {}
    return [card(read[service["id"]], kind) if pieces is None
            else _filled(pieces, service, kind)
            for service, pieces in zip(light, kept, strict=True) if pieces or service["id"] in read]


def _rows(db, ids: list[str], near: tuple | None) -> list[dict]:
    rows = queries.services(db, ids)
    if near is not None:
        nearby.attach(rows, *near)
    return rows


def _key(service: dict, kind: str) -> tuple:
    # Which place a card shows first changes only on a near search (nearest first).
    nearest = (service.get("locations") or [{}])[0].get("id") if "distance" in service else None
    return (kind, service["id"], page_language(), current_stretch(), "distance" in service,
            nearest)


def _filled(pieces: list[str] | None, service: dict, kind: str) -> Markup:
    if pieces is None:  # the service's text held a mark: made afresh
        return _made(service, kind)
    filled = list(pieces)
    filled[1::2] = [_part(name, service) for name in pieces[1::2]]
    return Markup("".join(filled))


def _made(service: dict, kind: str) -> Markup:
    return _macro(kind)(service, lambda name: _part(name, service))


def _pieces(service: dict, kind: str) -> list[str] | None:
    """The card as text and part names in turn; None if its text held a mark itself."""
    made = _macro(kind)(service, lambda name: Markup(f"{MARK}{name}{MARK}"))
    pieces = str(made).split(MARK)
    if len(pieces) % 2 == 0 or not set(pieces[1::2]) <= PARTS.keys():
        return None
    return pieces


# What changes from page to page in a card, made for each page.
PARTS = {
    "href": lambda service: service_url(service["id"]),
    "add": lambda service: add_url(service["id"]),
    "distance": lambda service: format_distance(service["distance"], service["distance_unit"]),
}


def _part(name: str, service: dict) -> Markup:
    return escape(PARTS[name](service))


def service_url(service_id: str) -> str:
    """``url_for('site.service', …)``, made once per page (``marked``)."""
    return marked.with_id("service", lambda one: url_for("site.service", service_id=one),
                          service_id)


def _macro(kind: str):
    env = current_app.jinja_env
    if env.auto_reload:  # templates may change under a running app (debug): look again
        template, name = MACROS[kind]
        return getattr(env.get_template(template).module, name)
    # The macro is made once per app: Jinja's loader lookup and the template's module cost
    # a tenth of a card (issue #19).
    found = env.__dict__.setdefault("directory_card_macros", {})
    if kind not in found:
        template, name = MACROS[kind]
        found[kind] = getattr(env.get_template(template).module, name)
    return found[kind]


def init_app(app) -> None:
    app.add_template_global(card)
