"""Near searches as a resident meets them: places, distances, radius, the call block, 400s."""

from __future__ import annotations

import re

import pytest
from babel.numbers import format_decimal
from geopy.distance import geodesic

from directory.geo import distance as geo
from directory.search import nearby
from directory.search.nearby import Where
from directory.web import distance
from directory.web.i18n import regional_locale


def text(response) -> str:
    """The page's visible words, roughly: tags stripped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())

# Where the fixture's services are (the library's point is its postcode's centre).
POINTS = {
    "harbour-youth-drop-in": (41.8820, -87.6477), "harbour-parent-group": (41.8820, -87.6477),
    "riverside-therapy": (41.9088, -87.6796), "riverside-grief-groups": (41.9088, -87.6796),
    "riverside-couples": (41.9088, -87.6796), "maple-library-drop-in": (41.9229, -87.6483),
}
HARBOURSIDE = (41.8830, -87.6480)


def result_ids(page) -> list[str]:
    html = page.get_data(as_text=True)
    # The distance list, without the "Call, text or chat" block above it.
    listed = re.sub(r'<section class="remote".*?</section>', "", html, flags=re.S)
    return re.findall(r'<h3 class="card-title"><a href="/services/([^"?]+)[^"]*"', listed)


@pytest.mark.parametrize("radius", [1, 3, 10])
def test_results_within_the_radius_nearest_first_by_geodesic(client, radius):
    page = client.get(f"/search?near=Harbourside&radius={radius}")
    assert page.status_code == 200
    miles = {sid: geodesic(HARBOURSIDE, point).miles for sid, point in POINTS.items()}
    expected = {sid for sid, d in miles.items() if d <= radius}
    ids = result_ids(page)
    assert set(ids) == expected and len(ids) == len(expected)
    assert [miles[i] for i in ids] == sorted(miles[i] for i in ids)
    words = text(page)
    assert f"within {radius} mi of Harbourside, nearest first" in words
    for sid in ids:  # every card says how far, as geodesic measures it
        shown = distance.format_distance(miles[sid], "mi")
        assert re.search(rf"{re.escape(shown)}\b", words), (sid, shown)


def test_heading_card_distance_and_approximate_location(client):
    page = client.get("/search?q=walk+in&near=Harbourside&radius=3")
    words = text(page)
    assert "Results for “walk in” near Harbourside" in words
    assert result_ids(page) == ["harbour-youth-drop-in", "maple-library-drop-in"]
    assert "0.1 mi" in words
    assert "Walk in. 2.8 mi · approximate location 9 Maple Street, Testville" in words


def test_keyword_category_and_place_combine(client):
    assert result_ids(client.get("/search?q=counselling&category=drop-in&near=the+quays")) == [
        "harbour-youth-drop-in"]
    everywhere = set(result_ids(client.get("/search?q=counselling")))
    near = result_ids(client.get("/search?q=counselling&near=Riverside&radius=1"))
    assert set(near) == {i for i in everywhere if i.startswith("riverside-")} and len(near) == 3


def test_nothing_near_offers_a_wider_radius_and_the_crisis_lines(client):
    page = client.get("/search?q=counselling&near=Southside&radius=1")
    words, html = text(page), page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No services matched within 1 mi of Southside" in words
    assert "Search within 3 mi instead" in words and "radius=3" in html
    assert 'href="tel:988"' in html


def test_edge_of_the_radius_is_measured_exactly(app):
    harbour = geo.Point(*POINTS["harbour-youth-drop-in"])
    radius_km = geo.to_km(1, "mi")
    with app.test_request_context("/search"):
        from directory.search import queries
        from directory.web.current import current_index
        from directory.web.store import get_build, get_db

        points = nearby.points(get_build(), get_db(), current_index())
        for km, inside in ((radius_km - 0.01, True), (radius_km + 0.01, False)):
            there = geodesic(kilometers=km).destination(harbour, 0)
            where = Where(typed="x", radius=1, unit="mi",
                          point=geo.Point(there.latitude, there.longitude))
            near = nearby.within_radius(points, where.point, where.radius_km)
            ids = queries.service_ids(get_db(), near.docnums.tolist())
            found = [docnum for docnum, sid in ids.items() if sid == "harbour-youth-drop-in"]
            assert bool(found) is inside, km
            if inside:
                assert near.distances(found) == {found[0]: pytest.approx(km, abs=1e-6)}


def test_measuring_only_some_services_keeps_their_order_in_the_whole_list(app):
    """``within_radius(among=...)`` (the nearest similar services) lists the chosen services
    in the order, and with the places, the whole list gives them."""
    import numpy as np

    centre = geo.Point(*POINTS["harbour-youth-drop-in"])
    with app.test_request_context("/search"):
        from directory.web.current import current_index
        from directory.web.store import get_build, get_db

        points = nearby.points(get_build(), get_db(), current_index())
        whole = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM)
        assert len(whole.docnums) > 3
        for step in (2, 3):
            among = np.zeros(points.size, dtype=bool)
            among[whole.docnums[::step]] = True
            some = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM, among=among)
            kept = among[whole.docnums]
            assert some.docnums.tolist() == whole.docnums[kept].tolist()
            assert some.latitudes.tolist() == whole.latitudes[kept].tolist()


@pytest.mark.parametrize("places_each", [1, 3])
def test_the_nearest_few_are_the_whole_lists_beginning(places_each):
    """``within_radius(nearest=3)`` (a service page's nearest similar services) sorts only
    the nearest places, and gives exactly the first services of the whole list: with ties
    (places on a grid), several places per service, and places near the radius's edge."""
    import numpy as np

    rng = np.random.default_rng(7)
    services = 4000
    points = _grid_points(rng, services, places_each, (41.7, -87.8), cells=60, per_degree=200)
    for centre, radius in ((geo.Point(41.85, -87.65), geo.MAX_RADIUS_KM),
                           (geo.Point(41.7, -87.8), 2.0), (geo.Point(41.8, -87.7), 0.6)):
        whole = nearby.within_radius(points, centre, radius)
        among = rng.random(services) < 0.5
        whole_among = nearby.within_radius(points, centre, radius, among=among)
        for nearest in (1, 3, 10):
            few = nearby.within_radius(points, centre, radius, nearest=nearest)
            assert few.docnums[:nearest].tolist() == whole.docnums[:nearest].tolist()
            assert few.latitudes[:nearest].tolist() == whole.latitudes[:nearest].tolist()
            few = nearby.within_radius(points, centre, radius, among=among, nearest=nearest)
            assert few.docnums[:nearest].tolist() == whole_among.docnums[:nearest].tolist()
        if len(whole.docnums) > 1000:  # it did sort only the nearest
            assert len(nearby.within_radius(points, centre, radius, nearest=3).docnums) < 100


@pytest.mark.parametrize("places_each", [1, 3])
def test_the_nearest_alike_from_a_small_box_are_the_whole_lists_beginning(places_each):
    """A service page's nearest similar services, found from growing boxes of the places of
    its kinds of help (``_nearest_sharing``), are exactly the first ones of the whole list
    of those services (``within_radius(among=...)``): with ties (places on a grid), several
    places per service, categories dense and sparse, the service itself left out."""
    import numpy as np

    from directory.search.masks import to_mask

    rng = np.random.default_rng(11)
    services = 3000
    points = _grid_points(rng, services, places_each, (41.6, -87.9), cells=80, per_degree=150)
    points._categories = {}
    categories = {name: to_mask(rng.random(services) < share)
                  for name, share in (("dense", 0.5), ("some", 0.05), ("rare", 0.001))}
    found_small = fallback = 0
    for _trial in range(60):
        centre = geo.Point(41.6 + rng.random() * 0.55, -87.9 + rng.random() * 0.55)
        own = int(rng.integers(services))
        chosen = list(rng.choice(list(categories), size=int(rng.integers(1, 3)), replace=False))
        masks = {name: categories[name] for name in chosen}
        sharing = 0
        for mask in masks.values():
            sharing |= mask
        sharing &= ~(1 << own)
        among = np.zeros(services, dtype=bool)
        among[[d for d in range(services) if sharing >> d & 1]] = True
        whole = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM, among=among)
        near = nearby._nearest_sharing(points, centre, masks, own, 3)
        if near is None:
            fallback += 1
            continue
        found_small += 1
        # (service, its nearest place) for the first three: the whole list's beginning.
        assert [docnum for docnum, _ in near] == whole.docnums[:3].tolist()
        assert [points.latitudes[position] for _, position in near] == \
            whole.latitudes[:3].tolist()
        assert [points.longitudes[position] for _, position in near] == \
            whole.longitudes[:3].tolist()
        assert own not in [docnum for docnum, _ in near]
    assert found_small > 30  # the small boxes did answer most


