"""Judge loaded sources: every problem at once, and the normalised catalogue the build writes.

Per-file checks come from ``schema``; the checks here span files: unique ids, references
between records, and the CSV sheet folded into the same shape as the YAML files. The
reviewer's checks (duplicates, stale dates, region bounds, retired ids) are in ``checks``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import NamedTuple

from ..geo import cache as geocodes
from ..geo import places
from ..hours import syntax as hours
from ..records.fields import At, Field, Invalid, mapping, simple, split_list
from ..records.load import Located, Sources, display_path
from ..records.problems import Problem, Report
from ..records.sheets import missing_cell, realigned
from . import checks, programmes, schema
from .catalogue import Catalogue
from .stale import local_today

LIST_COLUMNS = ("categories", "languages", "audience", "remote", "closed", "service_area")
CSV_LOCATION_COLUMNS = ("address_1", "city", "state_province", "postal_code", "latitude",
                        "longitude")


class Checked(NamedTuple):
    """An organization file read and checked already, in ``Sources.organizations`` in place
    of its parsed form (``build.loading`` checks a large folder's files in two processes):
    its organization (None when unusable) and the problems the check found, in order."""

    organization: Located | None
    problems: list[Problem]


def validate(sources: Sources, today: dt.date | None = None) -> tuple[Catalogue, Report]:
    """Check every file; return what is usable and every problem found.

    ``today`` (default: today in the site's timezone) dates the last_verified checks.
    """
    report = Report(sources.problems)
    catalogue = Catalogue()
    root = sources.root
    settings = _settings(sources, catalogue, report)
    country, category_ids, audience_ids, _ = settings
    check_org = schema.organization(*settings)
    # Each file's parsed form is let go once checked (``sources.organizations`` is emptied):
    # the parsed files and the catalogue are never both whole in memory.
    parsed, sources.organizations = sources.organizations, []
    parsed.reverse()
    while parsed:
        file, raw = parsed.pop()
        if isinstance(raw, Checked):
            report.problems += raw.problems
            org = raw.organization
        else:
            org = check_organization(file, raw, check_org, report)
        del raw
        if org is not None:
            catalogue.organizations.append(org)
    _fold_csv(sources.service_rows, catalogue, country, category_ids, audience_ids, report)
    _flatten(catalogue)
    _check_ids(catalogue, report)
    _check_references(catalogue, report)
    bounds = catalogue.site.get("bounds") or {}
    complete = all(bounds.get(side) is not None for side in ("south", "west", "north", "east"))
    catalogue.places = places.check_places(
        sources.place_rows, display_path(root / "places.csv"), country,
        bounds if complete else None, report)  # broken bounds were reported with site.yaml
    places.check_service_areas(catalogue.services, places.Gazetteer(catalogue.places), report)
    today = today or local_today(catalogue.site.get("timezone"))
    checks.check_catalogue(catalogue, sources, report, today)
    # The build reads the geocode cache too: a bad row must fail here, not only at build time.
    geocodes.load_cache(root, report)
    programmes.check_programmes(catalogue, report, today)
    return catalogue, report


def _settings(sources: Sources, catalogue: Catalogue, report: Report) -> tuple:
    """Check site.yaml, taxonomy.yaml and crisis_terms.yaml into the catalogue; return what
    an organization file is checked against: (country, category ids, audience ids,
    languages), the ids None when the taxonomy is unusable."""
    root = sources.root
    site_file = display_path(root / "site.yaml")
    raw_site = sources.site if isinstance(sources.site, dict) else {}
    try:
        country = schema.one_of_country(raw_site.get("country", "US"))
    except Invalid:  # e.g. "USA": the site check below reports it with its line
        country = "US"
    # The texts in site.yaml may come per language: read which ones first (checked below).
    offered = raw_site.get("languages")
    offered = [str(c) for c in offered if isinstance(c, str)] if isinstance(offered, list) \
        else []
    if sources.site is not None:
        catalogue.site = schema.site(country, offered or None)(
            sources.site, At(site_file, 1), report) or {}
        schema.check_bounds(catalogue.site, At(site_file, 1), report)
    languages = catalogue.site.get("languages") or ["en"]
    before = len(report.errors)
    _check_taxonomy(sources, catalogue, languages, report)
    if sources.crisis_terms is not None:
        catalogue.crisis_terms = schema.crisis_terms(
            sources.crisis_terms, At(display_path(root / "crisis_terms.yaml"), 1), report)
    category_ids = [c["id"] for c in catalogue.categories]
    audience_ids = [a["id"] for a in catalogue.audiences]
    if sources.taxonomy is None or (len(report.errors) > before and not category_ids):
        # An unreadable or empty taxonomy was reported once; "not a category id (expected
        # one of: )" on every service would bury that one message.
        category_ids = audience_ids = None
    return country, category_ids, audience_ids, languages


def organization_check(sources: Sources):
    """``check(file, raw, report)``: one organization file's check as ``validate`` makes
    it, from the sources' site.yaml and taxonomy.yaml (their own problems are ``validate``'s
    to report)."""
    check_org = schema.organization(*_settings(sources, Catalogue(), Report()))
    return lambda file, raw, report: check_organization(file, raw, check_org, report)


def check_organization(file: str, raw, check_org, report: Report) -> Located | None:
    """One parsed organization file checked: the organization, or None when unusable."""
    org = check_org(raw, At(file, 1), report)
    if org is None:
        return None
    stem = Path(file).stem
    if org.get("id") and org["id"] != stem:
        report.error(file, org.line_of("id"), "id",
                     f'"{org["id"]}" does not match the file name {stem}.yaml; '
                     "rename the file or change the id so they agree")
    return org


def _check_taxonomy(sources: Sources, catalogue: Catalogue, languages, report: Report) -> None:
    if sources.taxonomy is None:
        return
    file = display_path(sources.root / "taxonomy.yaml")
    taxonomy = schema.taxonomy(languages)(sources.taxonomy, At(file, 1), report) or {}
    seen: dict[str, int] = {}
    for kind in ("categories", "audiences"):
        for item in taxonomy.get(kind) or []:
            if item.get("id") is None:  # missing or wrong: reported already
                continue
            if item["id"] in seen:
                report.error(file, item.line_of("id"), f"{item.path}.id",
                             f'"{item["id"]}" is used twice (first at line {seen[item["id"]]}); '
                             "ids must be unique")
                continue
            seen[item["id"]] = item.line
            getattr(catalogue, kind).append(item)
    audience_ids = [a["id"] for a in catalogue.audiences]
    for entry in taxonomy.get("filter_words") or []:
        problem = schema.check_filter_value(entry, audience_ids)
        if problem:
            report.error(file, entry.line_of("value"), f"{entry.path}.value", problem)
        else:
            catalogue.filter_words.append(entry)
    by_id = {c["id"]: c for c in catalogue.categories}
    for category in catalogue.categories:
        parent, chain = category.get("parent"), [category["id"]]
        if parent and parent not in by_id:
            report.error(file, category.line_of("parent"), f"{category.path}.parent",
                         f'"{parent}" is not a category id in this file')
            category["parent"] = None
            continue
        while parent:
            if parent in chain:
                report.error(file, category.line_of("parent"), f"{category.path}.parent",
                             f'"{category["id"]}" is its own ancestor ({" → ".join(chain)}); '
                             "break the loop")
                category["parent"] = None
                break
            chain.append(parent)
            parent = by_id[parent].get("parent")


def _csv_fields(country: str, categories: list[str], audiences: list[str]) -> dict:
    """The sheet's columns: the service fields, plus its organization, location and phones."""
    service = schema.service_fields(country, categories, audiences)
    # Sessions are lists of mappings, which a cell cannot hold: they live in the YAML files;
    # so does an imported record's source.
    fields = {name: spec for name, spec in service.items()
              if name not in ("at", "phones", "sessions", "source")}
    for name in LIST_COLUMNS:  # cells hold lists as counselling;drop-in
        inner = service[name].check
        fields[name] = Field(lambda value, at, report, inner=inner:
                             inner(split_list()(value), at, report), service[name].required)
    # A cell holds special days as 2026-12-24 09:00-12:00; 2026-12-31 10:00-14:00
    fields["special"] = Field(lambda value, at, report:
                              hours.check_special(hours.parse_special_cell(value), at, report))
    check_phone = schema.phone(country)

    def single_phone(kind: str) -> Field:
        return Field(lambda value, at, report:
                     check_phone({"number": value, "type": kind}, at, report))

    return fields | {
        "organization": Field(simple(schema.slug), required=True),
        "organization_name": schema.TEXT,
        "location": Field(simple(schema.slug)),
        "address_1": schema.TEXT,
        "city": schema.TEXT,
        "state_province": schema.TEXT,
        "postal_code": Field(simple(schema.postcode(country))),
        "latitude": Field(schema.LATITUDE),
        "longitude": Field(schema.LONGITUDE),
        "phone": single_phone("voice"),
        "text": single_phone("text"),
    }


def _fold_csv(rows, catalogue: Catalogue, country, categories, audiences, report: Report) -> None:
    """Turn each sheet row into a service (and, where needed, a location and an organization)."""
    if not rows:
        return
    columns = _csv_fields(country, categories, audiences)
    check_row = mapping(columns, "a service row")
    service_fields = schema.service_fields(country, categories, audiences)
    orgs = {org.get("id"): org for org in catalogue.organizations}
    header = getattr(rows[0], "header", None) or list(rows[0])
    for column in header:
        if column not in columns:  # said once for the header, not once per row
            close = difflib.get_close_matches(column, list(columns), n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else \
                f"the columns are {', '.join(columns)}"
            report.error(rows[0].file, 1, column, f"is not a known column; {hint}")
    for raw in rows:
        for column in [column for column in raw if column not in columns]:
            del raw[column]
        found = Report()
        row = check_row(raw, At(raw.file, raw.line), found)
        missing = _missing_cell(raw, check_row) if found.errors else None
        if missing:  # one message for the row, not one per column its cells slid into
            report.error(raw.file, raw.line, missing,
                         missing_cell(raw))
            continue
        report.problems.extend(found.problems)
        if not row or "organization" not in row:
            continue
        org = orgs.get(row["organization"])
        if org is None:
            if "organization_name" not in row:
                report.error(raw.file, raw.line, "organization",
                             f'"{row["organization"]}" is not an organization in organizations/; '
                             "use an existing id or fill organization_name to add a new one")
                continue
            org = Located(id=row["organization"], name=row["organization_name"],
                          file=raw.file, line=raw.line)
            orgs[org["id"]] = org
            catalogue.organizations.append(org)
        service = Located(file=raw.file, line=raw.line)
        service.lines = dict(row.lines)
        service.update({key: value for key, value in row.items()
                        if key in service_fields})
        service["phones"] = [row[kind] for kind in ("phone", "text") if row.get(kind)]
        if row.get("location"):
            service["at"] = [row["location"]]
        elif row.get("address_1") or row.get("city"):
            location = _csv_location(row, raw, report)
            if location:
                org.setdefault("locations", []).append(location)
                service["at"] = [location["id"]]
        org.setdefault("services", []).append(service)


def _missing_cell(raw: Located, check_row) -> str | None:
    """The column whose cell a short row lost, when putting an empty one there makes the row
    pass (a lost cell moves every later one into the wrong column)."""
    fits = None
    for column, candidate in realigned(raw):
        found = Report()
        check_row(candidate, At(raw.file, raw.line), found)
        # Right once the cell is back, but for that (required) cell itself being empty. The
        # latest such place is named: the cells before it fit where they are.
        if all(problem.field == column for problem in found.errors):
            fits = column
    return fits


def _csv_location(row: Located, raw: Located, report: Report) -> Located | None:
    missing = [column for column in ("address_1", "city") if not row.get(column)]
    if missing:
        report.error(raw.file, raw.line, missing[0],
                     "is missing; a new location needs address_1 and city "
                     "(or give an existing location id in the location column)")
        return None
    location = Located(file=raw.file, line=raw.line, id=f"{row.get('id')}-location")
    location.lines = dict(row.lines)
    location["address"] = {key: row[key] for key in
                           ("address_1", "city", "state_province", "postal_code") if key in row}
    for key in ("latitude", "longitude"):
        if key in row:
            location[key] = row[key]
    return location


def _flatten(catalogue: Catalogue) -> None:
    """Lift locations and services out of their organizations, remembering the owner."""
    for org in catalogue.organizations:
        for kind in ("locations", "services"):
            for record in org.get(kind) or []:
                record["organization_id"] = org.get("id")
                getattr(catalogue, kind).append(record)


def _check_ids(catalogue: Catalogue, report: Report) -> None:
    for kind in ("organizations", "locations", "services"):
        seen: dict[str, Located] = {}
        kept = []
        for record in getattr(catalogue, kind):
            key = record.get("id")
            if key is None:
                continue
            if key in seen:
                first = seen[key]
                report.error(record.file, record.line_of("id"), "id",
                             f'"{key}" is already used by another {kind[:-1]} at '
                             f"{first.file}:{first.line_of('id')}; ids must be unique across files")
                continue
            seen[key] = record
            kept.append(record)
        setattr(catalogue, kind, kept)


def _check_references(catalogue: Catalogue, report: Report) -> None:
    locations = {location["id"] for location in catalogue.locations}
    for location in catalogue.locations:
        has = [key in location for key in ("latitude", "longitude")]
        if any(has) and not all(has):
            report.error(location.file, location.line, "latitude",
                         "latitude and longitude go together; give both or neither")
        # Locations without coordinates are geocoded by the build (geocode.py), which
        # reports the ones it cannot place.
    for service in catalogue.services:
        where = (service.file, service.line)
        for index, location_id in enumerate(service.get("at") or []):
            if location_id not in locations:
                close = difflib.get_close_matches(location_id, sorted(locations), n=1)
                hint = f'; did you mean "{close[0]}"?' if close else \
                    "; list the location under locations: first"
                report.error(service.file, service.line_of("at"), f"{_path(service)}.at[{index}]",
                             f'"{location_id}" is not a location id{hint}')
        hours.check_dates(service, _path(service), report)
        low, high = service.get("minimum_age"), service.get("maximum_age")
        if low is not None and high is not None and low > high:
            report.error(service.file, service.line_of("maximum_age"),
                         f"{_path(service)}.maximum_age",
                         f"{high} is below minimum_age {low}; swap them or fix one")
        if "last_verified" not in service:
            report.warning(*where, checks.field_path(service, "last_verified"),
                           "is missing; add the date someone last checked this service "
                           "(e.g. last_verified: 2026-10-01)")
        if not (service.get("at") or service.get("phones") or service.get("url")
                or service.get("email")):
            report.warning(*where, _path(service),
                           "has no location, phone, url or email: nobody can reach it")


def _path(record: Located) -> str:
    """The record's field path in its file (empty for a CSV row, whose fields are columns)."""
    return getattr(record, "path", "") or ""
