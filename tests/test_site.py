"""Pages as a resident meets them, through the Flask test client."""

from __future__ import annotations

import re

import pytest


def text(response) -> str:
    """The page's visible words, roughly: tags stripped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_home_has_search_categories_crisis_lines_and_demo_banner(client):
    page = client.get("/")
    assert page.status_code == 200
    words = text(page)
    assert "What are you looking for?" in words
    assert "Counselling" in words and "Support group" in words
    assert 'href="tel:988"' in page.get_data(as_text=True)
    assert 'href="sms:988"' in page.get_data(as_text=True)
    assert "Demo data" in words
    assert '<html lang="en"' in page.get_data(as_text=True)


def test_search_shows_count_and_cards(client):
    page = client.get("/search?q=counselling")
    words = text(page)
    assert "4 services found" in words
    assert "Individual counseling" in words and "Riverside Counseling Center" in words
    assert "Sliding scale" in words
    assert 'href="tel:+13125550110"' in page.get_data(as_text=True)


def test_search_with_category_and_removable_filter(client):
    words = text(client.get("/search?q=counselling&category=drop-in"))
    assert "1 service found in Drop-in" in words
    assert "Youth drop-in counselling" in words and "Individual counseling" not in words
    assert "Showing only: Drop-in ✕ (remove this filter)" in words


def test_no_results_is_not_a_dead_end(client):
    page = client.get("/search?q=skydiving&category=counselling")
    words = text(page)
    assert page.status_code == 200
    assert "No services matched your search" in words
    assert "crisis lines" in words and 'href="tel:988"' in page.get_data(as_text=True)
    assert "Nothing in the directory matches “skydiving”." in words
    # Only ways out that lead to results, each with its count.
    assert "Keep the filters, drop the words : 3 services" in words
    assert "Browse Drop-in : 2 services" in words
    assert "Browse by kind of help" in words and "Peer support" in words


def test_no_results_suggests_the_category_named(client):
    words = text(client.get("/search?q=bereavement+skydiving&category=drop-in"))
    assert "Remove “Drop-in” : 1 service" in words
    assert "Browse Grief support : 1 service" in words


def test_pagination(client, app):
    app.config["PER_PAGE"] = 3
    first, last = client.get("/search"), client.get("/search?page=3")
    assert "Page 1 of 3" in text(first) and 'rel="next"' in first.get_data(as_text=True)
    assert "Page 3 of 3" in text(last) and 'rel="next"' not in last.get_data(as_text=True)
    beyond = client.get("/search?page=9")
    assert beyond.status_code == 200 and "There are no more results" in text(beyond)


@pytest.mark.on_fixture_day  # a Tuesday: "Sunday Closed" is not today's row
def test_service_page_has_everything_needed_to_go_or_call(client):
    page = client.get("/services/harbour-youth-drop-in")
    html, words = page.get_data(as_text=True), text(page)
    assert page.status_code == 200
    for expected in ("Youth drop-in counselling", "Run by Harbour Youth Trust",
                     "12 Quay Street, Testville, IL 60607", "Monday 3 PM–7 PM",
                     "Saturday 12 PM–4 PM", "Sunday Closed",
                     "Walk in, no appointment needed", "Free", "Ages 12 to 25",
                     "English, Spanish", "Young people", "October 1, 2026",
                     "Wheelchair accessible", "Call (312) 555-0101", "Text (312) 555-0102"):
        assert expected in words, expected
    assert 'href="tel:+13125550101"' in html and 'href="sms:+13125550102"' in html


def test_phone_only_service_and_organization_fallback_phone(client):
    words = text(client.get("/services/northside-warmline"))
    assert "This service has no place to visit" in words
    assert "Also available by phone, by text message, by online chat." in words
    words = text(client.get("/services/harbour-parent-group"))
    assert "Call (312) 555-0100" in words  # the organization's main line


def test_inactive_service_says_so(client):
    assert "This service is no longer offered" in text(client.get("/services/harbour-old-camp"))


def test_organization_and_category_pages(client):
    words = text(client.get("/organizations/riverside-counseling-center"))
    assert "Couples counseling" in words and "400 River Road, Floor 2" in words
    words = text(client.get("/categories/support-group"))
    assert "2 services" in words and "Grief support (1)" in words
    words = text(client.get("/categories/grief-support"))
    assert "Support group ›" in words and "Grief support groups" in words


@pytest.mark.parametrize(("url", "message"), [
    ("/search?page=0", '"0" is not a page number; use a whole number from 1 to 500.'),
    ("/search?page=-1", '"-1" is not a page number'),
    ("/search?page=abc", '"abc" is not a page number'),
    ("/search?page=%C2%B2", '"²" is not a page number'),
    ("/search?page=99999999999999999999", "is not a page number"),
    ("/search?category=nope", '"nope" is not a known category. Choose one of: Counselling,'),
    ("/search?q=" + "x" * 201, "The search is 201 characters long; please keep it under 200."),
    ("/categories/counselling?page=x", '"x" is not a page number'),
])
def test_bad_parameters_are_helpful_400s(client, url, message):
    page = client.get(url)
    assert page.status_code == 400
    assert message in text(page).replace("&#34;", '"').replace("&quot;", '"')
    assert 'href="tel:988"' in page.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/services/nope", "/organizations/nope", "/categories/nope",
                                 "/no/such/page", "/services/..%2F..%2Fetc%2Fpasswd"])
def test_not_found_pages_help(client, url):
    page = client.get(url)
    assert page.status_code == 404
    assert "Start a new search" in text(page) and 'href="tel:988"' in page.get_data(as_text=True)


def test_control_characters_and_repeated_keys_are_harmless(client):
    assert client.get("/search?q=coun%00selling%1b").status_code == 200
    assert "4 services found" in text(client.get("/search?q=counselling&q=zzz"))


def test_query_is_escaped(client):
    page = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in page.get_data(as_text=True)
    assert "&lt;script&gt;" in page.get_data(as_text=True)


def test_about_privacy_and_health(client):
    assert "It lists 7 services from 4 organizations." in text(client.get("/about"))
    assert "No cookies" in text(client.get("/privacy"))
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["counts"]["services"] == 7


def test_partial_matches_are_labelled(client):
    words = text(client.get("/search?q=grief+skydiving"))
    assert "No service matched all of your words, so these match some of them." in words
    assert "Grief support groups" in words
