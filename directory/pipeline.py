"""The whole build in order: load → validate → write build → switch. Used by the CLI and tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import build
from .load import load_sources
from .problems import Report
from .validate import Catalogue, validate


@dataclass
class Outcome:
    report: Report
    catalogue: Catalogue
    build: Path | None = None  # the new build, None when nothing was written
    unchanged: bool = False  # the current build already holds exactly this data


STAGES = ("load", "validate", "write database", "write index")


def _no_progress(stage: str) -> None:
    pass


def check(data_dir: Path, today: dt.date | None = None,
          on_stage: Callable[[str], None] = _no_progress) -> tuple[Catalogue, Report, str]:
    """Load and validate a data folder; also return its fingerprint.

    ``on_stage`` is told when each of ``STAGES`` starts (for progress bars).
    """
    on_stage("load")
    sources = load_sources(data_dir)
    on_stage("validate")
    catalogue, report = validate(sources, today)
    files = sources.files() if data_dir.is_dir() else []
    return catalogue, report, build.fingerprint(files, data_dir)


def run(data_dir: Path, instance: Path, *, if_changed: bool = False,
        today: dt.date | None = None, on_stage: Callable[[str], None] = _no_progress) -> Outcome:
    """Build the data folder into a new build unless it has errors (then nothing is touched)."""
    catalogue, report, fingerprint = check(data_dir, today, on_stage)
    outcome = Outcome(report=report, catalogue=catalogue)
    if report.errors:
        return outcome
    current = build.current_manifest(instance)
    if if_changed and current and current.get("fingerprint") == fingerprint:
        outcome.unchanged = True
        return outcome
    outcome.build = build.write_build(catalogue, instance, fingerprint, on_stage=on_stage)
    return outcome
