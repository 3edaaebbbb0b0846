"""The Whoosh full-text index: written once per build, searched read-only by the site.

Whoosh returns service ids in rank order; SQLite supplies the rows (``queries``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, plugins
from whoosh.query import And, Every, NullQuery, Or, Term

from .facets import mask_of

# English stemming folds counselling/counseling/counsel and groups/group into one term.
ANALYZER = StemmingAnalyzer()

SCHEMA = Schema(
    # The only stored field: everything shown comes from SQLite.
    id=ID(stored=True, unique=True),
    # A match in the name is the strongest sign a service is what was asked for.
    name=TEXT(analyzer=ANALYZER, field_boost=4.0),
    # Category names and their synonyms ("someone to talk to" → counselling), ancestors too.
    topics=TEXT(analyzer=ANALYZER, field_boost=2.0),
    # People search for an organization they were told about.
    organization=TEXT(analyzer=ANALYZER, field_boost=1.5),
    # Description, eligibility and audience words: recall, at the base weight.
    description=TEXT(analyzer=ANALYZER),
    # Exact category ids, ancestors included, for filters and synonym hits.
    category=KEYWORD(commas=True),
    # Alphabetical order when browsing without keywords.
    sort_name=ID(sortable=True),
)
SEARCH_FIELDS = ["name", "topics", "organization", "description"]
SYNONYM_BOOST = 3.0
# A near search checks its candidates one by one (``_among``) when they are fewer than
# 1/AMONG_RATIO of the index; otherwise a filtered search over all postings is cheaper.
AMONG_RATIO = 8


def write_index(path: Path, documents) -> None:
    """Write every document into a new index folder (the build writes into a temporary place)."""
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), SCHEMA)
    # A large memory budget keeps Whoosh from writing many small segments on big data sets.
    with ix.writer(limitmb=512) as writer:
        for document in documents:
            writer.add_document(**document)


def document_numbers(path: Path):
    """(document number, service id) for every document in an index folder."""
    ix = whoosh_index.open_dir(str(path), readonly=True)
    with ix.reader() as reader:
        yield from ((docnum, fields["id"]) for docnum, fields in reader.iter_docs())


@dataclass(frozen=True)
class Hits:
    ids: list[str]
    total: int
    all_words: bool = True  # False when no service had every word and any word was enough


class Index:
    """A read-only view of one build's index and the synonym phrases of its taxonomy."""

    def __init__(self, path: Path, synonyms: dict[str, list[str]]):
        self._ix = whoosh_index.open_dir(str(path), readonly=True)
        # Longest phrases first so "walk in clinic" wins over "walk in".
        self._phrases = sorted(
            ((normalise(p), category) for category, ps in synonyms.items() for p in ps),
            key=lambda item: -len(item[0]),
        )
        # Every word must match (in any field); when nothing does, any word is enough.
        self._parsers = [MultifieldParser(SEARCH_FIELDS, SCHEMA, group=group)
                         for group in (AndGroup, OrGroup.factory(0.9))]
        # Residents type words, not query syntax: no field:, wildcards, ranges or boosts.
        for parser in self._parsers:
            for plugin in (plugins.FieldsPlugin, plugins.WildcardPlugin, plugins.RangePlugin,
                           plugins.BoostPlugin, plugins.OperatorsPlugin, plugins.GroupPlugin):
                parser.remove_plugin_class(plugin)

    def searcher(self):
        """A Whoosh searcher over this index; use it in a ``with`` block."""
        return self._ix.searcher()

    def categories_named_in(self, text: str) -> list[str]:
        """Category ids whose name or synonym appears, as whole words, in the text."""
        padded = f" {normalise(text)} "
        return list(dict.fromkeys(c for phrase, c in self._phrases if f" {phrase} " in padded))

    def query(self, text: str, *, all_words: bool = True):
        text = text.strip()
        if not text:
            return Every()
        parsed = self._parsers[0 if all_words else 1].parse(text)
        named = [Term("category", c, boost=SYNONYM_BOOST) for c in self.categories_named_in(text)]
        return Or([parsed, *named]) if named else parsed

    def search(self, text: str, *, category: str | None = None, page: int = 1,
               per_page: int = 20, within: set[int] | None = None) -> Hits:
        """Ids of one page of results in rank order (by name when there are no words).

        ``within``: only these document numbers (e.g. the services near a place)."""
        hits = self._search(self.query(text), category, page, per_page, within)
        if hits.total == 0 and len(text.split()) > 1:
            loose = self._search(self.query(text, all_words=False), category, page, per_page,
                                 within)
            hits = Hits(loose.ids, loose.total, all_words=False)
        return hits

    def documents(self, text: str, *, category: str | None = None, all_words: bool = True,
                  within: set[int] | None = None) -> set[int]:
        """Document numbers of every match, unranked: for a near search, which orders the
        matches by distance itself."""
        if within is not None and not within:
            return set()
        query = self.query(text, all_words=all_words)
        if category:
            query = And([query, Term("category", category)])
        with self._ix.searcher() as searcher:
            if within is not None and len(within) * AMONG_RATIO < searcher.doc_count_all():
                return _among(searcher, query, sorted(within))
            return set(searcher.search(query, filter=within, limit=None, scored=False).docs())

    def _search(self, query, category: str | None, page: int, per_page: int,
                within: set[int] | None = None) -> Hits:
        only = Term("category", category) if category else None
        sort = "sort_name" if isinstance(query, Every) else None
        if within is not None:
            if not within:
                return Hits(ids=[], total=0)
            # Whoosh takes one filter: the category joins the query, the set filters.
            query, only = (And([query, only]) if only else query), within
        with self._ix.searcher() as searcher:
            results = searcher.search(query, limit=page * per_page, filter=only, sortedby=sort)
            start = (page - 1) * per_page
            ids = [hit["id"] for hit in results[start:start + per_page]]
            # Counted from posting lists: len(results) would run the whole query again.
            size = searcher.doc_count_all()
            total = match_mask(searcher, query, size)
            if isinstance(only, Term):
                total &= match_mask(searcher, only, size)
            elif only is not None:
                total &= mask_of(only, size)
            return Hits(ids=ids, total=total.bit_count())


