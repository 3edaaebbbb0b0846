"""Relevance ranking with numpy: Whoosh's own BM25F scores, computed from cached arrays.

Whoosh scores a search by walking every matching posting in Python, about a microsecond
each, so a common word at 50,000 services costs hundreds of milliseconds. A build never
changes, so each term's score in each document can be computed once, by the same formula,
from the same posting weights, field lengths and statistics Whoosh uses, and kept as two
arrays (documents, scores). A query is then a few vector additions and a partial sort.

Only the parts the site's parser produces are ranked here: terms, AND, OR (with Whoosh's
coordination bonus). Anything else (a quoted phrase) is left to Whoosh (``evaluate`` returns
None). ``tests/test_ranking.py`` checks both rank alike.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.query import And, Every, NullQuery, Or, Term
from whoosh.scoring import BM25F

from .postings import TermArrays, read_postings

# Scored postings kept per index, least recently used dropped first: 12 bytes each, so ~7 MB
# (a worker's memory is the limit; a term dropped is read again from the build's flat copy,
# two reads and its scores, well under a millisecond for the commonest word at 50,000).
CACHE_POSTINGS = 600_000
# Terms known to be absent, remembered up to this many: a search on a Spanish page asks each
# word of the English fields too, where most Spanish words are not, and a miss costs a lookup
# in every segment of the index.
CACHE_ABSENT = 200_000


class Unsupported(Exception):
    """A query part this module does not rank; Whoosh does."""


@dataclass
class Scored:
    """A query's score and match for every document, and how many terms it hit in each."""

    scores: np.ndarray  # float64
    matched: np.ndarray  # bool
    hits: np.ndarray  # int32: matching terms per document (for the coordination bonus)
    terms: int  # terms of the query present in the index


