"""What changed in the data between two versions, said for people rather than as lines.

Services, organizations and locations added, removed and renamed (same id, new name), and
field by field: "Harbour drop-in: phones (312) 555-0101 → (312) 555-0199; hours Mo-Fr
15:00-19:00 → Mo-Th 15:00-19:00". Both sides are validated catalogues, so a phone number
written differently but dialling the same is no change. Either side may be a data folder or a
git revision (its data folder is exported with ``git archive``: no checkout, no network).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..build import pipeline
from ..data.catalogue import Catalogue
from . import revisions

KINDS = {"services": "Services", "organizations": "Organizations", "locations": "Locations"}
# The name is compared on its own (a rename); nested records are compared as records.
NOT_FIELDS = {"id", "name", "locations", "services"}
LABELS = {"at": "locations", "organization_id": "organization", "last_verified": "last verified",
          "minimum_age": "minimum age", "maximum_age": "maximum age", "address_1": "address",
          "fees_description": "fees", "application_process": "how to apply",
          "eligibility_description": "eligibility", "alternate_name": "other name",
          "stale_after_days": "stale after days", "crisis_lines": "crisis lines",
          "edit_url": "edit link", "report_url": "report link", "contact_email": "contact email"}
# Lists of small records compared item by item: field → (what an item is, its identity).
ITEMS = {"sessions": ("session", lambda item: item.get("title") or render(item.get("date"))),
         "volunteer": ("volunteer role", lambda item: item.get("id"))}
LONG_TEXT = 80  # longer values are shortened: the full text is in the pull request's files
MARKDOWN_LIST_LIMIT = 60  # entries per list in a pull request comment


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Record:
    id: str
    name: str
    old_name: str | None = None  # set when renamed
    changes: list[Change] = field(default_factory=list)
    owner: str | None = None  # the organization's name, for services and locations


@dataclass
class KindDiff:
    added: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    renamed: list[Record] = field(default_factory=list)
    changed: list[Record] = field(default_factory=list)

    def counts(self) -> str:
        parts = [f"{len(items)} {what}" for what, items in (
            ("added", self.added), ("removed", self.removed), ("renamed", self.renamed),
            ("changed", self.changed)) if items]
        return ", ".join(parts) or "no changes"

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.changed)


@dataclass
class DataDiff:
    kinds: dict[str, KindDiff]
    site: list[Change]
    base_errors: int = 0
    head_errors: int = 0

    def __bool__(self) -> bool:
        return bool(self.site) or any(self.kinds.values())


# --- comparing -------------------------------------------------------------------------


def compare(base: Catalogue, head: Catalogue, base_errors: int = 0,
            head_errors: int = 0) -> DataDiff:
    """Compare two validated catalogues record by record, matched by id."""
    owners = {o["id"]: o.get("name") for o in base.organizations} | \
             {o["id"]: o.get("name") for o in head.organizations}
    kinds = {kind: _compare_kind(_with_defaults(getattr(base, kind), base.site),
                                 _with_defaults(getattr(head, kind), head.site), owners)
             for kind in KINDS}
    return DataDiff(kinds=kinds, site=_changes(base.site, head.site),
                    base_errors=base_errors, head_errors=head_errors)


def _with_defaults(records, site: dict) -> list[dict]:
    """Records as they read: a service without ``status`` is active, an address without
    ``country`` is in the site's country. Writing the default out is no change."""
    out = []
    for record in records:
        address = record.get("address")
        if isinstance(address, dict) and not address.get("country") and site.get("country"):
            record = {**record, "address": {**address, "country": site["country"]}}
        if "categories" in record and record.get("status") == "active":
            record = {key: value for key, value in record.items() if key != "status"}
        out.append(record)
    return out


def _compare_kind(old_records, new_records, owners: dict) -> KindDiff:
    old = {r["id"]: r for r in old_records if "id" in r}
    new = {r["id"]: r for r in new_records if "id" in r}
    diff = KindDiff()

    def record(r, **extra) -> Record:
        owner = owners.get(r.get("organization_id")) if "organization_id" in r else None
        return Record(id=r["id"], name=_name(r), owner=owner, **extra)

    for key, item in new.items():
        if key not in old:
            diff.added.append(record(item))
            continue
        before = old[key]
        changes = _changes(before, item, skip=NOT_FIELDS, owners=owners)
        if before.get("name") != item.get("name"):
            diff.renamed.append(record(item, old_name=_name(before)))
        if changes:
            diff.changed.append(record(item, changes=changes))
    diff.removed = [record(item) for key, item in old.items() if key not in new]
    return diff


