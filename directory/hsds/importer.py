"""``directory import hsds``: an HSDS source → organization files in a data folder.

read (``reader``) → join and clean (``assemble``) → give ids → write files → validate.

Ids: a record imported before keeps the id it was given (found through its ``source``); an
export of this directory gives back its own ids; anything else gets one made from its name,
never one in use by another file or listed in ``retired.yaml``. Files: one per organization,
written only when its text changes. The files of the same source system that this import no
longer holds are removed and their ids retired; files without ``source`` (written by hand)
and files of other systems are never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import ROOT
from ..data.validate import validate
from ..records.load import load_sources
from ..records.problems import Report
from . import assemble as assembling
from . import files, reader
from .notes import ImportReport
from .taxonomy_map import load_map

KINDS = ("organizations", "locations", "services")


class ImportFailure(Exception):
    """The import cannot start (no site settings to create a data folder with, bad map...)."""


@dataclass
class Settings:
    source: str
    into: Path
    taxonomy_map: Path | None = None
    include_all: bool = False
    fix_case: bool = False
    system: str = ""
    region: str = ""
    timezone: str = ""
    country: str = "US"
    today: dt.date | None = None
    delay: float = 0.5


@dataclass
class Outcome:
    report: ImportReport
    validation: Report = field(default_factory=Report)


def run(settings: Settings) -> Outcome:
    report = ImportReport(source=settings.source)
    into = settings.into
    (into / "organizations").mkdir(parents=True, exist_ok=True)
    _starter_files(settings)
    _import(settings, report)
    # The source's tables and the records are gone by now: validation reads the files afresh,
    # so the two never hold memory at the same time (50,000 services stay well under 1.5 GB).
    _, validation = validate(load_sources(into), settings.today)
    return Outcome(report=report, validation=validation)


def _import(settings: Settings, report: ImportReport) -> None:
    """Read, assemble and write: everything but the final validation."""
    into = settings.into
    site = _yaml(into / "site.yaml")
    taxonomy = _yaml(into / "taxonomy.yaml")
    options = assembling.Options(
        country=str(site.get("country") or settings.country).upper(),
        bounds=site.get("bounds") if isinstance(site.get("bounds"), dict) else None,
        fix_case=settings.fix_case, include_all=settings.include_all,
        taxonomy=load_map(settings.taxonomy_map),
        categories={c.get("id") for c in taxonomy.get("categories") or [] if isinstance(c, dict)},
        audiences={a.get("id") for a in taxonomy.get("audiences") or [] if isinstance(a, dict)},
        places=_place_names(into / "places.csv"))
    tables = reader.read_source(settings.source, report, system=settings.system,
                                delay=settings.delay)
    system = tables.system or "hsds"
    report.source = f"{settings.source} (system: {system})"
    imported = assembling.assemble(tables, options, report)
    del tables
    existing = _Existing.scan(into, system)
    organizations = _give_ids(imported.organizations, existing, system)
    _write(into, organizations, existing, system, report, settings.today or dt.date.today())
    if imported.new_categories:
        _add_categories(into / "taxonomy.yaml", imported.new_categories, report)


# --- the target folder -----------------------------------------------------------------


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster


def _yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _place_names(path: Path) -> dict[str, str]:
    """places.csv names (lowercase) → the name, for services' areas."""
    if not path.is_file():
        return {}

    names = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("name") or "").strip()
            if name:
                names[name.lower()] = name
    return names


SITE = """\
# Site settings written by `directory import hsds`; edit them (see the README's site.yaml).
name: {region} Community Directory
region: {region}
country: {country}
timezone: {timezone}
distance_unit: {unit}
languages: [en]
demo: false
stale_after_days: 365
crisis_lines:
  - name: 988 Suicide & Crisis Lifeline
    description: Call or text 988, any time of day or night. Free and confidential.
    phones: [{{number: "988", type: voice}}, {{number: "988", type: text}}]
  - name: Emergency services
    description: If you or someone else is in immediate danger, call 911.
    phones: [{{number: "911", type: voice}}]
"""


