"""The build's SQLite database, written with sqlite-utils: explicit tables, links, indexes."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from ..data.catalogue import Catalogue
from ..hours import schedules
from ..search import index as search
from ..search import queries
from .insert import insert_rows
from .programmes import write_programmes


def _source(record) -> dict:
    # The path inside the repository (see checks), so the site's edit links are right.
    return {"source_file": getattr(record, "repository_path", record.file),
            "source_line": record.line}


# Every table is created explicitly, so an empty data set still has the full schema.
TABLES = {
    "categories": ({"id": str, "parent_id": str, "name": str, "names": str, "description": str,
                    "descriptions": str, "synonyms": str, "position": int}, "id",
                   [("parent_id", "categories", "id")]),
    "audiences": ({"id": str, "name": str, "names": str, "position": int}, "id", []),
    "organizations": ({"id": str, "name": str, "alternate_name": str, "description": str,
                       "url": str, "email": str, "translations": str, "source_file": str,
                       "source_line": int}, "id", []),
    "locations": ({"id": str, "organization_id": str, "name": str, "address_1": str,
                   "address_2": str, "city": str, "state_province": str, "postal_code": str,
                   "country": str, "latitude": float, "longitude": float, "precision": str,
                   "accessibility": str,
                   "transportation": str, "description": str, "source_file": str,
                   "source_line": int}, "id", [("organization_id", "organizations", "id")]),
    "services": ({"id": str, "organization_id": str, "name": str, "description": str,
                  "hours": str, "email": str, "url": str, "minimum_age": int, "maximum_age": int,
                  "cost": str, "fees_description": str, "access": str,
                  "application_process": str, "eligibility_description": str, "remote": str,
                  "last_verified": str, "status": str, "translations": str, "source_file": str,
                  "source_line": int},
                 "id", [("organization_id", "organizations", "id")]),
    "phones": ({"id": int, "service_id": str, "organization_id": str, "position": int,
                "type": str, "number": str, "e164": str, "display": str, "description": str,
                "hours": str},
               "id", [("service_id", "services", "id"),
                      ("organization_id", "organizations", "id")]),
    # crisis_terms.yaml: kind (crisis, not_crisis), language and phrase, in file order.
    "crisis_terms": ({"id": int, "kind": str, "language": str, "phrase": str}, "id", []),
    # taxonomy.yaml's filter_words, one row per phrase: "free" → cost=free.
    "filter_words": ({"id": int, "filter": str, "value": str, "phrase": str}, "id", []),
    # The gazetteer (places.csv), so the site resolves "near" without reading data/.
    "places": ({"id": int, "name": str, "kind": str, "latitude": float, "longitude": float,
                "aliases": str}, "id", []),
}
# Links from a service to many values: table → (column, referenced table, catalogue field).
LINKS = {
    "service_categories": ("category_id", "categories", "categories"),
    "service_at_location": ("location_id", "locations", "at"),
    "service_languages": ("language", None, "languages"),
    "service_audiences": ("audience_id", "audiences", "audience"),
    "service_areas": ("area", None, "service_area"),  # region or a place name
}
INDEXES = [("services", ["organization_id"]), ("locations", ["organization_id"]),
           ("phones", ["service_id", "position"]), ("phones", ["organization_id"]),
           ("categories", ["parent_id"])]


def write_database(catalogue: Catalogue, path: Path) -> None:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = OFF")  # written once, then only read
    # No wait for the disk at each of the writer's many commits: a build that fails or is
    # killed is thrown away whole, and nothing else in a build folder is synced either.
    db.execute("PRAGMA synchronous = OFF")
    for table, (columns, pk, foreign_keys) in TABLES.items():
        db[table].create(columns, pk=pk, foreign_keys=foreign_keys)
    indexes = list(INDEXES)
    for table, (column, other, _) in LINKS.items():
        db[table].create({"service_id": str, column: str, "position": int},
                         pk=("service_id", column),
                         foreign_keys=[("service_id", "services", "id")]
                         + ([(column, other, "id")] if other else []))
        # Both ways: the services of a value (filters), a service's values in order.
        indexes += [(table, [column, "service_id"]), (table, ["service_id", "position"])]
    rows = {
        "categories": ({"id": c["id"], "parent_id": c.get("parent"),
                        "name": english(c["name"]), "names": c["name"],
                        "description": english(c.get("description")),
                        "descriptions": c.get("description") or {},
                        "synonyms": c.get("synonyms") or {}, "position": i}
                       for i, c in enumerate(catalogue.categories)),
        "audiences": ({"id": a["id"], "name": english(a["name"]), "names": a["name"],
                       "position": i} for i, a in enumerate(catalogue.audiences)),
        "organizations": ({"id": o["id"], "name": o["name"],
                           "alternate_name": o.get("alternate_name"),
                           "description": o.get("description"), "url": o.get("url"),
                           "email": o.get("email"),
                           "translations": o.get("translations") or {}, **_source(o)}
                          for o in catalogue.organizations),
        "locations": (_location_row(loc) for loc in catalogue.locations),
        "services": (_service_row(s) for s in catalogue.services),
        "phones": _phone_rows(catalogue),
        "crisis_terms": ({"id": i, "kind": kind, "language": language, "phrase": phrase}
                         for i, (kind, language, phrase) in enumerate(
                             (kind, language, phrase)
                             for kind, by_language in catalogue.crisis_terms.items()
                             for language, phrases in by_language.items()
                             for phrase in phrases)),
        "filter_words": ({"id": i, "filter": name, "value": value, "phrase": phrase}
                         for i, (name, value, phrase) in enumerate(
                             (entry["filter"], entry["value"], phrase)
                             for entry in catalogue.filter_words
                             for phrase in entry.get("words") or [])),
        "places": ({"id": i, "name": p.name, "kind": p.kind, "latitude": p.latitude,
                    "longitude": p.longitude, "aliases": list(p.aliases)}
                   for i, p in enumerate(catalogue.places, 1)),
    }
    for table, (column, _, field) in LINKS.items():
        rows[table] = _link_rows(catalogue.services, column, field)
    for table, generator in rows.items():
        insert_rows(db, table, generator)
    schedules.write_schedules(db, catalogue, insert_rows)
    write_programmes(db, catalogue)
    for table, columns in indexes:
        db[table].create_index(columns, if_not_exists=True)
    # Each service as a page reads it, one row a service (``queries.services``); made in
    # SQLite from the tables, each service's rows read in order from the indexes above.
    db.execute(f"create table {queries.SERVICE_ROWS} (id text primary key, row text)")
    db.execute(f"insert into {queries.SERVICE_ROWS} {queries.service_rows_select(db.conn)}")
    db.execute("ANALYZE")
    db.close()


def write_document_numbers(database: Path, index: Path) -> None:
    """Record each service's Whoosh document number, and every point where an active service
    is, so a near search can hand Whoosh the services inside a bounding box as a set of
    document numbers to filter by."""
    db = sqlite_utils.Database(database)
    db["search_documents"].create({"docnum": int, "service_id": str}, pk="docnum",
                                  foreign_keys=[("service_id", "services", "id")])
    db["search_documents"].insert_all(
        ({"docnum": docnum, "service_id": service_id}
         for docnum, service_id in search.document_numbers(index)), batch_size=5000)
    db["search_documents"].create_index(["service_id", "docnum"], unique=True)
    # One row per (active service, located place): what a near search needs, which the site
    # reads whole once per build (``nearby.Points``).
    db.execute("""create table near_points as
                  select l.latitude, l.longitude, d.docnum from locations l
                  join service_at_location sl on sl.location_id = l.id
                  join search_documents d on d.service_id = sl.service_id
                  where l.latitude is not null and l.longitude is not null""")
    db.execute("ANALYZE")
    db.close()


def _link_rows(services, column: str, field: str):
    for service in services:
        for position, value in enumerate(dict.fromkeys(service.get(field) or [])):
            yield {"service_id": service["id"], column: value, "position": position}


def _location_row(location) -> dict:
    address = location["address"]
    return {"id": location["id"], "organization_id": location["organization_id"],
            "name": location.get("name"),
            **{key: address.get(key) for key in
               ("address_1", "address_2", "city", "state_province", "postal_code", "country")},
            "latitude": location.get("latitude"), "longitude": location.get("longitude"),
            "precision": location.get("precision"),
            "accessibility": location.get("accessibility", []),
            "transportation": location.get("transportation"),
            "description": location.get("description"), **_source(location)}


def _service_row(service) -> dict:
    verified = service.get("last_verified")
    return {
        "id": service["id"], "organization_id": service["organization_id"],
        "name": service["name"], "description": service.get("description"),
        "hours": service.get("hours"), "email": service.get("email"), "url": service.get("url"),
        "minimum_age": service.get("minimum_age"), "maximum_age": service.get("maximum_age"),
        "cost": service.get("cost"), "fees_description": service.get("fees_description"),
        "access": service.get("access"), "application_process": service.get("application_process"),
        "eligibility_description": service.get("eligibility_description"),
        "remote": service.get("remote", []),
        "last_verified": verified.isoformat() if verified else None,
        "status": service.get("status", "active"),
        "translations": service.get("translations") or {},
        **_source(service),
    }


def _phone_rows(catalogue: Catalogue):
    owners = [("organization_id", o) for o in catalogue.organizations] + \
             [("service_id", s) for s in catalogue.services]
    for owner_column, owner in owners:
        for position, phone in enumerate(owner.get("phones") or []):
            yield {owner_column: owner["id"], "position": position,
                   "type": phone.get("type", "voice"), "description": phone.get("description"),
                   "hours": phone.get("hours"), **phone["number"]}


def english(names) -> str | None:
    if not names:
        return None
    return names.get("en") or next(iter(names.values()))
