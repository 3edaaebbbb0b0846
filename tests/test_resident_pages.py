"""Issue #18 on residents' pages: the place kept, sharing a service, maps for every phone,
the zero-results page, clean filter addresses, the favicon."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from flask import render_template_string


def html(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return page.get_data(as_text=True)


def words(client, url: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html(client, url)).split()).replace("&amp;", "&")


def hidden_fields(form: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def header_form(page: str) -> str:
    return re.search(r'<form class="header-search".*?</form>', page, re.S)[0]


def query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link.replace("&amp;", "&")).query))


# --- the place, once given, stays -----------------------------------------------------


def test_header_search_keeps_the_place_and_the_filters(client):
    page = html(client, "/search?q=counselling&near=Harbourside&radius=3&cost=free")
    assert hidden_fields(header_form(page)) == {"near": "Harbourside", "radius": "3",
                                                "cost": "free"}


def test_the_place_field_is_in_sight_above_the_results(client):
    page = html(client, "/search?q=counselling&near=Harbourside&radius=3")
    where = re.search(r'<form class="where-form".*?</form>', page, re.S)[0]
    assert 'id="near"' in where and 'value="Harbourside"' in where
    assert page.index('class="where-form"') < page.index('<details class="filter-panel"')
    panel = re.search(r'<details class="filter-panel".*?</details>', page, re.S)[0]
    assert 'id="near"' not in panel  # not hidden in the collapsed panel any more
    assert hidden_fields(panel) == {"q": "counselling", "near": "Harbourside", "radius": "3"}
    clear = re.search(r'href="([^"]+)">Search everywhere instead', page)[1]
    assert query(clear) == {"q": "counselling"}


def test_every_later_page_links_on_with_the_place(client):
    page = html(client, "/search?q=counselling&near=Harbourside&radius=3")
    service = re.search(r'<h3 class="card-title"><a href="([^"]+)"', page)[1]
    assert query(service) == {"near": "Harbourside", "radius": "3"}
    # On the service page, the header, the home link and the categories keep it too.
    later = html(client, service.replace("&amp;", "&"))
    assert hidden_fields(header_form(later)) == {"near": "Harbourside", "radius": "3"}
    assert 'class="site-name" href="/?near=Harbourside&amp;radius=3"' in later
    category = re.search(r'href="(/categories/counselling[^"]*)"', later)[1]
    assert query(category) == {"near": "Harbourside", "radius": "3"}
    # The home page fills the place in.
    home = html(client, "/?near=Harbourside&radius=3")
    assert re.search(r'<input id="near"[^>]*value="Harbourside"', home)
    assert '<input type="hidden" name="radius" value="3">' in home


def test_browsing_a_kind_of_help_near_a_place_lists_the_nearest_first(client):
    page = client.get("/categories/counselling?near=Harbourside&radius=3")
    assert page.status_code == 302
    target = page.headers["Location"]
    assert query(target) == {"category": "counselling", "near": "Harbourside", "radius": "3"}
    found = words(client, target)
    assert "Counselling near Harbourside" in found
    assert "within 3 mi of Harbourside, nearest first" in found


def test_category_pages_offer_a_place_and_filters(client):
    page = html(client, "/categories/counselling")
    form = re.search(r'<form class="where-form".*?</form>', page, re.S)[0]
    assert 'action="/search"' in form and hidden_fields(form) == {"category": "counselling"}
    assert '<label for="near">Near (neighbourhood, ZIP code or landmark)</label>' in form
    assert 'name="open_now"' in form and 'href="/search?category=counselling">More filters' in form


def test_an_unknown_place_is_not_carried_on(client):
    page = html(client, "/search?q=counselling&near=Nowhereville")
    assert hidden_fields(header_form(page)) == {}
    assert re.search(r'<h3 class="card-title"><a href="/services/[a-z-]+"', page)


def test_a_shared_service_link_never_carries_the_place(client):
    page = html(client, "/services/riverside-therapy?near=Harbourside&radius=3")
    assert 'value="http://localhost/services/riverside-therapy"' in page


# --- one service, shared ----------------------------------------------------------------


def test_share_this_service_by_link_text_and_email(client):
    page = html(client, "/services/riverside-therapy")
    section = re.search(r'<section id="share-service".*?</section>', page, re.S)[0]
    assert "<h2 id=\"share-service-heading\">Share this service</h2>" in section
    url = "http://localhost/services/riverside-therapy"
    assert f'readonly value="{url}"' in section
    sms = re.search(r'href="(sms:[^"]+)"', section)[1]
    mailto = re.search(r'href="(mailto:[^"]+)"', section)[1]
    message = f"Individual counseling, Riverside Counseling Center: {url}"
    assert unquote(sms.replace("&amp;", "&")) == f"sms:?&body={message}"
    assert unquote(mailto.replace("&amp;", "&")) == (
        f"mailto:?subject=Individual counseling, Riverside Counseling Center&body={message}")
    assert 'id="share-service"' not in html(client, "/services/harbour-old-camp")  # retired


# --- directions on every phone ----------------------------------------------------------


def test_directions_for_iphone_android_and_the_web_with_no_referrer(client):
    page = html(client, "/services/harbour-youth-drop-in")
    links = dict((label, (href, rel)) for href, rel, label in re.findall(
        r'<a class="touch" href="([^"]+)"( rel="[^"]+")?>([^<]+)</a>',
        re.search(r'<ul class="directions".*?</ul>', page, re.S)[0]))
    assert links == {
        "Apple Maps (iPhone)": ("https://maps.apple.com/?daddr=41.882%2C-87.6477",
                                ' rel="noopener noreferrer"'),
        "Google Maps": ("https://www.google.com/maps/dir/?api=1&amp;destination=41.882%2C-87.6477",
                        ' rel="noopener noreferrer"'),
        "Maps app (Android)": ("geo:41.882,-87.6477?q=41.882%2C-87.6477", ""),
        "OpenStreetMap": ("https://www.openstreetmap.org/directions?to=41.882%2C-87.6477",
                          ' rel="noopener noreferrer"'),
    }
    assert '<meta name="referrer" content="no-referrer">' in page
    assert "<iframe" not in page and "<img" not in page  # nothing loads before a tap


# --- the zero-results page and the filter form -------------------------------------------


def test_no_results_without_filters_offers_no_keep_the_filters(client):
    found = words(client, "/search?q=skydiving")
    assert "No services matched your search" in found
    assert "Keep the filters, drop the words" not in found
    with_filter = words(client, "/search?q=skydiving&cost=free")
    assert "Keep the filters, drop the words : 5 services" in with_filter


def test_options_that_give_nothing_are_not_offered(client):
    page = html(client, "/search?q=counselling")
    options = re.findall(r"<option value=\"[^\"]+\"[^>]*>[^<]*\((\d+)\)</option>", page)
    assert options and "0" not in options
    chosen = html(client, "/search?q=counselling&cost=free&language=pl")
    assert re.search(r'<option value="pl" selected>Polish \(\d+\)</option>', chosen)


def test_untouched_filter_fields_leave_the_address(client):
    page = client.get("/search?q=counselling&category=&cost=&language=&age=&near=&radius=10"
                      "&access=")
    assert page.status_code == 302
    assert page.headers["Location"] == "/search?q=counselling&radius=10"
    assert client.get("/search?q=&near=").headers["Location"] == "/search"


def test_a_text_only_line_says_text_first(app):
    macro = ('{% from "shared/_labels.html" import access_label %}'
             "{{ access_label('call-first', phones) }}")
    with app.test_request_context("/"):
        assert render_template_string(macro, phones=[{"type": "text"}]) == "Text first"
        assert render_template_string(macro, phones=[{"type": "text"}, {"type": "voice"}]) \
            == "Call first"
        assert render_template_string(macro, phones=[]) == "Call first"


def test_favicon_is_served_from_this_site(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico"' in html(client, "/")
