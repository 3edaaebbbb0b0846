"""Pages served again from memory: the same page while nothing it depends on changed, a new
one as soon as the build, the minute or the URL does; never an error or a stale build."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from flask import template_rendered

from directory.web.pagecache import PageCache

SERVICE = "/services/harbour-youth-drop-in"


def rendered_while(app, fetch) -> tuple[object, int]:
    """The response of ``fetch()`` and how many templates were rendered for it."""
    count = []

    def seen(*_args, **_kwargs):
        count.append(1)

    with template_rendered.connected_to(seen, app):
        response = fetch()
    return response, len(count)


def test_a_page_asked_again_is_not_rendered_again(app):
    client = app.test_client()
    for url in ("/", "/search?q=counselling", SERVICE, "/referral?ids=harbour-youth-drop-in"):
        first, renders = rendered_while(app, lambda url=url: client.get(url))
        again, renders_again = rendered_while(app, lambda url=url: client.get(url))
        assert renders > 0 and renders_again == 0, url
        assert again.get_data() == first.get_data()
        # The safety headers are on every copy, and still no cookie.
        assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
        assert again.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in again.headers


def test_the_next_minute_shows_what_is_open_then(app):
    client = app.test_client()
    app.config["NOW"] = "2026-11-24T18:29"
    assert "Open now · closes 7 PM" in text(client.get(SERVICE))
    assert "Open now · closes 7 PM" in text(client.get(SERVICE))
    app.config["NOW"] = "2026-11-24T18:30"
    assert "Closing soon · closes 7 PM" in text(client.get(SERVICE))


def test_a_new_build_is_shown_at_once(fresh_app, data_dir, instance, rebuild):
    rebuild(data_dir, instance)
    client = fresh_app.test_client()
    assert "Drop-in evenings for young people" not in text(client.get(SERVICE))
    org = data_dir / "organizations" / "harbour-youth-trust.yaml"
    org.write_text(org.read_text().replace("name: Youth drop-in counselling",
                                           "name: Drop-in evenings for young people", 1))
    rebuild(data_dir, instance)
    assert "Drop-in evenings for young people" in text(client.get(SERVICE))


def test_errors_are_never_kept(app):
    client = app.test_client()
    for _ in range(2):
        bad = client.get("/search?page=-1")
        assert bad.status_code == 400 and "page" in text(bad)
        assert client.get("/services/no-such-service").status_code == 404


def test_a_pdf_comes_back_whole_with_its_file_name(app):
    client = app.test_client()
    first = client.get("/referral.pdf?ids=harbour-youth-drop-in")
    again, renders = rendered_while(app, lambda: client.get(
        "/referral.pdf?ids=harbour-youth-drop-in"))
    assert renders == 0 and again.mimetype == "application/pdf"
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]


def test_the_least_recently_used_pages_go_first_beyond_the_budget():
    cache = PageCache(max_bytes=10)
    cache.put("a", (b"1234", "text/html", []))
    cache.put("b", (b"1234", "text/html", []))
    assert cache.get("a")  # now the most recently used
    cache.put("c", (b"1234", "text/html", []))
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("huge", (b"x" * 11, "text/html", []))
    assert cache.get("huge") is None and cache.get("a")


def test_the_cache_can_be_switched_off(built_instance):
    from directory.web.app import create_app
    from tests.conftest import FIXTURE_DATA, FROZEN_NOW

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                      "DATA_DIR": str(FIXTURE_DATA), "NOW": FROZEN_NOW, "PAGE_CACHE_BYTES": 0})
    client = app.test_client()
    client.get("/")
    _, renders = rendered_while(app, lambda: client.get("/"))
    assert renders > 0


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def assert_every_stretch_reads_the_same(built_instance, first_day: dt.date, days: int):
    """What makes it safe to keep a page for a whole stretch of time: rendered afresh at the
    first and the last minute of each stretch of ``days`` days, every page reads the same.
    Today follows the clock, as in production, so dates on pages ("Last verified ...") count."""
    from directory.web import clock, current
    from directory.web.app import create_app
    from tests.conftest import FIXTURE_DATA

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                      "DATA_DIR": str(FIXTURE_DATA), "PAGE_CACHE_BYTES": 0, "TODAY": None})
    with app.test_request_context():
        facet_index, zone = current.current_facets(), clock.zone()
    start = dt.datetime.combine(first_day, dt.time())
    stretches: dict[tuple, list[dt.datetime]] = {}
    for minute in range(days * 24 * 60):
        moment = start + dt.timedelta(minutes=minute)
        stretches.setdefault(facet_index.stretch(moment.replace(tzinfo=zone)), []).append(moment)
    longer = [moments for moments in stretches.values() if len(moments) > 1]
    # The fixture's hours really cut the week up (around a change of clocks, into minutes).
    assert len(longer) > 20
    client = app.test_client()
    pages = ["/search", "/search?open_now=1", SERVICE, "/services/northside-warmline"]
    for moments in longer:
        seen = []
        for moment in (moments[0], moments[-1]):
            app.config["NOW"] = moment.isoformat()
            seen.append([client.get(url).get_data() for url in pages])
        assert seen[0] == seen[1], (moments[0], moments[-1])


def test_every_moment_of_a_stretch_shows_the_same_pages(built_instance):
    """A week with a special day (12-24) and a closed day (12-25)."""
    assert_every_stretch_reads_the_same(built_instance, dt.date(2026, 12, 21), days=7)


@pytest.mark.moves_with_today
def test_every_moment_of_a_stretch_of_this_week_shows_the_same_pages(built_instance,
                                                                     frozen_today):
    """Monday to Sunday around today: on the hard days, with a change of clocks at the weekend
    (those days are cut into single minutes) or a leap day."""
    monday = frozen_today - dt.timedelta(days=frozen_today.weekday())
    assert_every_stretch_reads_the_same(built_instance, monday, days=7)


def test_days_the_clocks_change_are_cut_into_minutes(app):
    from directory.web import clock, current

    with app.test_request_context():
        facet_index, zone = current.current_facets(), clock.zone()
    change = dt.datetime(2026, 11, 1, 1, 30, tzinfo=zone)  # Chicago's clocks go back
    assert facet_index.stretch(change) != facet_index.stretch(change + dt.timedelta(minutes=1))
    ordinary = dt.datetime(2026, 11, 24, 10, 30, tzinfo=zone)
    assert facet_index.stretch(ordinary) == facet_index.stretch(ordinary + dt.timedelta(minutes=1))


@pytest.mark.moves_with_today
def test_today_is_cut_into_minutes_only_when_the_clocks_change_near_it(app, frozen_today):
    from directory.web import clock, current

    with app.test_request_context():
        facet_index, zone = current.current_facets(), clock.zone()

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone)

    def clocks_change(day: dt.date) -> bool:
        return midnight(day).utcoffset() != midnight(day + dt.timedelta(days=1)).utcoffset()

    near = any(clocks_change(frozen_today + dt.timedelta(days=d)) for d in (-1, 0, 1))
    moment = dt.datetime.combine(frozen_today, dt.time(10, 30), tzinfo=zone)
    cut = facet_index.stretch(moment) != facet_index.stretch(moment + dt.timedelta(minutes=1))
    assert cut == near


def test_a_card_kept_from_one_page_is_right_on_another(client):
    plain = client.get("/search?q=walk+in").get_data(as_text=True)
    assert "harbour-youth-drop-in" in plain and "0.1 mi" not in text_of(plain)
    near = text(client.get("/search?q=walk+in&near=Harbourside&radius=3"))
    assert "0.1 mi" in near  # the same service's card, now with its distance
    carried = client.get("/search?q=walk+in&list=riverside-therapy").get_data(as_text=True)
    assert "ids=riverside-therapy,harbour-youth-drop-in" in carried.replace("%2C", ",")
    assert "ids=riverside-therapy" not in plain.replace("%2C", ",")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("url", ["/search?q=counselling", SERVICE, "/?lang=es"])
def test_pages_go_compressed_to_browsers_that_take_gzip(app, url):
    """A page is the same page gzipped, first made or kept; a client that does not take gzip
    (or refuses it, q=0) gets it as it is. Either way the page says it varies by that."""
    client = app.test_client()
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    for asked in ("gzip, deflate, br", "gzip;q=1.0, identity; q=0.5", "*"):
        for _ in range(2):  # first made (a new URL for this client), then kept
            packed = client.get(url, headers={"Accept-Encoding": asked})
            assert packed.headers["Content-Encoding"] == "gzip", asked
            assert int(packed.headers["Content-Length"]) == len(packed.get_data())
            assert len(packed.get_data()) * 2 < len(plain.get_data())
            assert gzip.decompress(packed.get_data()) == plain.get_data()
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    assert refused.get_data() == plain.get_data()


def test_a_page_first_made_for_a_browser_is_the_same_unpacked_later(app):
    client = app.test_client()
    packed = client.get("/search?q=support", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/search?q=support")  # the kept copy, unpacked
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert "Content-Encoding" not in plain.headers


def test_kept_pages_are_counted_as_kept(app):
    """The cache's budget is of bodies as kept: gzipped pages, four or more in the room of one."""
    cache = PageCache(max_bytes=10_000)
    for n in range(10):
        cache.put(("page", n), (b"x" * 2_000, "text/html", [], None, True))
    assert cache.get(("page", 0)) is None and cache.get(("page", 9)) is not None
    assert sum(cache.get(("page", n)) is not None for n in range(10)) == 5
