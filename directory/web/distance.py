"""Distances as the pages show them: "1.2 mi", approximate points, the near-search links."""

from __future__ import annotations

import functools
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal
from flask import request

from ..geo import distance as geo
from .i18n import gettext as _
from .i18n import page_language, regional_locale

REMOTE_ARGS = ("q", "category", "near", "lat", "lon", "radius", "lang")


def format_distance(value: float, unit: str) -> str:
    """1.234 → '1.2 mi'; 3 → '3 mi'; 12.6 → '13 mi'; at least 0.1, so nothing reads as 'here'."""
    value = max(value, 0.1)
    pattern = "#,##0.#" if value < 10 else "#,##0"
    # Rounded as Babel rounds (the float's shortest decimal, half to even), so that the few
    # hundred numbers a page can show are each written once per locale: a page of near
    # results has twenty distances, and Babel takes ~50 µs a number.
    rounded = Decimal(str(value)).quantize(TENTH if value < 10 else ONE)
    locale = regional_locale()
    # The words too: a near page writes thirty distances, most of them the same few.
    key = (rounded, pattern, unit, locale, page_language())
    written = _WRITTEN.get(key)
    if written is None:
        number = _number(rounded, pattern, locale)
        written = _("%(distance)s mi", distance=number) if unit == "mi" else \
            _("%(distance)s km", distance=number)
        if len(_WRITTEN) < WRITTEN_KEPT:
            _WRITTEN[key] = written
    return written


WRITTEN_KEPT = 8192  # distances as written, per worker: tenths to 10, then whole numbers
_WRITTEN: dict[tuple, str] = {}


TENTH, ONE = Decimal("0.1"), Decimal("1")


@functools.lru_cache(maxsize=4096)
def _number(rounded: Decimal, pattern: str, locale: str) -> str:
    return format_decimal(rounded, pattern, locale=_parsed(locale))


@functools.lru_cache(maxsize=64)
def _parsed(locale: str) -> Locale:
    """Babel's locale, parsed once: ``format_decimal`` given a name parses it every time."""
    return Locale.parse(locale)


def approximate(location: dict) -> bool:
    """A point that is only the centre of the location's postcode or city (or area)."""
    return location.get("precision") not in (None, "address")


def remote_args() -> dict[str, str]:
    """What the full "Call, text or chat" list needs of the search it came from."""
    return {name: value for name in REMOTE_ARGS if (value := request.args.get(name))}


def init_app(app) -> None:
    app.jinja_env.globals.update(format_distance=format_distance, approximate=approximate,
                                 near_radii=geo.RADII, remote_args=remote_args)
