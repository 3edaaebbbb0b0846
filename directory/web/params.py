"""Read query parameters strictly: a bad value is a 400 that says what was wrong, never a 500."""

from __future__ import annotations

import unicodedata

from babel import Locale, UnknownLocaleError
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from ..data import schema
from ..search.filters import MAX_AGE, ORDER, PLACE, Filters


class BadParameter(BadRequest):
    """A 400 that knows which query parameter was wrong (the API names it in its JSON)."""

    def __init__(self, parameter: str, description: str):
        super().__init__(description)
        self.parameter = parameter


def _clean(value: str) -> str:
    """Drop control characters (NUL, escapes) that no person types; keep every letter."""
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t ").strip()


def text(name: str, limit: int | None = None) -> str:
    value = _clean(request.args.get(name, ""))
    limit = limit or current_app.config["MAX_QUERY_LENGTH"]
    if len(value) > limit:
        if name == "q":
            raise BadParameter(name, _("The search is %(length)d characters long; please keep "
                                       "it under %(limit)d.", length=len(value), limit=limit))
        raise BadParameter(name, _("%(name)s= is %(length)d characters long; please keep it "
                                   "under %(limit)d.", name=name, length=len(value), limit=limit))
    return value


def digits(raw: str) -> int | None:
    """``raw`` as a whole number when it is one to nine ASCII digits, else None.

    ``str.isdigit()`` alone accepts "²" and "١٢", which ``int()`` rejects or reads; and
    ``int()`` refuses 4,300+ digits with an error of its own. No parameter needs more.
    """
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


def page() -> int:
    raw = request.args.get("page", "1").strip() or "1"
    limit = current_app.config["MAX_PAGE"]
    number = digits(raw)
    if number is None or not 1 <= number <= limit:
        raise BadParameter(
            "page", _('"%(value)s" is not a page number; use a whole number from 1 to '
                      "%(limit)d.", value=_clean(raw)[:20], limit=limit))
    return number


def choice(name: str, choices: dict[str, str], what: str) -> str | None:
    """A value that must be one of the known ids, e.g. a category."""
    value = _clean(request.args.get(name, ""))
    if not value:
        return None
    if value not in choices:
        raise BadParameter(
            name, _('"%(value)s" is not a known %(what)s. Choose one of: %(choices)s.',
                           value=value[:60], what=what, choices=", ".join(choices.values())))
    return value


TRUE, FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")


def flag(name: str, what: str) -> bool:
    """A yes/no filter such as ``open_now=1``; anything but yes or no is a 400 that says so."""
    value = _clean(request.args.get(name, "")).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise BadParameter(
        name, _('"%(value)s" is not a value for %(what)s; use %(name)s=1 to turn it on '
                       "or leave it out.", value=value[:20], what=what, name=name))


def whole_number(name: str, low: int, high: int, what: str) -> int | None:
    """A whole number in a range, such as ``age=15``; empty means not given."""
    raw = _clean(request.args.get(name, ""))
    if not raw:
        return None
    number = digits(raw)
    if number is None or not low <= number <= high:
        raise BadParameter(
            name, _('"%(value)s" is not %(what)s; use a whole number from %(low)d to '
                           "%(high)d.", value=raw[:20], what=what, low=low, high=high))
    return number


def language(name: str) -> str | None:
    """An ISO 639-1 language code such as ``es``; one no service offers simply finds nothing."""
    value = _clean(request.args.get(name, ""))
    if not value:
        return None
    try:
        Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise BadParameter(
            name, _('"%(value)s" is not a language code; use a code such as en, es or zh.',
                           value=value[:20])) from None
    return value


def filters(categories: dict[str, str], audiences: dict[str, str]) -> Filters:
    """The filters of the current request; ``categories`` and ``audiences`` map id → name."""
    found = {
        "open_now": "1" if flag("open_now", "open now") else None,
        "category": choice("category", categories, "category"),
        "cost": choice("cost", {c: c for c in schema.COSTS}, "cost"),
        "language": language("language"),
        "audience": choice("audience", audiences, "group of people"),
        "age": whole_number("age", 0, MAX_AGE, "an age"),
        "wheelchair": "1" if flag("wheelchair", "wheelchair access") else None,
        "access": choice("access", {a: a for a in schema.ACCESS}, "way in"),
        "remote": choice("remote", {r: r for r in schema.REMOTE}, "remote option"),
    }
    place = tuple((name, value) for name in PLACE
                  if (value := text(name, limit=100)))
    return Filters(tuple((name, str(found[name])) for name in ORDER if found[name] is not None),
                   place)
