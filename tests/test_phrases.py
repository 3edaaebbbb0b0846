"""Quoted phrases ranked by the array ranker: Whoosh's matches, scores and order, and the
build's flat copy of the positions they are matched with (``search/positions.py``)."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from whoosh.formats import Positions
from whoosh.query import Phrase

from directory.search import index as search
from directory.search import positions, queries
from directory.search.masks import mask_of


@pytest.fixture(scope="module")
def built(synthetic_build):
    """The shared 1,500 synthetic services (``synthetic_build``): phrases match hundreds of
    services with equal scores (ties decided by document number), in several segments."""
    db = sqlite3.connect(synthetic_build / "directory.db")
    db.row_factory = sqlite3.Row
    try:
        synonyms = queries.synonyms(db)
        texts = [f"{row['name']} {row['description']}"
                 for row in db.execute("select name, description from services")]
    finally:
        db.close()
    return synthetic_build / "index", synonyms, texts


@pytest.fixture(scope="module")
def index(built):
    path, synonyms, _texts = built
    return search.Index(path, synonyms)


def whoosh_ranking(index, query):
    """Whoosh's own (document, score) ranking, without its matcher swapping (as
    ``Index.ranked`` asked it before phrases were ranked here)."""
    with index.searcher() as searcher:
        collector = searcher.collector(limit=None)
        collector.replace = 0
        searcher.search_with_collector(query, collector)
        return [(hit.docnum, hit.score) for hit in collector.results()]


def phrases(texts, seed: int, count: int) -> list[str]:
    """Searches with quoted phrases as residents and attackers type them: runs of words
    taken from the listings (so they match), runs shuffled (so they mostly do not), slops,
    several phrases, a phrase with words, stop words and a word no listing has."""
    rng = random.Random(seed)
    words = sorted({w for text in texts for w in re.findall(r"[a-z]+", text.lower())})
    found = []
    for _ in range(count):
        text = re.findall(r"[A-Za-z-]+", rng.choice(texts))
        start = rng.randrange(len(text))
        run = text[start:start + rng.randint(2, 5)] or text[:2]
        kind = rng.randrange(8)
        if kind == 1:
            rng.shuffle(run)
        phrase = f'"{" ".join(run)}"'
        if kind == 2:
            phrase += f"~{rng.randint(2, 4)}"
        elif kind == 3:
            phrase += " " + rng.choice(words)
        elif kind == 4:
            phrase = f'{phrase} "{" ".join(rng.sample(words, 2))}"'
        elif kind == 5:
            phrase = f'"the {" ".join(run)} and" skydiving'
        elif kind == 6:
            phrase = f'"{run[0]} {run[0]}"'
        found.append(phrase)
    return found


def assert_ranked_as_whoosh(index, query):
    expected = whoosh_ranking(index, query)
    ranker = index._ranker()
    scored = ranker.evaluate(query)
    assert scored is not None, str(query)  # ranked here, not by Whoosh
    got = index.ranked(query)
    assert got == [docnum for docnum, _ in expected], str(query)
    scores = dict(zip(scored.docnums.tolist(), scored.scores.tolist(), strict=True))
    for docnum, score in expected:
        assert abs(scores[docnum] - score) < 1e-9, str(query)
    assert index.matches(query).bit_count() == len(expected)
    assert index.matches(query, ranked_next=False) == mask_of(got, index.size())
    return got


def test_phrases_rank_exactly_as_whoosh_ranks_them(index, built):
    matched = quoted = 0
    for text in phrases(built[2], seed=3, count=120):
        for all_words in (True, False):
            query = index.query(text, all_words=all_words)
            # (A phrase of one word but stop words is a word.)
            quoted += any(isinstance(part, Phrase) for part in parts(query))
            matched += bool(assert_ranked_as_whoosh(index, query))
    assert quoted > 150 and matched > 100  # not a comparison of nothing


def test_phrases_in_other_languages_rank_as_whoosh_ranks_them(index, built):
    for language in ("es", "id"):
        view = index.in_language(language)
        for text in phrases(built[2], seed=8, count=30) + ['"grupos de apoyo"']:
            assert_ranked_as_whoosh(view, view.query(text))


def test_a_phrase_scores_its_words_sum_in_whooshs_order(index, built):
    """Phrases of three to six words, in each field: Whoosh adds the words' scores as a
    binary tree, a + (b + c), (a + b) + (c + d): the same bits here, so ties stay ties."""
    ranker = index._ranker()
    rng = random.Random(9)
    compared = 0
    for _ in range(150):
        text = re.findall(r"[a-z]+", rng.choice(built[2]).lower())
        start = rng.randrange(max(1, len(text) - 3))
        words = search.ANALYZER(" ".join(text[start:start + 6]))
        words = [token.text for token in words][:rng.randint(3, 6)]
        if len(words) < 3:
            continue
        for field in ("name", "description", "topics"):
            query = Phrase(field, words)
            with index.searcher() as searcher:
                matcher = query.matcher(searcher)
                expected = {}
                while matcher.is_active():
                    expected[matcher.id()] = matcher.score()
                    matcher.next()
            scored = ranker.evaluate(query)
            got = dict(zip(scored.docnums.tolist(), scored.scores.tolist(), strict=True))
            assert got == expected, (field, words)
            compared += len(got)
    assert compared > 500


def test_a_phrase_in_a_mask_and_a_limit_keep_whooshs_order(index):
    query = index.query('"support group"')
    everything = [docnum for docnum, _ in whoosh_ranking(index, query)]
    assert len(everything) > 50
    among = set(random.Random(2).sample(range(index.size()), 400))
    kept = [docnum for docnum in everything if docnum in among]
    assert index.ranked(query, among=mask_of(among, index.size())) == kept
    for limit in (1, 7, 20):
        assert index.ranked(query, limit=limit) == everything[:limit]


def test_groups_of_a_phrase_search_are_those_of_a_search_per_group(index):
    rng = random.Random(4)
    size = index.size()
    owner = [rng.randrange(3) for _ in range(size)]
    groups = [mask_of([d for d in range(size) if owner[d] == g], size) for g in range(3)]
    for text in ('"support group"', '"walk in" counselling', '"support group" skydiving'):
        fast = index.search_in_groups(text, groups)
        assert fast == index._search_each(text, groups, None, 20), text
        assert fast.ids


def test_an_index_without_positions_leaves_phrases_to_whoosh(index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(index._ix.storage.folder, copy)
    for name in (positions.KEYS, positions.TABLE):
        (copy / name).unlink()
    plain = search.Index(copy, {})
    query = plain.query('"support group"')
    assert plain._ranker().evaluate(query) is None
    assert plain.ranked(query) == [docnum for docnum, _ in whoosh_ranking(plain, query)]
    assert plain.ranked(query) == index.ranked(query)  # the same order from positions


def test_the_builds_positions_are_whooshs(index):
    """Every positional term's keys are the (document, position) pairs Whoosh's matchers
    hand out, across the segments; other fields have none."""
    folder = index._ix.storage.folder
    stored = positions.TermPositions.of(Path(folder))
    with index.searcher() as searcher:
        reader = searcher.reader()
        compared = 0
        for field, text in reader.all_terms():
            if not positions.positional(reader.schema[field]):
                assert not len(stored.get(field, text)), field
                continue
            matcher = reader.postings(field, text)
            expected = []
            while matcher.is_active():
                expected += [(matcher.id() << 32) | p for p in matcher.value_as("positions")]
                matcher.next()
            assert stored.get(field, text).tolist() == expected, (field, text)
            compared += 1
    assert compared > 500


def test_positions_decode_as_whoosh_decodes_them():
    """The array decoding of Whoosh's encoded positions, the quick form and every other
    (deltas of 256 and more, over a thousand positions, with and without the STOP byte)."""
    encode = Positions().encode
    rng = random.Random(6)
    lists = [[0], [5], [255], [256], [3, 9], [1, 300, 301], list(range(0, 2400, 2)),
             [70000], list(range(7))]
    lists += [sorted(rng.sample(range(600), rng.randint(1, 12))) for _ in range(300)]
    for cut_stop in (False, True):
        values = [encode(found) for found in lists]
        if cut_stop:
            values = [value[:-1] if value.endswith(b".") else value for value in values]
        for chosen in (values, values[9:], [values[0]], [v for v in values if len(v) < 40]):
            counts, found = positions._decode(chosen)
            expected = [Positions().decode_positions(value) for value in chosen]
            assert counts.tolist() == [len(e) for e in expected]
            assert found.tolist() == [p for e in expected for p in e]
    assert positions._decode([])[0].tolist() == []


def test_phrase_documents_follow_whooshs_spans():
    """Each next word 1 to ``slop`` positions after the chain's end, in one document."""
    def keys(*pairs):
        return np.array(sorted((d << 32) | p for d, p in pairs), dtype=np.int64)

    everyone = np.arange(4)
    a = keys((0, 0), (1, 5), (2, 3), (3, 0))
    b = keys((0, 1), (1, 7), (2, 3), (3, 4))
    assert positions.phrase_documents([a, b], everyone, 4).tolist() == [0]
    assert positions.phrase_documents([a, b], everyone, 4, slop=2).tolist() == [0, 1]
    assert positions.phrase_documents([a, b], everyone, 4, slop=10 ** 12).tolist() == \
        [0, 1, 3]  # the same place never follows itself (2)
    assert positions.phrase_documents([a, b], np.array([1, 3]), 4, slop=9).tolist() == [1, 3]
    # The chain goes on from its end: a b c at 0, 1, 2; in order only.
    c = keys((0, 2), (1, 6))
    assert positions.phrase_documents([a, b, c], everyone, 4).tolist() == [0]
    assert positions.phrase_documents([b, a], everyone, 4, slop=3).tolist() == []


def parts(query):
    yield query
    for child in query.children():
        yield from parts(child)