def _name(record: dict) -> str:
    """What people call a record: its name, else (a location) its street address, else its id."""
    address = record.get("address") if isinstance(record.get("address"), dict) else {}
    return record.get("name") or address.get("address_1") or record["id"]


def _changes(old: dict, new: dict, skip=frozenset(), owners: dict | None = None) -> list[Change]:
    changes = []
    for key in dict.fromkeys([*old, *new]):
        if key in skip:
            continue
        before, after = old.get(key), new.get(key)
        if _comparable(before) == _comparable(after):
            continue
        if key in ITEMS:  # a list of small records: say which item changed, and how
            changes += _item_changes(key, before or [], after or [])
            continue
        if key == "organization_id" and owners:
            before, after = owners.get(before, before), owners.get(after, after)
        changes.append(Change(LABELS.get(key, key.replace("_", " ")),
                              render(before), render(after)))
    return changes


def _item_changes(key: str, before: list, after: list) -> list[Change]:
    """Changes to a service's sessions or an organization's volunteer roles, item by item:
    'session "Winter workshop": time 18:00-20:00 → 18:30-20:00'."""
    label, identity = ITEMS[key]
    old = {identity(item): item for item in before}
    new = {identity(item): item for item in after}
    changes = []
    for name in dict.fromkeys([*old, *new]):
        was, now = old.get(name), new.get(name)
        title = f'{label} "{(now or was).get("name") or name}"'
        if was is None or now is None:
            changes.append(Change(title, "(none)" if was is None else "listed",
                                  "(none)" if now is None else "listed"))
            continue
        changes += [Change(f"{title}: {change.label}", change.old, change.new)
                    for change in _changes(was, now)]
    return changes


def _comparable(value):
    """A value as people tell values apart: phones by the number dialled, empties alike."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        if "e164" in value:
            return value["e164"]
        return tuple(sorted((k, _comparable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_comparable(v) for v in value)
    return value


def render(value) -> str:
    """A value as a short phrase: '(312) 555-0101 (text)', '12 Quay Street, Testville'."""
    if value in (None, "", [], {}):
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(render(item) for item in value)
    if isinstance(value, dict):
        return _render_mapping(value)
    text = " ".join(str(value).split())
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT - 1].rstrip() + "…"


def _render_mapping(value: dict) -> str:
    if "e164" in value:  # a phone number
        return value.get("display") or value["e164"]
    if "number" in value:  # a phone: number, type, description
        notes = [value["type"]] if value.get("type", "voice") != "voice" else []
        notes += [value["description"]] if value.get("description") else []
        return render(value["number"]) + (f" ({', '.join(notes)})" if notes else "")
    if "address_1" in value:
        parts = [value.get(k) for k in ("address_1", "address_2", "city", "state_province")]
        line = ", ".join(str(p) for p in parts if p)
        return f"{line} {value['postal_code']}" if value.get("postal_code") else line
    if "name" in value and "phones" in value:  # a crisis line; its name per language
        name = value["name"]
        if isinstance(name, dict):
            name = " / ".join(str(text) for text in name.values())
        return f"{name} ({render(value['phones'])})"
    return "; ".join(f"{k} {render(v)}" for k, v in value.items())


# --- reading both sides ---------------------------------------------------------------


def compare_sides(base: str, head: str, *, data_dir: Path,
                  data_path: str | None = None) -> DataDiff:
    """Compare two sides, each a data folder or a git revision of the repository of ``data_dir``.

    ``data_path`` is the data folder inside the repository (default: where ``data_dir`` is).
    """
    start = data_dir if data_dir.is_dir() else Path.cwd()
    with tempfile.TemporaryDirectory(prefix="directory-diff-") as workdir:
        folders = []
        for index, side in enumerate((base, head)):
            if Path(side).is_dir():
                folders.append(Path(side))
                continue
            repo = revisions.repository_root(start)
            path = data_path or revisions.path_inside(repo, data_dir)
            target = Path(workdir) / f"side-{index}"
            folders.append(revisions.export_revision(repo, side, path, target))
        (old, old_report, _), (new, new_report, _) = (pipeline.check(f) for f in folders)
    return compare(old, new, len(old_report.errors), len(new_report.errors))


# --- writing ---------------------------------------------------------------------------


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!@])")


def escape_markdown(text: str) -> str:
    """Data shown as literal text in a PR comment: no accidental emphasis, links or mentions."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def to_markdown(diff: DataDiff, base: str, head: str) -> str:
    """The change report as Markdown, for a pull request comment."""
    e = escape_markdown
    lines = [f"### Directory data: {e(base)} → {e(head)}", ""]
    lines += [f"**Note:** {note}" for note in _notes(diff, "`directory validate`")]
    if not diff:
        return "\n".join([*lines, "No changes to services, organizations, locations or site "
                                  "settings.", ""])
    lines += [f"- **{label}:** {diff.kinds[kind].counts()}" for kind, label in KINDS.items()]
    for kind, label in KINDS.items():
        part = diff.kinds[kind]
        if not part:
            continue
        lines += ["", f"#### {label}"]
        lines += _capped([f"- Added: **{e(r.name)}** (`{r.id}`){_owner(r, e)}"
                          for r in part.added])
        lines += _capped([f"- Removed: **{e(r.name)}** (`{r.id}`){_owner(r, e)}"
                          for r in part.removed])
        lines += _capped([f"- Renamed: {e(r.old_name)} → **{e(r.name)}** (`{r.id}`)"
                          for r in part.renamed])
        lines += _capped([_markdown_changes(f"**{e(r.name)}** (`{r.id}`)", r.changes)
                          for r in part.changed])
    if diff.site:
        lines += ["", "#### Site settings",
                  *(f"- {_changes_text([change], e)}" for change in diff.site)]
    return "\n".join([*lines, ""])


