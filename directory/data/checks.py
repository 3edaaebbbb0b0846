"""The checks a careful reviewer makes across the whole catalogue, after each file passed alone.

Errors stop the build; warnings are shown but do not. What is which, and why:

- ``last_verified`` in the future: error (it cannot be true, and it would hide the listing
  from stale reports). Older than site.yaml ``stale_after_days``: warning.
- A phone number of a possible length that libphonenumber knows is not in use (no such area
  code or exchange): warning, since numbering plans change faster than the library.
- Coordinates outside the region's ``bounds`` in site.yaml: warning, since a service may sit
  just over the border; the message says when swapped or sign-flipped coordinates are the
  likely cause.
- The same name at the same address twice: error, since residents would see two identical
  listings. The same phone number listed by two organizations: warning, since a shared line
  is possible but a number copied into the wrong file is more likely.
- An id from ``retired.yaml`` used again: error (see ``retired``).
- Two records of one kind with the same ``source`` (system and id): error, since a re-import
  of that system could update only one of them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import phonenumbers

from ..records.files import real_path
from ..records.load import Located, Sources
from ..records.problems import Report
from . import retired
from .stale import age_in_days

if TYPE_CHECKING:
    from .catalogue import Catalogue


def check_catalogue(catalogue: Catalogue, sources: Sources, report: Report,
                    today: dt.date) -> None:
    """Run every cross-record check, then note where each record lives in the repository."""
    _check_dates(catalogue, report, today)
    _check_phones(catalogue, report)
    _check_bounds(catalogue, report)
    _check_duplicate_services(catalogue, report)
    _check_sources(catalogue, report)
    retired.check_reuse(sources, catalogue, report)
    _note_repository_paths(catalogue, sources)


def _check_sources(catalogue: Catalogue, report: Report) -> None:
    for kind in ("organizations", "locations", "services"):
        seen: dict[tuple, Located] = {}
        for record in getattr(catalogue, kind):
            source = record.get("source")
            if not source or "system" not in source or "id" not in source:
                continue
            key = (source["system"], source["id"])
            if key in seen:
                first = seen[key]
                report.error(record.file, record.line_of("source"), field_path(record, "source"),
                             f'{source["system"]} id "{source["id"]}" is also the source of '
                             f'"{first.get("id")}" ({first.file}:{first.line_of("source")}); '
                             "one record per source record, so a re-import updates the right one")
            else:
                seen[key] = record


def field_path(record: Located, name: str) -> str:
    """``services[2].hours`` for a YAML record, ``hours`` for a CSV row (its fields are columns)."""
    base = getattr(record, "path", "") or ""
    return f"{base}.{name}" if base else name


def _active(record) -> bool:
    return record.get("status", "active") == "active"


# --- dates -----------------------------------------------------------------------------


def _check_dates(catalogue: Catalogue, report: Report, today: dt.date) -> None:
    stale_after = catalogue.site.get("stale_after_days")
    for service in catalogue.services:
        verified = service.get("last_verified")
        if verified is None:
            continue
        where = (service.file, service.line_of("last_verified"),
                 field_path(service, "last_verified"))
        age = age_in_days(verified, today)
        if age < 0:
            report.error(*where, f"{verified.isoformat()} is in the future; "
                                 "use the date it was checked")
        elif stale_after and age > stale_after and _active(service):
            report.warning(*where, f"{verified.isoformat()} is {age} days ago, more than "
                                   f"stale_after_days ({stale_after}) in site.yaml; check the "
                                   "listing with the service, then update the date")


# --- phones ----------------------------------------------------------------------------


def _phones(catalogue: Catalogue):
    """Every valid phone with the organization that lists it (None for crisis lines)."""
    owners = [(line, None) for line in catalogue.site.get("crisis_lines") or []]
    owners += [(org, org.get("id")) for org in catalogue.organizations]
    owners += [(service, service.get("organization_id")) for service in catalogue.services]
    for record, owner in owners:
        for phone in record.get("phones") or []:
            # A number that failed its own check was reported already and is None here.
            if isinstance(phone, dict) and isinstance(phone.get("number"), dict):
                yield phone, owner


def _check_phones(catalogue: Catalogue, report: Report) -> None:
    names = {org.get("id"): org.get("name") for org in catalogue.organizations}
    first_owner: dict[str, tuple[str, Located]] = {}
    warned: set[tuple[str, str]] = set()
    for phone, owner in _phones(catalogue):
        number = phone["number"]
        where = (phone.file, phone.line_of("number"), field_path(phone, "number"))
        if not getattr(number, "valid", True):
            code = phonenumbers.parse(number["e164"]).country_code
            region = phonenumbers.region_code_for_country_code(code)
            country = region if region != phonenumbers.UNKNOWN_REGION else f"+{code}"
            report.warning(*where, f'"{number["number"]}" has the right length but is not a '
                                   f"valid {country} number (no such area code or exchange); "
                                   "check the digits")
        e164 = number["e164"]
        if owner is None or not e164.startswith("+"):  # crisis lines and short codes are shared
            continue
        first = first_owner.setdefault(e164, (owner, phone))
        if first[0] != owner and (e164, owner) not in warned:
            warned.add((e164, owner))
            other = first[1]
            report.warning(*where, f'"{number["number"]}" is also listed by '
                                   f"{names.get(first[0]) or first[0]} "
                                   f"({other.file}:{other.line_of('number')}); if the line is "
                                   "not shared, check which listing has the right number")


# --- coordinates -----------------------------------------------------------------------


def _inside(bounds: dict, latitude: float, longitude: float) -> bool:
    if not bounds["south"] <= latitude <= bounds["north"]:
        return False
    west, east = bounds["west"], bounds["east"]
    # A region that crosses the 180° meridian has west > east.
    return west <= longitude <= east if west <= east else longitude >= west or longitude <= east


def _check_bounds(catalogue: Catalogue, report: Report) -> None:
    bounds = catalogue.site.get("bounds") or {}
    if any(bounds.get(side) is None for side in ("south", "west", "north", "east")):
        return  # no bounds, or bounds with a mistake that was reported already
    box = ", ".join(f"{side} {bounds[side]:g}" for side in ("south", "west", "north", "east"))
    for location in catalogue.locations:
        latitude, longitude = location.get("latitude"), location.get("longitude")
        if latitude is None or longitude is None or _inside(bounds, latitude, longitude):
            continue
        if _inside(bounds, longitude, latitude):
            hint = "; latitude and longitude look swapped"
        elif _inside(bounds, latitude, -longitude):
            hint = "; the longitude's sign looks wrong (west of Greenwich is negative)"
        elif _inside(bounds, -latitude, longitude):
            hint = "; the latitude's sign looks wrong (south of the equator is negative)"
        else:
            hint = ""
        report.warning(location.file, location.line_of("latitude"),
                       field_path(location, "latitude"),
                       f"{latitude:g}, {longitude:g} is outside the region's bounds in "
                       f"site.yaml ({box}){hint}; check the coordinates")


# --- duplicates ------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Compare names and addresses the way people read them: case, punctuation and spaces aside."""
    return " ".join(re.findall(r"\w+", str(text).casefold()))


