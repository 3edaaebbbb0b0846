"""Translations with Flask-Babel: the page's language, how it sticks, and text in it.

The locale comes from ``?lang=`` (so a shared link keeps its language, no cookie needed),
else the browser's Accept-Language, limited to the UI languages in ``site.yaml``. Once
chosen, ``?lang=`` rides along on every internal link (a ``url_defaults`` hook) and every
form (``lang_field``). The messages live in ``translations/`` (``scripts/translations``).

Data text (a service's name, a category's description) is written in the site's first
language and may carry translations; ``tr`` picks the page's language and ``lang_attr``
marks text left in another language with its ``lang``, so a screen reader reads it right.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

import flask_babel
from babel import Locale, UnknownLocaleError
from flask import has_app_context, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, format_date, get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from .. import ROOT
from ..build.layout import NoBuild
from ..geo import distance as geo
from .store import get_build

# Names CLDR gives too shortly for a language menu ("Indonesia" is also the country).
OWN_NAMES = {"id": "Bahasa Indonesia"}


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


def current_locale() -> Locale | None:
    """Flask-Babel's ``get_locale()``, without its lookups once the request has one.

    A page asks for its language a hundred times or more (every translated field, every
    message); Flask-Babel's answer goes through several context proxies each time. It keeps
    the locale on ``g._flask_babel`` (``force_locale`` swaps it there too), so that is read
    directly, and Flask-Babel is asked only for the first one of a request."""
    locale = getattr(_babel_context(), "babel_locale", None)
    return locale if locale is not None else get_locale()


def page_language() -> str:
    babel = _babel_context()
    locale = getattr(babel, "babel_locale", None)
    if locale is None:
        locale = get_locale()
        babel = _babel_context()  # made by that first call
    known = getattr(babel, "directory_language", None)
    if known is not None and known[0] is locale:  # the same Locale as the last call
        return known[1]
    code = str(locale or "en")
    if babel is not None:
        babel.directory_language = (locale, code)
    return code


def _babel_context():
    """Flask-Babel's per-request namespace (``g._flask_babel``), or None."""
    app_context = _cv_app.get(None)  # what ``flask.g`` proxies to, without the proxy
    return getattr(app_context.g, "_flask_babel", None) if app_context is not None else None


def source_language() -> str:
    """The language the data files are written in: the site's first UI language."""
    return ui_languages()[0]


# --- keeping the language while browsing -------------------------------------------------


def _carried() -> str | None:
    """The ``lang`` to put on links: the page's language when it was asked for or is not the
    site's default (with a forced language, e.g. a sheet printed in Spanish, that one)."""
    if not has_request_context():
        return None
    code = page_language()
    # Asked for every link of a page: what it depends on in the request, read once.
    kept = _cv_app.get(None).g.__dict__
    if "lang_asked" not in kept:
        languages = ui_languages()
        kept["lang_asked"] = (request.args.get("lang") in languages, languages[0])
    asked, default = kept["lang_asked"]
    if asked or code != default:
        return code
    return None


def carried_language() -> str | None:
    """The ``lang`` this request's links carry (``keep_language``), or None."""
    return _carried()


def keep_language(endpoint: str | None, values: dict) -> None:
    """``url_defaults`` hook: every internal link keeps the page's language."""
    if endpoint == "static" or "lang" in values:
        return
    code = _carried()
    if code:
        values["lang"] = code


def lang_field() -> Markup:
    """The hidden field a GET form needs to keep the language (its action's query is dropped)."""
    code = _carried()
    if not code:
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="%s">') % code


def own_name(code: str) -> str:
    """'es' → 'Español': a language's name in itself, as a language menu shows it."""
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    name = _language_name(code, code)
    return name[:1].upper() + name[1:]


def _this_page_in(code: str) -> str:
    args = [(key, _kept(key, value)) for key, value in request.args.items(multi=True)
            if key != "lang"]
    query = urlencode([*(arg for arg in args if arg[1] is not None), ("lang", code)])
    return f"{request.script_root}{request.path}?{query}"


