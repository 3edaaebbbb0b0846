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

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..data.validate import validate
from ..records.load import load_sources
from ..records.problems import Report
from . import assemble as assembling
from . import files, reader, target
from .notes import ImportReport
from .taxonomy_map import load_map


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
    target.starter_files(settings)
    _import(settings, report)
    # The source's tables and the records are gone by now: validation reads the files afresh,
    # so the two never hold memory at the same time (50,000 services stay well under 1.5 GB).
    _, validation = validate(load_sources(into), settings.today)
    return Outcome(report=report, validation=validation)


def _import(settings: Settings, report: ImportReport) -> None:
    """Read, assemble and write: everything but the final validation."""
    into = settings.into
    site = target.read_yaml(into / "site.yaml")
    taxonomy = target.read_yaml(into / "taxonomy.yaml")
    options = assembling.Options(
        country=str(site.get("country") or settings.country).upper(),
        bounds=site.get("bounds") if isinstance(site.get("bounds"), dict) else None,
        fix_case=settings.fix_case, include_all=settings.include_all,
        taxonomy=load_map(settings.taxonomy_map),
        categories={c.get("id") for c in taxonomy.get("categories") or [] if isinstance(c, dict)},
        audiences={a.get("id") for a in taxonomy.get("audiences") or [] if isinstance(a, dict)},
        places=target.place_names(into / "places.csv"))
    tables = reader.read_source(settings.source, report, system=settings.system,
                                delay=settings.delay)
    system = tables.system or "hsds"
    report.source = f"{settings.source} (system: {system})"
    imported = assembling.assemble(tables, options, report)
    del tables
    existing = target.Existing.scan(into, system)
    organizations = _give_ids(imported.organizations, existing, system)
    _write(into, organizations, existing, system, report, settings.today or dt.date.today())
    if imported.new_categories:
        target.add_categories(into / "taxonomy.yaml", imported.new_categories, report)


# --- the target folder -----------------------------------------------------------------


# --- ids -------------------------------------------------------------------------------


def _give_ids(organizations: list[dict], existing: target.Existing, system: str) -> list[dict]:
    used = {kind: set(existing.taken[kind]) for kind in target.KINDS}
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


def _id(kind: str, record: dict, existing: target.Existing, used: dict, prefix: str) -> str:
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


def _write(into: Path, organizations: list[dict], existing: target.Existing, system: str,
           report: ImportReport, today: dt.date) -> None:
    written = {"added": [], "changed": [], "unchanged": [], "removed": []}
    kept_ids = {kind: set() for kind in target.KINDS}
    for org in organizations:
        path = into / "organizations" / f"{org['id']}.yaml"
        text = files.render(org, system)
        for kind, record in target.records(org):
            kept_ids[kind].add(record["id"])
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            written["unchanged"].append(_rel(path, into))
            continue
        path.write_text(text, encoding="utf-8")
        written["changed" if old is not None else "added"].append(_rel(path, into))
    gone = {kind: [] for kind in target.KINDS}
    for path, org in existing.ours.items():
        for kind, record in target.records(org):
            if str(record.get("id")) not in kept_ids[kind]:
                gone[kind].append(str(record.get("id")))
        if path.stem not in kept_ids["organizations"] and path.exists():
            path.unlink()
            written["removed"].append(_rel(path, into))
    report.files = written
    report.written = {kind: sum(1 for org in organizations
                                for k, _ in target.records(org) if k == kind)
                      for kind in target.KINDS}
    if any(gone.values()):
        target.retire(existing.retired_file, gone, system, today)
        report.retired = [f"{kind[:-1]} {key}" for kind in target.KINDS for key in gone[kind]]


def _rel(path: Path, into: Path) -> str:
    return path.relative_to(into).as_posix()


