"""Crisis searches: recognised however phrased, in any language; the crisis lines open the
page, crisis services come first, the speller never rewrites them, never an empty page."""

from __future__ import annotations

import html as html_module
import re

import pytest

from directory.search.crisis import CrisisTerms
from tests.test_validate import messages

TERMS = CrisisTerms(
    [("en", "kill myself"), ("en", "want to die"), ("en", "dont want to live"),
     ("en", "end it all"), ("en", "hurt myself"), ("en", "cutting"), ("en", "overdose"),
     ("en", "suicidal"), ("en", "suicide"), ("en", "self harm"), ("es", "quiero morir"),
     ("es", "hacerme daño"), ("id", "bunuh diri")],
    [("en", "suicide loss"), ("en", "cutting back")])


@pytest.mark.parametrize(("typed", "phrase"), [
    ("kill myself", "kill myself"),
    ("Killing myself", "kill myself"),  # the stem, any case
    ("i want to kill myself", "kill myself"),
    ("i want to die", "want to die"),
    ("I want to just die", "want to die"),  # one word between two of the phrase
    ("DON'T want to live", "dont want to live"),  # apostrophes and case
    ("don’t want to live anymore", "dont want to live"),  # a phone's curly apostrophe
    ("end it all", "end it all"),
    ("hurting my self", "hurt myself"),  # "my self", as phones split it
    ("cutting", "cutting"),
    ("overdosed", "overdose"),
    ("sucidal", "suicidal"),  # one typo in a long word
    ("suicde", "suicide"),
    ("self-harm", "self harm"),
    ("Quiero morir", "quiero morir"),  # Spanish on an English page
    ("hacerme dano", "hacerme daño"),  # without the accent
    ("mau bunuh diri", "bunuh diri"),  # Indonesian
])
def test_crisis_phrasings_are_recognised(typed, phrase):
    found = TERMS.match(typed)
    assert found is not None and found.phrase == phrase


@pytest.mark.parametrize("typed", [
    "counselling", "end of life care", "support group", "cut", "suicide loss group",
    "cutting back on drinking", "kill", "my life", "want to talk", "die", "",
])
def test_ordinary_searches_are_not_crisis_searches(typed):
    assert TERMS.match(typed) is None


def _order(html: str, *markers: str) -> list[int]:
    return [html.index(marker) for marker in markers]


@pytest.mark.parametrize("q", ["kill myself", "i want to die", "quiero morir",
                               "ingin mati", "suicidal"])
def test_a_crisis_search_opens_with_the_crisis_lines_then_crisis_services(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The panel, then the heading of the results, then the crisis service first.
    panel, heading, crisis, first = _order(
        html, 'class="crisis-panel"', "<h1>", "Crisis lines and services", "Peer warmline")
    assert panel < heading < crisis < first
    assert "You don’t have to go through this alone" in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert "Did you mean" not in html and "Nothing matched" not in html
    assert "No services matched" not in html


def test_the_crisis_panel_names_each_line_in_the_pages_language(client):
    """The lines' names and descriptions may come per language in site.yaml: the panel shows
    the words in the page's language, never the mapping they are written in."""
    for lang, description in (("en", "Call or text 988, any time."),
                              ("es", "Llame o envíe un mensaje al 988, a cualquier hora.")):
        html = client.get("/search", query_string={"q": "kill myself", "lang": lang}
                          ).get_data(as_text=True)
        panel = html.split('class="crisis-panel"')[1].split("<h1>")[0]
        words = " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", panel)).split())
        assert "988 Suicide & Crisis Lifeline" in words and description in words, words
        assert "{" not in words and "'en'" not in words


def test_a_crisis_search_is_never_corrected_even_with_a_typo(client):
    html = client.get("/search?q=kill+myslef+want+to+die").get_data(as_text=True)
    assert "Did you mean" not in html
    assert 'class="crisis-panel"' in html


