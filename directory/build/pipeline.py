"""The whole build in order: load → validate → geocode → write build → switch. Used by the CLI
and tests.

Geocoding asks the network only when a geocoder is passed in; without one (the default,
``directory build --offline`` and every test) only ``data/geocodes.csv`` is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..data.catalogue import Catalogue
from ..data.validate import validate
from ..records.load import Sources, load_sources
from ..records.problems import Report
from . import collector, geocode, layout, loading
from .write import write_build


@dataclass
class Outcome:
    report: Report
    catalogue: Catalogue
    build: Path | None = None  # the new build, None when nothing was written
    unchanged: bool = False  # the current build already holds exactly this data
    geocoding: geocode.Summary | None = None


STAGES = ("load", "validate", "geocode", "write database and index",
          "write the Open Referral export")


def _no_progress(stage: str) -> None:
    pass


def check(data_dir: Path, today: dt.date | None = None,
          on_stage: Callable[[str], None] = _no_progress) -> tuple[Catalogue, Report, str]:
    """Load and validate a data folder; also return its fingerprint.

    ``on_stage`` is told when each of ``STAGES`` starts (for progress bars).
    """
    with collector.paused():  # millions of records that live until the end (collector)
        on_stage("load")
        sources = load_sources(data_dir, loading.read_organizations)
        on_stage("validate")
        catalogue, report = validate(sources, today)
    return catalogue, report, _fingerprint(data_dir)


def _fingerprint(data_dir: Path) -> str:
    files = Sources(root=data_dir).files() if data_dir.is_dir() else []
    return layout.fingerprint(files, data_dir)


def run(data_dir: Path, instance: Path, *, if_changed: bool = False, geocoder=None,
        strict: bool = False, progress: geocode.Progress | None = None,
        today: dt.date | None = None,
        on_stage: Callable[[str], None] = _no_progress) -> Outcome:
    """Build the data folder into a new build unless it has errors (then nothing is touched).

    ``geocoder``: a geopy geocoder (``geocode.connect``) or a fake with ``geocode(address)``;
    None means offline. ``strict``: a location that cannot be placed exactly is an error.
    """
    catalogue, report, fingerprint = check(data_dir, today, on_stage)
    outcome = Outcome(report=report, catalogue=catalogue)
    if report.errors:
        return outcome
    current = layout.current_manifest(instance)
    if if_changed and current and current.get("fingerprint") == fingerprint:
        outcome.unchanged = True
        return outcome
    on_stage("geocode")
    outcome.geocoding = geocode.geocode_catalogue(
        catalogue, data_dir, report, geocoder=geocoder, strict=strict, progress=progress)
    if report.errors:
        return outcome
    if outcome.geocoding.looked_up:
        fingerprint = _fingerprint(data_dir)  # geocodes.csv has new rows
    with collector.frozen():  # the catalogue shared, not copied, by the forked writers
        outcome.build = write_build(catalogue, instance, fingerprint, on_stage=on_stage)
    return outcome


def geocode_only(data_dir: Path, geocoder, *, progress: geocode.Progress | None = None,
                 strict: bool = False) -> Outcome:
    """Fill ``data/geocodes.csv`` for every location without coordinates; build nothing."""
    catalogue, report, _ = check(data_dir)
    outcome = Outcome(report=report, catalogue=catalogue)
    if not report.errors:
        outcome.geocoding = geocode.geocode_catalogue(
            catalogue, data_dir, report, geocoder=geocoder, strict=strict, progress=progress)
    return outcome
