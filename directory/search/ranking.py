"""Relevance ranking with numpy: Whoosh's own BM25F scores, computed from cached arrays.

Whoosh scores a search by walking every matching posting in Python, about a microsecond
each, so a common word at 50,000 services costs hundreds of milliseconds. A build never
changes, so each term's score in each document can be computed once, by the same formula,
from the same posting weights, field lengths and statistics Whoosh uses, and kept as two
arrays (documents, scores). A query is then a few vector additions and a partial sort.

Only the parts the site's parser produces are ranked here: terms, AND, OR (with Whoosh's
coordination bonus) and quoted phrases (``_phrase``: where the words stand comes from the
build's flat copy of the positions, ``positions``). Anything else (or a phrase in an index
written without positions) is left to Whoosh (``evaluate`` returns None).
``tests/test_ranking.py`` and ``tests/test_phrases.py`` check both rank alike.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.query import And, Every, NullQuery, Or, Phrase, Term
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .positions import TermPositions, phrase_documents, positional
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
    """The documents a query matches, each with its score and how many terms it hit there.

    Sparse: a common word matches a few thousand of 50,000 services, and a search has a
    dozen terms (words × fields), so arrays over the whole index, three a term, were most
    of a search's ranking time (issue #19)."""

    docnums: np.ndarray  # ascending, each once
    scores: np.ndarray  # float64, one a document of ``docnums``
    hits: np.ndarray  # int32: matching terms per document (for the coordination bonus)
    terms: int  # terms of the query present in the index


_BLOCK = 64  # scores per block of ``_near_the_top``


