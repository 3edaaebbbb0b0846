"""Distances as the pages show them: "1.2 mi", approximate points, the near-search links."""

from __future__ import annotations

import functools

from babel import Locale
from babel.numbers import format_decimal
from flask import request

from ..geo import distance as geo
from .i18n import gettext as _
from .i18n import regional_locale

REMOTE_ARGS = ("q", "category", "near", "lat", "lon", "radius", "lang")


def format_distance(value: float, unit: str) -> str:
    """1.234 → '1.2 mi'; 3 → '3 mi'; 12.6 → '13 mi'; at least 0.1, so nothing reads as 'here'."""
    number = format_decimal(max(value, 0.1), "#,##0.#" if value < 10 else "#,##0",
                            locale=_parsed(regional_locale()))
    return _("%(distance)s mi", distance=number) if unit == "mi" else \
        _("%(distance)s km", distance=number)


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