def test_my_location_is_rounded_and_named_your_location(client):
    page = client.get("/search?near=41.88312,-87.64811&radius=1")
    html, words = page.get_data(as_text=True), text(page)
    assert "near your location" in words
    assert 'value="41.883,-87.648"' in html and "41.88312" not in html
    assert sorted(result_ids(page)) == ["harbour-parent-group", "harbour-youth-drop-in"]
    same = client.get("/search?lat=41.883&lon=-87.648&radius=1")
    assert result_ids(same) == result_ids(page)


def test_call_text_or_chat_block_only_where_the_service_serves(client):
    north = text(client.get("/search?near=North+End&radius=1"))
    assert "Call, text or chat" in north and "Peer warmline" in north
    assert "1 service you can reach from anywhere in this area" in north
    south = text(client.get("/search?near=Southside"))
    assert "Call, text or chat" not in south and "Peer warmline" not in south
    # Never mixed into the distance list.
    assert "northside-warmline" not in result_ids(client.get("/search?near=Northside&radius=25"))


def test_a_service_without_service_area_serves_the_whole_region(
        fresh_app, data_dir, instance, rebuild):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace('    service_area: [Northside, "60640"]\n', ""))
    rebuild(data_dir, instance)
    words = text(fresh_app.test_client().get("/search?near=Southside"))
    assert "Call, text or chat" in words and "Peer warmline" in words


