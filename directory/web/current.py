"""Per-request accessors of the build being served: its categories, index, masks and the
stretch of time this request falls in; and the settings every page's template sees.

The blueprints (``site``, ``sheets``) and the page cache read the build through these, so
none of them imports another blueprint.
"""

from __future__ import annotations

from flask import g

from ..build.layout import NoBuild
from ..search import facets, queries
from . import clock
from .i18n import page_language
from .store import get_build, get_db

# Where "Quick exit" goes unless site.yaml sets quick_exit_url: a page nobody looks twice at.
QUICK_EXIT_URL = "https://www.bbc.com/weather"


def site_context() -> dict:
    """Site settings and pinned crisis lines for every page, errors included."""
    try:
        build = get_build()
        site, build_id = build.site, build.id
    except NoBuild as error:
        site, build_id = error.site, None  # a damaged build's crisis lines, if one was open
    return {"site": site, "crisis_lines": site.get("crisis_lines", []), "build_id": build_id,
            "quick_exit_url": site.get("quick_exit_url") or QUICK_EXIT_URL}


def all_categories() -> list[dict]:
    # Counting services per category scans every link row: once per build, not per request.
    return get_build().memo("categories", lambda: queries.categories(get_db()))


def current_index():
    """The search index of the build this request is pinned to, reading words in the page's
    language (its stemmer and its fields)."""
    return get_build().index(lambda: queries.synonyms(get_db())).in_language(
        page_language())


def current_stretch() -> tuple:
    """This request's stretch of time (``FacetIndex.stretch``): answers and pages made in the
    same stretch read the same."""
    if "stretch" not in g:
        g.stretch = current_facets().stretch(clock.now())
    return g.stretch


def current_facets() -> facets.FacetIndex:
    """The filter masks (and moments of change) of the build this request is pinned to."""
    return facets.for_build(get_build(), get_db(), current_index())


def init_app(app) -> None:
    app.context_processor(site_context)
