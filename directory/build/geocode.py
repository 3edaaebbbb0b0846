"""Geocoding at build time with geopy: locations without coordinates get a point.

The step sits between validation and writing: load → validate → **geocode** → write.
Answers come from ``data/geocodes.csv`` first (see ``geocache``); only addresses missing
there are sent to the geocoder, one per ``min_delay_seconds`` through geopy's RateLimiter,
and only when a geocoder is given (``directory build --offline`` and the tests give none,
or a fake). An address that cannot be placed falls back to the centre of its postcode or
city from ``places.csv`` and is marked approximate; failing that it is kept without a point.
Results outside the region's ``bounds`` are rejected: a classic geocoder mistake is the
right street in the wrong town.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geopy.exc import GeopyError

from ..geo.cache import NOT_FOUND, Cache, Entry, address_line, load_cache, today
from ..geo.distance import Point, in_bounds
from ..geo.places import Gazetteer
from ..records.problems import Report

if TYPE_CHECKING:
    from ..data.catalogue import Catalogue

# Result types (Nominatim's "type"/"addresstype") that name an area, not a building.
AREA_TYPES = {"postcode", "city", "town", "village", "suburb", "neighbourhood", "quarter",
              "administrative", "county", "state", "country", "hamlet", "city_district"}


@dataclass
class Summary:
    """What the step did: lookups made, and how every location without coordinates ended."""

    looked_up: int = 0
    placed: int = 0  # from the cache or a lookup, inside the region
    approximate: int = 0  # a postcode's or city's centre from places.csv
    unplaced: int = 0


Progress = Callable[[list[str]], Iterable[str]]


def geocode_catalogue(catalogue: Catalogue, data_dir: Path, report: Report, *,
                      geocoder=None, strict: bool = False,
                      progress: Progress | None = None) -> Summary:
    """Give every location a point and a ``precision``; ask ``geocoder`` only for addresses
    missing from the cache, and save each answer into ``data/geocodes.csv`` as it comes."""
    cache = load_cache(data_dir, report)
    if report.errors:
        return Summary()
    country = catalogue.site.get("country")
    waiting = [loc for loc in catalogue.locations if not _has_point(loc)]
    for location in catalogue.locations:
        if _has_point(location):
            location["precision"] = "address"
    summary = Summary()
    failures: dict[str, str] = {}
    if geocoder is not None:
        missing = list(dict.fromkeys(
            line for line in (address_line(loc["address"], country) for loc in waiting)
            if cache.get(line) is None))
        for line in (progress(missing) if progress else missing):
            failure = _look_up(geocoder, line, cache)
            summary.looked_up += 1
            if failure:
                failures[line] = failure
            if cache.changed:
                # Each answer is saved as it arrives (one atomic replace of the file): lookups
                # are one a second, and a run killed or stopped with Ctrl-C at 24 of 26 must
                # not lose 24. A rerun asks only for what is still missing.
                cache.save()
    gazetteer = Gazetteer(catalogue.places)
    bounds = catalogue.site.get("bounds")
    for location in waiting:
        line = address_line(location["address"], country)
        entry = cache.get(line)
        if entry and entry.found and in_bounds(Point(entry.latitude, entry.longitude), bounds):
            location.update(latitude=entry.latitude, longitude=entry.longitude,
                            precision=entry.precision)
            summary.placed += 1
            continue
        reason = _reason(entry, failures.get(line), geocoder is not None)
        fallback = gazetteer.for_address(location["address"])
        if fallback:
            place, precision = fallback
            location.update(latitude=place.latitude, longitude=place.longitude,
                            precision=precision)
            summary.approximate += 1
            outcome = (f"using the centre of {place.name} from places.csv instead "
                       "(shown as an approximate location)")
        else:
            summary.unplaced += 1
            outcome = "kept without a point, so it is left out of near-me searches"
        say = report.error if strict else report.warning
        path = f"{getattr(location, 'path', '') or ''}.address".lstrip(".")
        say(location.file, location.line_of("address"), path,
            f'"{line}" {reason}; {outcome}. Run `directory geocode`, or add latitude and '
            "longitude to the location")
    return summary


def _has_point(location) -> bool:
    return location.get("latitude") is not None and location.get("longitude") is not None


def _look_up(geocoder, line: str, cache: Cache) -> str | None:
    """Ask the geocoder about one address and cache the answer; return why it failed."""
    provider = getattr(geocoder, "provider", type(geocoder).__name__.lower())
    try:
        result = geocoder.geocode(line)
    except GeopyError as error:
        return f"could not be looked up ({type(error).__name__}: {error})"
    except OSError as error:
        return f"could not be looked up ({error})"
    if result is None:
        cache.put(Entry(line, None, None, provider, today(), NOT_FOUND))
        return None
    raw = getattr(result, "raw", None) or {}
    kind = raw.get("addresstype") or raw.get("type") if isinstance(raw, dict) else None
    precision = "place" if kind in AREA_TYPES else "address"
    cache.put(Entry(line, round(result.latitude, 6), round(result.longitude, 6), provider,
                    today(), precision))
    return None


def _reason(entry: Entry | None, failure: str | None, online: bool) -> str:
    if failure:
        return failure
    if entry and entry.found:
        return (f"was placed by the geocoder at {entry.latitude}, {entry.longitude}, outside "
                "the region's bounds in site.yaml, so that point was rejected")
    if entry:
        return f"was not found by the geocoder ({entry.provider}, {entry.date})"
    if online:
        return "could not be looked up"
    return "is not in geocodes.csv yet and this build is offline"