def _markdown_changes(title: str, changes: list[Change]) -> str:
    """One change on the record's line; several as a nested list, one field per line."""
    if len(changes) == 1:
        return f"- {title}: {_changes_text(changes, escape_markdown)}"
    return "\n".join([f"- {title}", *(f"  - {_changes_text([c], escape_markdown)}"
                                       for c in changes)])


def to_text(diff: DataDiff, base: str, head: str) -> str:
    """The change report as plain text, for a terminal."""
    lines = [f"Directory data: {base} → {head}"]
    lines += [f"Note: {note}" for note in _notes(diff, "directory validate")]
    if not diff:
        return "\n".join([*lines, "No changes to services, organizations, locations or site "
                                  "settings."])
    lines += [f"{label}: {diff.kinds[kind].counts()}" for kind, label in KINDS.items()]
    plain = str
    for kind, label in KINDS.items():
        part = diff.kinds[kind]
        if not part:
            continue
        lines += ["", label]
        lines += [f"  added: {r.name} ({r.id}){_owner(r, plain)}" for r in part.added]
        lines += [f"  removed: {r.name} ({r.id}){_owner(r, plain)}" for r in part.removed]
        lines += [f"  renamed: {r.old_name} → {r.name} ({r.id})" for r in part.renamed]
        lines += [f"  {r.name} ({r.id}): {_changes_text(r.changes, plain)}" for r in part.changed]
    if diff.site:
        lines += ["", "Site settings", f"  {_changes_text(diff.site, plain)}"]
    return "\n".join(lines)


def _capped(items: list[str]) -> list[str]:
    """A pull request comment holds at most 65,536 characters: list the first few only."""
    if len(items) <= MARKDOWN_LIST_LIMIT:
        return items
    more = len(items) - MARKDOWN_LIST_LIMIT
    return [*items[:MARKDOWN_LIST_LIMIT],
            f"- … and {more} more (run `directory diff` locally to see them all)"]


def _owner(record: Record, escape) -> str:
    return f", {escape(record.owner)}" if record.owner else ""


def _changes_text(changes: list[Change], escape) -> str:
    return "; ".join(f"{c.label} {escape(c.old)} → {escape(c.new)}" for c in changes)


def _notes(diff: DataDiff, command: str) -> list[str]:
    notes = []
    for side, count in (("new", diff.head_errors), ("old", diff.base_errors)):
        if count:
            notes.append(f"the {side} data has {count} validation error"
                         f"{'' if count == 1 else 's'} ({command} lists them); records with "
                         "errors may be compared only in part.")
    return notes
