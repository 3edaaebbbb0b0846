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

from flask import current_app, g, url_for
from markupsafe import Markup, escape

from ..records.fields import SLUG
from ..search import nearby, queries
from .current import current_stretch
from .distance import format_distance
from .i18n import page_language
from .sheets import add_url
from .store import get_build

CARDS = 4096  # cards kept per worker
MARK = "\x00"  # around a part's name in a kept card: data files cannot hold it (fields.CONTROL)
PARTS = frozenset({"href", "distance", "add"})
_ID = "\x01"  # the service id's place in a link made once per page: url_for writes it %01


def card(service: dict) -> Markup:
    """The service's card, with this page's links and distance."""
    if "page_cache" not in current_app.extensions:  # switched off: always afresh
        return _made(service)
    pieces = get_build().recent(_key(service), lambda: _pieces(service), size=CARDS)
    return _filled(pieces, service)


def page_of_cards(db, ids: list[str], near: tuple | None = None) -> list[Markup]:
    """The cards of a page of results, in order. ``near``: (km by id, centre, unit).

    Only the services whose cards are not kept are read in full: a kept card needs its id
    and, on a near search, its distance and which of its places is nearest, which come
    from its places' points alone (``queries.service_places``)."""
    if "page_cache" not in current_app.extensions:
        return [card(service) for service in _rows(db, ids, near)]
    if near is None:
        light = [{"id": service_id} for service_id in ids]
    else:
        places = queries.service_places(db, ids)
        light = [{"id": service_id, "locations": places[service_id]} for service_id in ids]
        nearby.attach(light, *near)
    build = get_build()
    kept = [build.kept(_key(service)) for service in light]
    missing = [service["id"] for service, pieces in zip(light, kept, strict=True)
               if pieces is None]
    read = {row["id"]: row for row in _rows(db, missing, near)} if missing else {}
    return [card(read[service["id"]]) if pieces is None else _filled(pieces, service)
            for service, pieces in zip(light, kept, strict=True) if pieces or service["id"] in read]


def _rows(db, ids: list[str], near: tuple | None) -> list[dict]:
    rows = queries.services(db, ids)
    if near is not None:
        nearby.attach(rows, *near)
    return rows


def _key(service: dict) -> tuple:
    # Which place a card shows first changes only on a near search (nearest first).
    nearest = (service.get("locations") or [{}])[0].get("id") if "distance" in service else None
    return ("card", service["id"], page_language(), current_stretch(), "distance" in service,
            nearest)


def _filled(pieces: list[str] | None, service: dict) -> Markup:
    if pieces is None:  # the service's text held a mark: made afresh
        return _made(service)
    parts = _parts(service)
    filled = list(pieces)
    filled[1::2] = [parts[name] for name in pieces[1::2]]
    return Markup("".join(filled))


def _made(service: dict) -> Markup:
    parts = _parts(service)
    return _macro()(service, parts.__getitem__)


def _pieces(service: dict) -> list[str] | None:
    """The card as text and part names in turn; None if its text held a mark itself."""
    pieces = str(_macro()(service, lambda name: Markup(f"{MARK}{name}{MARK}"))).split(MARK)
    if len(pieces) % 2 == 0 or not set(pieces[1::2]) <= PARTS:
        return None
    return pieces


def _parts(service: dict) -> dict[str, Markup]:
    parts = {"href": escape(service_url(service["id"])), "add": escape(add_url(service["id"]))}
    if "distance" in service:
        parts["distance"] = escape(format_distance(service["distance"],
                                                   service["distance_unit"]))
    return parts


def service_url(service_id: str) -> str:
    """``url_for('site.service', …)``, made once per page: a page of cards links to twenty
    services with the same carried place and language."""
    if not SLUG.fullmatch(service_id):
        return url_for("site.service", service_id=service_id)
    if "service_url" not in g:
        g.service_url = url_for("site.service", service_id=_ID)
    return g.service_url.replace("%01", service_id, 1)


def _macro():
    return current_app.jinja_env.get_template("_service_card.html").module.service_card


def init_app(app) -> None:
    app.add_template_global(card)