def _starter_files(settings: Settings) -> None:
    """A new data folder gets site.yaml (from --region/--timezone) and the project's taxonomy."""
    into = settings.into
    if not (into / "site.yaml").exists():
        if not settings.region or not settings.timezone:
            raise ImportFailure(f"{into} has no site.yaml: give --region and --timezone to create "
                               "one, or copy a site.yaml there first")
        if settings.country.upper() not in ("US", "CA"):
            raise ImportFailure(f"{into} has no site.yaml and its crisis lines for "
                               f"{settings.country} are not known here: write site.yaml first")
        (into / "site.yaml").write_text(SITE.format(
            region=settings.region, country=settings.country.upper(),
            timezone=settings.timezone, unit="mi"), encoding="utf-8")
    if not (into / "taxonomy.yaml").exists():
        (into / "taxonomy.yaml").write_text(
            (ROOT / "data" / "taxonomy.yaml").read_text(encoding="utf-8"), encoding="utf-8")


@dataclass
class _Existing:
    """What the data folder holds already: this system's files and every id in use."""

    ours: dict[Path, dict] = field(default_factory=dict)  # file → parsed organization
    ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, source id) → id
    taken: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    retired_file: Path | None = None

    @classmethod
    def scan(cls, into: Path, system: str) -> _Existing:
        found = cls(retired_file=into / "retired.yaml")
        for path in sorted((into / "organizations").glob("*.y*ml")):
            org = _yaml(path)
            source = org.get("source") if isinstance(org.get("source"), dict) else {}
            if str(source.get("system")) == system:
                found.ours[path] = org
                for kind, record in _records(org):
                    record_source = record.get("source") or {}
                    if isinstance(record_source, dict) and record_source.get("id") is not None:
                        found.ids[(kind, str(record_source["id"]))] = str(record.get("id"))
            else:
                for kind, record in _records(org):
                    found.taken[kind].add(str(record.get("id")))
                found.taken["organizations"].add(path.stem)  # the file name is taken too
        sheet = into / "services.csv"  # the spreadsheet's services and organizations
        if sheet.is_file():
            with sheet.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    found.taken["services"].add((row.get("id") or "").strip())
                    found.taken["organizations"].add((row.get("organization") or "").strip())
                    found.taken["locations"].add(f"{(row.get('id') or '').strip()}-location")
        retired = _yaml(found.retired_file)
        for kind in KINDS:
            for entry in retired.get(kind) or []:
                if isinstance(entry, dict) and entry.get("id"):
                    found.taken[kind].add(str(entry["id"]))
        return found


def _records(org: dict):
    yield "organizations", org
    for kind in ("locations", "services"):
        for record in org.get(kind) or []:
            if isinstance(record, dict):
                yield kind, record


# --- ids -------------------------------------------------------------------------------


def _give_ids(organizations: list[dict], existing: _Existing, system: str) -> list[dict]:
    used = {kind: set(existing.taken[kind]) for kind in KINDS}
    for org in organizations:
        org["id"] = _id("organizations", org, existing, used, prefix="")
        for kind in ("locations", "services"):
            for record in org[kind]:
                record["id"] = _id(kind, record, existing, used, prefix=org["id"])
    by_source = {}
    by_location = {location["source_id"]: location["id"]
                   for org in organizations for location in org["locations"]}
    for org in organizations:
        for service in org["services"]:
            service["at"] = [by_location[key] for key in service["at"] if key in by_location]
        for kind in ("locations", "services"):
            for record in org[kind]:
                record["source"] = {"system": system, "id": record["source_id"]}
            org[kind].sort(key=lambda record: record["id"])
        org["source"] = {"system": system, "id": org["source_id"]}
        by_source[org["id"]] = org
    return sorted(by_source.values(), key=lambda org: org["id"])


def _id(kind: str, record: dict, existing: _Existing, used: dict, prefix: str) -> str:
    earlier = existing.ids.get((kind, str(record["source_id"])))
    if earlier and earlier not in used[kind]:
        used[kind].add(earlier)
        return earlier
    hint = record.get("slug")
    if hint and re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", hint) and hint not in used[kind]:
        used[kind].add(hint)
        return hint
    name = record.get("name") or (record.get("address") or {}).get("address_1") or kind[:-1]
    base = slugify(name) or kind[:-1]
    candidates = [base] + ([f"{prefix}-{base}"] if prefix and not base.startswith(prefix)
                           else [])
    for candidate in candidates:
        if candidate not in used[kind]:
            used[kind].add(candidate)
            return candidate
    number = 2
    while f"{candidates[-1]}-{number}" in used[kind]:
        number += 1
    used[kind].add(f"{candidates[-1]}-{number}")
    return f"{candidates[-1]}-{number}"


