"""The array ranker gives Whoosh's own ranking: same matches, same scores, same order."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest
from whoosh.query import Phrase

from directory.search import index as search
from directory.search import queries
from directory.search.masks import mask_of, to_array, to_mask

# Words residents type, synonyms, stop words, typos and words no service has.
WORDS = ["counselling", "counseling", "support", "group", "groups", "walk", "in", "free",
         "grief", "youth", "teen", "someone", "to", "talk", "housing", "recovery", "peer",
         "crisis", "line", "spanish", "therapy", "family", "anxiety", "skydiving", "hyt"]
GOLDEN = ["counselling", "someone to talk to", "walk in", "support groups", "free therapy",
          "grief skydiving", "crisis line", "the", ""]


@pytest.fixture(scope="module")
def index(synthetic_build):
    """The shared 1,500 synthetic services (``synthetic_build``) exercise the scoring, ties
    and the coordination bonus, indexed by several processes into several segments."""
    db = sqlite3.connect(synthetic_build / "directory.db")
    db.row_factory = sqlite3.Row
    try:
        index = search.Index(synthetic_build / "index", queries.synonyms(db))
    finally:
        db.close()
    with index.searcher() as searcher:
        segments = len(searcher.leaf_searchers())
    assert segments > 1 or (os.cpu_count() or 1) == 1, "the parallel writer was not used"
    return index


def whoosh_ranking(index, query, among=None):
    """Whoosh's own ranking of the query, kept to the documents ``among``.

    Whoosh's collector normally swaps in simpler matchers as posting lists run out, and a
    filter skips through them; both change the coordination bonus of OR searches for
    documents late in the index, so that a score depends on where a document sits and on the
    filter. The comparison is with the scores Whoosh gives when it does neither."""
    with index.searcher() as searcher:
        collector = searcher.collector(limit=None)
        collector.replace = 0
        searcher.search_with_collector(query, collector)
        ranking = [(hit.docnum, hit.score) for hit in collector.results()]
        if among is not None:
            filtered = set(searcher.search(query, limit=None, filter=among).docs())
            ranking = [(docnum, score) for docnum, score in ranking if docnum in among]
            assert filtered == {docnum for docnum, _ in ranking}
        return ranking


def assert_same_ranking(index, query, among=None):
    expected = whoosh_ranking(index, query, among)
    mask = None if among is None else mask_of(among, index.size())
    got = index.ranked(query, among=mask)
    assert sorted(got) == sorted(docnum for docnum, _ in expected), str(query)
    scores = dict(expected)
    for position, (docnum, score) in enumerate(expected):
        # Sums taken in another order may differ in the last bits: equal scores may swap.
        assert got[position] == docnum or abs(scores[got[position]] - score) < 1e-9, \
            (str(query), position)
    return got


@pytest.mark.parametrize("text", GOLDEN)
@pytest.mark.parametrize("all_words", [True, False])
def test_golden_searches_rank_as_whoosh_ranks_them(index, text, all_words):
    got = assert_same_ranking(index, index.query(text, all_words=all_words))
    if text in ("counselling", "walk in"):
        assert got  # the comparison is not between two empty lists


def test_random_searches_rank_as_whoosh_ranks_them(index):
    rng = random.Random(11)
    for _ in range(60):
        text = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
        assert_same_ranking(index, index.query(text, all_words=rng.random() < 0.5))


def test_a_mask_limits_the_ranking_as_whooshs_filter_does(index):
    rng = random.Random(5)
    among = set(rng.sample(range(index.size()), 300))
    assert assert_same_ranking(index, index.query("support group", all_words=False), among)


def test_a_limit_keeps_the_best_and_breaks_ties_by_document_number(index):
    query = index.query("counselling")
    everything = index.ranked(query)
    assert len(everything) > 25
    for limit in (1, 7, 20):
        assert index.ranked(query, limit=limit) == everything[:limit]



@pytest.mark.parametrize("distinct", [3, 40, 100_000])  # scores: ties everywhere … none
def test_the_best_few_of_many_scores_are_those_a_full_sort_gives(distinct):
    # Ranker.top looks only near the top of a large result (its blocks' maxima): the same
    # documents, in the same order, as sorting every score, ties by document number.
    import numpy as np

    from directory.search.ranking import Ranker, Scored

    rng = np.random.default_rng(distinct)
    for size in (10, 64 * 5, 64 * 40 + 17, 20_000):
        docnums = np.sort(rng.choice(100_000, size, replace=False))
        scores = rng.integers(0, distinct, size) / 7.0
        scored = Scored(docnums, scores, np.ones(size, dtype=np.int32), 1)
        among = rng.random(100_000) < 0.5
        for limit in (1, 5, 20, 300):
            for allowed in (None, among):
                kept = [i for i in range(size) if allowed is None or allowed[docnums[i]]]
                expected = sorted(kept, key=lambda i: (-scores[i], docnums[i]))[:limit]
                assert Ranker.top(None, scored, allowed, limit) == docnums[expected].tolist()


def test_masks_and_arrays_convert_both_ways():
    for mask in (0, 1, 0b1011, 1 << 12, (1 << 13) - 1):
        assert to_mask(to_array(mask, 13)) == mask


def test_a_quoted_phrase_is_ranked_as_whoosh_ranks_it(index):
    # Ranked from the build's positions (tests/test_phrases.py), no longer by Whoosh.
    query = index.query('"support group"')
    assert any(isinstance(part, Phrase) for part in parts(query))
    assert index._ranker().evaluate(query) is not None
    assert assert_same_ranking(index, query)
    assert index.matches(query).bit_count() == len(whoosh_ranking(index, query))


def parts(query):
    yield query
    for child in query.children():
        yield from parts(child)


def test_postings_read_by_block_are_those_whoosh_hands_out_one_by_one(index):
    """The block reader (``read_postings``) gives every term's documents and weights exactly
    as Whoosh's matcher walks them, across the index's segments and its fields."""
    from directory.search.postings import _walk, read_postings

    with index.searcher() as searcher:
        reader = searcher.reader()
        compared = 0
        for field in ("name", "topics", "description", "organization", "category"):
            for text in list(reader.lexicon(field))[::3]:
                ids, weights = read_postings(reader.postings(field, text))
                expected_ids, expected_weights = [], []
                walked = reader.postings(field, text)
                leaves = getattr(walked, "matchers", [walked])
                offsets = getattr(walked, "offsets", [0])
                for leaf, offset in zip(leaves, offsets, strict=True):
                    leaf_ids, leaf_weights = _walk(leaf, offset)
                    expected_ids += leaf_ids.tolist()
                    expected_weights += leaf_weights.tolist()
                assert ids.tolist() == expected_ids, (field, text)
                assert weights.tolist() == expected_weights, (field, text)
                assert ids.tolist() == sorted(ids.tolist())
                compared += 1
    assert compared > 100


def test_segments_read_in_place_are_the_index_whoosh_reads(index):
    """``segments.open_index`` (os.pread, nothing copied) reads the same documents, terms,
    postings and search results as Whoosh's own ``open_dir``, also from several threads at
    once (each part keeps its own position)."""
    from concurrent.futures import ThreadPoolExecutor

    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser

    from directory.search import segments
    from directory.search.postings import read_postings

    folder = str(index._ix.storage.folder)
    own, in_place = whoosh_index.open_dir(folder, readonly=True), segments.open_index(folder)
    assert isinstance(in_place.storage, segments.InPlaceStorage)
    with own.searcher() as expected, in_place.searcher() as found:
        assert list(found.reader().iter_docs()) == list(expected.reader().iter_docs())
        terms = list(expected.reader().all_terms())
        assert list(found.reader().all_terms()) == terms
        for text in ("counselling", "support group", "walk in", '"walk in"'):
            query = QueryParser("description", own.schema).parse(text)
            assert [(h.docnum, h.score) for h in found.search(query, limit=None)] == \
                [(h.docnum, h.score) for h in expected.search(query, limit=None)]
        sample = terms[::max(1, len(terms) // 300)]

        def postings(reader):
            return [tuple(part.tolist() for part in read_postings(reader.postings(f, t)))
                    for f, t in sample]

        wanted = postings(expected.reader())
        readers = [in_place.searcher().reader() for _ in range(4)]
        with ThreadPoolExecutor(4) as pool:
            for answer in pool.map(postings, readers):
                assert answer == wanted
        for reader in readers:
            reader.close()


def test_a_search_combines_its_terms_once(index, monkeypatch):
    # A search asks which documents match, then the best of them: the same query twice.
    first, other = index.query("support group"), index.query("counselling")
    ranker = index._ranker()
    expected, others = index.ranked(first), index.ranked(other)
    read = []
    real = ranker._postings
    monkeypatch.setattr(ranker, "_postings", lambda *term: read.append(term) or real(*term))
    mask = index.matches(first)
    asked = len(read)
    assert asked and mask.bit_count() == len(expected)
    assert index.ranked(first) == expected and len(read) == asked  # not evaluated again
    assert index.ranked(other) == others and len(read) > asked  # another query: evaluated


def _dense(ranker, query):
    """The reference the sparse ranker must equal to the bit: every term as arrays over the
    whole index (0.0 where absent), the parts added row by row in their order."""
    import numpy as np
    from whoosh.query import And, NullQuery, Or, Term

    if isinstance(query, Term) or query is NullQuery:
        scores, hits = np.zeros(ranker.size), np.zeros(ranker.size, dtype=np.int32)
        found = None if query is NullQuery else ranker._postings(query.fieldname, query.text)
        if found is not None:
            scores[found[0]] = found[1] * query.boost if query.boost != 1.0 else found[1]
            hits[found[0]] = 1
        return scores, hits > 0, hits, int(found is not None)
    parts = [_dense(ranker, sub) for sub in query.subqueries]
    if type(query) is Or and not query.scale and query.boost == 1.0:
        parts = [part for part in parts if part[3]] or parts[:1]
    if len(parts) == 1:
        return parts[0]
    scores = np.sum([part[0] for part in parts], axis=0)
    hits = np.sum([part[2] for part in parts], axis=0, dtype=np.int32)
    terms = sum(part[3] for part in parts)
    combine = np.logical_and if type(query) is And else np.logical_or
    matched = combine.reduce([part[1] for part in parts])
    scores = np.where(matched, scores, 0.0) * query.boost
    if type(query) is Or and query.scale and terms and terms != query.scale:
        scores = (scores + (hits - 1) / (terms - query.scale) ** 2) * ((terms - 1) / terms)
    return np.where(matched, scores, 0.0), matched, np.where(matched, hits, 0), terms


def test_scores_are_the_bits_of_a_sum_over_the_whole_index(index):
    """A query's scores, kept only for the documents it matches, are exactly what adding
    every term's array over the whole index gives (the order of additions kept): ties and
    the order of results cannot move by a last bit."""
    import numpy as np

    rng = random.Random(11)
    ranker = index._ranker()
    for language in ("en", "es", "id"):
        view = index.in_language(language)
        for _ in range(60):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
            for all_words in (True, False):
                query = view.query(words, all_words=all_words)
                scored = ranker.evaluate(query)
                if scored is None:
                    continue
                scores, matched, hits, terms = _dense(ranker, query)
                assert scored.docnums.tolist() == np.flatnonzero(matched).tolist(), words
                assert scored.scores.tobytes() == scores[matched].tobytes(), words
                assert scored.hits.tolist() == hits[matched].tolist() and scored.terms == terms


def test_part_reads_ahead_and_returns_the_bytes_of_the_file(tmp_path):
    """A part's small reads come from one read-ahead chunk: every mix of small reads, large
    reads, seeks back and reads past the end gives the file's own bytes."""
    import os
    import random

    from directory.search import segments

    data = bytes(random.Random(4).randrange(256) for _ in range(3 * segments.READ_AHEAD + 77))
    path = tmp_path / "part.seg"
    path.write_bytes(b"head" + data + b"tail")
    descriptor = segments._Descriptor(os.open(path, os.O_RDONLY))
    reader = segments._Reader(descriptor, 4, len(data))  # the part between head and tail
    rng, position = random.Random(5), 0
    for _ in range(2000):
        if rng.random() < 0.1:
            position = rng.randrange(len(data) + 10)
            reader.seek(position)
        size = rng.choice((1, 4, 8, 100, segments.READ_AHEAD - 1, segments.READ_AHEAD,
                           2 * segments.READ_AHEAD))
        assert reader.read(size) == data[position:position + size]
        position = min(len(data), position + size) if position <= len(data) else position
        assert reader.tell() == position
    reader.seek(0)
    assert reader.read() == data


