"""Search filters: each one, combinations, facet counts that keep their promise, ways out, 400s.

The fixture's active services, for reading these tests:

| service | cost | access | languages | audience | ages | place | hours |
|---|---|---|---|---|---|---|---|
| Youth drop-in counselling | free | walk-in | en es | youth | 12-25 | wheelchair | Mo-Fr 15-19 |
| Parents' evening circle | free | call-first | en | families | | wheelchair | We 18-20 |
| Peer warmline | free | | en es | | | phone only | 24/7 |
| Individual counseling | sliding-scale | appointment | en pl | | 18- | steps | by appointment |
| Grief support groups | free | call-first | | | | steps | Tu 18:30-20 |
| Couples counseling | paid | appointment | en | | | steps | none |
| Library wellbeing hour | free | walk-in | en es | families | | steps | Th 10-11 |
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

YOUTH, PARENTS, WARMLINE = "Youth drop-in counselling", "Parents' evening circle", "Peer warmline"
THERAPY, GRIEF, COUPLES = "Individual counseling", "Grief support groups", "Couples counseling"
LIBRARY = "Library wellbeing hour"
EVERYONE = {YOUTH, PARENTS, WARMLINE, THERAPY, GRIEF, COUPLES, LIBRARY}


def html(client, url: str) -> str:
    return client.get(url).get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&")


def names(client, url: str) -> set[str]:
    """The services listed on a results page."""
    return set(re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html(client, url)))


def total(client, url: str) -> int:
    found = re.search(r"(\d+) services? found", html(client, url))
    return int(found[1]) if found else 0


@pytest.fixture
def client_at(app):
    """A client whose clock reads ``now`` (one app: the clock is read on every request)."""
    def make(now: str):
        app.config["NOW"] = now
        return app.test_client()
    return make


@pytest.mark.parametrize(("query", "expected"), [
    ("open_now=1", {WARMLINE}),  # Tuesday 10:00: only the 24/7 line
    ("cost=free", {YOUTH, PARENTS, WARMLINE, GRIEF, LIBRARY}),
    ("cost=sliding-scale", {THERAPY}),
    ("language=es", {YOUTH, WARMLINE, LIBRARY}),
    ("language=pl", {THERAPY}),
    ("language=fr", set()),  # a real language nobody offers: an empty page, not an error
    ("audience=youth", {YOUTH}),
    ("audience=families", {PARENTS, LIBRARY}),
    ("age=15", EVERYONE - {THERAPY}),  # therapy is 18 and over
    ("age=30", EVERYONE - {YOUTH}),  # the youth drop-in is 12-25
    ("age=12", EVERYONE - {THERAPY}),  # limits are inclusive
    ("age=25", EVERYONE),
    ("wheelchair=1", {YOUTH, PARENTS, WARMLINE}),  # the phone-only line is never hidden
    ("access=walk-in", {YOUTH, LIBRARY}),
    ("remote=phone", {WARMLINE}),
    ("remote=text", {WARMLINE}),
    ("remote=chat", {WARMLINE}),
    ("category=support-group", {PARENTS, GRIEF}),
])
def test_each_filter(client, query, expected):
    assert names(client, f"/search?{query}") == expected
    assert total(client, f"/search?{query}") == len(expected)


@pytest.mark.parametrize(("query", "expected"), [
    ("cost=free&language=es", {YOUTH, WARMLINE, LIBRARY}),
    ("cost=free&language=es&access=walk-in", {YOUTH, LIBRARY}),
    ("cost=free&audience=families&age=40", {PARENTS, LIBRARY}),
    ("q=counselling&cost=free", {YOUTH, GRIEF}),  # Riverside Counseling Center's group
    ("q=counselling&age=16&wheelchair=1", {YOUTH}),
    ("category=drop-in&language=es&wheelchair=1", {YOUTH}),
    ("open_now=1&cost=free&language=es", {WARMLINE}),
])
def test_filters_combine_with_and(client, query, expected):
    assert names(client, f"/search?{query}") == expected


def test_open_now_follows_the_clock(client_at):
    url = "/search?open_now=1"
    assert names(client_at("2026-11-24T15:00"), url) == {YOUTH, WARMLINE}  # opening minute
    assert names(client_at("2026-11-24T18:59"), url) == {YOUTH, WARMLINE, GRIEF}
    assert names(client_at("2026-11-24T19:00"), url) == {WARMLINE, GRIEF}  # closing minute
    assert names(client_at("2026-11-24T20:00"), url) == {WARMLINE}
    assert names(client_at("2026-11-26T10:30"), url) == {WARMLINE}  # library closed that day
    assert names(client_at("2026-11-19T10:30"), url) == {WARMLINE, LIBRARY}  # a week earlier
    assert names(client_at("2026-12-24T12:30"), url) == {WARMLINE, YOUTH}  # special hours
    assert names(client_at("2026-12-24T15:30"), url) == {WARMLINE}  # not the usual hours
    assert names(client_at("2026-12-25T15:30"), url) == {WARMLINE}  # closed day


@pytest.mark.parametrize("now", ["2026-03-08T01:59", "2026-03-08T03:00", "2026-11-01T01:30-05:00",
                                 "2026-11-01T01:30-06:00", "2026-11-01T02:00", "2026-12-25T03:00"])
def test_a_24_7_phone_line_is_never_hidden(client_at, now):
    client = client_at(now)
    for query in ("open_now=1", "open_now=1&wheelchair=1", "wheelchair=1&remote=phone"):
        assert WARMLINE in names(client, f"/search?{query}"), (now, query)


# --- facet counts keep their promise ---------------------------------------------------


def offers(page: str) -> list[tuple[str, str, int]]:
    """Every option the filter panel offers: (parameter, value, promised count)."""
    found = []
    for name, body in re.findall(r'<select id="filter-[^"]+" name="([^"]+)">(.*?)</select>',
                                 page, re.S):
        found += [(name, value, int(count)) for value, count in
                  re.findall(r'<option value="([^"]*)"[^>]*>[^<]*\((\d+)\)</option>', body)]
    found += [(name, "1", int(count)) for name, count in re.findall(
        r'name="([^"]+)" value="1"[^>]*>\s*<label[^>]*>[^<]*\((\d+)\)</label>', page)]
    return found


def choose(url: str, name: str, value: str) -> str:
    """The URL the option leads to: the same search with this option set (or unset)."""
    args = [(k, v) for k, v in parse_qsl(urlsplit(url).query) if k not in (name, "page")]
    return "/search?" + urlencode(args + ([(name, value)] if value else []))


@pytest.mark.parametrize("url", [
    "/search", "/search?q=counselling", "/search?cost=free", "/search?language=es&wheelchair=1",
    "/search?q=support&open_now=1", "/search?audience=families&age=40&access=walk-in",
    "/search?category=drop-in&cost=free&language=es",
])
def test_every_count_equals_the_results_it_promises(client_at, url):
    client = client_at("2026-11-24T16:00")  # the youth drop-in and the warmline are open
    promised = offers(html(client, url))
    assert len(promised) >= 8
    for name, value, count in promised:
        assert total(client, choose(url, name, value)) == count, (url, name, value, count)


def test_counts_shown_next_to_options(client):
    page = " ".join(re.sub(r"<[^>]+>", " ", html(client, "/search?language=es")).split())
    assert "Open now (1)" in page  # of the three Spanish-speaking services, the warmline
    assert "Any language (7) English (6) Spanish (3) Polish (1)" in page  # most results first
    assert "Wheelchair accessible (2)" in page


# --- active filters, removable one by one ----------------------------------------------


def test_active_filters_are_visible_and_removable_one_by_one(client):
    url = "/search?q=counselling&cost=free&language=es&age=16"
    page = html(client, url)
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', page)
    assert [label for _, label in chips] == ["Free", "Speaks Spanish", "Age 16"]
    removed = {label: dict(parse_qsl(urlsplit(link).query)) for link, label in chips}
    assert removed["Free"] == {"q": "counselling", "language": "es", "age": "16"}
    assert removed["Speaks Spanish"] == {"q": "counselling", "cost": "free", "age": "16"}
    assert removed["Age 16"] == {"q": "counselling", "cost": "free", "language": "es"}
    assert 'href="/search?q=counselling">Clear all filters' in page


def test_the_filter_form_works_without_javascript(client):
    page = html(client, "/search?q=counselling&cost=free&open_now=0")
    form = re.search(r'<form action="/search" method="get">(.*?)</form>', page, re.S)[1]
    assert '<input type="hidden" name="q" value="counselling">' in form
    assert 'name="open_now" value="1">' in form  # open_now=0 is the same as leaving it out
    assert '<option value="free" selected>Free (2)</option>' in form
    for control in ("category", "cost", "language", "audience", "age", "access"):
        assert f'id="filter-{control}"' in form and f'for="filter-{control}"' in form
    assert '<button type="submit">Show results</button>' in form


# --- no dead ends -----------------------------------------------------------------------


def page_words(client, url: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html(client, url)).split())


def test_zero_results_offer_the_single_filter_to_remove(client):
    words = page_words(client, "/search?q=counselling&cost=free&language=pl")
    assert "Some services match “counselling”, but none of them with all of these filters." in words
    assert "Remove “Free” : 1 service" in words  # Individual counseling speaks Polish
    assert "Remove “Speaks Polish” : 2 services" in words  # two free ones match
    assert "Keep the filters, drop the words" not in words  # that would be empty too


def test_zero_results_when_no_single_filter_is_enough(client):
    words = page_words(client, "/search?cost=paid&language=pl&audience=families")
    assert "No service has all of these filters at once." in words
    assert "Remove" not in words
    assert "Clear all filters : 7 services" in words


def test_zero_results_without_words_and_related_kinds_of_help(client):
    words = page_words(client, "/search?q=skydiving&cost=free")
    assert "Nothing in the directory matches “skydiving”." in words
    assert "Keep the filters, drop the words : 5 services" in words
    links = re.findall(r'<a href="(/search\?[^"]+)">Browse ([^<]+)</a>',
                       html(client, "/search?q=skydiving&cost=free"))
    assert links  # each keeps the other filters and promises what it finds
    for link, _ in links:
        assert "cost=free" in link and "q=" not in link
        assert total(client, link) > 0


def test_few_results_pin_the_crisis_lines_in_full(client):
    few = html(client, "/search?q=hotline")
    assert '<aside class="crisis"' in few and "Call or text 988, any time." in few
    many = html(client, "/search")
    assert '<aside class="crisis crisis-compact"' in many


# --- bad values are 400s that say what was wrong -----------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("open_now=maybe", '"maybe" is not a value for open now; use open_now=1 to turn it on or '
                       "leave it out."),
    ("wheelchair=2", '"2" is not a value for wheelchair access; use wheelchair=1'),
    ("age=200", '"200" is not an age; use a whole number from 0 to 120.'),
    ("age=-1", '"-1" is not an age; use a whole number from 0 to 120.'),
    ("age=ten", '"ten" is not an age'),
    ("age=%C2%B2", '"²" is not an age'),
    ("cost=cheap", '"cheap" is not a known cost. Choose one of: free, sliding-scale, paid.'),
    ("language=xx", '"xx" is not a language code; use a code such as en, es or zh.'),
    ("audience=martians", '"martians" is not a known group of people. Choose one of: Young '
                          "people, Families."),
    ("access=whenever", '"whenever" is not a known way in. Choose one of: walk-in, appointment,'),
    ("remote=pigeon", '"pigeon" is not a known remote option. Choose one of: phone, video, chat,'),
])
def test_bad_filter_values_are_helpful_400s(client, query, message):
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    words = page_words(client, f"/search?{query}").replace("&#34;", '"').replace("&quot;", '"')
    assert message in words
    assert 'href="tel:988"' in response.get_data(as_text=True)


# --- hotlines ---------------------------------------------------------------------------


def test_hotline_contacts_call_text_and_chat(client):
    service = html(client, "/services/northside-warmline")
    assert 'href="tel:+17735550120">Call (773) 555-0120</a>' in service
    assert 'href="sms:+17735550121">Text (773) 555-0121</a>' in service
    assert ('<a class="touch" href="https://warmline.example.org/chat" '
            'rel="noopener noreferrer">Chat online</a>') in service
    card = html(client, "/search?q=warmline")
    assert "Open 24/7" in card and ">Chat online</a>" in card


def test_crisis_lines_show_their_hours_on_every_page(client):
    for url in ("/", "/search?q=counselling", "/services/riverside-therapy", "/nope"):
        page = page_words(client, url)
        assert "Call 988 Text 988 (24/7)" in page, url
