"""The Whoosh full-text index: written once per build, searched read-only by the site.

Whoosh returns service ids in rank order; SQLite supplies the rows (``queries``).
"""

from __future__ import annotations

import copy
import os
import re
import string
import threading
from dataclasses import dataclass
from functools import reduce
from itertools import chain, islice
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, plugins
from whoosh.query import And, Every, NullQuery, Or, Term

from . import postings, segments
from .languages import analyzer, fold_accents, stop_words
from .masks import first_in, mask_of, to_array, to_mask
from .processes import SafeMpWriter
from .ranking import Ranker, Scored
from .writing import FastSegmentWriter

# English stemming folds counselling/counseling/counsel and groups/group into one term.
ANALYZER = analyzer("en")

# The words fields, by weight. The text as written goes in these names, analysed as English.
# Each other language of the site has its own fields (``name_in_es``...), analysed with that
# language's stemmer: ``topics_in_es`` holds every service's category names and synonyms in
# that language; ``name_in_es`` and ``description_in_es`` a listing's translation, where it
# has one (an organization's translated name counts as description). A search in that
# language reads those and the text as written, so an untranslated listing is still found by
# its words. The translated fields are sparse and absent terms cost nothing once known
# (``Ranker``), so such a search costs about what an English one does (``scripts/bench``).
TEXT_FIELDS = {
    # A match in the name is the strongest sign a service is what was asked for.
    "name": 4.0,
    # Category names and their synonyms ("someone to talk to" → counselling), ancestors too.
    "topics": 2.0,
    # People search for an organization they were told about.
    "organization": 1.5,
    # Description, eligibility and audience words: recall, at the base weight.
    "description": 1.0,
}
SEARCH_FIELDS = list(TEXT_FIELDS)
# Fields whose values repeat from document to document (a category's words, an
# organization's name): analysed once per distinct value (``RepeatedText``).
REPEATED_FIELDS = ("topics", "organization")
LANGUAGE_FIELDS = ("name", "topics", "description")  # each other language's own


def field_name(field: str, language: str) -> str:
    """'name', 'es' → 'name_in_es'; English text lives in the plain names."""
    return field if language == "en" else f"{field}_in_{language}"


class RepeatedText(TEXT):
    """A text field whose distinct values are analysed once per indexing process.

    Every service of a category carries the same topics, so a large catalogue analyses the
    same few hundred strings tens of thousands of times, in pure Python, per language. The
    terms of a value are the same each time, so they are kept (the last ``KEEP`` values) and
    the index written is identical."""

    KEEP = 4096

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        # Kept outside the field: the schema is pickled into the index and compared by value.
        seen = _ANALYSED.setdefault(id(self), {})
        found = seen.get(value)
        if found is None:
            if len(seen) >= self.KEEP:
                seen.clear()
            found = seen[value] = list(super().index(value))
        return iter(found)


_ANALYSED: dict[int, dict[str, list]] = {}


def schema_for(languages=("en",)) -> Schema:
    """The index schema of a site offering ``languages``: the English fields always (the
    words of any page whose language has no fields of its own), one set per other language."""
    fields = dict(
        # The only stored field: everything shown comes from SQLite.
        id=ID(stored=True, unique=True),
        # Exact category ids, ancestors included, for filters and synonym hits.
        category=KEYWORD(commas=True),
        # Alphabetical order when browsing without keywords.
        sort_name=ID(sortable=True),
    )
    def text(field: str, language: str):
        kind = RepeatedText if field in REPEATED_FIELDS else TEXT
        return kind(analyzer=analyzer(language), field_boost=TEXT_FIELDS[field])

    for field in TEXT_FIELDS:
        fields[field] = text(field, "en")
    for language in languages:
        if language == "en":
            continue
        for field in LANGUAGE_FIELDS:
            fields[field_name(field, language)] = text(field, language)
    return Schema(**fields)


SCHEMA = schema_for()
SYNONYM_BOOST = 3.0
QUERIES_KEPT = 256  # parsed searches kept per index view (per worker)
# Catalogues this large are indexed by several processes (``write_index``), at most these.
PARALLEL_FROM = 1000
MAX_PROCS = 4
# Documents handed to an indexing process at a time (fewer, larger hand-overs than Whoosh's
# 100: each is a pickled file and a queue message).
BATCH_SIZE = 500