def _near_the_top(scores: np.ndarray, limit: int) -> np.ndarray | None:
    """The positions of every score that can be among the ``limit`` best, and of few others;
    None when there are too few scores for this to pay.

    The ``limit``-th best of the blocks' maxima is a score at least ``limit`` scores reach
    (each of those blocks holds one), so the ``limit``-th best of all is at least as high:
    nothing below it can be kept. Partitioning 50,000 scores took ~0.5 ms a search; the
    maxima and this comparison take a tenth of it."""
    blocks = len(scores) // _BLOCK
    if blocks <= limit:
        return None
    maxima = scores[:blocks * _BLOCK].reshape(blocks, _BLOCK).max(axis=1)
    bound = np.partition(maxima, blocks - limit)[blocks - limit]
    return np.flatnonzero(scores >= bound)


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
        self._last: tuple[object, Scored] | None = None  # the query last evaluated
        self._last_match: tuple[object, np.ndarray] | None = None  # ... and last matched
        # Builds never delete, but a deleted document must never be a result.
        folder = getattr(ix.storage, "folder", None)  # the build's flat copy of the postings
        self._arrays = TermArrays.of(Path(folder)) if folder else None
        self._positions = TermPositions.of(Path(folder)) if folder else None
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
        them): the last query's scores are kept, so its terms are combined once. The same
        object, not an equal one: Whoosh's ``Or`` equality ignores ``scale``, so "any of the
        words" would have been given the scores of "every word" (``Index.query`` hands out
        one object per words and way of matching)."""
        return self._kept("_last", query, self._evaluate)

    def match(self, query) -> np.ndarray | None:
        """Which documents the query matches (``evaluate(query).docnums``, as a boolean
        array by document), without scoring them, or None when Whoosh must match it: for a
        near search, which orders its matches by distance. Terms are read as ``evaluate``
        reads them (and kept for it)."""
        with self._lock:
            if self._last is not None and self._last[0] is query:
                matched = np.zeros(self.size, dtype=bool)
                matched[self._last[1].docnums] = True
                return matched
        # Kept read-only: a near search asks twice (its call block).
        return self._kept("_last_match", query, lambda asked: _read_only(self._match(asked)))

    def _kept(self, slot: str, query, work):
        """``work(query)``, kept in ``slot`` for the same query object asked again; None
        when Whoosh must answer the query."""
        with self._lock:
            kept = getattr(self, slot)
            if kept is not None and kept[0] is query:
                return kept[1]
        try:
            found = work(query)
        except Unsupported:
            return None
        with self._lock:
            setattr(self, slot, (query, found))
        return found

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
        if type(query) is Phrase:
            matched = np.zeros(self.size, dtype=bool)
            found = self._phrase_documents(query)
            if found is not None:
                matched[found[0]] = True
            return matched
        if type(query) is Every and query.fieldname is None:
            return self._live.copy()
        raise Unsupported(type(query).__name__)

    def evaluate_among(self, query, docnums: np.ndarray) -> Scored | None:
        """``evaluate(query)`` for the documents ``docnums`` only (ascending, no repeats):
        the same scores, each document named by its position in ``docnums``. None when
        Whoosh must rank the query. (The "Call, text or chat" block ranks only the phone and
        online services serving an area.)

        Only these documents are scored, unless the query's whole scores are kept: each
        term's documents are cut to them before anything is added, so each document's sum
        has the same parts in the same order (the same bits); a near search matched its words
        unscored and had scored the whole index for a block of three lines."""
        with self._lock:
            kept = self._last
        if kept is not None and kept[0] is query:
            scored = kept[1]
        else:
            # By document, so each term is cut in one pass over its postings (a binary
            # search per candidate cost more than the whole index's sum when they are many).
            inside = np.zeros(self.size, dtype=bool)
            inside[docnums] = True
            try:
                scored = self._evaluate(query, inside)
            except Unsupported:
                return None
        at = np.searchsorted(docnums, scored.docnums)
        inside = at < len(docnums)
        inside[inside] = docnums[at[inside]] == scored.docnums[inside]
        return Scored(at[inside], scored.scores[inside], scored.hits[inside], scored.terms)

    def top(self, scored: Scored, among: np.ndarray | None = None,
            limit: int | None = None) -> list[int]:
        """Matching documents (of ``among``, when given) best first, as Whoosh orders them:
        higher score first, then lower document number."""
        candidates, scores = scored.docnums, scored.scores
        if among is not None:
            allowed = among[candidates]
            candidates, scores = candidates[allowed], scores[allowed]
        if limit is not None and len(candidates) > limit:
            near = _near_the_top(scores, limit)
            if near is not None:
                candidates, scores = candidates[near], scores[near]
            # Keep everything scoring at least the limit-th best (ties decided below).
            cut = len(scores) - limit
            kept = scores >= np.partition(scores, cut)[cut]
            candidates, scores = candidates[kept], scores[kept]
        order = np.lexsort((candidates, -scores))
        return candidates[order][:limit].tolist()

    # --- the query tree ------------------------------------------------------------------

    def _evaluate(self, query, among: np.ndarray | None = None) -> Scored:
        """The query's scores; ``among``: of these documents only (a boolean array by
        document)."""
        if isinstance(query, Term):
            return self._term(query, among)
        if type(query) in (And, Or):  # exact types: subclasses may match differently
            parts = [self._evaluate(sub, among) for sub in query.subqueries]
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
        if type(query) is Phrase:
            found = self._phrase(query)
            if among is not None:  # cut as a term is: the same scores, fewer of them
                at = np.flatnonzero(among[found.docnums])
                found = Scored(found.docnums[at], found.scores[at], found.hits[at], found.terms)
            return found
        if type(query) is Every and query.fieldname is None:  # browsing: all, unscored
            everything = np.flatnonzero(self._live)
            if among is not None:
                everything = everything[among[everything]]
            return Scored(everything, np.zeros(len(everything)),
                          np.zeros(len(everything), dtype=np.int32), 0)
        raise Unsupported(type(query).__name__)

    def _combine(self, query, parts: list[Scored]) -> Scored:
        """Whoosh's sum of the parts' scores, in the parts' order (so the same bits as a sum
        over arrays of the whole index, where a part without the document adds 0.0)."""
        terms = sum(part.terms for part in parts)
        if isinstance(query, And):
            docnums = _common(parts)
            scores, hits = None, np.zeros(len(docnums), dtype=np.int32)
            for part in parts:
                at = np.searchsorted(part.docnums, docnums)
                scores = part.scores[at] if scores is None else scores + part.scores[at]
                hits += part.hits[at]
        else:
            docnums, scores, hits = _summed(parts, self.size)
        if query.boost != 1.0:
            scores = scores * query.boost
        if isinstance(query, Or) and query.scale and terms and terms != query.scale:
            # Whoosh's CoordMatcher: favour documents that match more of the words.
            scores = (scores + (hits - 1) / (terms - query.scale) ** 2) * ((terms - 1) / terms)
        return Scored(docnums, scores, hits, terms)

    def _nothing(self) -> Scored:
        return Scored(_NO_DOCUMENTS, np.zeros(0), np.zeros(0, dtype=np.int32), 0)

    def _term(self, query: Term, among: np.ndarray | None = None) -> Scored:
        found = self._postings(query.fieldname, query.text)
        if found is None:
            return self._nothing()
        docnums, term_scores = found
        if among is not None:  # still a term of the query (``terms``), if in none of them
            at = np.flatnonzero(among[docnums])
            docnums, term_scores = docnums[at], term_scores[at]
        scores = term_scores * query.boost if query.boost != 1.0 else term_scores
        return Scored(docnums, scores, np.ones(len(docnums), dtype=np.int32), 1)

    def _phrase(self, query: Phrase) -> Scored:
        """Whoosh's score of a quoted phrase: its ``SpanNear2`` matcher scores a document
        as the intersection of its words' term matchers does, their BM25F scores added in
        the order of Whoosh's binary tree (``make_binary_tree``), times the phrase's boost;
        each word is a term for the coordination bonus of an Or above it."""
        found = self._phrase_documents(query)
        if found is None:
            return self._nothing()
        docnums, words = found
        parts = []
        for word_docnums, word_scores in words:
            parts.append(word_scores[np.searchsorted(word_docnums, docnums)])
        scores = _tree_sum(parts)
        if query.boost != 1.0:
            scores = scores * query.boost
        return Scored(docnums, scores, np.full(len(docnums), len(words), dtype=np.int32),
                      len(words))

    def _phrase_documents(self, query: Phrase):
        """(documents where the phrase stands, ascending; each word's (documents, scores)),
        or None when it matches nothing as Whoosh sees it (a field or word absent);
        ``Unsupported`` when Whoosh must match it."""
        schema = self._searcher.schema
        field = query.fieldname
        if field not in schema:
            return None  # Whoosh's NullMatcher
        if self._positions is None or not positional(schema[field]) or not query.words:
            raise Unsupported("phrase")
        words = []
        for word in query.words:
            try:
                schema[field].to_bytes(word)
            except ValueError:
                return None
            found = self._postings(field, word)
            if found is None:  # Whoosh: "shortcut the query if one of the words doesn't exist"
                return None
            words.append(found)
        # Only the documents with every word can hold the phrase: the rarest word first.
        candidates = min((docnums for docnums, _ in words), key=len)
        for docnums, _ in words:
            if not len(candidates):
                break
            at = np.minimum(np.searchsorted(docnums, candidates), len(docnums) - 1)
            candidates = candidates[docnums[at] == candidates]
        if not len(candidates):
            return _NO_DOCUMENTS, words
        with self._lock:
            keys = [self._positions.get(field, schema[field].to_bytes(word))
                    for word in query.words]
        return phrase_documents(keys, candidates, self.size, query.slop), words

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
            lengths = _stored_lengths(reader, field, self.size)
            if lengths is None:  # not the byte column Whoosh's codec writes: one by one
                lengths = np.fromiter(
                    (reader.doc_field_length(docnum, field, 1) or 1
                     for docnum in range(self.size)), dtype=np.float64, count=self.size)
            self._lengths[field] = lengths
        return self._lengths[field]


# Whoosh stores a field's length as one byte a document, ``byte_to_length`` of it; a
# missing byte (0) reads as the default, and the ranker counts a length of 0 as 1.
_LENGTH_OF_BYTE = np.array([1] + [byte_to_length(b) or 1 for b in range(1, 256)],
                           dtype=np.float64)


def _stored_lengths(reader, field: str, size: int) -> np.ndarray | None:
    """``doc_field_length(docnum, field, 1) or 1`` for every document, each segment's
    byte column read whole: Whoosh reads it a byte (a ``pread``) at a time, half a second
    at 50,000 services on a worker's first search. None when a segment holds another kind
    of column (then ``_field_lengths`` asks Whoosh for each document)."""
    lengths = np.ones(size, dtype=np.float64)
    for leaf, base in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            return None
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:  # no document has the field: every length is the default
            continue
        if type(column) is not NumericColumn.Reader or column._fixedlen != 1:
            return None
        count = min(column._count, leaf.doc_count_all(), size - base)
        stored = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
        if len(stored) != count:
            return None
        lengths[base:base + count] = _LENGTH_OF_BYTE[stored]
    return lengths


_NO_DOCUMENTS = np.zeros(0, dtype=np.int64)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """The parts added as Whoosh's ``make_binary_tree`` adds its matchers' scores: the first
    half's sum plus the second half's (so the same bits)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _common(parts: list[Scored]) -> np.ndarray:
    """The documents in every part: the smallest part's, looked up in each other one."""
    parts = sorted(parts, key=lambda part: len(part.docnums))
    common = parts[0].docnums
    for part in parts[1:]:
        if not len(common) or not len(part.docnums):
            return _NO_DOCUMENTS
        at = np.minimum(np.searchsorted(part.docnums, common), len(part.docnums) - 1)
        common = common[part.docnums[at] == common]
    return common


def _summed(parts: list[Scored], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The documents in any part, with the parts' scores and hits added in the parts' order
    (``bincount`` adds its weights in the order given). Counting over the whole index beat
    sorting the postings (``np.unique``) at every size measured."""
    docnums = np.concatenate([part.docnums for part in parts])
    seen = np.zeros(size, dtype=bool)
    seen[docnums] = True
    union = np.flatnonzero(seen)
    scores = np.bincount(docnums, weights=np.concatenate([part.scores for part in parts]),
                         minlength=size)[union]
    hits = np.bincount(docnums, weights=np.concatenate([part.hits for part in parts]),
                       minlength=size)[union].astype(np.int32)
    return union, scores, hits
