"""A near search's fast paths against the plain ways they replace, on synthetic data.

- The finder asks for the radius only among the services the words match (``searching.find``
  gives ``finder.find`` a function): every count and result is the one the whole list of
  services within the radius gives (``nearest=`` that list, as before).
- A shown distance is measured exactly only when the approximation could be written
  otherwise (``Nearby.distances(shown=...)``): it is always written as the exact one is,
  at the rounding steps too.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from geopy.distance import geodesic

from directory.geo import distance as geo
from directory.search import crisis, finder, nearby, queries, spelling
from directory.search.filters import Filters
from directory.search.masks import mask_of
from directory.tools.synthetic import write_synthetic_data
from directory.web import clock, searching
from directory.web.app import create_app
from directory.web.current import all_categories, current_facets, current_index
from directory.web.distance import format_distance
from directory.web.store import get_build, get_db
from tests.conftest import FIXTURE_DATA, FROZEN_NOW, build_into


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("near-fast")
    write_synthetic_data(root / "data", 600, seed=9)
    # The fixture's crisis phrases: a crisis search puts crisis services first.
    shutil.copy(FIXTURE_DATA / "crisis_terms.yaml", root / "data" / "crisis_terms.yaml")
    build_into(root / "data", root / "instance")
    return create_app({"TESTING": True, "INSTANCE_PATH": str(root / "instance"),
                       "NOW": FROZEN_NOW})


def _searches(db) -> list[str]:
    words = [row[0] for row in db.execute(
        "select word from spelling_words where length(word) > 3 order by frequency desc "
        "limit 12")]
    return ["", *words[:6], f"{words[0]} {words[5]}", f"{words[1]} {words[-1]}",
            f"{words[2]}x", "kill myself", "crisis line", "zzzz qqqq", "312 555 0101"]


FILTERS = [Filters(), Filters((("open_now", "1"),)), Filters((("cost", "free"),)),
           Filters((("open_now", "1"), ("cost", "free"))), Filters((("remote", "phone"),)),
           Filters((("category", "crisis-hotline"),))]


def _centres(db) -> list[geo.Point]:
    """Points on services' own places (many services share a place: ties) and between."""
    rows = db.execute("select latitude, longitude from near_points order by docnum").fetchall()
    chosen = [geo.Point(*rows[i]) for i in (0, len(rows) // 3, len(rows) // 2)]
    return [*chosen, geo.Point(round(rows[1][0] + 0.013, 3), round(rows[1][1] - 0.021, 3))]


def test_the_radius_among_the_words_matches_gives_the_whole_lists_answer(app):
    """Every finding (results, order, totals, facet counts, ways out) is the one given by the
    whole list of services within the radius, for words broad and narrow, misspelt, a crisis,
    a phone number, none; with filters; at radii small and wide; on pages past the first."""
    compared = measured_fewer = 0
    with app.test_request_context("/search"):
        db, index, facets = get_db(), current_index(), current_facets()
        points = nearby.points(get_build(), db, index)
        categories, now = all_categories(), clock.now()
        for centre in _centres(db):
            for radius in (0.5, geo.to_km(3, "mi"), geo.MAX_RADIUS_KM):
                whole = nearby.within_radius(points, centre, radius)
                for q in _searches(db):
                    for chosen in FILTERS:
                        for page in (1, 2):
                            fast, near = searching.find(q, chosen, page, 10, categories, now,
                                                        centre=centre, radius_km=radius)
                            plain = finder.find(
                                index, facets, spelling.for_build(get_build(), db),
                                db, q, chosen, page=page, per_page=10, now=now,
                                categories=categories, nearest=whole.docnums.tolist(),
                                crisis=crisis.for_build(get_build(), db))
                            assert fast == plain, (centre, radius, q, chosen, page)
                            # The fast list is the whole list's, less what cannot be shown.
                            kept = np.isin(whole.docnums, near.docnums)
                            assert near.docnums.tolist() == whole.docnums[kept].tolist()
                            assert near.km.tolist() == whole.km[kept].tolist()
                            compared += 1
                            measured_fewer += len(near.docnums) < len(whole.docnums)
    assert compared > 1000 and measured_fewer > compared // 2


def test_among_a_mask_of_documents_the_answer_is_the_whole_lists(app):
    """The HSDS API's own restriction (``among``) with a near search: the same finding."""
    with app.test_request_context("/search"):
        db, index, facets = get_db(), current_index(), current_facets()
        points = nearby.points(get_build(), db, index)
        categories, now = all_categories(), clock.now()
        centre = _centres(db)[0]
        whole = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM)
        rng = np.random.default_rng(3)
        for q in _searches(db)[:8]:
            among = mask_of(np.flatnonzero(rng.random(points.size) < 0.3), points.size)
            fast, _near = searching.find(q, Filters(), 1, 10, categories, now, centre=centre,
                                         radius_km=geo.MAX_RADIUS_KM, among=among)
            plain = finder.find(index, facets, spelling.for_build(get_build(), db),
                                db, q, Filters(), page=1, per_page=10, now=now,
                                categories=categories, nearest=whole.docnums.tolist(),
                                crisis=crisis.for_build(get_build(), db),
                                among=among)
            assert fast == plain, q


def _places_at(centre: geo.Point, km: list[float], rng) -> nearby.Points:
    """One service at each distance from the centre, each in a random direction."""
    spots = [geodesic(kilometers=d).destination(centre, rng.uniform(0, 360)) for d in km]
    points = nearby.Points.__new__(nearby.Points)
    points.latitudes = np.array([spot.latitude for spot in spots])
    points.longitudes = np.array([spot.longitude for spot in spots])
    points.reduced = geo.reduced(points.latitudes, points.longitudes)
    points.docnums, points.size = np.arange(len(km), dtype=np.int64), len(km)
    points.one_place_each = True
    return points


@pytest.mark.parametrize("unit", ["km", "mi"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_distances_shown_are_written_as_the_exact_ones_at_every_rounding_step(app, unit, lang,
                                                                             monkeypatch):
    """Places a hair either side of every step where the written distance changes (0.05
    units, 9.95, 10.5...), where the approximation can fall on the other side of the step:
    each distance given is written as the exact one is. Elsewhere hardly any is measured."""
    rng = np.random.default_rng(5)
    factor = geo.KM_PER_UNIT[unit]
    steps = [(n + 0.5) / 10 for n in range(100)] + [n + 0.5 for n in range(10, 25)]
    hairs = (0.0, 1e-9, -1e-9, 3e-7, -3e-7, 2e-6, -2e-6)
    km = [step * factor * (1 + hair) for step in steps for hair in hairs]
    km += [0.0, 0.001, 0.04 * factor, 0.1 * factor, 9.96 * factor, 10.0 * factor]
    centre = geo.Point(41.88, -87.63)
    points = _places_at(centre, km, rng)
    with app.test_request_context(f"/search?lang={lang}"):
        def shown(value):
            return format_distance(geo.from_km(value, unit), unit)

        near = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM * 2)
        given = near.distances(near.docnums.tolist(), shown=shown)
        assert len(given) == len(km)
        for docnum, value in given.items():
            exact = geo.distance_km(centre, geo.Point(points.latitudes[docnum],
                                                      points.longitudes[docnum]))
            assert shown(value) == shown(exact), (km[docnum], value, exact)

        # Anywhere else, the approximation stands for nearly all.
        spread = list(rng.uniform(0.2, geo.MAX_RADIUS_KM, 400))
        points = _places_at(centre, spread, rng)
        near = nearby.within_radius(points, centre, geo.MAX_RADIUS_KM * 2)
        calls = []
        exact_km = geo.distance_km
        monkeypatch.setattr(geo, "distance_km", lambda a, b: calls.append(1) or exact_km(a, b))
        given = near.distances(near.docnums.tolist(), shown=shown)
        assert len(calls) < 20
        monkeypatch.undo()
        for docnum, value in given.items():
            exact = geo.distance_km(centre, geo.Point(points.latitudes[docnum],
                                                      points.longitudes[docnum]))
            assert shown(value) == shown(exact)


def test_without_a_way_of_writing_every_distance_is_exact(app):
    rng = np.random.default_rng(8)
    centre = geo.Point(41.88, -87.63)
    points = _places_at(centre, list(rng.uniform(0.1, 30, 50)), rng)
    near = nearby.within_radius(points, centre, 40)
    given = near.distances(near.docnums.tolist())
    for docnum, value in given.items():
        assert value == geo.distance_km(centre, geo.Point(points.latitudes[docnum],
                                                          points.longitudes[docnum]))



@pytest.mark.parametrize("unit", ["km", "mi"])
def test_a_service_pages_nearest_alike_are_written_as_their_exact_distances(app, unit):
    """The service page's "nearest alike" (``nearest_same_category``) measures exactly only
    where the approximation could be written otherwise: the same services, each distance
    written as the exact one is; without ``shown``, every distance is the exact one."""
    def shown(value):
        return format_distance(geo.from_km(value, unit), unit)

    with app.test_request_context("/search"):
        db, facets = get_db(), current_facets()
        points = nearby.points(get_build(), db, current_index())
        ids = [row[0] for row in db.execute(
            "select id from services where status = 'active' order by id")]
        approximated = 0
        for service_id in ids[::3]:
            service = queries.service(db, service_id)
            exact = nearby.nearest_same_category(db, points, facets, service)
            given = nearby.nearest_same_category(db, points, facets, service, shown=shown)
            assert given["ids"] == exact["ids"], service_id
            for other, km in given["km"].items():
                assert shown(km) == shown(exact["km"][other]), (service_id, other)
                approximated += km != exact["km"][other]
        assert approximated > 20  # the approximation stands for most


def test_the_synthetic_build_has_ties_and_places_to_compare(app):
    """What the comparisons above rest on: services sharing a place, several places a
    service, words that match part of the build."""
    with app.test_request_context("/search"):
        db = get_db()
        rows = queries.near_points(db)
        assert len({(lat, lon) for lat, lon, _ in rows}) < len(rows)
        assert len({docnum for _, _, docnum in rows}) < len(rows)
        terms = crisis.for_build(get_build(), db)
        assert terms.match("kill myself") and not terms.match("crisis line")
        # Crisis services with a place: a crisis search counts them within the radius.
        inside = current_facets().value_mask("category", crisis.CATEGORY) & \
            mask_of([docnum for _, _, docnum in rows], current_index().size())
        assert inside


def _remote_walked(index, text, groups, category, per_page):
    """The "Call, text or chat" block as it was found: a ``search`` per group, as deep as
    the page, and one over all of them for the total."""
    ids, total, within = [], None, 0
    for group in groups:
        within |= group
    for group in groups:
        hits = index.search(text, category=category, per_page=per_page - len(ids),
                            within=group)
        total = index.search(text, category=category, per_page=1, within=within).total \
            if total is None else total
        ids += hits.ids
        if len(ids) >= per_page:
            break
    return ids, total or 0


def test_the_call_block_in_one_ranked_pass_is_a_search_per_group(app):
    """``Index.search_in_groups`` (the hotlines serving an area: crisis lines, then those open
    now, then the rest) gives the services and total a ``search`` per group gave: words
    every and any, a quoted phrase (Whoosh's ranking), none, a category, groups empty and
    not, pages of 1 to 20."""
    rng = np.random.default_rng(13)
    with app.test_request_context("/search"):
        db, index = get_db(), current_index()
        size = index.size()
        texts = [*_searches(db), '"crisis line"', "line zzzz", "counselling grief text"]
        for text in texts:
            for category in (None, "crisis-hotline", "counselling"):
                for _trial in range(6):
                    within = rng.random(size) < rng.choice([0.02, 0.3, 1.0])
                    split = rng.integers(0, 3, size)
                    groups = [mask_of(np.flatnonzero(within & (split == part)), size)
                              for part in range(3)]
                    groups = [group for group in groups if group]
                    per_page = int(rng.choice([1, 3, 20]))
                    found = index.search_in_groups(text, groups, category=category,
                                                   per_page=per_page)
                    assert (found.ids, found.total) == \
                        _remote_walked(index, text, groups, category, per_page), \
                        (text, category, per_page)


def test_the_areas_around_a_point_are_the_nearest_of_each_kind(app):
    """``Gazetteer.areas_around`` (all areas measured at once) against a walk of each kind's
    places, one at a time, at points across and beyond the region."""
    from directory.geo.places import AREA_REACH_KM

    rng = np.random.default_rng(17)
    with app.test_request_context("/search"):
        places = nearby.gazetteer(get_build(), get_db())
        lats = [p.latitude for p in places.places]
        lons = [p.longitude for p in places.places]
        for _trial in range(300):
            point = geo.Point(rng.uniform(min(lats) - 0.3, max(lats) + 0.3),
                              rng.uniform(min(lons) - 0.3, max(lons) + 0.3))
            expected = []
            for kind, reach in AREA_REACH_KM.items():
                these = [p for p in places.places if p.kind == kind]
                if not these:
                    continue
                km = [float(geo.approximate_km(point, geo.reduced(p.latitude, p.longitude)))
                      for p in these]
                nearest = int(np.argmin(km))
                if km[nearest] <= reach:
                    expected.append(these[nearest].name)
            assert places.areas_around(point) == expected, point


def _queries(index, db) -> list:
    from whoosh.query import Every, NullQuery, Or, Term

    words = [row[0] for row in db.execute(
        "select word from spelling_words order by frequency desc limit 40")]
    rng = np.random.default_rng(19)
    texts = [*words[:10], *(f"{rng.choice(words)} {rng.choice(words)}" for _ in range(20)),
             *(" ".join(rng.choice(words, 3)) for _ in range(6)), "someone to talk to",
             "grief zzzz", "zzzz"]
    found = [index.query(text, all_words=every) for text in texts for every in (True, False)]
    # Many parts to one Or: numpy would sum a narrow array of them in another order.
    wide = [Or([Term(field, word) for word in words[:12] for field in ("name", "description")]),
            Or([Term("description", word) for word in words[::3]], scale=0.9)]
    return [*found, *wide, Every(), NullQuery, Term("category", "counselling")]


def _dense(scored, size: int):
    """A sparse ``Scored`` as arrays over ``size`` documents: scores, matched, hits."""
    scores, matched = np.zeros(size), np.zeros(size, dtype=bool)
    hits = np.zeros(size, dtype=np.int32)
    scores[scored.docnums], matched[scored.docnums] = scored.scores, True
    hits[scored.docnums] = scored.hits
    return scores, matched, hits


def test_matching_without_scores_matches_what_the_scores_match(app):
    """``Ranker.match`` (a near search's words, unscored) is what ``evaluate`` matches."""
    with app.test_request_context("/search"):
        index = current_index()
        ranker = index._ranker()
        for query in _queries(index, get_db()):
            expected = _dense(ranker._evaluate(query), ranker.size)[1]
            ranker._last = ranker._last_match = None  # not the kept answers: worked out
            assert ranker.match(query).tolist() == expected.tolist(), query
            assert ranker.match(query).tolist() == expected.tolist(), query  # kept


def test_scores_among_a_few_documents_are_the_whole_index_scores_bit_for_bit(app):
    """``Ranker.evaluate_among`` (the call block's ranking of the phone and online services
    serving an area) gives each document the very score ``evaluate`` gives it, for one
    document, a few, hundreds and all; so their order is the whole ranking's."""
    rng = np.random.default_rng(23)
    with app.test_request_context("/search"):
        index = current_index()
        ranker = index._ranker()
        size = ranker.size
        for query in _queries(index, get_db()):
            whole = ranker._evaluate(query)
            scores, matched, hits = _dense(whole, size)
            # Random documents, and those matching the most terms (many numbers to add).
            most = np.argsort(-hits, kind="stable")
            for count, docnums in [*((n, np.sort(rng.choice(size, n, replace=False)))
                                     for n in (1, 2, 3, 7, 40, size // 3, size)),
                                   *((n, np.sort(most[:n])) for n in (1, 2, 3, 5))]:
                ranker._last = None  # not the kept answer: worked out
                some = ranker.evaluate_among(query, docnums)
                some_scores, some_matched, some_hits = _dense(some, len(docnums))
                assert some_scores.tobytes() == scores[docnums].tobytes(), (query, count)
                assert some_matched.tolist() == matched[docnums].tolist()
                assert some_hits.tolist() == hits[docnums].tolist()
                assert some.terms == whole.terms
                assert docnums[ranker.top(some, some_matched, 5)].tolist() == \
                    ranker.top(whole, np.isin(np.arange(size), docnums), 5)


def test_the_services_serving_some_areas_are_those_a_walk_finds(app):
    """``Points.serving_mask`` (masks kept per area, joined) against the walk of every phone
    and online service's areas, for sets of the build's areas, inside the region and not."""
    rng = np.random.default_rng(29)
    with app.test_request_context("/search"):
        points = nearby.points(get_build(), get_db(), current_index())
        names = sorted({area for served in points.remote.values() for area in served}
                       | {p.name for p in nearby.gazetteer(get_build(), get_db()).places})
        assert any(not served for served in points.remote.values())  # whole-region ones
        for _trial in range(200):
            areas = list(rng.choice(names, int(rng.integers(0, 4)), replace=False))
            for in_region in (True, False):
                assert points.serving_mask(areas, in_region) == \
                    mask_of(points.serving(areas, in_region), points.size), areas
