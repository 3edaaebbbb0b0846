"""Words that are filters: "free counselling" becomes counselling with a Free chip; "near me"
asks where the person is; never in a crisis search; bad filter words are data errors."""

from __future__ import annotations

import pytest

from directory.search.reading import FilterWords
from tests.test_validate import messages

WORDS = FilterWords([("cost", "free", "free"), ("language", "es", "spanish"),
                     ("language", "es", "who speaks spanish"), ("open_now", "1", "tonight"),
                     ("place", "me", "near me"), ("language", "id", "indonesian")])


def has(name, value):
    return (name, value) != ("language", "id")  # as if no service spoke Indonesian


@pytest.mark.parametrize(("q", "text", "filters", "ask"), [
    ("free counselling", "counselling", (("cost", "free"),), False),
    ("Therapist who speaks Spanish", "Therapist", (("language", "es"),), False),
    ("support group tonight", "support group", (("open_now", "1"),), False),
    ("aa meetings near me", "aa meetings", (), True),
    ("counselling", "counselling", (), False),
    ("indonesian counselling", "indonesian counselling", (), False),  # nobody offers it
    ("freedom", "freedom", (), False),  # whole words only
])
def test_filter_words_are_read_out_of_the_search(q, text, filters, ask):
    read = WORDS.read(q, has)
    assert (read.text, read.filters, read.ask_place) == (text, filters, ask)


def test_a_filter_the_person_chose_is_not_overridden():
    read = WORDS.read("free counselling", has, {"cost"})
    assert read.text == "free counselling" and read.filters == ()


def test_free_counselling_becomes_a_removable_free_filter(client):
    response = client.get("/search?q=free+counselling")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=counselling&cost=free"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="chip"' in html and "Free" in html
    assert "Riverside" in html or "Harbour" in html


def test_spanish_and_tonight_are_filters_too(client):
    location = client.get("/search?q=en+espa%C3%B1ol+gratis").headers["Location"]
    assert location == "/search?cost=free&language=es"
    assert client.get("/search?q=tonight").headers["Location"] == "/search?open_now=1"


def test_near_me_asks_where_the_person_is(client):
    response = client.get("/search?q=counselling+near+me")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "To see services near you, type your neighbourhood or ZIP code" in html
    assert '<details class="filter-panel" open>' in html
    assert 'value="counselling"' in html  # the search goes on without "near me"


def test_free_near_me_keeps_the_place_words_through_the_redirect(client):
    assert client.get("/search?q=free+counselling+near+me").headers["Location"] == \
        "/search?q=counselling+near+me&cost=free"


def test_a_crisis_search_is_never_turned_into_filters(client):
    response = client.get("/search?q=suicidal+tonight")
    assert response.status_code == 200
    assert 'class="crisis-panel"' in response.get_data(as_text=True)


def test_filter_words_problems_name_file_line_and_field(data_dir):
    taxonomy = data_dir / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text() + (
        "  - {filter: cost, value: cheap, words: [cheap]}\n"
        "  - {filter: colour, value: red, words: [red]}\n"
        "  - {filter: language, value: klingon, words: [klingon]}\n"))
    found = [m for m in messages(data_dir) if m.startswith("data/taxonomy.yaml")]
    assert any(m.startswith('data/taxonomy.yaml:') and 'filter_words[5].value: "cheap" is not '
               "a value of cost (expected one of: free, sliding-scale, paid)" in m for m in found)
    assert any("filter_words[6].filter" in m and '"colour"' in m for m in found)
    assert any("filter_words[7].value" in m and "is not a language code" in m for m in found)


def test_empty_fields_leave_the_address_in_any_language(client):
    """A Spanish form with untouched fields redirects to one well-formed address that keeps
    the language once."""
    response = client.get("/search?q=terapia&lang=es&cost=&category=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=terapia&lang=es"
