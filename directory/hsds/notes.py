"""The import report: rows read per file, records written, and every value dropped or changed.

Each line names the kind of problem (a short stable key such as ``phone-dropped``), the source
file and row, the field, and what happened. Counts per kind sum the lines, so a data manager
sees at a glance what a source does badly and can look up each case.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

# What each kind of line means, for the report's table of counts (and the README).
KINDS = {
    "missing-file": "a file listed in datapackage.json is not there",
    "unreadable": "a file or page that could not be read at all",
    "extra-column": "a column HSDS does not have; its values are not imported",
    "duplicate-id": "a second row with an id already seen; the first is kept",
    "unjoined": "a row pointing at a record that does not exist; left out",
    "organization-made": "a service whose organization is missing; grouped under one made for it",
    "contact-skipped": "a named staff contact (or their phone); never imported",
    "no-category": "a service with no term in the taxonomy map; left out (see --all)",
    "defunct": "a service marked defunct; left out",
    "status-changed": "a status other than active/inactive, read as the nearest one",
    "text-cleaned": "escapes, markup or runs of spaces removed from a text",
    "case-fixed": "an UPPER CASE name written in title case (--fix-case)",
    "code-trimmed": "spaces around a code removed",
    "phone-normalised": "a phone number rewritten in the international form",
    "phone-dropped": "a phone number that is not one; dropped",
    "email-dropped": "an email address that is not one; dropped",
    "url-fixed": "a web address without http(s):// given https://",
    "url-dropped": "a web address that is not one; dropped",
    "coordinates-dropped": "coordinates at (0, 0), out of range or outside the region; dropped",
    "no-coordinates": "an address without coordinates; directory geocode places it",
    "address-incomplete": "a location without street or city; its address is left out",
    "time-read": "a time written another way (9am, 4:00 PM) read as 24-hour time",
    "hours-read": "opening hours given only as text, read into the hours syntax",
    "hours-kept-as-text": "opening hours that could not be read; kept in the description",
    "session-not-imported": "dated sessions (groups, workshops) not imported yet; add them by hand",
    "schedule-dropped": "a schedule row that says nothing usable (no day, no time)",
    "language-mapped": "a language written as a name or 3-letter code, mapped to ISO 639-1",
    "language-dropped": "a language that maps to no single ISO 639-1 code; dropped",
    "cost-read": "cost (free, sliding-scale) read from the words of fees_description",
    "age-dropped": "an age that is not a whole number from 0 to 120; dropped",
    "value-dropped": "another value this directory cannot hold; dropped",
    "accessibility-kept-as-text": "an accessibility note with no known feature; kept as text",
    "category-created": "a category made from the source's own term (--all)",
}


@dataclass(frozen=True)
class Line:
    kind: str
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message} [{self.kind}]"


@dataclass
class ImportReport:
    """Everything one import says: filled by the reader, the cleaners and the writer."""

    source: str = ""
    version: str = ""
    rows_read: Counter = field(default_factory=Counter)  # file → rows
    lines: list[Line] = field(default_factory=list)
    left_out_by_term: Counter = field(default_factory=Counter)  # top-level term → services
    written: dict = field(default_factory=dict)  # organizations/locations/services → count
    files: dict = field(default_factory=dict)  # added/changed/unchanged/removed → [paths]
    retired: list[str] = field(default_factory=list)

    def note(self, kind: str, file: str, row: int, field_name: str, message: str) -> None:
        self.lines.append(Line(kind, file, row, field_name, message))

    def counts(self) -> Counter:
        return Counter(line.kind for line in self.lines)

    def summary(self) -> str:
        """The few lines printed at the end of every import."""
        written = ", ".join(f"{count} {kind}" for kind, count in self.written.items())
        files = ", ".join(f"{len(paths)} {what}" for what, paths in self.files.items() if paths)
        out = [f"read {sum(self.rows_read.values())} rows from {len(self.rows_read)} files "
               f"(HSDS {self.version})", f"wrote {written or 'nothing'}"]
        if files:
            out.append(f"files: {files}")
        counts = self.counts()
        if counts:
            out.append("notes: " + ", ".join(f"{count} {kind}" for kind, count in
                                             sorted(counts.items())))
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {
            "source": self.source, "version": self.version,
            "rows_read": dict(sorted(self.rows_read.items())),
            "written": self.written, "files": self.files, "retired": self.retired,
            "counts": dict(sorted(self.counts().items())),
            "left_out_by_top_level_term": dict(self.left_out_by_term.most_common()),
            "lines": [{"kind": line.kind, "file": line.file, "row": line.row,
                       "field": line.field, "message": line.message} for line in self.lines],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        out = [f"# Import of {self.source}", "", f"HSDS version: {self.version}", "",
               "## Rows read", "", "| file | rows |", "|---|---:|"]
        out += [f"| {name} | {count} |" for name, count in sorted(self.rows_read.items())]
        out += ["", "## Written", ""]
        out += [f"- {count} {kind}" for kind, count in self.written.items()]
        for what, paths in self.files.items():
            if paths:
                out.append(f"- {what} files: {len(paths)}")
        if self.retired:
            out += ["", "## Moved to retired.yaml", ""] + [f"- {key}" for key in self.retired]
        counts = self.counts()
        if counts:
            out += ["", "## Problems, by kind", "", "| kind | count | what it means |",
                    "|---|---:|---|"]
            out += [f"| {kind} | {count} | {KINDS.get(kind, '')} |"
                    for kind, count in sorted(counts.items())]
        if self.left_out_by_term:
            out += ["", "## Left out: services with no mapped category, by top-level term", "",
                    "| term | services |", "|---|---:|"]
            out += [f"| {term} | {count} |" for term, count in self.left_out_by_term.most_common()]
        if self.lines:
            out += ["", "## Every value dropped or changed", ""]
            out += [f"- `{line.file}:{line.row}` {line.field + ': ' if line.field else ''}"
                    f"{line.message} ({line.kind})" for line in self.lines]
        return "\n".join(out) + "\n"
