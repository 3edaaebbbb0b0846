"""Ways to help: roles on the organization page and on /volunteer, with the /events filters,
and never among a resident's search results unless asked for."""

from __future__ import annotations

import pytest

from tests.test_events import text


def test_volunteer_page_lists_every_way_to_help(client):
    words = text(client.get("/volunteer"))
    assert "2 ways to help found." in words
    assert ("Homework club volunteer Harbour Youth Trust Volunteer role Help young people with "
            "homework and listen when they want to talk. Time it takes One afternoon a week, "
            "for at least three months. Training given A free two-evening safeguarding and "
            "listening course.") in words
    assert "Languages English, Spanish Where 12 Quay Street, Testville, IL 60607" in words
    assert "Who to contact Volunteer coordinator: Call (312) 555-0104 " \
           "volunteer@harbour.example.org" in words
    assert "Peer mentor training Harbour Youth Trust Peer-supporter training" in words
    assert "Where From home, or ask Who to contact Find out more" in words


def test_contact_links_work_on_a_phone(client):
    html = client.get("/volunteer").get_data(as_text=True)
    assert 'href="tel:+13125550104"' in html
    assert 'href="mailto:volunteer@harbour.example.org"' in html
    assert 'href="https://harbour.example.org/peer-mentors"' in html


def test_organization_page_shows_its_ways_to_help(client):
    words = text(client.get("/organizations/harbour-youth-trust"))
    assert "Ways to help Homework club volunteer Volunteer role" in words
    assert "Peer mentor training Peer-supporter training" in words
    other = client.get("/organizations/riverside-counseling-center").get_data(as_text=True)
    assert 'id="ways-to-help"' not in other and "Volunteer role" not in other


@pytest.mark.parametrize(("url", "shown", "hidden"), [
    ("/volunteer?q=homework", ["Homework club volunteer"], ["Peer mentor training"]),
    ("/volunteer?q=CERTIFICATE", ["Peer mentor training"], ["Homework club volunteer"]),
    # A role without categories takes its organization's (drop-in, counselling, groups).
    ("/volunteer?category=drop-in", ["Homework club volunteer"], ["Peer mentor training"]),
    ("/volunteer?category=peer-support", ["Peer mentor training"], ["Homework club volunteer"]),
    ("/volunteer?language=es", ["Homework club volunteer"], ["Peer mentor training"]),
    # Near: roles at a place within the radius, and those done from anywhere.
    ("/volunteer?near=Riverside&radius=1", ["Peer mentor training"],
     ["Homework club volunteer"]),
    ("/volunteer?near=Harbourside&radius=1", ["Homework club volunteer",
                                              "Peer mentor training"], []),
])
def test_filters(client, url, shown, hidden):
    words = text(client.get(url))
    for name in shown:
        assert name in words, name
    for name in hidden:
        assert name not in words, name


def test_nothing_found_offers_every_role(client):
    words = text(client.get("/volunteer?q=skydiving"))
    assert "0 ways to help found." in words and "See every way to help" in words


def test_residents_searches_never_show_roles(client):
    for url in ("/search?q=homework", "/search?q=volunteer", "/search?q=peer+mentor",
                "/search", "/categories/peer-support"):
        words = text(client.get(url))
        assert "Homework club volunteer" not in words, url
        assert "Peer mentor training" not in words, url


def test_search_kind_volunteer_goes_to_the_roles(client):
    response = client.get("/search?kind=volunteer&q=homework&language=es&page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/volunteer?q=homework&language=es"
    words = text(client.get("/search?kind=volunteer&q=homework", follow_redirects=True))
    assert "1 way to help found." in words and "Homework club volunteer" in words
    events = client.get("/search?kind=events&category=grief-support&q=x")
    assert events.headers["Location"] == "/events?category=grief-support"
    assert "4 services found" in text(client.get("/search?kind=help&q=counselling"))


def test_an_unknown_kind_is_a_400_naming_it(client):
    page = client.get("/search?kind=jobs")
    assert page.status_code == 400
    assert '"jobs" is not a known kind of result. Choose one of: help, ways to volunteer, ' \
           'groups and workshops.' in text(page)


def test_every_page_links_to_groups_and_ways_to_help(client):
    for url in ("/", "/search?q=counselling", "/services/nope"):
        html = client.get(url).get_data(as_text=True)
        assert '<a href="/events">Groups and workshops</a>' in html, url
        assert '<a href="/volunteer">Ways to help</a>' in html, url