def test_the_builds_term_arrays_are_whooshs_postings(index):
    """The build's flat copy of the postings holds every term of the index with the same
    documents and weights as Whoosh's blocks, and nothing else; searches read it."""
    from directory.search.postings import TermArrays, read_postings

    folder = index._ix.storage.folder
    arrays = TermArrays.of(Path(folder))
    assert arrays is not None
    with index.searcher() as searcher:
        reader = searcher.reader()
        terms = list(reader.all_terms())
        for field, text in terms:
            ids, weights = read_postings(reader.postings(field, text))
            found = arrays.get(field, text)
            assert found is not None, (field, text)
            assert found[0].tolist() == ids.tolist() and found[1].tolist() == weights.tolist()
    assert len(terms) > 1000
    for field, text in (("description", b"skydiving"), ("name", b""), ("nofield", b"x")):
        assert arrays.get(field, text) is None
    assert index._ranker()._arrays is not None


def test_without_term_arrays_the_ranking_reads_whooshs_blocks_alike(index, tmp_path,
                                                                     monkeypatch):
    """Two terms whose hashes collide (a one-in-10^10 chance) leave the index without the
    flat copy; the ranker then reads Whoosh's blocks, and ranks the same."""
    import shutil

    from directory.search import postings

    copy = tmp_path / "index"
    shutil.copytree(index._ix.storage.folder, copy)
    for name in (postings.IDS, postings.WEIGHTS, postings.TABLE):
        (copy / name).unlink()
    monkeypatch.setattr(postings, "term_hash", lambda field, text: 7)
    with search.segments.open_index(str(copy)).reader() as reader:
        assert postings.write(copy, reader) is False
    assert not any((copy / name).exists() for name in (postings.IDS, postings.TABLE))
    monkeypatch.undo()
    plain = search.Index(copy, {})
    assert plain._ranker()._arrays is None
    for text in GOLDEN + WORDS:
        query = index.query(text)
        assert plain.ranked(query) == index.ranked(query), text


def test_field_lengths_read_whole_are_those_whoosh_reads_a_document_at_a_time(index):
    """Each segment's length column is read in one piece (a worker's first search read it a
    byte at a time): the same length for every document of every scored field, documents
    of later segments included, and a field no document has reads as Whoosh's default."""
    from directory.search.ranking import _stored_lengths

    with index.searcher() as searcher:
        reader = searcher.reader()
        size = reader.doc_count_all()
        assert len(list(reader.leaf_readers())) > 1 or (os.cpu_count() or 1) == 1
        scored = [name for name in searcher.schema.names() if searcher.schema[name].scorable]
        assert "name" in scored and "description" in scored
        for field in [*scored, "no_such_field"]:
            whole = _stored_lengths(reader, field, size)
            one_by_one = [reader.doc_field_length(docnum, field, 1) or 1
                          for docnum in range(size)]
            assert whole is not None and whole.tolist() == one_by_one, field
        assert len(set(_stored_lengths(reader, "description", size).tolist())) > 5
