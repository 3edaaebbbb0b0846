"""Parts of every page that depend on nothing but the build and the language: made once.

The crisis lines strip (``_crisis_lines.html``) and the footer read only the build's site
settings, the page's language and the ``lang`` their links carry: the same for every page
that shares those, so each is rendered once per build and kept in it (``Build.memo``),
where a page rendered them every time (issue #19). A fragment never links to a page that
carries a resident's place (``carry.CARRIED``): that would make one per place.
"""

from __future__ import annotations

from flask import current_app
from jinja2 import pass_context
from markupsafe import Markup, escape

from ..build.layout import NoBuild
from .carry import search_carry
from .i18n import carried_language, page_language
from .store import get_build


@pass_context
def fragment(context, template: str, **values) -> Markup:
    """``{% include template %}`` with ``values``, for a template of only the site's
    settings (``site``, ``crisis_lines`` of ``current.site_context``), the language and
    links: kept per build, language and what its links carry."""
    try:
        build = get_build()
    except NoBuild:  # the "no build" page: its crisis lines come from the damaged build
        return _render(template, context, values)
    key = ("fragment", template, tuple(values.items()), page_language(), carried_language())
    return build.memo(key, lambda: _render(template, context, values))


# Header parts kept per worker: they vary by a little more than the language (the words
# searched, the place and filters a search carries, the referral list), so only the last
# few hundred are kept (``Build.recent``), not every one ever asked for.
HEADERS_KEPT = 256


# Where the words searched go in a kept header form: data and words cannot hold it (the
# words are escaped into the form, never read back from it).
WORDS = "\x00"


@pass_context
def header_search(context, q: str | None) -> Markup:
    """The header's search form (``search_form``: the words searched, with the place and
    filters a new search keeps as hidden fields, ``carry.search_carry``).

    Kept without the words, which go into the field on each page: residents' searches are
    mostly asked once, so a form kept with its words was made afresh on nearly every page."""
    filters = context.get("filters")
    carried = tuple(search_carry(context).items())
    form = str(_recent("shared/_header_search.html", context,
                       {"q": Markup(WORDS), "filters": filters}, (carried,)))
    if form.count(WORDS) != 1:  # a field shown twice, or none: made with its words
        return _render("shared/_header_search.html", context, {"q": q, "filters": filters})
    return Markup(form.replace(WORDS, str(escape(q)) if q else ""))


@pass_context
def referral_link(context) -> Markup:
    """The header's link to the referral list this page carries (``?list=``)."""
    listed = context.get("referral_list") or []
    return _recent("shared/_referral_link.html", context,
                   {"referral_list": listed, "referral_max": context.get("referral_max")},
                   (tuple(listed), context.get("referral_max")))


def _recent(template: str, context, values: dict, varies: tuple) -> Markup:
    try:
        build = get_build()
        key = ("header", template, varies, page_language(), carried_language())
        hash(key)
    except (NoBuild, TypeError):  # no build (the error page), or a value without a key
        return _render(template, context, values)
    return build.recent(key, lambda: _render(template, context, values), size=HEADERS_KEPT)


def _render(template: str, context, values: dict) -> Markup:
    names = ("site", "crisis_lines", "build_id", "quick_exit_url")
    settings = {name: context[name] for name in names if name in context}
    return Markup(current_app.jinja_env.get_template(template).render(settings | values))


def init_app(app) -> None:
    app.jinja_env.globals.update(fragment=fragment, header_search=header_search,
                                 referral_link=referral_link)