def test_unknown_place_is_a_200_with_suggestions_and_results(client):
    page = client.get("/search?q=counselling&near=Riversid+Rd")
    assert page.status_code == 200
    words = text(page)
    assert "We could not find “Riversid Rd”" in words
    assert "Did you mean: Riverside" in words
    assert "4 services found" in words  # never a dead end: the whole area meanwhile
    html = page.get_data(as_text=True)
    assert 'href="/search?q=counselling&amp;near=Riverside&amp;radius=10"' in html


def test_ambiguous_place_lists_every_match(client):
    words = text(client.get("/search?near=Lincoln"))
    assert "We could not find “Lincoln”" in words
    assert "Did you mean: Lincoln Park Lincoln Square" in words


@pytest.mark.parametrize(("url", "message"), [
    ("/search?near=90,0", '"90,0" is too close to a pole to search near; this directory '
                          "covers Testville."),
    ("/search?lat=-89.9&lon=10", '"-89.9,10" is too close to a pole'),
    ("/search?near=91,-87.6", '"91,-87.6" is not a place on the map: latitude goes from -90 '
                              "to 90 and longitude from -180 to 180"),
    ("/search?lat=nan&lon=nan", '"nan,nan" is not a latitude and longitude; use two numbers '
                                "such as 41.882,-87.648"),
    ("/search?lat=inf&lon=1", '"inf,1" is not a latitude and longitude'),
    ("/search?near=1e999,0", '"1e999,0" is not a latitude and longitude'),
    ("/search?lat=abc&lon=-87.6", '"abc,-87.6" is not a latitude and longitude'),
    ("/search?lat=41.9", "lat and lon go together: give both"),
    ("/search?near=Harbourside&radius=7", '"7" is not a distance you can choose; use one of '
                                          "1, 3, 10, 25 (miles)."),
    ("/search?near=Harbourside&radius=-1", '"-1" is not a distance you can choose'),
    ("/search?near=Harbourside&radius=3.0", '"3.0" is not a distance you can choose'),
    ("/search?near=Harbourside&radius=abc", '"abc" is not a distance you can choose'),
])
def test_malformed_points_and_radii_are_helpful_400s(client, url, message):
    page = client.get(url)
    assert page.status_code == 400
    assert message in text(page).replace("&#34;", '"').replace("&quot;", '"')
    assert 'href="tel:988"' in page.get_data(as_text=True)


def test_a_point_outside_the_region_says_so(client):
    page = client.get("/search?near=40.713,-74.006")
    assert page.status_code == 200
    assert "outside the area this directory covers (Testville)" in text(page)


