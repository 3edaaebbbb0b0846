"""Quick exit: a plain link on every page to a neutral site, enhanced by quick-exit.js."""

from __future__ import annotations

import re

import pytest

from directory.web.app import create_app

PAGES = ["/", "/search?q=counselling", "/search?q=skydiving", "/services/northside-warmline",
         "/organizations/harbour-youth-trust", "/categories/counselling", "/about", "/privacy",
         "/no/such/page", "/search?age=200"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_quick_exit_first(client, url):
    html = client.get(url).get_data(as_text=True)
    body = html.split("<body>", 1)[1]
    first_link = re.search(r"<a [^>]*>[^<]*</a>", body)[0]
    # The first thing a keyboard or screen reader reaches; a plain link works without JS.
    assert first_link.startswith('<a class="quick-exit" href="https://weather.example.org/" '
                                 'rel="noreferrer" data-quick-exit')
    assert first_link.endswith(">Quick exit</a>")


def test_the_default_is_a_neutral_weather_page(data_dir, instance, rebuild):
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("quick_exit_url: https://weather.example.org/\n", ""))
    rebuild(data_dir, instance)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<a class="quick-exit" href="https://www.bbc.com/weather" rel="noreferrer"' in html


def test_quick_exit_url_must_be_a_web_address(data_dir):
    from tests.samples import messages

    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("https://weather.example.org/", "weather"))
    assert messages(data_dir) == [
        'data/site.yaml:16: quick_exit_url: "weather" is not a web address (expected e.g. '
        "https://example.org/page)"]


def test_the_script_replaces_the_page_and_listens_for_escape(client):
    response = client.get("/static/quick-exit.js")
    script = response.get_data(as_text=True)
    assert response.status_code == 200 and "javascript" in response.mimetype
    assert "location.replace(link.href)" in script  # Back does not return to the site
    assert 'event.key !== "Escape"' in script and "now - lastEscape < 1000" in script


def test_leaving_is_allowed_but_nothing_is_fetched_from_elsewhere(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    # Scripts only from this site; no directive restricts where a user may navigate to.
    assert "script-src 'self'" in csp and "navigate-to" not in csp
    assert client.get("/").headers["Referrer-Policy"] == "no-referrer"  # the weather site
    # learns nothing about where the visitor came from


def test_the_referral_page_offers_to_keep_the_list_through_quick_exit(client):
    html = client.get("/referral?ids=northside-warmline").get_data(as_text=True)
    # Hidden until referral.js shows it: without scripts there is no stored list to keep.
    assert '<p class="keep-choice screen-only" data-keep-choice hidden>' in html
    assert '<label for="referral-keep">Keep my list on this device</label>' in html


def test_the_privacy_page_says_how_to_cover_your_tracks(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert '<h2 id="cover-your-tracks">Cover your tracks</h2>' in html
    assert "private window" in html and "delete this site from your browsing history" in html
