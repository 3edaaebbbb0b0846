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
from markupsafe import Markup

from ..build.layout import NoBuild
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


def _render(template: str, context, values: dict) -> Markup:
    names = ("site", "crisis_lines", "build_id", "quick_exit_url")
    settings = {name: context[name] for name in names if name in context}
    return Markup(current_app.jinja_env.get_template(template).render(settings | values))


def init_app(app) -> None:
    app.jinja_env.globals["fragment"] = fragment
