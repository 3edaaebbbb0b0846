"""Golden queries: what a resident types → the services that must come first."""

from __future__ import annotations

import sqlite3

import pytest

from directory.search import queries
from directory.search.index import Index, normalise


@pytest.fixture(scope="module")
def index(built_instance):
    db = sqlite3.connect(built_instance / "current" / "directory.db")
    db.row_factory = sqlite3.Row
    return Index(built_instance / "current" / "index", queries.synonyms(db))


@pytest.mark.parametrize(("query", "first"), [
    # Both spellings, and the plain words people use for counselling.
    ("counselling", {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("counseling", {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("someone to talk to", {"harbour-youth-drop-in", "riverside-therapy", "riverside-couples"}),
    ("therapy", {"harbour-youth-drop-in", "riverside-therapy", "riverside-couples"}),
    # Synonyms of drop-in, with and without the hyphen.
    ("walk in", {"maple-library-drop-in", "harbour-youth-drop-in"}),
    ("walk-in", {"maple-library-drop-in", "harbour-youth-drop-in"}),
    # Plural and singular find the same groups; a child category counts for its parent.
    ("support groups", {"riverside-grief-groups", "harbour-parent-group"}),
    ("support group", {"riverside-grief-groups", "harbour-parent-group"}),
    ("hotline", {"northside-warmline"}),
    ("helpline", {"northside-warmline"}),
    ("bereavement", {"riverside-grief-groups"}),
    ("anxiety", {"riverside-therapy"}),
    ("HYT", {"harbour-youth-drop-in", "harbour-parent-group"}),  # organization's short name
])
def test_golden_queries(index, query, first):
    hits = index.search(query)
    assert set(hits.ids[:len(first)]) == first


def test_inactive_services_are_never_found(index):
    assert "harbour-old-camp" not in index.search("summer camp counselling").ids
    assert "harbour-old-camp" not in index.search("").ids


def test_category_filter_includes_child_categories(index):
    assert index.search("", category="support-group").ids == [
        "riverside-grief-groups", "harbour-parent-group"]  # by name: Grief…, Parents'…
    assert index.search("counselling", category="drop-in").ids == ["harbour-youth-drop-in"]


def test_browsing_without_words_is_alphabetical_and_paged(index):
    first, second = index.search("", page=1, per_page=4), index.search("", page=2, per_page=4)
    assert first.total == second.total == 7
    assert first.ids == ["riverside-couples", "riverside-grief-groups", "riverside-therapy",
                         "maple-library-drop-in"]
    assert len(second.ids) == 3 and not set(first.ids) & set(second.ids)


def test_query_syntax_is_treated_as_words(index):
    for text in ("name:hotline", "coun*", "[a TO z]", "hotline^5", "(", "\"", "AND OR NOT"):
        index.search(text)  # never raises
    assert index.search("name:hotline").ids[:1] == ["northside-warmline"]


def test_stopwords_only_find_nothing_rather_than_everything(index):
    assert index.search("to the").total == 0


def test_synonym_phrases_match_whole_words(index):
    assert index.categories_named_in("I need someone to talk to") == ["counselling"]
    assert index.categories_named_in("walkin") == []
    assert normalise("Walk-In  Centre!") == "walk in centre"


def test_all_words_first_then_any_word(index):
    strict = index.search("grief support")
    assert strict.all_words and strict.ids == ["riverside-grief-groups"]
    loose = index.search("grief skydiving")
    assert not loose.all_words and loose.ids == ["riverside-grief-groups"]


# --- typo tolerance, as the site searches (directory.finder) ---------------------------


@pytest.fixture(scope="module")
def find(built_instance):
    import datetime as dt

    from directory.search import finder
    from directory.search.facets import FacetIndex
    from directory.search.filters import Filters
    from directory.search.spelling import Speller

    db = sqlite3.connect(built_instance / "current" / "directory.db")
    db.row_factory = sqlite3.Row
    index = Index(built_instance / "current" / "index", queries.synonyms(db))
    facets = FacetIndex(db, index)
    speller = Speller(queries.spelling_words(db))
    categories = queries.categories(db)
    now = dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC)

    def run(q: str):
        return finder.find(index, facets, speller, db, q, Filters(), page=1, per_page=20,
                           now=now, categories=categories)
    run.index = index
    yield run
    db.close()


@pytest.mark.parametrize(("query", "corrected", "first"), [
    # A correct spelling is never "corrected"; a misspelling finds what the word would.
    ("counseling", None, {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("counselign", "counseling",
     {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("councelling", "counselling",
     {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("grief", None, {"riverside-grief-groups"}),
    ("grefi", "grief", {"riverside-grief-groups"}),
    ("bereavment", None, {"riverside-grief-groups"}),  # both stem to "bereav": found as is
    ("hotlne", "hotline", {"northside-warmline"}),
    ("therapsit", "therapist", {"riverside-therapy", "riverside-couples", "harbour-youth-drop-in"}),
    ("suport group", "support group", {"riverside-grief-groups", "harbour-parent-group"}),
    ("grief suport", "grief support", {"riverside-grief-groups"}),
])
def test_misspellings_find_what_was_meant(find, query, corrected, first):
    found = find(query)
    assert found.corrected == corrected
    assert set(found.ids[:len(first)]) == first


def test_exact_matches_are_not_drowned_by_fuzzy_ones(find):
    # One exact match, and every word is known: nothing is added after it.
    assert find("anxiety").ids == ["riverside-therapy"] and find("anxiety").corrected is None
    assert find("grief").ids == ["riverside-grief-groups"]
    # Enough exact matches: no correction is even tried.
    assert find("counselling").corrected is None


def test_searches_use_the_searcher_kept_open(find, monkeypatch):
    # Opening a searcher reads every segment's term files: at 50,000 services it cost each
    # misspelt or quoted search ~65 ms. Once the index is open, no search opens another.
    find("counselling")
    monkeypatch.setattr(find.index._ix, "searcher", lambda: pytest.fail("a searcher opened"))
    assert find("councelling").corrected == "counselling"
    assert find('"support group"').ids[:1] == ["riverside-grief-groups"]


def test_unknown_words_without_a_close_word_stay_unmatched(find):
    found = find("skydiving")
    assert found.ids == [] and found.corrected is None
    partial = find("grief skydiving")  # any word, when not all words match
    assert not partial.all_words and partial.ids == ["riverside-grief-groups"]


def test_the_build_keeps_the_words_people_search_with(built_instance):
    db = sqlite3.connect(built_instance / "current" / "directory.db")
    words = queries.spelling_words(db)
    db.close()
    # Category names and synonyms count per active service; organization names too.
    assert words["counselling"] == 3
    assert words["counseling"] == 4  # a synonym of counselling, and Riverside Counseling Center
    assert words["grief"] == 1 and words["hyt"] == 2
    assert "camp" not in words  # the retired summer camp is not searched


@pytest.mark.parametrize("text", ["counselling", "someone to talk to", "walk-in", "walk in",
                                  "support groups", "grief skydiving", "HYT", '"support group"',
                                  "to the", "self-help", "drop-in counselling", "bereavement"])
def test_match_masks_from_posting_lists_equal_whoosh_matching(index, text):
    from directory.search.index import match_mask
    from directory.search.masks import mask_of

    for all_words in (True, False):
        query = index.query(text, all_words=all_words)
        with index.searcher() as searcher:
            size = searcher.doc_count_all()
            walked = mask_of(searcher.docs_for_query(query), size)
            assert match_mask(searcher, query, size) == walked, (text, all_words)
