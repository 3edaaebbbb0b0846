"""The HSDS API's query parameters: what each means, its form, and reading it strictly.

``PARAMETERS`` is the one list: ``openapi.json`` describes them from it and a bad value is a
400 whose JSON names the parameter and this expected form. The site's own filters
(``category``, ``open_now``, ``near``...) are read by ``params`` and ``where`` exactly as
``/search`` reads them; they are extensions to HSDS, marked so in ``openapi.json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import request

from ..search.filters import MAX_AGE
from . import params
from .params import BadParameter

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20  # the site's page size, so a search reads the same in both
MAX_PROXIMITY = 100_000  # metres


@dataclass(frozen=True)
class Parameter:
    schema: dict
    description: str
    expected: str
    extension: bool = False  # this directory's own, not in HSDS


BOOLEAN = {"type": "boolean"}
TEXT = {"type": "string"}
PARAMETERS = {
    "search": Parameter({"type": "string", "maxLength": 200},
                        "Full text search, ranked exactly as the site's /search ranks it.",
                        "words, at most 200 characters"),
    "page": Parameter({"type": "integer", "minimum": 1, "maximum": 500},
                      "Page number of paginated result.", "a whole number from 1 to 500"),
    "per_page": Parameter({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                          f"Number of results in a page (default {DEFAULT_PER_PAGE}).",
                          f"a whole number from 1 to {MAX_PER_PAGE}"),
    "format": Parameter({"type": "string", "enum": ["json"]},
                        "Format of the results; only json (the default) is offered.", "json"),
    "taxonomy_term_id": Parameter(
        TEXT, "Only services with this taxonomy term (its UUID, or its code such as "
              "category:counselling); a category includes the categories under it.",
        "a taxonomy term UUID from /api/taxonomy_terms, or its code"),
    "taxonomy_id": Parameter(TEXT, "Only services with any term of this taxonomy.",
                             "a taxonomy UUID from /api/taxonomies"),
    "organization_id": Parameter(TEXT, "Only services of this organization (UUID or its id).",
                                 "an organization UUID from /api/organizations, or its id"),
    "modified_after": Parameter(
        {"type": "string", "format": "date-time"},
        "Only services last verified (assured_date) on or after this date or date-time; the "
        "directory keeps no other per-listing date.", "a date or date-time, e.g. 2026-10-01"),
    "minimal": Parameter(BOOLEAN, "Only id, name, status and assured_date of each service.",
                         "true or false"),
    "full": Parameter(BOOLEAN, "Fully nested objects instead of one-to-one fields.",
                      "true or false"),
    "full_service": Parameter(BOOLEAN, "With the organization, its services fully nested.",
                              "true or false"),
    "postcode": Parameter({"type": "string", "maxLength": 20},
                          "Only services at a location with this postcode, or serving it "
                          "(service_area); with proximity, within that distance of its centre.",
                          "a postcode, e.g. 60640"),
    "proximity": Parameter({"type": "number", "exclusiveMinimum": 0,
                            "maximum": MAX_PROXIMITY},
                           "With postcode: only services within this many metres of the "
                           "postcode's centre, nearest first.",
                           f"a number of metres, more than 0 and at most {MAX_PROXIMITY}"),
    "top_only": Parameter(BOOLEAN, "Only top-level taxonomy terms (without a parent).",
                          "true or false"),
    "parent_id": Parameter(TEXT, "Only taxonomy terms directly under this term (UUID or code).",
                           "a taxonomy term UUID or code"),
    # This directory's own filters, read as /search reads them.
    "near": Parameter({"type": "string", "maxLength": 100},
                      "A place (neighbourhood, postcode, landmark) or 'lat,lon': results within "
                      "radius of it, nearest first.", "a place name or lat,lon", True),
    "lat": Parameter({"type": "number", "minimum": -90, "maximum": 90},
                     "Latitude of the point to search near (with lon).",
                     "a latitude, e.g. 41.882", True),
    "lon": Parameter({"type": "number", "minimum": -180, "maximum": 180},
                     "Longitude of the point to search near (with lat).",
                     "a longitude, e.g. -87.648", True),
    "radius": Parameter({"type": "integer", "enum": [1, 3, 10, 25]},
                        "With near or lat/lon: the radius in the site's distance unit.",
                        "one of 1, 3, 10, 25", True),
    "category": Parameter(TEXT, "A category id (taxonomy.yaml); includes its children.",
                          "a category id, e.g. counselling", True),
    "open_now": Parameter(BOOLEAN, "Only services open at this moment (site's time zone).",
                          "1 to turn on", True),
    "cost": Parameter({"type": "string", "enum": ["free", "sliding-scale", "paid"]},
                      "Only services with this cost.", "free, sliding-scale or paid", True),
    "language": Parameter(TEXT, "Only services offering this ISO 639-1 language.",
                          "a language code such as es", True),
    "audience": Parameter(TEXT, "Only services for this audience id.", "an audience id", True),
    "age": Parameter({"type": "integer", "minimum": 0, "maximum": MAX_AGE},
                     "Only services taking people of this age.",
                     f"a whole number from 0 to {MAX_AGE}", True),
    "wheelchair": Parameter(BOOLEAN, "Only wheelchair-accessible services (or without a place).",
                            "1 to turn on", True),
    "access": Parameter({"type": "string",
                         "enum": ["walk-in", "appointment", "referral", "call-first"]},
                        "Only services entered this way.",
                        "walk-in, appointment, referral or call-first", True),
    "remote": Parameter({"type": "string", "enum": ["phone", "video", "chat", "text"]},
                        "Only services usable this way.", "phone, video, chat or text", True),
}
SITE_FILTERS = ("near", "lat", "lon", "radius", "category", "open_now", "cost", "language",
                "audience", "age", "wheelchair", "access", "remote")
PAGING = ("page", "per_page", "format")
SERVICE_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id",
                   "modified_after", "postcode", "proximity")
# Which parameters each list takes, in the order openapi.json lists them.
LISTS = {
    "services": (*SERVICE_FILTERS, *PAGING, "minimal", "full", *SITE_FILTERS),
    "service_at_locations": (*SERVICE_FILTERS, "full", *PAGING, *SITE_FILTERS),
    "organizations": ("search", "full", "full_service", *PAGING),
    "taxonomies": ("search", *PAGING),
    "taxonomy_terms": ("search", *PAGING, "taxonomy_id", "top_only", "parent_id"),
}


def flag(name: str) -> bool:
    return params.flag(name, name)


def per_page() -> int:
    return params.whole_number("per_page", 1, MAX_PER_PAGE, "a page size") or DEFAULT_PER_PAGE


def page() -> int:
    return params.page()


def check_format() -> None:
    value = params.text("format", 20)
    if value and value != "json":
        raise BadParameter("format", f'"{value}" is not a format this API gives; use json.')


def reference(name: str) -> str | None:
    """An id parameter: a UUID or one of our slugs or codes (which exist is the caller's
    question; an unknown one simply matches nothing)."""
    return params.text(name, 100) or None


def modified_after() -> str | None:
    """The date part of an ISO date or date-time."""
    raw = params.text("modified_after", 40)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00")) if "T" in raw \
            else dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter("modified_after", f'"{raw}" is not a date or date-time; use e.g. '
                           "2026-10-01 or 2026-10-01T00:00:00Z.") from None
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def proximity() -> float | None:
    raw = params.text("proximity", 20)
    if not raw:
        return None
    try:
        metres = float(raw)
    except ValueError:
        metres = -1.0
    if not 0 < metres <= MAX_PROXIMITY:  # also refuses nan and inf
        raise BadParameter("proximity", f'"{raw}" is not a distance in metres; use '
                           f"{PARAMETERS['proximity'].expected}.")
    if not params.text("postcode", 20):
        raise BadParameter("proximity", "proximity is measured from a postcode's centre: add "
                           "postcode=, e.g. postcode=60640&proximity=2000.")
    if request.args.get("near") or request.args.get("lat") or request.args.get("lon"):
        raise BadParameter("proximity", "give either postcode with proximity or near (or lat "
                           "and lon), not both.")
    return metres
