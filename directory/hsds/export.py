"""Write a build as Open Referral HSDS 3.0 files: the tabular data package and the JSON form.

- ``write_datapackage``: one CSV per HSDS table this directory fills, named as the 3.0
  ``datapackage.json`` names them, and a ``datapackage.json`` listing only those files (the
  official descriptors, kept in ``hsds-3.0-datapackage.json``, plus our ``directory_id``).
- ``write_json``: an array of fully nested services, as ``compiled/service_package.json``.
- ``write_build_export``: both, as ``hsds/hsds.zip`` and ``hsds/services.json`` in a build
  folder, for the site to serve for download.

Services are read and written a chunk at a time, so memory stays flat however big the build.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import orjson

from ..search import queries
from . import rows as bulk
from .source import Source

OFFICIAL = Path(__file__).with_name("hsds-3.0-datapackage.json")
FOLDER = "hsds"  # inside a build folder
ZIP_NAME = "hsds.zip"
JSON_NAME = "services.json"
FORMATS = ("datapackage", "json")
CHUNK = 500
# Nested arrays → the table their items go to. Objects nested for reading (a service's
# organization, a term inside an attribute, a service_at_location's location) are written
# where they belong instead.
ARRAYS = {
    "phones": "phone", "schedules": "schedule", "service_areas": "service_area",
    "service_at_locations": "service_at_location", "languages": "language",
    "cost_options": "cost_option", "attributes": "attribute", "addresses": "address",
    "accessibility": "accessibility", "locations": "location",
    "organization_identifiers": "organization_identifier",
}
WRITTEN = ("organization", "organization_identifier", "service", "location", "address",
           "accessibility", "phone", "schedule", "language", "service_at_location",
           "service_area", "cost_option", "taxonomy", "taxonomy_term", "attribute")
SLUG_FIELD = {"name": "directory_id", "type": "string", "title": "Directory id",
              "description": "This directory's own stable id (slug) of the service, as in its "
                             "data files and its URLs (/services/<id>). An extension.",
              "constraints": {"required": False, "unique": True}}


def descriptor() -> dict:
    """``datapackage.json`` for the tables written: the official resources, minus foreign
    keys to tables this directory does not fill, plus ``directory_id`` on services."""
    official = json.loads(OFFICIAL.read_text())
    package = {key: value for key, value in official.items() if key != "resources"}
    package["resources"] = []
    for resource in official["resources"]:
        if resource["name"] not in WRITTEN:
            continue
        resource = copy.deepcopy(resource)
        schema = resource["schema"]
        schema["foreignKeys"] = [key for key in schema.get("foreignKeys", [])
                                 if key["reference"]["resource"] in WRITTEN]
        if resource["name"] == "service":
            schema["fields"].append(SLUG_FIELD)
        package["resources"].append(resource)
    return package


def _columns(package: dict) -> dict[str, tuple[str, list[str]]]:
    return {r["name"]: (r["path"], [f["name"] for f in r["schema"]["fields"]])
            for r in package["resources"]}


def _flatten(obj: dict, table: str) -> list[tuple[str, dict]]:
    """(table, row) of an object and of every object in its nested arrays, depth first in
    the order of ``ARRAYS``. The object itself is the row: a table's columns never name a
    nested array or object."""
    out: list[tuple[str, dict]] = []
    _walk(obj, table, out)
    return out


def _walk(obj: dict, table: str, out: list) -> None:
    out.append((table, obj))
    # The mapping makes every object of a table with the same keys: which of them are
    # nested arrays is worked out once per shape, not looked up in each of ~700,000 objects.
    shape = tuple(obj)
    arrays = _ARRAYS_OF.get(shape)
    if arrays is None:
        arrays = _ARRAYS_OF[shape] = tuple((key, child) for key, child in ARRAYS.items()
                                           if key in obj)
    for key, child_table in arrays:
        items = obj[key]
        if items:
            for item in items:
                _walk(item, child_table, out)


_ARRAYS_OF: dict[tuple, tuple[tuple[str, str], ...]] = {}


def _fixed_tables(source: Source):
    """(table, row) of the taxonomy, then of the organizations with their locations."""
    mapper, db = source.mapper, source.db
    yield "taxonomy", mapper.taxonomy.hsds
    for term in mapper.taxonomy.terms.values():
        yield "taxonomy_term", term.hsds
    org_ids = queries.all_organization_ids(db)
    for start in range(0, len(org_ids), CHUNK):
        chunk = org_ids[start:start + CHUNK]
        orgs = bulk.organizations(db, chunk)
        locations = bulk.organization_locations(db, chunk)
        for org in orgs.values():
            mapped = mapper.organization(org, locations[org["id"]], [])
            yield from _flatten(mapped, "organization")


def _all_services(source: Source, ids: list[str] | None = None):
    """Every service (or those of ``ids``, in their order), fully nested, a chunk at a time."""
    ids = queries.all_service_ids(source.db) if ids is None else ids
    for start in range(0, len(ids), CHUNK):
        yield from source.services(ids[start:start + CHUNK])


class _Tables:
    """The data package's CSV writers, one per table, headers written."""

    def __init__(self, folder: Path, header: bool = True):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.package = descriptor()
        self.columns = _columns(self.package)
        self.files = {table: (folder / path).open("w", newline="", encoding="utf-8")
                      for table, (path, _) in self.columns.items()}
        self.writers = {table: csv.writer(handle) for table, handle in self.files.items()}
        if header:  # a later part of a split export (``write_part``) has none
            for table, (_, names) in self.columns.items():
                self.writers[table].writerow(names)

    def write(self, rows) -> None:
        # The csv module writes None as an empty cell; the mapping has no booleans.
        writers, columns = self.writers, self.columns
        for table, row in rows:
            writers[table].writerow(list(map(row.get, columns[table][1])))

    def close(self) -> list[Path]:
        for handle in self.files.values():
            handle.close()
        (self.folder / "datapackage.json").write_text(json.dumps(self.package, indent=2) + "\n")
        return [self.folder / "datapackage.json",
                *(self.folder / path for path, _ in self.columns.values())]