def test_service_page_has_directions_and_nearest_similar_services(client):
    page = client.get("/services/harbour-youth-drop-in")
    html, words = page.get_data(as_text=True), text(page)
    assert 'href="geo:41.882,-87.6477?q=41.882%2C-87.6477"' in html
    assert ('href="https://www.openstreetmap.org/directions?to=41.882%2C-87.6477" '
            'rel="noopener noreferrer"') in html
    assert "<iframe" not in html
    nearest = words.split("Similar services nearby")[1]
    # The two counselling services at Riverside (equally far), then the drop-in library.
    assert max(nearest.index("Couples counseling"), nearest.index("Individual counseling")) \
        < nearest.index("Library wellbeing hour")
    harbour = POINTS["harbour-youth-drop-in"]
    for other in ("riverside-therapy", "maple-library-drop-in"):
        miles = geodesic(harbour, POINTS[other]).miles
        assert distance.format_distance(miles, "mi") in nearest
    assert "Youth drop-in counselling" not in nearest and "Grief support groups" not in nearest


def test_approximate_service_location_sends_directions_to_the_address(client):
    page = client.get("/services/maple-library-drop-in")
    html, words = page.get_data(as_text=True), text(page)
    assert "Approximate location: we only know the area" in words
    assert 'href="geo:0,0?q=9%20Maple%20Street%2C%20Testville%2C%20IL%2060614"' in html


def test_home_and_search_offer_a_near_field_and_use_my_location_script(client):
    for url in ("/", "/search?q=counselling"):
        html = client.get(url).get_data(as_text=True)
        assert '<label for="near">' in html and 'name="near"' in html
        assert 'data-locate-label="Use my location"' in html
        assert '<script src="/static/near.js" defer></script>' in html
    script = client.get("/static/near.js").get_data(as_text=True)
    assert "toFixed(3)" in script and "getCurrentPosition" in script


@pytest.mark.parametrize("text", ["counselling", "walk in", "", "grief skydiving", "HYT"])
def test_the_matches_among_a_few_candidates_are_whooshs(built_instance, text):
    import sqlite3

    from directory.search import index as search
    from directory.search import queries
    from directory.search.masks import mask_of, positions

    db = sqlite3.connect(built_instance / "current" / "directory.db")
    db.row_factory = sqlite3.Row
    index = search.Index(built_instance / "current" / "index", queries.synonyms(db))
    query = index.query(text, all_words=False)
    with index.searcher() as searcher:
        for within in ({0}, {0, 1, 2}, {3, 5}, set(range(searcher.doc_count_all()))):
            expected = set(searcher.search(query, filter=within, limit=None,
                                           scored=False).docs())
            mask = index.matching(text, all_words=False, within=mask_of(within, index.size()))
            assert set(positions(mask, index.size())) == expected, within


def test_the_whole_call_text_or_chat_list_has_a_page_of_its_own(
        fresh_app, data_dir, instance, rebuild):
    """More lines serve the area than a search shows: a link leads to all of them."""
    org = data_dir / "organizations" / "northside-warmline.yaml"
    line = org.read_text().split("services:\n")[1]
    more = "".join(line.replace("id: northside-warmline", f"id: northside-line-{n}")
                   .replace("name: Peer warmline", f"name: Peer line {n}")
                   .replace("555 0120", f"555 01{30 + n}").replace("555 0121", f"555 01{40 + n}")
                   for n in range(6))
    org.write_text(org.read_text() + more)
    rebuild(data_dir, instance)
    client = fresh_app.test_client()
    search = client.get("/search?near=North+End&radius=1")
    html = search.get_data(as_text=True)
    assert "7 services you can reach from anywhere in this area" in text(search)
    link = re.search(r'<a href="(/search/remote\?[^"]+)">See all 7 services', html)
    assert link, "no link to the whole list"
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    words = text(page)
    assert "Call, text or chat near Northside" in words  # North End is another name for it
    assert all(f"Peer line {n}" in words for n in range(6)) and "Peer warmline" in words
    assert "Back to the services near Northside" in words
    assert 'href="tel:988"' in page.get_data(as_text=True)  # crisis lines, as everywhere


def test_the_call_text_or_chat_list_needs_a_place(client):
    missing = client.get("/search/remote?q=peer")
    assert missing.status_code == 400 and "near=" in text(missing)
    unknown = client.get("/search/remote?near=Riversid+Rd")
    assert unknown.status_code == 302 and "/search?near=Riversid" in unknown.headers["Location"]
    far = client.get("/search/remote?near=Southside")
    assert far.status_code == 200
    assert "None of the phone and online services serve this area" in text(far)