def slugify(text: str, limit: int = 60) -> str:
    """``St. Mary's Drop-In (Uptown)`` → ``st-marys-drop-in-uptown``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    return slug[:limit].rstrip("-")


# --- files -----------------------------------------------------------------------------


def _write(into: Path, organizations: list[dict], existing: _Existing, system: str,
           report: ImportReport, today: dt.date) -> None:
    written = {"added": [], "changed": [], "unchanged": [], "removed": []}
    kept_ids = {kind: set() for kind in KINDS}
    for org in organizations:
        path = into / "organizations" / f"{org['id']}.yaml"
        text = files.render(org, system)
        for kind, record in _records(org):
            kept_ids[kind].add(record["id"])
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            written["unchanged"].append(_rel(path, into))
            continue
        path.write_text(text, encoding="utf-8")
        written["changed" if old is not None else "added"].append(_rel(path, into))
    gone = {kind: [] for kind in KINDS}
    for path, org in existing.ours.items():
        for kind, record in _records(org):
            if str(record.get("id")) not in kept_ids[kind]:
                gone[kind].append(str(record.get("id")))
        if path.stem not in kept_ids["organizations"] and path.exists():
            path.unlink()
            written["removed"].append(_rel(path, into))
    report.files = written
    report.written = {kind: sum(1 for org in organizations for k, _ in _records(org) if k == kind)
                      for kind in KINDS}
    if any(gone.values()):
        _retire(existing.retired_file, gone, system, today)
        report.retired = [f"{kind[:-1]} {key}" for kind in KINDS for key in gone[kind]]


def _rel(path: Path, into: Path) -> str:
    return path.relative_to(into).as_posix()


def _retire(path: Path, gone: dict, system: str, today: dt.date) -> None:
    """Add ids that disappeared from the source to retired.yaml, keeping its comments."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    comments = "".join(line for line in text.splitlines(keepends=True)
                       if line.startswith("#")) if text else \
        "# Ids that were used once and must never be used again (see the README).\n"
    data = _yaml(path) if text else {}
    for kind in KINDS:
        entries = [entry for entry in data.get(kind) or [] if isinstance(entry, dict)]
        listed = {str(entry.get("id")) for entry in entries}
        for key in gone[kind]:
            if key not in listed:
                entries.append({"id": key, "retired": today,
                                "reason": f"No longer in the {system} export"})
        data[kind] = entries
    body = yaml.safe_dump({kind: data.get(kind) or [] for kind in KINDS} |
                          {k: v for k, v in data.items() if k not in KINDS},
                          sort_keys=False, allow_unicode=True, width=100)
    path.write_text(comments + body, encoding="utf-8")


def _add_categories(path: Path, categories: dict[str, str], report: ImportReport) -> None:
    """With --all: the source's own terms become categories, added before ``audiences:``."""
    text = path.read_text(encoding="utf-8")
    known = set(re.findall(r"^\s*- id: ([a-z0-9-]+)", text, re.M))
    new = [(key, name) for key, name in sorted(categories.items()) if key not in known]
    if not new:
        return
    block = "  # Added by `directory import hsds --all` from the source's own terms.\n" + "".join(
        f"  - id: {key}\n    name: {{en: {json.dumps(name, ensure_ascii=False)}}}\n"
        for key, name in new)
    if not block.endswith("\n"):
        block += "\n"
    match = re.search(r"^audiences:", text, re.M)
    text = text[:match.start()] + block + text[match.start():] if match else \
        text.rstrip("\n") + "\n" + block
    path.write_text(text, encoding="utf-8")
    for key, name in new:
        report.note("category-created", "taxonomy.yaml", 0, "categories",
                    f'"{key}" ({name}) added from the source\'s terms (--all)')
