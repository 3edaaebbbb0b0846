"""The one place the site asks what time it is, in the site's time zone.

Everything time-dependent ("open now", "closing soon", the open-now filter) calls ``now()``.
The ``NOW`` setting freezes it: tests set it, and a maintainer can preview the site at
another moment with ``DIRECTORY_NOW=2026-12-24T11:00 scripts/serve`` (never in production).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from flask import current_app, has_app_context
from flask.globals import _cv_app, _cv_request

from ..build.layout import NoBuild
from .store import get_build


@lru_cache(maxsize=16)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone() -> zoneinfo.ZoneInfo:
    """The site's time zone from ``site.yaml`` (UTC when there is no build yet)."""
    try:
        return _zone(get_build().site.get("timezone") or "UTC")
    except NoBuild:
        return _zone("UTC")


def now() -> dt.datetime:
    """The current moment in the site's time zone (aware), or the frozen ``NOW`` setting.

    A frozen time without an offset is read in the site's zone; give the offset
    (``2026-11-01T01:30-06:00``) to pick one side of the hour that repeats when clocks go back.
    """
    context = _cv_app.get(None)
    if context is None:
        return _now(None)
    frozen = context.app.config.get("NOW")
    if _cv_request.get(None) is None:  # a command's sheet, not a page: no request to keep
        return _now(frozen)
    # A page asks a dozen times (each status line, the open-now mask, the card keys): it is
    # made at one moment, read once, unless the frozen setting changed meanwhile (tests).
    kept = context.g.__dict__.get("clock_now")
    if kept is None or kept[0] is not frozen:
        kept = context.g.__dict__["clock_now"] = (frozen, _now(frozen))
    return kept[1]


def _now(frozen) -> dt.datetime:
    if not frozen:
        return dt.datetime.now(dt.UTC).astimezone(zone())
    if isinstance(frozen, str):
        frozen = dt.datetime.fromisoformat(frozen)
    if frozen.tzinfo is None:
        frozen = frozen.replace(tzinfo=zone())
    return frozen.astimezone(zone())


def today() -> dt.date:
    """Today's date in the site's time zone; the ``TODAY`` setting (YYYY-MM-DD) freezes the
    date alone (stale-listing notes, the date on a sheet) without touching ``now()``."""
    frozen_day = current_app.config.get("TODAY") if has_app_context() else None
    if frozen_day:
        return dt.date.fromisoformat(str(frozen_day))
    return now().date()
