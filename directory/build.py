"""Write a validated catalogue into a new, immutable build folder and switch ``current`` to it.

A build folder holds ``directory.db`` (SQLite, written with sqlite-utils), ``index/`` (Whoosh)
and ``manifest.json`` (site settings, counts, data fingerprint). It is written under a
temporary name and renamed into place; ``current`` is a symlink replaced in one atomic
rename, so a failed or killed build never touches what is being served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlite_utils

from . import facets, schedules, search, spelling
from .validate import Catalogue

MANIFEST = "manifest.json"
DATABASE = "directory.db"
INDEX = "index"
KEEP_BUILDS = 3
# Raise when the tables a build holds change, so `build --if-changed` rebuilds data that did
# not change for code that needs the new tables. 2: schedules, filter masks (hours, filters);
# places, near_points, search_documents (near search). 3: both of those together.
FORMAT = 3


class BuildError(Exception):
    """The build could not be written; the current build is untouched."""


def fingerprint(files: list[Path], root: Path) -> str:
    """A hash of every data file's name and content, and of the build's format: equal
    fingerprints, equal builds."""
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def current_path(instance: Path) -> Path:
    return instance / "current"


def current_manifest(instance: Path) -> dict | None:
    try:
        return json.loads((current_path(instance) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def write_build(catalogue: Catalogue, instance: Path, data_fingerprint: str,
                on_stage=lambda stage: None) -> Path:
    """Write the catalogue as a new build folder, switch ``current`` to it, prune old ones."""
    builds = instance / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")  # sorts in build order
    work = Path(tempfile.mkdtemp(prefix=f".{stamp}-", dir=builds))
    final = builds / work.name[1:]
    try:
        on_stage("write database and index")
        # Side by side: the database in a thread while Whoosh's processes index.
        with ThreadPoolExecutor(max_workers=1) as pool:
            database = pool.submit(write_database, catalogue, work / DATABASE)
            search.write_index(work / INDEX, index_documents(catalogue))
            database.result()
        facets.write_facets(work / DATABASE, work / INDEX)  # needs the index's document numbers
        write_document_numbers(work / DATABASE, work / INDEX)
        manifest = {
            "id": final.name,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "fingerprint": data_fingerprint,
            "counts": catalogue.counts(),
            # The geocoder's options may hold an API key; nothing served needs them.
            "site": {key: value for key, value in catalogue.site.items() if key != "geocoder"},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    switch_current(instance, final)
    prune(builds, keep=KEEP_BUILDS, current=final)
    return final


def switch_current(instance: Path, build: Path) -> None:
    """Point ``current`` at the build in one rename: readers see the old or the new, never half."""
    link = instance / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build.relative_to(instance))
    os.replace(link, current_path(instance))


def prune(builds: Path, *, keep: int, current: Path) -> None:
    """Remove all but the newest ``keep`` builds, and leftovers of killed builds."""
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in finished[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in builds.glob(".*"):
        # A temporary folder older than an hour belongs to a build that was killed.
        if leftover.stat().st_mtime < dt.datetime.now().timestamp() - 3600:
            shutil.rmtree(leftover, ignore_errors=True)


# --- the database ----------------------------------------------------------------------


def _source(record) -> dict:
    # The path inside the repository (see checks), so the site's edit links are right.
    return {"source_file": getattr(record, "repository_path", record.file),
            "source_line": record.line}


# Every table is created explicitly, so an empty data set still has the full schema.
TABLES = {
    "categories": ({"id": str, "parent_id": str, "name": str, "names": str, "description": str,
                    "synonyms": str, "position": int}, "id", [("parent_id", "categories", "id")]),
    "audiences": ({"id": str, "name": str, "names": str, "position": int}, "id", []),
    "organizations": ({"id": str, "name": str, "alternate_name": str, "description": str,
                       "url": str, "email": str, "source_file": str, "source_line": int}, "id", []),
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
                  "last_verified": str, "status": str, "source_file": str, "source_line": int},
                 "id", [("organization_id", "organizations", "id")]),
    "phones": ({"id": int, "service_id": str, "organization_id": str, "position": int,
                "type": str, "number": str, "e164": str, "display": str, "description": str,
                "hours": str},
               "id", [("service_id", "services", "id"),
                      ("organization_id", "organizations", "id")]),
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
           ("phones", ["service_id"]), ("phones", ["organization_id"]),
           ("categories", ["parent_id"])]


def write_database(catalogue: Catalogue, path: Path) -> None:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = OFF")  # written once, then only read
    for table, (columns, pk, foreign_keys) in TABLES.items():
        db[table].create(columns, pk=pk, foreign_keys=foreign_keys)
    indexes = list(INDEXES)
    for table, (column, other, _) in LINKS.items():
        db[table].create({"service_id": str, column: str, "position": int},
                         pk=("service_id", column),
                         foreign_keys=[("service_id", "services", "id")]
                         + ([(column, other, "id")] if other else []))
        indexes.append((table, [column, "service_id"]))
    rows = {
        "categories": ({"id": c["id"], "parent_id": c.get("parent"),
                        "name": _english(c["name"]), "names": c["name"],
                        "description": _english(c.get("description")),
                        "synonyms": c.get("synonyms", []), "position": i}
                       for i, c in enumerate(catalogue.categories)),
        "audiences": ({"id": a["id"], "name": _english(a["name"]), "names": a["name"],
                       "position": i} for i, a in enumerate(catalogue.audiences)),
        "organizations": ({"id": o["id"], "name": o["name"],
                           "alternate_name": o.get("alternate_name"),
                           "description": o.get("description"), "url": o.get("url"),
                           "email": o.get("email"), **_source(o)}
                          for o in catalogue.organizations),
        "locations": (_location_row(loc) for loc in catalogue.locations),
        "services": (_service_row(s) for s in catalogue.services),
        "phones": _phone_rows(catalogue),
        "places": ({"id": i, "name": p.name, "kind": p.kind, "latitude": p.latitude,
                    "longitude": p.longitude, "aliases": list(p.aliases)}
                   for i, p in enumerate(catalogue.places, 1)),
    }
    for table, (column, _, field) in LINKS.items():
        rows[table] = _link_rows(catalogue.services, column, field)
    for table, generator in rows.items():
        db[table].insert_all(generator, batch_size=1000)
    schedules.write_schedules(db, catalogue)
    spelling.write_vocabulary(db, catalogue)
    for table, columns in indexes:
        db[table].create_index(columns, if_not_exists=True)
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


def _english(names) -> str | None:
    if not names:
        return None
    return names.get("en") or next(iter(names.values()))


# --- the index -------------------------------------------------------------------------


def index_documents(catalogue: Catalogue):
    """One Whoosh document per active service, with category words and ancestors folded in."""
    categories = {c["id"]: c for c in catalogue.categories}
    audiences = {a["id"]: _english(a["name"]) for a in catalogue.audiences}
    organizations = {o["id"]: o for o in catalogue.organizations}

    def lineage(category_id):
        while category_id in categories:
            yield categories[category_id]
            category_id = categories[category_id].get("parent")

    for service in catalogue.services:
        if service.get("status", "active") != "active":
            continue
        chain = [c for cid in service.get("categories", []) for c in lineage(cid)]
        topics = " ".join(
            " ".join([*c["name"].values(), *c.get("synonyms", [])]) for c in chain)
        org = organizations.get(service["organization_id"], {})
        words = [service.get(key) or "" for key in
                 ("description", "eligibility_description", "application_process")]
        words += [audiences.get(a, "") for a in service.get("audience", [])]
        yield {
            "id": service["id"],
            "name": service["name"],
            "topics": topics,
            "organization": " ".join(filter(None, [org.get("name"), org.get("alternate_name")])),
            "description": " ".join(words),
            "category": ",".join(dict.fromkeys(c["id"] for c in chain)),
            "sort_name": service["name"].casefold(),
        }