def test_a_crisis_search_keeps_the_other_matches_after_the_crisis_services(client):
    html = client.get("/search?q=suicidal+counselling").get_data(as_text=True)
    assert html.index("Crisis lines and services") < html.index("More results for")
    assert html.index("Peer warmline") < html.index("More results for") \
        < html.index("Riverside")


def test_an_ordinary_search_has_no_crisis_panel(client):
    html = client.get("/search?q=counselling").get_data(as_text=True)
    assert 'class="crisis-panel"' not in html
    assert 'class="crisis' in html  # the pinned strip stays on every page


def test_suicide_loss_is_a_grief_search_not_a_crisis_one(client):
    html = client.get("/search?q=suicide+loss").get_data(as_text=True)
    assert 'class="crisis-panel"' not in html


def test_a_phone_number_finds_its_service(client):
    for typed in ("773 555 0120", "(773) 555-0120", "+1 773 555 0120", "7735550120"):
        html = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
        assert "Peer warmline" in html, typed
        assert re.search(r"1 service found", html), typed


# --- the data file ---------------------------------------------------------------------


def test_crisis_terms_problems_name_file_line_and_field(data_dir):
    (data_dir / "crisis_terms.yaml").write_text(
        "crisis:\n"
        "  en:\n"
        "    - kill myself\n"
        "    - Kill  Myself\n"
        "    - '!!'\n"
        "  english: [suicide]\n"
        "not_crisis:\n"
        "  en: suicide loss\n"
        "crisiss: []\n")
    found = messages(data_dir)
    assert "data/crisis_terms.yaml:4: crisis.en[1]: \"Kill Myself\" is already listed at " \
           "line 3; keep one" in found
    assert "data/crisis_terms.yaml:5: crisis.en[2]: \"!!\" has no letters or digits to match " \
           "a search with" in found
    assert any(m.startswith("data/crisis_terms.yaml:6: crisis.english: \"english\" is not a "
                            "language code") for m in found)
    assert any(m.startswith("data/crisis_terms.yaml:9: crisiss: is not a known field")
               for m in found)


def test_crisis_terms_need_the_crisis_list(data_dir):
    (data_dir / "crisis_terms.yaml").write_text("not_crisis:\n  en: [suicide loss]\n")
    assert "data/crisis_terms.yaml:1: crisis: is missing; every file of crisis terms needs " \
           "one" in messages(data_dir)


def test_crisis_services_first_across_pages(built_instance):
    from directory.web.app import create_app
    from tests.conftest import FIXTURE_DATA, FROZEN_NOW

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                      "DATA_DIR": str(FIXTURE_DATA), "NOW": FROZEN_NOW, "PER_PAGE": 1})
    client = app.test_client()
    pages = [client.get(f"/search?q=suicidal+counselling&page={n}").get_data(as_text=True)
             for n in (1, 2, 3)]
    shown = [re.findall(r'<h3 class="card-title"><a href="/services/([^"?]+)[^"]*"', html)
             for html in pages]
    assert shown[0] == ["northside-warmline"]
    assert shown[1] and shown[1] != shown[0] and shown[2] and shown[2] != shown[1]
    assert all('class="crisis-panel"' in html for html in pages)


def test_a_short_code_finds_the_service_that_has_it(fresh_app, data_dir, instance, rebuild):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace(
        '{number: "+1 773 555 0121", type: text}',
        '{number: "+1 773 555 0121", type: text}, {number: "211", type: voice}'))
    rebuild(data_dir, instance)
    html = fresh_app.test_client().get("/search?q=211").get_data(as_text=True)
    assert "Peer warmline" in html and "1 service found" in html
    assert "No services matched" not in html


def test_a_misspelt_word_in_a_longer_search_gets_its_suggestion(client):
    html = client.get("/search?q=counselling+suport").get_data(as_text=True)
    assert "Did you mean" in html and "counselling support" in html
    assert "Nothing matched" not in html  # the exact results stay
