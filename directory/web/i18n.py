"""Translations with Flask-Babel: every visible string goes through gettext from day one.

The locale comes from ``?lang=`` (so a shared link keeps its language, no cookie needed),
else the browser's Accept-Language, limited to the UI languages in ``site.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale, UnknownLocaleError
from flask import g, request
from flask_babel import Babel, format_date, get_locale, get_translations

from ..build.layout import NoBuild
from .store import get_build


def ui_languages() -> list[str]:
    try:
        return get_build().site.get("languages") or ["en"]
    except NoBuild:
        return ["en"]


def select_locale() -> str:
    languages = ui_languages()
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or languages[0]


def language_name(code: str) -> str:
    """'es' → 'Spanish' (in the page's language), falling back to the code itself."""
    return _language_name(code, str(get_locale() or "en"))


@functools.lru_cache(maxsize=4096)
def _language_name(code: str, in_locale: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(in_locale) or code
    except (ValueError, UnknownLocaleError):
        return code


def localized(names: dict | None, fallback: str = "") -> str:
    """Pick the current language's entry from a {lang: text} mapping, else English."""
    if not names:
        return fallback
    return names.get(str(get_locale())) or names.get("en") or next(iter(names.values()))


def long_date(iso: str) -> str:
    """'2026-10-01' → '1 October 2026' in the page's language."""
    return format_date(dt.date.fromisoformat(iso), "long")


def _translations():
    # Flask-Babel finds the translations through several context lookups on every string;
    # a page has a hundred or more, so each request keeps them at hand once found.
    found = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals.update(language_name=language_name, localized=localized,
                                 get_locale=get_locale)
    app.jinja_env.filters.update(language_name=language_name, localized=localized,
                                 isodate=long_date)