def write_both(source: Source, folder: Path | None, out=None) -> tuple[list[Path], int]:
    """One pass over the services for the data package (into ``folder``) and the JSON form
    (to the text stream ``out``), either or both; returns (files written, services)."""
    files, count = write_part(source, folder, out)
    if out is not None:
        out.write("\n]\n")
    return files, count


def write_part(source: Source, folder: Path | None, out=None, ids: list[str] | None = None,
               first: bool = True) -> tuple[list[Path], int]:
    """``write_both`` for the services of ``ids`` (default: all), without the JSON array's
    end. A ``first`` part starts the array and the tables (headers, taxonomy,
    organizations); a later one holds services only, each after a comma, so the parts'
    files, joined in order and ended with ``]``, are ``write_both``'s exactly."""
    tables = _Tables(folder, header=first) if folder is not None else None
    count = 0
    try:
        if tables and first:
            tables.write(_fixed_tables(source))
        if out is not None and first:
            out.write("[")
        for service in _all_services(source, ids):
            if out is not None:
                out.write(",\n" if count or not first else "\n")
                # orjson: the same JSON as the json module's, written ~4.5 times faster.
                out.write(orjson.dumps(service).decode())
            if tables:
                # Nested objects are not flattened: locations were written with their
                # organization, terms with the taxonomy.
                tables.write(_flatten(service, "service"))
            count += 1
    finally:
        files = tables.close() if tables else []
    return files, count


def write_datapackage(source: Source, folder: Path) -> list[Path]:
    """Write the CSVs and ``datapackage.json`` into ``folder``; return the files written."""
    return write_both(source, folder)[0]


def write_json(source: Source, out) -> int:
    """Write every service, fully nested, as one JSON array to a text stream; return how many."""
    return write_both(source, None, out)[1]


def zip_files(files: list[Path], path: Path) -> None:
    """The data package's files as one zip archive."""
    # The fastest deflate level: the CSVs still shrink to about a fifth.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=1) as archive:
        for file in files:
            archive.write(file, file.name)


def write_build_export(build_folder: Path, source: Source) -> None:
    """``hsds/hsds.zip`` and ``hsds/services.json`` inside a build folder being written, in
    one pass over the services."""
    folder = build_folder / FOLDER
    folder.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".datapackage-", dir=folder))
    try:
        with (folder / JSON_NAME).open("w", encoding="utf-8") as out:
            files, _ = write_both(source, work, out)
        zip_files(files, folder / ZIP_NAME)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def json_text(source: Source) -> str:
    """The JSON form as one string (small builds and tests)."""
    buffer = io.StringIO()
    write_json(source, buffer)
    return buffer.getvalue()