def _check_duplicate_services(catalogue: Catalogue, report: Report) -> None:
    addresses = {}
    for location in catalogue.locations:
        address = location.get("address") or {}
        if address.get("address_1") and address.get("city"):
            addresses[location["id"]] = (_fold(f"{address['address_1']} {address['city']}"),
                                         f"{address['address_1']}, {address['city']}")
    seen: dict[tuple[str, str], Located] = {}
    for service in catalogue.services:
        if not _active(service) or not service.get("name"):
            continue
        name = _fold(service["name"])
        for location_id in dict.fromkeys(service.get("at") or []):
            if location_id not in addresses:
                continue
            key, shown = addresses[location_id]
            first = seen.setdefault((name, key), service)
            if first is not service:
                report.error(service.file, service.line_of("name"), field_path(service, "name"),
                             f'"{service["name"]}" at {shown} is already listed as '
                             f'"{first["id"]}" ({first.file}:{first.line_of("name")}); remove '
                             "the duplicate, or give each a name that tells them apart")
                break


# --- where records live ----------------------------------------------------------------


def _note_repository_paths(catalogue: Catalogue, sources: Sources) -> None:
    """Remember each record's file relative to the repository (the data folder's parent).

    Problems name files as the maintainer typed them (relative to where the command ran);
    the site's "suggest an edit" links need the path inside the repository instead.
    """
    base = sources.root.resolve().parent
    cache: dict[str, str] = {}
    folders: dict[Path, Path] = {}  # resolved once for all their files
    for kind in ("organizations", "locations", "services"):
        for record in getattr(catalogue, kind):
            if record.file not in cache:
                try:
                    path = real_path(Path(record.file), folders).relative_to(base).as_posix()
                except ValueError:
                    path = record.file
                cache[record.file] = path
            record.repository_path = cache[record.file]
