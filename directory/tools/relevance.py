"""Relevance: does a resident's search put a good kind of help in its first three results?

``tests/relevance/queries.yaml`` lists searches as residents type them, each with the kinds
of help a good answer has among its first three (see that file's header). This module runs
them through the site's own search path (``finder.find`` with the build's speller, crisis
terms and filter words) over one build and reports success@3: the share of searches whose
first three results hold an acceptable kind of help, and for crisis searches that the page
is a crisis page whose first result is a crisis service.

    scripts/bench --relevance          # build data/ (the demo data) and print success@3

The test suite runs the same (``tests/test_relevance.py``) and fails below the targets.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import ROOT

QUERIES = ROOT / "tests" / "relevance" / "queries.yaml"
TARGET = 0.95  # success@3 over all searches
TARGET_CRISIS = 1.0  # every crisis search
# 00:30 on a Tuesday night in Chicago: when people in distress search, and most offices shut.
NIGHT = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)


@dataclass
class Outcome:
    query: dict
    ok: bool
    why: str = ""  # what went wrong, for the report
    top: list[str] = field(default_factory=list)  # ids of the first three results


@dataclass
class Score:
    outcomes: list[Outcome]

    def _rate(self, chosen: list[Outcome]) -> float:
        return sum(o.ok for o in chosen) / len(chosen) if chosen else 1.0

    @property
    def overall(self) -> float:
        return self._rate(self.outcomes)

    @property
    def crisis(self) -> float:
        return self._rate([o for o in self.outcomes if o.query.get("crisis")])

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def summary(self) -> str:
        crisis = [o for o in self.outcomes if o.query.get("crisis")]
        lines = [f"success@3: {sum(o.ok for o in self.outcomes)}/{len(self.outcomes)} = "
                 f"{self.overall:.1%} (target ≥ {TARGET:.0%}); crisis searches: "
                 f"{sum(o.ok for o in crisis)}/{len(crisis)} = {self.crisis:.1%} "
                 f"(target {TARGET_CRISIS:.0%})"]
        lines += [f"- {o.query['q']!r}: {o.why} (first three: {', '.join(o.top) or 'none'})"
                  for o in self.failures()]
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return self.overall >= TARGET and self.crisis >= TARGET_CRISIS


def load_queries(path: Path = QUERIES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(build_path: Path, entries: list[dict], now: dt.datetime = NIGHT) -> Score:
    """Run every search of ``entries`` over the build and judge its first three results."""
    from ..build.layout import INDEX, Build
    from ..search import crisis, facets, queries, reading, spelling
    from ..search.filters import Filters
    from ..search.finder import find
    from ..search.index import Index

    build = Build(build_path)
    db = build.connect()
    try:
        index = Index(build_path / INDEX, queries.synonyms(db))
        facet_index = facets.FacetIndex(db, index)
        speller = spelling.Speller(queries.spelling_words(db))
        terms = crisis.for_build(build, db)
        words = reading.for_build(build, db)
        categories = queries.categories(db)
        parents = {c["id"]: c["parent_id"] for c in categories}
        outcomes = []
        for entry in entries:
            q = entry["q"]
            read = reading.Reading(q) if terms.match(q) else words.read(
                q, lambda name, value: reading.available(facet_index, name, value))
            finding = find(index, facet_index, speller, db, read.text, Filters(read.filters),
                           page=1, per_page=20, now=now, categories=categories, crisis=terms)
            rows = queries.services(db, finding.ids[:3])
            outcomes.append(_judge(entry, finding, read, [_kinds(row, parents) for row in rows],
                                   [row["id"] for row in rows]))
        return Score(outcomes)
    finally:
        db.close()


def _kinds(row: dict, parents: dict) -> set[str]:
    """What one result counts as: its categories and their ancestors, audiences, itself."""
    kinds = {f"service:{row['id']}"} | {f"audience:{a['id']}" for a in row["audiences"]}
    for category in row["categories"]:
        category_id = category["id"]
        while category_id:
            kinds.add(category_id)
            category_id = parents.get(category_id)
    return kinds


def _judge(entry: dict, finding, read, kinds: list[set[str]], top: list[str]) -> Outcome:
    def outcome(ok: bool, why: str = "") -> Outcome:
        return Outcome(entry, ok, why, top)

    if entry.get("crisis"):
        if not finding.crisis:
            return outcome(False, "not recognised as a crisis search")
        if not kinds or "crisis-hotline" not in kinds[0]:
            return outcome(False, "the first result is not a crisis service")
        return outcome(True)
    expected = {name: str(value) for name, value in (entry.get("filters") or {}).items()}
    if expected and not expected.items() <= dict(read.filters).items():
        return outcome(False, f"filters {dict(read.filters)} instead of {expected}")
    if entry.get("place") and not read.ask_place:
        return outcome(False, "does not ask where the person is")
    if entry.get("suggest") and not finding.corrected:
        return outcome(False, "no spelling suggestion")
    wanted = set(entry["help"])
    if not any(wanted & k for k in kinds):
        return outcome(False, f"none of {', '.join(sorted(wanted))} in the first three")
    return outcome(True)


def build_demo(instance: Path, data_dir: Path | None = None, today: dt.date | None = None):
    """Build the data folder (the demo data by default) with the real pipeline."""
    from ..build import pipeline

    outcome = pipeline.run(data_dir or ROOT / "data", instance, today=today)
    if outcome.report.errors or outcome.build is None:
        raise SystemExit("the data does not build:\n"
                         + "\n".join(str(p) for p in outcome.report.errors[:20]))
    return outcome.build


def run(data_dir: Path | None = None) -> Score:
    """Build the data in a temporary instance and score the relevance set over it."""
    with tempfile.TemporaryDirectory(prefix="directory-relevance-") as tmp:
        return evaluate(build_demo(Path(tmp)), load_queries())