def write_index(path: Path, documents, languages=("en",)) -> None:
    """Write every document into a new index folder (the build writes into a temporary place)."""
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), schema_for(languages))
    documents = iter(documents)
    # Only as many documents as decide the way of writing are held; the rest stream through.
    first = list(islice(documents, PARALLEL_FROM))
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    count = 0
    if len(first) >= PARALLEL_FROM and procs > 1:
        # Whoosh writes in pure Python: on a large catalogue, one indexing process per core
        # nearly halves the build. Each writes its own segment (``multisegment``: merging
        # them would cost again what was saved); searches read them as one index. The
        # processes die with the build, however it ends (``processes``).
        writer = SafeMpWriter(ix, procs=procs, multisegment=True,
                              batchsize=BATCH_SIZE)
        try:
            for document in chain(first, documents):
                writer.add_document(**document)
                count += 1
            writer.commit()
        except BaseException:
            writer.stop_children()
            raise
        writer.stop_children()
    else:
        with FastSegmentWriter(ix) as writer:
            for document in chain(first, documents):
                writer.add_document(**document)
                count += 1
    with segments.open_index(str(path)).reader() as reader:
        if reader.doc_count_all() != count:  # never serve an index that lost a segment
            raise RuntimeError(f"the index holds {reader.doc_count_all()} of {count} documents")
        postings.write(path, reader)  # the postings as flat arrays


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
    """A read-only view of one build's index and the synonym phrases of its taxonomy.

    Words are read as English unless a view in another language is asked for
    (``in_language``); views share the index, its ranking arrays and its order by name."""

    def __init__(self, path: Path, synonyms: dict[str, list[str]]):
        self._ix = segments.open_index(str(path))
        self._base = self
        self._views: dict[str, Index] = {}
        self.language = "en"
        self._lock = threading.Lock()
        self._scores: Ranker | None = None
        self._by_name: np.ndarray | None = None
        # Longest phrases first so "walk in clinic" wins over "walk in".
        self._phrases = sorted(
            ((f" {normalise(p)} ", category) for category, ps in synonyms.items() for p in ps),
            key=lambda item: -len(item[0]),
        )
        self._parsers = self._make_parsers("en")
        self._queries: dict[tuple[str, bool], object] = {}

    def _make_parsers(self, language: str) -> list[MultifieldParser]:
        schema = self._ix.schema
        own = [field_name(f, language) for f in LANGUAGE_FIELDS]
        fields = SEARCH_FIELDS
        if language != "en" and all(f in schema for f in own):
            fields = [*SEARCH_FIELDS, *own]
        # Every word must match (in any field); when nothing does, any word is enough.
        parsers = [MultifieldParser(fields, schema, group=group)
                   for group in (AndGroup, OrGroup.factory(0.9))]
        # Residents type words, not query syntax: no field:, wildcards, ranges or boosts.
        for parser in parsers:
            for plugin in (plugins.FieldsPlugin, plugins.WildcardPlugin, plugins.RangePlugin,
                           plugins.BoostPlugin, plugins.OperatorsPlugin, plugins.GroupPlugin):
                parser.remove_plugin_class(plugin)
        return parsers

    def in_language(self, language: str | None) -> Index:
        """This index reading the words of a search as ``language`` (its stemmer, its
        fields); made once per language and shared, like the index itself."""
        base = self._base
        language = language or "en"
        if language == base.language:
            return base
        with base._lock:
            view = base._views.get(language)
            if view is None:
                view = copy.copy(base)
                view.language = language
                view._parsers = base._make_parsers(language)
                view._queries = {}  # read by its own parsers
                base._views[language] = view
            return view

    def _without_stop_words(self, text: str) -> str:
        """The words of a search without this language's stop words. The English fields
        (the text as written) keep Spanish "con" or Indonesian "yang" as words, so "alguien
        con quien hablar" on a Spanish page required "con" and "quien" in English text and
        found no service by its words. Quoted phrases are left whole; a search of nothing
        but stop words is left as typed (it finds nothing, as in English)."""
        if self.language == "en" or '"' in text:
            return text
        stops = stop_words(self.language)

        def stop(word: str) -> bool:
            bare = word.strip(string.punctuation + "¿¡").lower()
            return bare in stops or fold_accents(bare) in stops

        kept = [word for word in text.split() if not stop(word)]
        return " ".join(kept) or text

    def searcher(self):
        """A new Whoosh searcher over this index; use it in a ``with`` block."""
        return self._ix.searcher()

    def shared(self):
        """The searcher this index keeps open, locked for one ``with`` block: opening a new
        one reads every segment's term files, tens of milliseconds at 50,000 services."""
        return self._ranker().searching()

    def categories_named_in(self, text: str) -> list[str]:
        """Category ids whose name or synonym appears, as whole words, in the text."""
        padded = f" {normalise(text)} "
        return list(dict.fromkeys(c for phrase, c in self._phrases if phrase in padded))

    def query(self, text: str, *, all_words: bool = True):
        text = text.strip()
        if not text:
            return Every()
        # Parsing takes ~0.5 ms, and one page asks for the same words up to five times (the
        # finder, the "Call, text or chat" block's groups and their count): parse them once.
        key = (text, all_words)
        found = self._queries.get(key)
        if found is None:
            parsed = self._parsers[0 if all_words else 1].parse(self._without_stop_words(text))
            named = [Term("category", c, boost=SYNONYM_BOOST)
                     for c in self.categories_named_in(text)]
            found = Or([parsed, *named]) if named else parsed
            if len(self._queries) >= QUERIES_KEPT:
                self._queries.clear()
            self._queries[key] = found
        return found

    def search(self, text: str, *, category: str | None = None, page: int = 1,
               per_page: int = 20, within: int | None = None) -> Hits:
        """Ids of one page of results in rank order (by name when there are no words).

        ``within``: only the documents in this mask (e.g. the services near a place)."""
        hits = self._search(self.query(text), category, page, per_page, within)
        if hits.total == 0 and len(text.split()) > 1:
            loose = self._search(self.query(text, all_words=False), category, page, per_page,
                                 within)
            hits = Hits(loose.ids, loose.total, all_words=False)
        return hits

    def search_in_groups(self, text: str, groups: list[int], *, category: str | None = None,
                         per_page: int = 20) -> Hits:
        """``search``'s first page taken group by group: the best of the first group's
        documents (a mask each, none shared), then of the second, and so on, ``per_page`` in
        all; each group's words as ``search`` reads them for it (every word, else any word
        when none of the group has every word); the total is ``search``'s over all groups.

        The same as a ``search`` per group and one over all of them (``within`` each), with
        the words matched once and each group's ranking taken from the same scores."""
        within = reduce(int.__or__, groups, 0)
        query = self.query(text)
        ranker = self._ranker()
        matched = ranker.match(query)
        if matched is None or isinstance(query, Every):
            return self._search_each(text, groups, category, per_page)
        # Masks (ints) from here: a group's share of the matches is then one ``&``.
        if category:
            within &= self.matches(Term("category", category), ranked_next=False)
        words = to_mask(matched) & within
        # Any word, where every word matches none (of all the groups, or of one group).
        loose_query = loose = None
        if len(text.split()) > 1 and not all(words & group for group in groups):
            loose_query = self.query(text, all_words=False)
            loosely_matched = ranker.match(loose_query)
            if loosely_matched is None:
                return self._search_each(text, groups, category, per_page)
            loose = to_mask(loosely_matched) & within
        total = words.bit_count() or (loose.bit_count() if loose is not None else 0)
        # Each group's matches, by every word or by any (``search`` per group); then each
        # group's best, scored only where the matches are.
        chosen = []
        for group in groups:
            loosely = loose is not None and not words & group
            chosen.append((loosely, (loose if loosely else words) & group))
        docnums: list[int] = []
        scores: dict[bool, tuple[np.ndarray, Scored | None]] = {}
        for loosely, these in chosen:
            if len(docnums) >= per_page:
                break
            if not these:
                continue
            if loosely not in scores:
                candidates = np.flatnonzero(to_array(reduce(int.__or__, (
                    part for other, part in chosen if other is loosely)), ranker.size))
                scores[loosely] = (candidates, ranker.evaluate_among(
                    loose_query if loosely else query, candidates))
            candidates, scored = scores[loosely]
            if scored is None:
                return self._search_each(text, groups, category, per_page)
            best = ranker.top(scored, to_array(these, ranker.size)[candidates],
                              per_page - len(docnums))
            docnums += candidates[best].tolist()
        return Hits(ids=self._ids(docnums), total=total)

    def _search_each(self, text: str, groups: list[int], category: str | None,
                     per_page: int) -> Hits:
        """``search_in_groups`` as a ``search`` per group (no words, by name; or a query
        Whoosh ranks: a phrase in an index written without positions)."""
        ids: list[str] = []
        total = self.search(text, category=category, per_page=1,
                            within=reduce(int.__or__, groups, 0)).total
        for group in groups:
            if len(ids) >= per_page:
                break
            ids += self.search(text, category=category, per_page=per_page - len(ids),
                               within=group).ids
        return Hits(ids=ids, total=total)

    def matching(self, text: str, *, category: str | None = None, all_words: bool = True,
                 within: int | None = None) -> int:
        """The mask of every match, unranked: for a near search, which orders the matches by
        distance itself. ``within``: only documents in this mask."""
        return self._filtered(self.query(text, all_words=all_words), category, within)

    def matches(self, query, *, ranked_next: bool = True) -> int:
        """The mask of every document the query matches.

        ``ranked_next``: False when no ranking of these matches follows (a near search
        orders them by distance): they are then found without scoring every one."""
        ranker = self._ranker()
        if ranked_next:
            scored = ranker.evaluate(query)
            if scored is not None:
                return mask_of(scored.docnums, ranker.size)
        else:
            matched = ranker.match(query)
            if matched is not None:
                return to_mask(matched)
        with self.shared() as searcher:
            return match_mask(searcher, query, searcher.doc_count_all())

    def ranked(self, query, among: int | None = None, limit: int | None = None) -> list[int]:
        """Document numbers of the query's matches (in the mask ``among``, when given), best
        first; at most ``limit`` of them."""
        ranker = self._ranker()
        scored = ranker.evaluate(query)
        if scored is not None:
            allowed = None if among is None else to_array(among, ranker.size)
            return ranker.top(scored, allowed, limit)
        with self.shared() as searcher:  # an index without positions: Whoosh ranks it
            # Without its matcher swapping and filter, which change scores (test_ranking).
            collector = searcher.collector(limit=None)
            collector.replace = 0
            searcher.search_with_collector(query, collector)
            ranked = (docnum for docnum, _score in collector.results().items())
            if among is not None:
                allowed = to_array(among, ranker.size)
                ranked = (docnum for docnum in ranked if allowed[docnum])
            return list(islice(ranked, limit))

    def size(self) -> int:
        return self._ranker().size

    def _ranker(self) -> Ranker:
        # Made on first use: opening the index for a throwaway check should stay cheap.
        base = self._base
        with base._lock:
            if base._scores is None:
                base._scores = Ranker(base._ix)
            return base._scores

    def by_name(self) -> np.ndarray:
        """Every document number in alphabetical order of name: how browsing lists them."""
        base = self._base
        with base._lock:
            if base._by_name is None:
                with base._ix.searcher() as searcher:
                    names = list(searcher.reader().column_reader("sort_name"))
                base._by_name = np.array(sorted(range(len(names)), key=names.__getitem__),
                                         dtype=np.int64)
            return base._by_name

    def _filtered(self, query, category: str | None, within: int | None) -> int:
        mask = self.matches(query)
        if category and mask:
            mask &= self.matches(Term("category", category))
        if within is not None:
            mask &= within
        return mask

    def _search(self, query, category: str | None, page: int, per_page: int,
                within: int | None = None) -> Hits:
        start = (page - 1) * per_page
        mask = self._filtered(query, category, within)
        if not mask:
            docnums = []
        elif isinstance(query, Every):  # browsing: by name
            docnums = first_in(self.by_name(), mask, self.size(), start, per_page)
        else:
            docnums = self.ranked(query, among=mask, limit=start + per_page)[start:]
        return Hits(ids=self._ids(docnums), total=mask.bit_count())

    def _ids(self, docnums: list[int]) -> list[str]:
        return self._ranker().stored_ids(docnums)


def match_mask(searcher, query, size: int) -> int:
    """The mask of every document the query matches, without scoring any.

    Terms are read straight from their posting lists and combined as integers (And → &,
    Or → |). Anything else (phrases) is walked. (Queries the ranker handles use its arrays.)
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


def normalise(text: str) -> str:
    """Lowercase words without accents, separated by single spaces: 'Walk-In' → 'walk in',
    'Consejería' → 'consejeria' (people type Spanish on phones without accents)."""
    return " ".join(re.findall(r"[\w+]+", fold_accents(text.lower())))
