"""HSDS 3.0 JSON (services with their organization, locations, phones... nested) into ``Tables``.

Accepts what 3.0 systems hand out: a list of services, one service, an API ``Page`` envelope
(``contents``), ``{"services": [...]}``, or organizations with their ``services`` nested. The
same organization or location nested under many services is one record; every row made
remembers the file and the item number it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

from .notes import ImportReport
from .tables import Row, SourceError, Tables

_NESTED = {"organization", "phones", "schedules", "languages", "attributes", "contacts",
           "service_at_locations", "location", "addresses", "accessibility", "locations",
           "services", "taxonomy_term", "taxonomy_detail", "funding", "cost_options",
           "service_areas", "required_documents", "program", "programs", "metadata",
           "organization_identifiers"}


def read_json_file(path: Path, report: ImportReport) -> Tables:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"{name} is not valid JSON: {error}") from None
    tables = Tables(version="3.0")
    report.version = "3.0"
    add_items(tables, items_of(data), name, report)
    return tables


def items_of(data) -> list:
    if isinstance(data, dict):
        for key in ("contents", "services", "items", "data"):
            if isinstance(data.get(key), list):
                return data[key]
        return [data]
    return data if isinstance(data, list) else []


def add_items(tables: Tables, items: list, file: str, report: ImportReport,
              first: int = 1) -> None:
    """Flatten items (services, or organizations with services) numbered from ``first``."""
    seen = tables.seen
    for number, item in enumerate(items, start=first):
        if not isinstance(item, dict):
            report.note("unreadable", file, number, "", "is not an HSDS object; skipped")
            continue
        report.rows_read[file] += 1
        here = (file, number)
        if isinstance(item.get("services"), list) and "organization_id" not in item:
            _organization(tables, item, here, seen)
            for service in item["services"]:
                if isinstance(service, dict):
                    service.setdefault("organization_id", _id(item, "id"))
                    _service(tables, service, here, seen)
        else:
            _service(tables, item, here, seen)


def _id(obj: dict, key: str, default=None) -> str | None:
    """An id as text; an id that is a list or an object (it happens) is no id."""
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return default if isinstance(default, str) else None
    return str(value).strip() or None


def _row(values: dict, here, **links) -> Row:
    row = Row({key: value for key, value in values.items() if key not in _NESTED
               and not isinstance(value, dict | list)}, file=here[0], row=here[1])
    row.update({key: value for key, value in links.items() if value is not None})
    return row


def _list(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _service(tables: Tables, service: dict, here, seen) -> None:
    organization = service.get("organization")
    org_id = _id(service, "organization_id")
    if isinstance(organization, dict):
        org_id = _id(organization, "id", org_id)
        _organization(tables, organization, here, seen)
    row = _row(service, here, organization_id=org_id)
    tables.add("services", row)
    key = _id(service, "id")
    _common(tables, service, here, service_id=key)
    for attribute in _list(service.get("attributes")):
        term = attribute.get("taxonomy_term")
        term_id = _id(attribute, "taxonomy_term_id")
        if isinstance(term, dict):
            term_id = _id(term, "id", term_id)
            detail = term.get("taxonomy_detail")
            extra = {"taxonomy": detail.get("name")} if isinstance(detail, dict) and \
                not term.get("taxonomy") else {}
            if term_id not in seen["terms"]:  # the same term under many services: once
                seen["terms"].add(term_id)
                tables.add("taxonomy_terms", _row(term, here, **extra))
        tables.add("service_terms", Row({"service_id": key, "term_id": term_id},
                                        file=here[0], row=here[1]))
    for link in _list(service.get("service_at_locations")):
        location = link.get("location")
        location_id = _id(link, "location_id")
        if isinstance(location, dict):
            location_id = _id(location, "id", location_id)
            _location(tables, location, here, seen, org_id)
        tables.add("service_at_location", _row(link, here, service_id=key,
                                               location_id=location_id))
        _common(tables, link, here, service_id=key, service_at_location_id=_id(link, "id"),
                location_id=location_id)


def _organization(tables: Tables, organization: dict, here, seen) -> None:
    key = _id(organization, "id")
    if key in seen["organizations"]:
        return
    seen["organizations"].add(key)
    tables.add("organizations", _row(organization, here))
    _common(tables, organization, here, organization_id=key)
    for identifier in _list(organization.get("organization_identifiers")):
        tables.add("organization_identifiers", _row(identifier, here, organization_id=key))
    for location in _list(organization.get("locations")):
        _location(tables, location, here, seen, key)


def _location(tables: Tables, location: dict, here, seen, org_id) -> None:
    key = _id(location, "id")
    if key in seen["locations"]:
        return
    seen["locations"].add(key)
    tables.add("locations", _row(location, here, organization_id=location.get(
        "organization_id", org_id)))
    for address in _list(location.get("addresses")):
        tables.add("addresses", _row(address, here, location_id=key))
    for feature in _list(location.get("accessibility")):
        tables.add("accessibility", _row(feature, here, location_id=key))
    _common(tables, location, here, location_id=key)


def _common(tables: Tables, owner: dict, here, **links) -> None:
    """Phones, schedules, languages and contacts: nested the same way under every owner."""
    for phone in _list(owner.get("phones")):
        tables.add("phones", _row(phone, here, **links))
    for schedule in _list(owner.get("schedules")):
        tables.add("schedules", _row(schedule, here, **links))
    if "service_id" in links and "service_at_location_id" not in links:
        for language in _list(owner.get("languages")):
            tables.add("languages", _row(language, here, **links))
    for contact in _list(owner.get("contacts")):
        tables.add("contacts", _row(contact, here, **links))
    if "service_id" in links and "service_at_location_id" not in links:
        for area in _list(owner.get("service_areas")):
            tables.add("service_areas", _row(area, here, **links))
