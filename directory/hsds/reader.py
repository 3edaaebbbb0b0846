"""Read an HSDS source into ``Tables``: a tabular data package (3.0 or 1.x; a folder or a zip),
a JSON file of 3.0 services, or the base URL of a 3.0 API.

The version of a data package is read from ``datapackage.json`` (its ``version``, or the
HSDS profile it names) and, failing that, from its file names: ``physical_addresses.csv``,
``regular_schedules.csv`` or ``services_taxonomy.csv`` only exist in 1.x. 1.x files are
turned into the 3.0 tables as they are read (``regular_schedules`` rows become weekly
``schedules`` rows, ``holiday_schedules`` dated ones, ``services_taxonomy`` + ``taxonomy``
become ``service_terms`` + ``taxonomy_terms``), so everything after this module knows one shape.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from . import nested, paging
from .notes import ImportReport
from .tables import Row, SourceError, Tables

__all__ = ["SourceError", "read_source", "detect_version"]

# File name → (table, how to turn a row of it into that table's shape).
_SAME = None
V3_FILES = {
    "organizations.csv": ("organizations", _SAME),
    "services.csv": ("services", _SAME),
    "locations.csv": ("locations", _SAME),
    "addresses.csv": ("addresses", _SAME),
    "phones.csv": ("phones", _SAME),
    "schedules.csv": ("schedules", _SAME),
    "service_at_location.csv": ("service_at_location", _SAME),
    "service_at_locations.csv": ("service_at_location", _SAME),
    "languages.csv": ("languages", _SAME),
    "accessibility.csv": ("accessibility", _SAME),
    "contacts.csv": ("contacts", _SAME),
    "taxonomy_terms.csv": ("taxonomy_terms", _SAME),
    "attributes.csv": ("service_terms", "attribute"),
    "organization_identifiers.csv": ("organization_identifiers", _SAME),
    "service_areas.csv": ("service_areas", _SAME),
}
V1_FILES = {
    "organizations.csv": ("organizations", _SAME),
    "services.csv": ("services", _SAME),
    "locations.csv": ("locations", _SAME),
    "physical_addresses.csv": ("addresses", _SAME),
    "phones.csv": ("phones", _SAME),
    "regular_schedules.csv": ("schedules", "regular"),
    "holiday_schedules.csv": ("schedules", "holiday"),
    "services_at_location.csv": ("service_at_location", _SAME),
    "service_at_location.csv": ("service_at_location", _SAME),
    "languages.csv": ("languages", "language_1x"),
    "accessibility_for_disabilities.csv": ("accessibility", "accessibility_1x"),
    "contacts.csv": ("contacts", _SAME),
    "taxonomy.csv": ("taxonomy_terms", "taxonomy_1x"),
    "services_taxonomy.csv": ("service_terms", "service_taxonomy_1x"),
    "eligibility.csv": ("eligibility", _SAME),
    "service_area.csv": ("service_areas", _SAME),
}
V1_ONLY = {"physical_addresses.csv", "regular_schedules.csv", "holiday_schedules.csv",
           "services_taxonomy.csv", "services_at_location.csv",
           "accessibility_for_disabilities.csv", "taxonomy.csv"}


def read_source(source: str, report: ImportReport, *, system: str = "",
                delay: float = 0.5) -> Tables:
    """Read any supported HSDS source; ``system`` names it in each record's ``source``."""
    if re.match(r"^https?://", source):
        tables = paging.read_api(source, report, delay=delay)
        tables.system = system or paging.system_name(source)
        return tables
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{source} does not exist (give a folder, a .zip, a .json file or an "
                          "http(s):// API address)")
    if path.is_file() and path.suffix.lower() == ".json":
        tables = nested.read_json_file(path, report)
        tables.system = system or _slug(path.stem)
        return tables
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            files = {Path(name).name: name for name in archive.namelist()
                     if not name.endswith("/")}
            tables = _read_package(files, lambda name: archive.read(files[name]), report)
    elif path.is_dir():
        files = {child.name: child for child in path.iterdir() if child.is_file()}
        tables = _read_package(files, lambda name: files[name].read_bytes(), report)
    else:
        raise SourceError(f"{source} is not a folder, a .zip or a .json file of HSDS data")
    tables.system = system or tables.system or _slug(path.stem if path.is_file() else path.name)
    return tables


