"""The data folder an import writes into: what it holds already (this system's files, every
id in use), the starter files of a new folder, and the two shared files an import adds to:
``retired.yaml`` (ids that disappeared) and ``taxonomy.yaml`` (categories made with --all).
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
from .notes import ImportReport

KINDS = ("organizations", "locations", "services")


class ImportFailure(Exception):
    """The import cannot start (no site settings to create a data folder with, bad map...)."""


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster


def read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def place_names(path: Path) -> dict[str, str]:
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


def starter_files(settings) -> None:
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
class Existing:
    """What the data folder holds already: this system's files and every id in use."""

    ours: dict[Path, dict] = field(default_factory=dict)  # file → parsed organization
    ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, source id) → id
    taken: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    retired_file: Path | None = None

    @classmethod
    def scan(cls, into: Path, system: str) -> Existing:
        found = cls(retired_file=into / "retired.yaml")
        for path in sorted((into / "organizations").glob("*.y*ml")):
            org = read_yaml(path)
            source = org.get("source") if isinstance(org.get("source"), dict) else {}
            if str(source.get("system")) == system:
                found.ours[path] = org
                for kind, record in records(org):
                    record_source = record.get("source") or {}
                    if isinstance(record_source, dict) and record_source.get("id") is not None:
                        found.ids[(kind, str(record_source["id"]))] = str(record.get("id"))
            else:
                for kind, record in records(org):
                    found.taken[kind].add(str(record.get("id")))
                found.taken["organizations"].add(path.stem)  # the file name is taken too
        sheet = into / "services.csv"  # the spreadsheet's services and organizations
        if sheet.is_file():
            with sheet.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    found.taken["services"].add((row.get("id") or "").strip())
                    found.taken["organizations"].add((row.get("organization") or "").strip())
                    found.taken["locations"].add(f"{(row.get('id') or '').strip()}-location")
        retired = read_yaml(found.retired_file)
        for kind in KINDS:
            for entry in retired.get(kind) or []:
                if isinstance(entry, dict) and entry.get("id"):
                    found.taken[kind].add(str(entry["id"]))
        return found


def records(org: dict):
    yield "organizations", org
    for kind in ("locations", "services"):
        for record in org.get(kind) or []:
            if isinstance(record, dict):
                yield kind, record


def retire(path: Path, gone: dict, system: str, today: dt.date) -> None:
    """Add ids that disappeared from the source to retired.yaml, keeping its comments."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    comments = "".join(line for line in text.splitlines(keepends=True)
                       if line.startswith("#")) if text else \
        "# Ids that were used once and must never be used again (see the README).\n"
    data = read_yaml(path) if text else {}
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


def add_categories(path: Path, categories: dict[str, str], report: ImportReport) -> None:
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
