"""The one in-memory shape every HSDS source is read into: HSDS 3.0 tables of rows.

Whatever the source (3.0 CSV, 1.x CSV, 3.0 JSON, a 3.0 API), the reader ends with
``Tables``: for each HSDS 3.0 table name, a list of ``Row`` dicts whose values are strings
(or None), each remembering the file and row it came from so every report line can name them.
Two tables are this importer's own, because 1.x and nested JSON spell them differently:
``service_terms`` (service_id, term_id: a service's taxonomy terms) and ``eligibility``
(service_id, eligibility: 1.x eligibility rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records.fields import CONTROL

# Where an export of this directory (or a system that keeps them) carries our own ids.
SLUG_KEYS = ("slug", "directory_id", "x_directory_id", "x-directory-id")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TABLES = ("organizations", "services", "locations", "addresses", "phones", "schedules",
          "service_at_location", "languages", "accessibility", "contacts", "taxonomy_terms",
          "service_terms", "eligibility", "organization_identifiers", "service_areas")


class SourceError(Exception):
    """The source cannot be read at all (no such folder, not a data package, bad JSON)."""


class Row(dict):
    """One record of a source: its fields, and where it was read (file, row number)."""

    __slots__ = ("file", "row")

    def __init__(self, values=(), *, file: str = "", row: int = 0):
        super().__init__(values)
        self.file = file
        self.row = row

    def text(self, key: str) -> str:
        """The value as stripped text; missing, None and empty are all ""."""
        value = self.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        # Control characters never belong in an id or a code (validate refuses them).
        return CONTROL.sub("", str(value)).strip()


@dataclass
class Tables:
    version: str = ""  # "3.0" or "1.x"
    system: str = ""  # a name for the source system, for the records' ``source``
    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})
    # Ids already flattened out of nested JSON (the same organization under many services).
    seen: dict[str, set] = field(default_factory=lambda: {"organizations": set(),
                                                          "locations": set(), "terms": set()})

    def add(self, table: str, row: Row) -> None:
        self.rows.setdefault(table, []).append(row)


def slug_hint(row: Row, fallback: str | None = None) -> str | None:
    """The id this directory gave a record, when the export carries one (``directory_id``), or
    the source's own id when it already reads like one of ours (``lakeside-walk-in``)."""
    for key in SLUG_KEYS:
        if row.text(key):
            return row.text(key)
    if fallback:
        return fallback
    key = row.text("id")
    if re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)+$", key) and re.search(r"[a-z]", key) and \
            not _UUID.match(key):
        return key
    return None
