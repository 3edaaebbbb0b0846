"""Result cards kept between pages (web/cards.py) read exactly as cards made afresh: each
page's links, distance, nearest place and referral list, whatever page kept the card."""

from __future__ import annotations

import re
import sqlite3

import pytest

from directory.tools.synthetic import write_synthetic_data
from directory.web.app import create_app
from tests.conftest import FROZEN_NOW, build_into

CARD = re.compile(r'<article class="card">.*?</article>', re.S)


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    root = tmp_path_factory.mktemp("cards")
    write_synthetic_data(root / "data", 400, seed=5)
    build_into(root / "data", root / "instance")
    return root / "instance"


def _client(instance, **config):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "NOW": FROZEN_NOW,
                       **config}).test_client()


def _two_place_service(instance):
    """A service at two places far enough apart that each is the nearer from its own point,
    with those points."""
    db = sqlite3.connect(instance / "current" / "directory.db")
    rows = db.execute(
        """select s.id, s.name, l.latitude, l.longitude, l.address_1
           from services s join service_at_location sl on sl.service_id = s.id
           join locations l on l.id = sl.location_id
           where s.status = 'active' and l.latitude is not null
           order by s.id, sl.position""").fetchall()
    places: dict[str, list] = {}
    for service_id, name, lat, lon, address in rows:
        places.setdefault(service_id, [name]).append((lat, lon, address))
    for service_id, (name, *at) in places.items():
        if len(at) >= 2 and abs(at[0][0] - at[1][0]) + abs(at[0][1] - at[1][1]) > 0.02 \
                and at[0][2] != at[1][2]:
            return service_id, name, at[0], at[1]
    raise AssertionError("the synthetic data has no service at two places")


def test_kept_cards_read_as_cards_made_afresh(instance):
    service_id, name, first, second = _two_place_service(instance)
    words = "+".join(name.split()[:2])
    urls = [f"/search?q={words}&lat={lat}&lon={lon}&radius=25"
            for lat, lon, _ in (first, second, first)]
    urls += [f"/search?q={words}", f"/search?q={words}&lang=es", f"/search?q={words}&lang=en",
             f"/search?q={words}&list=a-b", f"/search?q={words}&list={service_id}",
             f"/search?q={words}&lat={first[0]}&lon={first[1]}&radius=10",
             f"/search?q={words}&lat={second[0]}&lon={second[1]}&radius=10&lang=es"]
    urls += [f"/search?q={word}" for word in ("counselling", "support", "group", "youth")]
    urls += [f"/search?q={word}&near=Uptown" for word in ("counselling", "support")]
    db = sqlite3.connect(instance / "current" / "directory.db")
    others = [row[0] for row in db.execute(
        "select id from services where status = 'active' order by id limit 12")]
    # Service pages: their similar services' cards, kept from other pages too.
    urls += [f"/services/{other}" for other in (service_id, *others)]
    urls += [f"/services/{service_id}?lang=es", f"/services/{others[0]}?list=a-b",
             f"/services/{others[1]}?lat={first[0]}&lon={first[1]}"]
    kept, fresh = _client(instance), _client(instance, PAGE_CACHE_BYTES=0)
    pages = []
    for url in urls:
        page = kept.get(url, follow_redirects=True)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert html == fresh.get(url, follow_redirects=True).get_data(as_text=True), url
        pages.append(html)
    assert any('<li class="hotline">' in html for html in pages)  # "Call, text or chat" kept too
    # The same card on the two near searches: each at its own nearest place and distance.
    mine = [next(c for c in CARD.findall(html) if f'/services/{service_id}?' in c)
            for html in pages[:2]]
    assert first[2] in mine[0] and second[2] in mine[1]
    assert mine[0] != mine[1]
    # Each page's own links: the place it carries, the list it adds to.
    listed = CARD.findall(pages[6])
    assert listed and all(re.search(r'/services/([^"?]+).*href="/referral\?ids=a-b,\1["&]', card,
                                    re.S) for card in listed)
    assert all(re.search(r'href="/services/[^"?]+\?lat=[^"]*&amp;radius=25"', card)
               for card in CARD.findall(pages[2]))


@pytest.mark.parametrize("moment", ["2026-11-24T10:00", "2026-11-24T14:45", "2026-11-24T20:40",
                                    "2026-11-28T12:00", "2026-11-29T21:45"])
def test_kept_status_lines_read_as_lines_made_afresh(built_instance, moment):
    """Status lines are kept by hours, language and stretch of time (web/hours.py): a page
    read by an app that has kept them reads as one that makes every line, at any moment, a
    phone line's own hours included, after the same app has shown them at other moments."""
    kept = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance), "NOW": moment})
    fresh = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance), "NOW": moment,
                        "PAGE_CACHE_BYTES": 0})
    urls = ["/services/harbour-youth-drop-in", "/search?q=counselling",
            "/search?q=youth&lang=es", "/services/harbour-youth-drop-in?lang=es"]
    client = kept.test_client()
    for earlier in ("2026-11-24T09:00", "2026-11-24T15:10", "2026-11-24T20:50"):
        kept.config["NOW"] = earlier  # the same worker, earlier in the week
        for url in urls:
            client.get(url + ("&" if "?" in url else "?") + "page=1")
    kept.config["NOW"] = moment
    pages = [client.get(url).get_data(as_text=True) for url in urls]
    assert pages == [fresh.test_client().get(url).get_data(as_text=True) for url in urls]
    assert 'class="open-status' in pages[0] and "phone-hours" in pages[0]