class Ranker:
    """Scores queries over one read-only Whoosh index."""

    def __init__(self, ix):
        self._searcher = ix.searcher()
        self.size = self._searcher.doc_count_all()
        weighting = self._searcher.weighting
        if type(weighting) is not BM25F:  # noqa: E721  (a subclass could score otherwise)
            raise ValueError(f"only BM25F is ranked with arrays, not {weighting!r}")
        self._weighting = weighting
        self._lock = threading.RLock()  # Whoosh's readers are not made for concurrent use
        self._terms: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._absent: set[tuple[str, str]] = set()
        self._lengths: dict[str, np.ndarray] = {}
        self._absent_scored: Scored | None = None
        self._last: tuple[object, Scored] | None = None  # the query last evaluated
        self._last_match: tuple[object, np.ndarray] | None = None  # ... and last matched
        # Builds never delete, but a deleted document must never be a result.
        folder = getattr(ix.storage, "folder", None)  # the build's flat copy of the postings
        self._arrays = TermArrays.of(Path(folder)) if folder else None
        self._live = np.ones(self.size, dtype=bool)
        if self._searcher.reader().has_deletions():
            self._live[:] = False
            self._live[list(self._searcher.reader().all_doc_ids())] = True

    @contextmanager
    def searching(self):
        """The one searcher this ranker keeps open, for the ``with`` block's use alone."""
        with self._lock:
            yield self._searcher

    def stored_ids(self, docnums: list[int]) -> list[str]:
        """The ``id`` stored with each document (the one searcher, kept open, not a new one:
        opening a searcher costs a couple of milliseconds)."""
        with self._lock:
            return [self._searcher.stored_fields(docnum)["id"] for docnum in docnums]

    def evaluate(self, query) -> Scored | None:
        """Every document's score for the query, or None when Whoosh must rank it.

        A search asks for the same query twice (which documents match, then the best of
        them): the last query's scores are kept, so its terms are combined once."""
        with self._lock:
            if self._last is not None and self._last[0] == query:
                return self._last[1]
        try:
            scored = self._evaluate(query)
        except Unsupported:
            return None
        with self._lock:
            self._last = (query, scored)
        return scored

    def match(self, query) -> np.ndarray | None:
        """Which documents the query matches (``evaluate(query).matched``), without scoring
        them, or None when Whoosh must match it: for a near search, which orders its matches
        by distance. Terms are read as ``evaluate`` reads them (and kept for it)."""
        with self._lock:
            if self._last is not None and self._last[0] == query:
                return self._last[1].matched
            if self._last_match is not None and self._last_match[0] == query:
                return self._last_match[1]
        try:
            matched = self._match(query)
        except Unsupported:
            return None
        matched.flags.writeable = False  # kept: a near search asks twice (its call block)
        with self._lock:
            self._last_match = (query, matched)
        return matched

    def _match(self, query) -> np.ndarray:
        # ``_evaluate``'s tree, matches only: an absent term matches nothing, so the parts
        # ``_evaluate`` drops from an Or change nothing here.
        if isinstance(query, Term):
            matched = np.zeros(self.size, dtype=bool)
            found = self._postings(query.fieldname, query.text)
            if found is not None:
                matched[found[0]] = True
            return matched
        if type(query) in (And, Or):
            parts = [self._match(sub) for sub in query.subqueries]
            if not parts:
                return np.zeros(self.size, dtype=bool)
            combine = np.logical_and if type(query) is And else np.logical_or
            return combine.reduce(parts) if len(parts) > 1 else parts[0]
        if query is NullQuery:
            return np.zeros(self.size, dtype=bool)
        if type(query) is Every and query.fieldname is None:
            return self._live.copy()
        raise Unsupported(type(query).__name__)

    def evaluate_among(self, query, docnums: np.ndarray) -> Scored | None:
        """``evaluate(query)`` for the documents ``docnums`` only (ascending, no repeats): the
        same scores, bit for bit, in arrays indexed by position in ``docnums``, at a cost
        that follows the few documents asked about, not the index's size. None when Whoosh
        must rank the query. (The "Call, text or chat" block ranks only the phone and
        online services serving an area.)"""
        if self.size < _Among.WIDTH:  # too few documents to be worth a view
            scored = self.evaluate(query)
            return None if scored is None else Scored(
                scored.scores[docnums], scored.matched[docnums], scored.hits[docnums],
                scored.terms)
        try:
            scored = _Among(self, docnums)._evaluate(query)
        except Unsupported:
            return None
        count = len(docnums)
        return Scored(scored.scores[:count], scored.matched[:count], scored.hits[:count],
                      scored.terms)

    def top(self, scored: Scored, among: np.ndarray | None = None,
            limit: int | None = None) -> list[int]:
        """Matching documents (of ``among``, when given) best first, as Whoosh orders them:
        higher score first, then lower document number."""
        allowed = scored.matched if among is None else scored.matched & among
        candidates = np.flatnonzero(allowed)
        scores = scored.scores[candidates]
        if limit is not None and len(candidates) > limit:
            # Keep everything scoring at least the limit-th best (ties decided below).
            cut = len(scores) - limit
            kept = scores >= np.partition(scores, cut)[cut]
            candidates, scores = candidates[kept], scores[kept]
        order = np.lexsort((candidates, -scores))
        return candidates[order][:limit].tolist()

    # --- the query tree ------------------------------------------------------------------

    def _evaluate(self, query) -> Scored:
        if isinstance(query, Term):
            return self._term(query)
        if type(query) in (And, Or):  # exact types: subclasses may match differently
            parts = [self._evaluate(sub) for sub in query.subqueries]
            if type(query) is Or and not query.scale and query.boost == 1.0:
                # An absent term adds nothing to a plain Or (Whoosh drops its null matcher).
                parts = [part for part in parts if part.terms] or parts[:1]
            if not parts:
                return self._nothing()
            if len(parts) == 1:  # Whoosh uses the one part's matcher as it is
                return parts[0]
            return self._combine(query, parts)
        if query is NullQuery:
            return self._nothing()
        if type(query) is Every and query.fieldname is None:  # browsing: all, unscored
            scored = self._nothing()
            scored.matched[:] = self._live
            return scored
        raise Unsupported(type(query).__name__)

    def _combine(self, query, parts: list[Scored]) -> Scored:
        scores = np.sum([part.scores for part in parts], axis=0)
        hits = np.sum([part.hits for part in parts], axis=0, dtype=np.int32)
        terms = sum(part.terms for part in parts)
        if isinstance(query, And):
            matched = np.logical_and.reduce([part.matched for part in parts])
        else:
            matched = np.logical_or.reduce([part.matched for part in parts])
        scores = np.where(matched, scores, 0.0)
        if query.boost != 1.0:
            scores *= query.boost
        if isinstance(query, Or) and query.scale and terms and terms != query.scale:
            # Whoosh's CoordMatcher: favour documents that match more of the words.
            scores = (scores + (hits - 1) / (terms - query.scale) ** 2) * ((terms - 1) / terms)
            scores = np.where(matched, scores, 0.0)
        return Scored(scores, matched, np.where(matched, hits, 0), terms)

    def _nothing(self) -> Scored:
        return Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool),
                      np.zeros(self.size, dtype=np.int32), 0)

    def _absent_term(self) -> Scored:
        """What a term not in the index scores: one shared, read-only value, since a search
        on a Spanish or Indonesian page asks each word in fields where it is not (three
        arrays of the index's size each time otherwise)."""
        if self._absent_scored is None:
            scored = self._nothing()
            for part in (scored.scores, scored.matched, scored.hits):
                part.flags.writeable = False
            self._absent_scored = scored
        return self._absent_scored

    def _term(self, query: Term) -> Scored:
        found = self._postings(query.fieldname, query.text)
        if found is None:
            return self._absent_term()
        docnums, term_scores = found
        scored = self._nothing()
        scored.scores[docnums] = term_scores * query.boost if query.boost != 1.0 \
            else term_scores
        scored.matched[docnums] = True
        scored.hits[docnums] = 1
        scored.terms = 1
        return scored

    # --- per-term arrays, cached ------------------------------------------------------------

    def _postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents, BM25F score in each) of one term, or None when it is not indexed."""
        key = (field, text)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
            read = self._read(field, text)
            if read is None:
                return None
            docnums, weights = read
            found = (docnums, self._score(field, text, docnums, weights))
            self._terms[key] = found
            self._cached += len(docnums)
            while self._cached > CACHE_POSTINGS and len(self._terms) > 1:
                _, (dropped, _scores) = self._terms.popitem(last=False)
                self._cached -= len(dropped)
            return found

    def _read(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's (documents, weights): from the build's flat copy when there is one, else
        from Whoosh's blocks (lock held)."""
        schema = self._searcher.schema
        key = (field, text)
        if key in self._absent:
            return None
        if self._arrays is not None:
            # An absent term is looked up again on every search that asks for it: a word
            # is asked in each field, where most words are not (the name, the organization).
            found = self._arrays.get(field, schema[field].to_bytes(text)) \
                if field in schema else None
        else:
            reader = self._searcher.reader()
            found = read_postings(reader.postings(field, text)) if key in reader else None
        if found is None:
            if len(self._absent) >= CACHE_ABSENT:
                self._absent.clear()
            self._absent.add(key)
        return found

    def _score(self, field: str, text: str, docnums: np.ndarray,
               weights: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F (``whoosh.scoring.bm25``), term by term, in the same order of
        operations so the numbers are the same; unscorable fields score their weight."""
        searcher = self._searcher
        if not searcher.schema[field].scorable:
            return weights
        idf = searcher.idf(field, text)
        avgfl = searcher.avg_field_length(field) or 1
        w = self._weighting
        b = w._field_B.get(field, w.B)
        k1 = w.K1
        lengths = self._field_lengths(field)[docnums]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl)))

    def _field_lengths(self, field: str) -> np.ndarray:
        """Each document's length in the field, as Whoosh stores it (lock held)."""
        if field not in self._lengths:
            reader = self._searcher.reader()
            self._lengths[field] = np.fromiter(
                (reader.doc_field_length(docnum, field, 1) or 1 for docnum in range(self.size)),
                dtype=np.float64, count=self.size)
        return self._lengths[field]


class _Among(Ranker):
    """A ranker over some documents of another (``Ranker.evaluate_among``): the same query
    tree and arithmetic (``_evaluate``, ``_combine``) on each term's postings in those
    documents, so every number is the one the whole index's arrays hold for them.

    Its arrays are at least ``WIDTH`` long (padded with documents nothing matches): numpy
    sums a wide array's parts one after another, as it does the whole index's, but may
    sum the parts of a very narrow one in another order, which rounds otherwise."""

    WIDTH = 64

    def __init__(self, ranker: Ranker, docnums: np.ndarray):
        self._whole = ranker
        self.size = max(len(docnums), self.WIDTH)
        # Which documents are asked about, and where each is in the view's arrays: a term's
        # postings are looked up in the first (a byte each: quicker to read) and only those
        # asked about in the second.
        self._inside = np.zeros(ranker.size, dtype=bool)
        self._inside[docnums] = True
        self._position = np.zeros(ranker.size, dtype=np.int32)
        self._position[docnums] = np.arange(len(docnums), dtype=np.int32)
        self._live = np.zeros(self.size, dtype=bool)
        self._live[:len(docnums)] = ranker._live[docnums]
        self._absent_scored = None

    def _postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._whole._postings(field, text)
        if found is None:
            return None
        docnums, scores = found
        kept = self._inside[docnums]
        return self._position[docnums[kept]], scores[kept]