def _read_package(files: dict, read_bytes, report: ImportReport) -> Tables:
    package = {}
    if "datapackage.json" in files:
        try:
            package = json.loads(read_bytes("datapackage.json") or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            report.note("unreadable", "datapackage.json", 0, "",
                        f"is not valid JSON ({error}); file names decide the version")
    package = package if isinstance(package, dict) else {}
    version = detect_version(package, set(files))
    if version is None:
        raise SourceError("no HSDS files found (expected organizations.csv, services.csv ...); "
                          "is this an HSDS tabular data package?")
    known = V1_FILES if version == "1.x" else V3_FILES
    tables = Tables(version=version, system=_slug(str(package.get("name") or "")))
    report.version = version
    for resource in package.get("resources") or []:
        wanted = Path(str(resource.get("path") or "")).name if isinstance(resource, dict) else ""
        if wanted and wanted not in files:
            report.note("missing-file", wanted, 0, "",
                        "is listed in datapackage.json but missing; imported without it")
    for name in sorted(files):
        if name not in known:
            continue
        table, shape = known[name]
        for row in _csv_rows(name, read_bytes(name), report):
            converted = _convert(shape, row)
            if converted is not None:
                tables.add(table, converted)
    return tables


# Every column name of the HSDS 3.0 and 1.x tables (and this directory's own directory_id):
# anything else in a file is said once, since its values are not imported.
KNOWN_COLUMNS = set("""
id name alternate_name description email website url tax_status tax_id year_incorporated
legal_status logo uri parent_organization_id organization_id program_id status
interpretation_services application_process fees_description wait_time fees accreditations
eligibility_description minimum_age maximum_age assured_date assurer_email licenses alert
last_modified link_id taxonomy_term_id link_type link_entity value service_id location_id
location_type transportation latitude longitude external_identifier external_identifier_type
contact_id service_at_location_id number extension type title department attention address_1
address_2 city region state_province postal_code country address_type valid_from valid_to
dtstart timezone until count wkst freq interval byday byweekno bymonthday byyearday opens_at
closes_at schedule_link attending_type notes source extent extent_type document phone_id code
note details parent_id taxonomy language taxonomy_id term_uri resource_id resource_type
last_action_date last_action_type field_name previous_value replacement_value updated_by
character_set option currency amount amount_description identifier_scheme identifier_type
identifier version weekday closed start_date end_date vocabulary parent_name taxonomy_detail
accessibility eligibility phone_number hours directory_id slug
""".split())


def detect_version(package: dict, names: set[str]) -> str | None:
    """``"3.0"`` or ``"1.x"`` from datapackage.json and the file names; None if not HSDS."""
    declared = " ".join(str(package.get(key) or "") for key in ("version", "profile", "name"))
    if re.search(r"\b1\.\d", declared) or names & V1_ONLY:
        return "1.x"
    if re.search(r"\b3\.\d", declared) or names & set(V3_FILES):
        return "3.0"
    return None


def _csv_rows(name: str, data: bytes, report: ImportReport) -> Iterator[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older systems export Windows-1252; reading it beats refusing the whole file.
        text = data.decode("cp1252", errors="replace")
        report.note("text-cleaned", name, 0, "", "is not UTF-8; read as Windows-1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        for column in header:
            if column and column not in KNOWN_COLUMNS:
                report.note("extra-column", name, 1, column,
                            "is not an HSDS column; its values are not imported")
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            report.rows_read[name] += 1
            if len(values) > len(header) and any(value.strip() for value in values[len(header):]):
                report.note("value-dropped", name, start, "",
                            f"has {len(values)} cells but the header has {len(header)} "
                            "columns; the cells past the last column are not imported")
            yield Row(zip(header, values, strict=False), file=name, row=start)
    except csv.Error as error:
        report.note("unreadable", name, reader.line_num, "",
                    f"is not valid CSV from here on ({error}); the rows before are imported")


def _convert(shape: str | None, row: Row) -> Row | None:
    if shape is None:
        return row
    out = Row(file=row.file, row=row.row)
    if shape == "attribute":
        if row.text("link_entity").lower() not in ("", "service"):
            return None  # attributes of locations or organizations carry no category
        out.update(service_id=row.text("link_id"), term_id=row.text("taxonomy_term_id"),
                   id=row.text("id"))
    elif shape == "service_taxonomy_1x":
        out.update(service_id=row.text("service_id"), term_id=row.text("taxonomy_id"),
                   id=row.text("id"))
    elif shape == "taxonomy_1x":
        out.update(id=row.text("id"), code=row.text("code") or row.text("id"),
                   name=row.text("name"), parent_id=row.text("parent_id"),
                   taxonomy=row.text("vocabulary"))
    elif shape == "regular":
        out.update({key: row.get(key) for key in
                    ("id", "service_id", "location_id", "service_at_location_id", "weekday",
                     "opens_at", "closes_at", "description")})
        out["freq"] = "WEEKLY"
    elif shape == "holiday":
        out.update({key: row.get(key) for key in
                    ("id", "service_id", "location_id", "service_at_location_id", "opens_at",
                     "closes_at", "closed")})
        out.update(valid_from=row.get("start_date"), valid_to=row.get("end_date") or
                   row.get("start_date"), dated=True)
    elif shape == "language_1x":
        out.update(id=row.text("id"), service_id=row.text("service_id"),
                   location_id=row.text("location_id"), name=row.text("language"))
    elif shape == "accessibility_1x":
        out.update(id=row.text("id"), location_id=row.text("location_id"),
                   description=row.text("accessibility"), details=row.text("details"))
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
