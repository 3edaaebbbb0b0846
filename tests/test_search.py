"""Golden queries: what a resident types → the services that must come first."""

from __future__ import annotations

import sqlite3

import pytest

from directory import queries
from directory.search import Index, normalise


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
