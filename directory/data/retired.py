"""Retired ids (``data/retired.yaml``): ids that were used once and must never come back.

Old links, bookmarks and printed referral sheets still point at a retired id; if a new
service took it over, they would silently lead to the wrong place. The file lists ids per
kind, each with the date it was retired and, optionally, why::

    services:
      - {id: harbour-summer-camp, retired: 2026-09-01, reason: Programme ended}
    organizations: []
    locations: []
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records.fields import At, Field, list_of, mapping, simple
from ..records.fields import date as checked_date
from ..records.load import Sources, display_path
from ..records.problems import Report
from .schema import ID, TEXT

if TYPE_CHECKING:
    from .catalogue import Catalogue

KINDS = ("organizations", "locations", "services")
FILE = "retired.yaml"

RETIRED_ID = mapping({
    "id": ID,
    "retired": Field(simple(checked_date), required=True),
    "reason": TEXT,
}, "a retired id")
RETIRED = mapping({kind: Field(list_of(RETIRED_ID, scalars=False)) for kind in KINDS},
                  "a list of retired ids")


def check_reuse(sources: Sources, catalogue: Catalogue, report: Report) -> None:
    """Report every organization, location or service whose id is listed as retired."""
    if sources.retired is None:  # no file, an empty file, or one that could not be parsed
        return
    file = display_path(sources.root / FILE)
    retired = RETIRED(sources.retired, At(file, 1), report) or {}
    for kind in KINDS:
        entries = {entry["id"]: entry for entry in retired.get(kind) or [] if "id" in entry}
        for record in getattr(catalogue, kind):
            entry = entries.get(record.get("id"))
            if entry is None:
                continue
            when = f" on {entry['retired'].isoformat()}" if entry.get("retired") else ""
            path = getattr(record, "path", "")
            report.error(record.file, record.line_of("id"), f"{path}.id" if path else "id",
                         f'"{record["id"]}" was retired{when} ({file}:{entry.line}); old links '
                         "and printed referral sheets still point at it, so choose a new id")
