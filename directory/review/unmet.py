"""The unmet-need report for maintainers and partners (``directory report unmet``).

It reads the counts file (``search.unmet``) and, to say why a search found nothing, the
build being served: which kind of help and which language the words name, and whether the
directory lists any such service. Only rows counted at least ``MIN_SHOWN`` times over the
period are shown; everything smaller is summed into one line that names nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from ..build.layout import DATABASE, current_manifest, current_path
from ..data.catalogue import synonym_words
from ..data.stale import local_today
from ..search import unmet as counts
from ..search.index import normalise as index_words

FORMATS = ("markdown", "csv")
# Words of category names too general to say which kind of help is meant.
GENERIC = {"support", "supports", "services", "service", "help", "group", "groups", "and",
           "for", "people", "care", "the", "of", "line", "lines", "to"}
_SINCE = re.compile(r"^(\d{1,4})d$")


def since_date(value: str, today: dt.date) -> dt.date:
    """``30d`` (the last 30 days, today included) or a date ``2026-11-01``; ValueError else."""
    match = _SINCE.match(value.strip())
    if match:
        days = int(match[1])
        if days < 1:
            raise ValueError(value)
        return today - dt.timedelta(days=days - 1)
    return dt.date.fromisoformat(value.strip())


def site_today(instance: Path) -> dt.date:
    """Today in the time zone of the build being served (the machine's without one)."""
    manifest = current_manifest(instance) or {}
    return local_today((manifest.get("site") or {}).get("timezone"))


def counts_file(instance: Path, configured: str | None = None) -> Path:
    """The counts file the site writes: ``UNMET_NEED_PATH`` when set, else the instance's."""
    return Path(configured) if configured else counts.path_in(instance)


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    section: str  # nothing | crisis | search
    language: str
    what: str  # the words, or the kind of help and area
    filters: str
    searches: int
    note: str = ""


@dataclass(frozen=True)
class Report:
    first: dt.date
    last: dt.date
    rows: list[Row]
    total_searches: int
    hidden_searches: int  # in rows counted fewer than MIN_SHOWN times


def build_report(counts_file: Path, instance: Path | None, first: dt.date,
                 last: dt.date) -> Report:
    """The report of the counts from ``first`` on, explained by the current build."""
    found = counts.read(counts_file, first.isoformat())
    explain = _Explainer(instance)
    try:
        return _report(found, explain, first, last)
    finally:
        explain.close()


def _report(found: list[dict], explain: _Explainer, first: dt.date, last: dt.date) -> Report:
    rows, hidden, total = [], 0, 0
    for item in found:
        if item["measure"] == counts.SEARCH:
            total += item["searches"]
        if item["searches"] < counts.MIN_SHOWN:
            hidden += item["searches"] if item["measure"] != counts.CRISIS else 0
            continue
        if item["measure"] == counts.NOTHING:
            rows.append(Row(counts.NOTHING, item["language"], item["value"], item["filters"],
                            item["searches"], explain.why(item["value"], item["filters"])))
        elif item["measure"] == counts.CRISIS:
            rows.append(Row(counts.CRISIS, item["language"], "", "", item["searches"]))
        else:
            category, _, area = item["value"].partition("|")
            rows.append(Row(counts.SEARCH, item["language"],
                            " · ".join([explain.category_name(category) or "any kind of help",
                                        area or "no place given"]), "", item["searches"]))
    return Report(first, last, rows, total, hidden)


class _Explainer:
    """Why a search found nothing, in the words of the build being served."""

    def __init__(self, instance: Path | None):
        self.categories: dict[str, dict] = {}
        self.db = None
        database = current_path(instance) / DATABASE if instance else None
        if database and database.exists():
            self.db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            with closing(self.db.cursor()) as cursor:
                for cid, parent, names, synonyms in cursor.execute(
                        "select id, parent_id, names, synonyms from categories"):
                    self.categories[cid] = {"parent": parent, "names": json.loads(names),
                                            "synonyms": json.loads(synonyms or "[]")}
        self.languages = {name.casefold(): code
                          for code, name in Locale.parse("en").languages.items()
                          if len(code) == 2}

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    def category_name(self, category_id: str) -> str:
        found = self.categories.get(category_id)
        return (found["names"].get("en") or next(iter(found["names"].values()))) if found \
            else category_id

    def _depth(self, category_id: str) -> int:
        depth, parent = 0, self.categories[category_id]["parent"]
        while parent in self.categories and depth < 50:
            depth, parent = depth + 1, self.categories[parent]["parent"]
        return depth

    def _named(self, words: str, filters: dict) -> tuple[str | None, str | None]:
        """The kind of help and the language the words (or the filters) name: whole names
        and synonyms first, then the distinctive words of names ("grief" → Grief support);
        the narrower kind wins a tie."""
        typed = f" {index_words(words)} "
        category = filters.get("category")
        if not category:
            best = (0, 0, 0)
            for cid, item in self.categories.items():
                phrases = [index_words(p) for p in
                           [*item["names"].values(), *synonym_words(item["synonyms"])]]
                whole = max((len(p) for p in phrases if p and f" {p} " in typed), default=0)
                named = {w for p in item["names"].values() for w in index_words(p).split()}
                parts = len((named - GENERIC) & set(typed.split()))
                score = (whole, parts, self._depth(cid))
                if (whole or parts) and score > best:
                    category, best = cid, score
        language = filters.get("language")
        if not language:
            language = next((self.languages[w] for w in typed.split() if w in self.languages),
                            None)
        return category, language

    def why(self, words: str, filters_text: str) -> str:
        filters = dict(part.split("=", 1) for part in filters_text.split(";") if "=" in part)
        if self.db is None:
            return ""
        category, language = self._named(words, filters)
        if category is None:
            return "no listing uses these words; a synonym in taxonomy.yaml may help"
        family = {category}
        grew = True
        while grew:
            more = {cid for cid, item in self.categories.items() if item["parent"] in family}
            grew = not more <= family
            family |= more
        marks = ",".join("?" * len(family))
        sql = f"""select count(distinct s.id) from services s
                  join service_categories sc on sc.service_id = s.id
                  where s.status = 'active' and sc.category_id in ({marks})"""
        args = list(family)
        if language:
            sql += """ and exists (select 1 from service_languages sl
                                   where sl.service_id = s.id and sl.language = ?)"""
            args.append(language)
        listed = self.db.execute(sql, args).fetchone()[0]
        name = self.category_name(category).lower()
        in_language = f" in {Locale.parse('en').languages.get(language, language)}" \
            if language else ""
        if listed == 0:
            return f"no {name} listed{in_language}"
        others = [f"{key}={value}" for key, value in filters.items()
                  if key not in ("category", "language")]
        if others:
            return (f"{listed} {name} service{'s' if listed != 1 else ''} listed{in_language}, "
                    f"none with {', '.join(others)}")
        return (f"{listed} {name} service{'s' if listed != 1 else ''} listed{in_language}, "
                "but these words did not find them: add a synonym to taxonomy.yaml")


SECTIONS = {counts.NOTHING: "Searches that found nothing", counts.CRISIS: "Crisis searches",
            counts.SEARCH: "Searches by kind of help and area"}


def to_markdown(report: Report) -> str:
    lines = [f"# Unmet need, {report.first.isoformat()} to {report.last.isoformat()}", "",
             f"{report.total_searches} searches counted. Only what was counted at least "
             f"{counts.MIN_SHOWN} times is shown; "
             f"{report.hidden_searches} searches were in smaller groups and are left out.", ""]
    for section, title in SECTIONS.items():
        rows = [row for row in report.rows if row.section == section]
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["Nothing counted often enough to show.", ""]
            continue
        for row in rows:
            if section == counts.NOTHING:
                what = f"`{row.what}`" if row.what else "(no words)"
                extra = f" ({row.filters.replace(';', ', ')})" if row.filters else ""
                note = f": {row.note}" if row.note else ""
                lines.append(f"- {what}{extra} – {row.searches} searches, 0 results{note} "
                             f"[{row.language}]")
            elif section == counts.CRISIS:
                lines.append(f"- {row.searches} crisis searches [{row.language}]")
            else:
                lines.append(f"- {row.what} – {row.searches} searches [{row.language}]")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "language", "what", "filters", "searches", "note"])
    for row in report.rows:
        writer.writerow([row.section, row.language, row.what, row.filters, row.searches,
                         row.note])
    return out.getvalue()