def _kept(key: str, value: str) -> str | None:
    """What a link may repeat of a parameter: a position only as the site keeps it, rounded
    to ~100 m (``where``), never the precise one a phone sent."""
    try:
        if key in ("lat", "lon"):
            return str(round(float(value), geo.DECIMALS))
        if key == "near" and (point := geo.parse_point(value)):
            return f"{point.latitude},{point.longitude}"
    except (ValueError, geo.BadPoint):
        return None
    return value


def language_links() -> list[dict]:
    """This very page in each UI language, for the switcher and the alternate links."""
    languages = ui_languages()
    if len(languages) < 2 or not has_request_context():
        return []
    here = page_language()
    # Asked twice a page (the head's alternate links, the switcher): made once.
    kept = _cv_app.get(None).g.__dict__.setdefault("language_links", {})
    if here not in kept:
        kept[here] = [{"code": code, "name": own_name(code), "url": _this_page_in(code),
                       "current": code == here} for code in languages]
    return kept[here]


class KeptWords:
    """The words for each value of one kind (a filter's options) in the page's language:
    ``words[value]``, made by ``make(kind, value)`` (a template's macro) the first time a
    build is asked it in that language, then read (issue #19: a search page's filter panel
    said some fifty option names, each through a macro or two, on every page)."""

    __slots__ = ("_kept", "_kind", "_make")

    def __init__(self, kept: dict, kind: str, make):
        self._kept, self._kind, self._make = kept, kind, make

    def __getitem__(self, value):
        found = self._kept.get(value)
        if found is None:
            found = self._kept[value] = self._make(self._kind, value)
        return found

    def options(self, options) -> Markup:
        """The ``<option>`` of each choice that gives results or is chosen: its words and
        how many results it gives. Written here, not by a loop in the template: the panel's
        fifty options were a tenth of a filtered page's template (issue #19)."""
        return Markup("\n".join(
            f'<option value="{escape(option.value)}"{" selected" if option.selected else ""}>'
            f'{escape(self[option.value])} ({option.count})</option>'
            for option in options if option.count or option.selected))


def kept_words(kind: str, make) -> KeptWords:
    """``KeptWords`` of ``kind``; ``make`` must read only the build and the language."""
    try:
        kept = get_build().memo(("words", kind, page_language()), dict)
    except NoBuild:
        kept = {}
    return KeptWords(kept, kind, make)


def in_language(code: str | None, caller) -> Markup:
    """``{% call in_language('es') %}…{% endcall %}``: that part of a page in another language
    (a referral sheet printed in the client's language while the page stays in the worker's)."""
    if not code or code == page_language() or code not in ui_languages():
        return Markup(caller())
    with force_locale(code):
        return Markup(caller())


# --- names and dates -----------------------------------------------------------------------


def language_name(code: str) -> str:
    """'es' → 'Spanish' (in the page's language), falling back to the code itself."""
    return _language_name(code, page_language())