def test_hotlines_are_in_sight_above_the_distance_list(client):
    """A near search shows the lines serving the area first, not after twenty cards."""
    html = client.get("/search?near=Northside&radius=25").get_data(as_text=True)
    cards = [m.start() for m in re.finditer(r'<article class="card">', html)]
    assert cards, "the distance list is empty"
    assert html.index('id="remote-heading"') < cards[0]
    block = re.search(r'<section class="remote".*?</section>', html, flags=re.S).group(0)
    assert "Peer warmline" in block and 'href="tel:+17735550120"' in block
    assert "Open 24 hours" in block or "Open now" in block or "open" in block.lower()


def test_the_remote_services_serving_an_area_are_the_same_kept_or_walked():
    """The mask of phone and online services serving some areas, joined from masks kept per
    area: the same services as walking every one's areas, for any order of the same areas."""
    from directory.search import nearby
    from directory.search.masks import mask_of

    points = nearby.Points.__new__(nearby.Points)
    points.size, points._serving = 12, None
    points.remote = {1: {"Uptown"}, 3: {"region"}, 5: set(), 7: {"Pilsen", "Uptown"},
                     9: {"Evanston"}}
    for areas, in_region in ((["Uptown"], True), (["Pilsen", "Uptown"], False),
                             (["Uptown", "Pilsen"], False), ([], True), (["Evanston"], False)):
        walked = mask_of(points.serving(areas, in_region), points.size)
        assert points.serving_mask(areas, in_region) == walked
        assert points.serving_mask(list(reversed(areas)), in_region) == walked
    assert points.serving_mask(["Uptown"], True) == mask_of([1, 3, 5, 7], 12)
    assert points.serving_mask(["Uptown"], False) == mask_of([1, 7], 12)


def _grid_points(rng, services: int, places_each: int, corner: tuple[float, float], *,
                 cells: int, per_degree: int):
    """``places_each`` places per service on a grid of ``cells`` steps of 1/``per_degree``
    degree from ``corner`` (many equal distances), in document order as ``Points`` keeps
    them."""
    import numpy as np

    docnums = np.repeat(np.arange(services), places_each)
    grid = rng.integers(0, cells, size=(len(docnums), 2)) / per_degree
    points = nearby.Points.__new__(nearby.Points)
    points.latitudes, points.longitudes = corner[0] + grid[:, 0], corner[1] + grid[:, 1]
    points.reduced = geo.reduced(points.latitudes, points.longitudes)
    points.docnums, points.size = docnums.astype(np.int64), services
    points.one_place_each = places_each == 1
    return points


@pytest.mark.parametrize("lang", ["en", "es", "id"])
def test_distances_are_written_as_babel_writes_them(app, lang):
    """Each rounded number is written once per language (distance._number): the words must
    be Babel's own for every distance, halves and the step from tenths to whole numbers too."""
    values = [0, 0.04, 0.05, 0.15, 0.25, 2.25, 2.35, 9.94, 9.95, 9.96, 10, 10.5, 11.5,
              999.5, 1000.5, 1234.56, *(n / 37 for n in range(2000))]
    with app.test_request_context(f"/?lang={lang}"):
        locale = regional_locale()
        for value in values:
            shown = max(value, 0.1)
            number = format_decimal(shown, "#,##0.#" if shown < 10 else "#,##0", locale=locale)
            assert distance.format_distance(value, "km") == \
                distance._("%(distance)s km", distance=number), value


def test_each_service_is_at_its_nearest_place_in_the_order_of_places():
    """The services within a radius, each at its first place in the order of places by
    distance (ties in document order): as a plain walk of that order finds them, on a grid
    with many equal distances and three places a service."""
    import numpy as np

    rng = np.random.default_rng(11)
    points = _grid_points(rng, 3000, 3, (41.7, -87.8), cells=50, per_degree=150)
    for centre, radius in ((geo.Point(41.85, -87.65), 40.0), (geo.Point(41.8, -87.7), 3.0)):
        found = nearby.within_radius(points, centre, radius)
        km = geo.approximate_km(centre, points.reduced)
        seen, expected = set(), []
        for position in np.argsort(km, kind="stable").tolist():
            docnum = int(points.docnums[position])
            if docnum in seen:
                continue
            seen.add(docnum)
            point = geo.Point(float(points.latitudes[position]),
                              float(points.longitudes[position]))
            if geo.distance_km(centre, point) <= radius:
                expected.append((docnum, point.latitude, point.longitude))
        assert list(zip(found.docnums.tolist(), found.latitudes.tolist(),
                        found.longitudes.tolist(), strict=True)) == expected