def match_mask(searcher, query, size: int) -> int:
    """The mask of every document the query matches, without scoring any.

    Terms are read straight from their posting lists and combined as integers (And → &,
    Or → |): at 50,000 services that is a few milliseconds where walking Whoosh's matchers
    document by document takes a few hundred. Anything else (phrases) is walked.
    """
    if isinstance(query, Term):
        reader = searcher.reader()
        if (query.fieldname, query.text) not in reader:
            return 0
        return mask_of(reader.postings(query.fieldname, query.text).all_ids(), size)
    if isinstance(query, Or | And):
        parts = [match_mask(searcher, sub, size) for sub in query.subqueries]
        combine = int.__or__ if isinstance(query, Or) else int.__and__
        return reduce(combine, parts) if parts else 0
    if query is NullQuery:
        return 0
    if isinstance(query, Every):
        return mask_of(searcher.reader().all_doc_ids(), size)
    return mask_of(searcher.docs_for_query(query), size)


def _among(searcher, query, candidates: list[int]) -> set[int]:
    """Which of a few candidate documents match: the matcher skips from one candidate to the
    next (whole posting blocks at a time) instead of walking every posting, as a filtered
    search does. Much faster when the candidates are a small part of the index."""
    found = set()
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, leaf.boolean_context())
        end = offset + leaf.doc_count_all()
        for docnum in candidates:
            if docnum < offset or docnum >= end:
                continue
            if not matcher.is_active():
                break
            local = docnum - offset
            if matcher.id() < local:
                matcher.skip_to(local)
            if matcher.is_active() and matcher.id() == local:
                found.add(docnum)
    return found


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces: 'Walk-In' → 'walk in'."""
    return " ".join(re.findall(r"[\w+]+", text.lower()))