@functools.lru_cache(maxsize=4096)
def _language_name(code: str, in_locale: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(in_locale) or code
    except (ValueError, UnknownLocaleError):
        return code


def localized(names: dict | str | None, fallback: str = "") -> str:
    """Pick the current language's entry from a {lang: text} mapping, else English."""
    if isinstance(names, str):
        return names
    if not names:
        return fallback or ""
    return names.get(page_language()) or names.get("en") or next(iter(names.values()))


def lang_for(names: dict | str | None) -> Markup:
    """`` lang="en"`` when ``localized(names)`` is not in the page's language, else nothing."""
    here = page_language()
    if not names:
        return _NO_ATTRIBUTE
    if isinstance(names, str):
        written = source_language()
    elif names.get(here):
        return _NO_ATTRIBUTE
    else:
        written = "en" if names.get("en") else next(iter(names))
    return _NO_ATTRIBUTE if written == here else _lang_attribute(written)


def tr(record: dict | None, field: str) -> str:
    """A record's text field in the page's language when translated, else as written."""
    if not record:
        return ""
    translated = ((record.get("translations") or {}).get(page_language()) or {}).get(field)
    return translated or record.get(field) or ""


def lang_attr(record: dict | None, field: str) -> Markup:
    """`` lang="en"`` on the element holding ``tr(record, field)`` when it is untranslated."""
    if not record or not record.get(field):
        return _NO_ATTRIBUTE
    here = page_language()
    if ((record.get("translations") or {}).get(here) or {}).get(field):
        return _NO_ATTRIBUTE
    written = source_language()
    return _NO_ATTRIBUTE if written == here else _lang_attribute(written)


_NO_ATTRIBUTE = Markup("")


@functools.lru_cache(maxsize=64)
def _lang_attribute(code: str) -> Markup:
    # A card asks two or three times: the attribute is written once per language.
    return Markup(' lang="%s"') % code


def organization_of(service: dict) -> dict:
    """The organization of a result row (its name and translations), for ``tr``."""
    return {"name": service.get("organization_name"),
            "translations": service.get("organization_translations")}


def regional_locale() -> str:
    """The page's language as written in the site's country (CLDR): es + US → es_US, which
    writes 3 p.m. and 2.5 like English there; id + ID → id_ID (15.00, 2,5)."""
    language = page_language()
    try:
        country = (get_build().site.get("country") or "").upper() if has_app_context() else ""
    except NoBuild:
        country = ""
    return _region(language, country)


@functools.lru_cache(maxsize=64)
def _region(language: str, country: str) -> str:
    try:
        return str(Locale.parse(f"{language}_{country}")) if country else language
    except (ValueError, UnknownLocaleError):
        return language


def long_date(iso: str) -> str:
    """'2026-10-01' → '1 October 2026' in the page's language."""
    return format_date(dt.date.fromisoformat(iso), "long")


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext``, with the request's translations at hand (``_translations``):
    Flask-Babel looks them up through several contexts for every string."""
    if _cv_app.get(None) is None:
        return flask_babel.gettext(string, **variables)
    found = _translations().ugettext(string)
    return found % variables if variables else found


def _translations():
    # Flask-Babel finds the translations through several context lookups on every string;
    # a page has a hundred or more, so each request keeps them at hand once found (per
    # language: a sheet may be printed in another one than its page).
    app_context = _cv_app.get(None)
    found = app_context.g.__dict__.setdefault("translations", {})
    code = page_language()
    if code not in found:
        found[code] = get_translations()
    return found[code]


# The messages need only whether the page escapes (the evaluation context), not the page's
# variables: asking for the whole context made Jinja copy it for every message said inside a
# block or a loop that sets a variable (a dozen times a service page, issue #19).
@pass_eval_context
def _page_gettext(eval_ctx, string: str, **variables) -> str:
    translations = _translations()
    autoescape = eval_ctx.autoescape
    if variables:
        found = translations.ugettext(string)
        return (Markup(found) if autoescape else found) % variables
    # Without variables a message always reads the same in a language: kept with its
    # catalogue, as the page will write it (escaped, formatted: "%%" is "%").
    kept = getattr(translations, "directory_messages", None)
    if kept is None:
        kept = translations.directory_messages = {}
    found = kept.get((string, autoescape))
    if found is None:
        found = translations.ugettext(string)
        found = kept[string, autoescape] = (Markup(found) if autoescape else found) % {}
    return found


@pass_eval_context
def _page_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    found = _translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        found = Markup(found)
    return found % variables


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    Babel(app, locale_selector=select_locale)
    app.url_defaults(keep_language)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    # The same as Jinja's newstyle ``_``/``gettext``/``ngettext`` (escaped, always a format
    # string), in one call: Jinja's go through three (the alias, the wrapper, the function),
    # and a page says seventy things or more.
    app.jinja_env.globals.update(_=_page_gettext, gettext=_page_gettext,
                                 ngettext=_page_ngettext)
    app.jinja_env.globals.update(language_name=language_name, localized=localized,
                                 get_locale=current_locale, lang_field=lang_field,
                                 language_links=language_links, in_language=in_language,
                                 lang_for=lang_for, own_name=own_name,
                                 organization_of=organization_of, kept_words=kept_words)
    app.jinja_env.filters.update(language_name=language_name, localized=localized,
                                 isodate=long_date, tr=tr, lang_attr=lang_attr,
                                 lang_for=lang_for)
