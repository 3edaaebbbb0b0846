"""The HSDS 3.0 API under /api: valid HSDS answers, Page envelopes, ids by UUID or slug, JSON
400s naming the parameter, open CORS, no cookies, ETags, and /search's own ranking."""

from __future__ import annotations

import re

import pytest

from directory.tools.synthetic import write_synthetic_data
from directory.web.app import create_app
from tests.conftest import FIXTURE_DATA, FROZEN_NOW, build_into
from tests.hsds_schemas import needs_hsds, problems
from tests.test_ranking import GOLDEN

PAGE_KEYS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"]
LISTS = {"/api/services": "compiled/service_list.json",
         "/api/services?full=true": "compiled/service.json",
         "/api/service_at_locations": "compiled/service_at_location_list.json",
         "/api/service_at_locations?full=true": "compiled/service_at_location_list.json",
         "/api/organizations": "compiled/organization_list.json",
         "/api/organizations?full=true": "compiled/organization.json",
         "/api/taxonomies": "taxonomy.json",
         "/api/taxonomy_terms": "taxonomy_term.json"}


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_api_says_what_it_is(client):
    meta = get_json(client, "/api/")
    assert meta["version"] == "3.0"
    assert meta["openapi_url"].endswith("/api/openapi.json")
    assert meta["profile"].startswith("https://")


@needs_hsds
@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_a_page_of_valid_hsds_objects(client, url):
    page = get_json(client, url)
    assert list(page) == PAGE_KEYS
    assert page["contents"] and page["size"] == len(page["contents"])
    wrong = [problems(item, LISTS[url]) for item in page["contents"]]
    assert [w for w in wrong if w] == []


@needs_hsds
def test_every_single_object_is_valid_hsds(client):
    checked = 0
    for listing, one, schema in [
            ("/api/services", "/api/services/{}", "compiled/service.json"),
            ("/api/organizations", "/api/organizations/{}", "compiled/organization.json"),
            ("/api/organizations", "/api/organizations/{}?full_service=true",
             "compiled/organization.json"),
            ("/api/service_at_locations", "/api/service_at_locations/{}",
             "compiled/service_at_location.json"),
            ("/api/taxonomies", "/api/taxonomies/{}", "taxonomy.json"),
            ("/api/taxonomy_terms?per_page=100", "/api/taxonomy_terms/{}",
             "taxonomy_term.json")]:
        for item in get_json(client, listing)["contents"]:
            assert problems(get_json(client, one.format(item["id"])), schema) == []
            checked += 1
    assert checked > 30


def test_paging_envelope(client):
    first = get_json(client, "/api/services?per_page=3")
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"],
            first["first_page"], first["last_page"], first["empty"]) == (7, 3, 1, 3, True,
                                                                         False, False)
    last = get_json(client, "/api/services?per_page=3&page=3")
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    none = get_json(client, "/api/services?search=skydiving")
    assert (none["total_items"], none["total_pages"], none["empty"], none["contents"]) == (
        0, 0, True, [])


def test_a_service_by_uuid_or_by_slug_names_the_canonical_url(client):
    by_slug = client.get("/api/services/harbour-youth-drop-in")
    body = by_slug.get_json()
    canonical = f"http://localhost/api/services/{body['id']}"
    assert by_slug.headers["Link"] == f'<{canonical}>; rel="canonical"'
    by_uuid = client.get(f"/api/services/{body['id']}")
    assert by_uuid.get_json() == body and body["directory_id"] == "harbour-youth-drop-in"
    assert client.get(f"/api/services/{body['id'].upper()}").get_json() == body


def test_inactive_services_are_found_by_id_but_not_listed(client):
    assert get_json(client, "/api/services/harbour-old-camp")["status"] == "inactive"
    listed = get_json(client, "/api/services?per_page=100")["contents"]
    assert "harbour-old-camp" not in {s["directory_id"] for s in listed}


@pytest.mark.parametrize("url", ["/api/services/nope", "/api/organizations/nope",
                                 "/api/taxonomy_terms/00000000-0000-0000-0000-000000000000",
                                 "/api/service_at_locations/a/b", "/api/taxonomies/x",
                                 "/api/nothing-here"])
def test_unknown_ids_are_json_404s(client, url):
    body = get_json(client, url, 404)
    assert body["status"] == 404 and body["message"]


@pytest.mark.parametrize(("url", "parameter", "expected"), [
    ("/api/services?page=0", "page", "a whole number from 1 to 500"),
    ("/api/services?per_page=101", "per_page", "a whole number from 1 to 100"),
    ("/api/services?full=maybe", "full", "true or false"),
    ("/api/services?minimal=2", "minimal", "true or false"),
    ("/api/services?modified_after=yesterday", "modified_after", "a date or date-time"),
    ("/api/services?proximity=far&postcode=60640", "proximity", "a number of metres"),
    ("/api/services?proximity=500", "proximity", "a number of metres"),
    ("/api/services?format=xml", "format", "json"),
    ("/api/services?cost=cheap", "cost", "free, sliding-scale or paid"),
    ("/api/services?category=nope", "category", "a category id"),
    ("/api/services?lat=91&lon=0", "lat", "a latitude"),
    ("/api/services?lat=41.9", "lon", "a longitude"),
    ("/api/services?radius=7&near=60640", "radius", "one of 1, 3, 10, 25"),
    ("/api/services?near=Atlantis", "near", "a place name or lat,lon"),
    ("/api/services?search=" + "x" * 201, "search", "words, at most 200 characters"),
    ("/api/organizations?full_service=perhaps", "full_service", "true or false"),
    ("/api/taxonomy_terms?top_only=sometimes", "top_only", "true or false"),
])
def test_bad_parameters_are_json_400s_naming_the_parameter(client, url, parameter, expected):
    body = get_json(client, url, 400)
    assert body["parameter"] == parameter
    assert body["expected"].startswith(expected)
    assert body["status"] == 400 and body["error"] == "Bad Request" and body["message"]


def test_only_get(client):
    response = client.post("/api/services")
    assert response.status_code == 405 and response.get_json()["status"] == 405


def test_open_to_any_origin_without_cookies(client):
    for url in ["/api/", "/api/services?search=counselling", "/api/services/nope",
                "/api/services?page=0"]:
        response = client.get(url, headers={"Origin": "https://map.example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers
    preflight = client.options("/api/services", headers={
        "Origin": "https://map.example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "ETag" in preflight.headers["Access-Control-Expose-Headers"]


def test_etag_per_build_and_conditional_get(client, built_instance):
    build_id = (built_instance / "current").resolve().name
    response = client.get("/api/services/harbour-youth-drop-in")
    assert response.headers["ETag"].startswith(f'"{build_id}-')
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/api/services/harbour-youth-drop-in",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_searches_stay_out_of_shared_caches(client):
    for url in ["/api/services?search=grief", "/api/services?near=60640",
                "/api/services?postcode=60640"]:
        assert client.get(url).headers["Cache-Control"] == "private, no-store"


def ids_of(client, url):
    return [s["directory_id"] for s in get_json(client, url)["contents"]]


def test_hsds_filters_combine_with_and(client):
    counselling = ids_of(client, "/api/services?taxonomy_term_id=category:counselling")
    assert set(counselling) == {"riverside-therapy", "riverside-couples",
                                "harbour-youth-drop-in"}
    term = get_json(client, "/api/taxonomy_terms/category:counselling")["id"]
    assert ids_of(client, f"/api/services?taxonomy_term_id={term}") == counselling
    org = get_json(client, "/api/organizations/harbour-youth-trust")["id"]
    assert set(ids_of(client, f"/api/services?organization_id={org}")) == {
        "harbour-youth-drop-in", "harbour-parent-group"}
    assert ids_of(client, f"/api/services?organization_id={org}"
                          "&taxonomy_term_id=category:counselling") == ["harbour-youth-drop-in"]
    assert ids_of(client, f"/api/services?organization_id={org}&cost=paid") == []
    assert set(ids_of(client, "/api/services?modified_after=2026-10-01")) == {
        "harbour-youth-drop-in", "maple-library-drop-in"} | set(
        ids_of(client, "/api/services?modified_after=2026-10-01T00:00:00Z"))
    assert ids_of(client, "/api/services?postcode=60640") == ["northside-warmline"]
    tax = get_json(client, "/api/taxonomies")["contents"][0]["id"]
    assert len(ids_of(client, f"/api/services?taxonomy_id={tax}&per_page=100")) == 7
    assert ids_of(client, "/api/services?taxonomy_id=00000000-0000-0000-0000-000000000000") == []


def test_postcode_with_proximity_is_a_near_search(client):
    near = ids_of(client, "/api/services?postcode=60607&proximity=5000")
    assert near and near[0] == "harbour-youth-drop-in"  # at 60607 itself: nearest first


def test_minimal_lists_ids_for_harvesters(client):
    item = get_json(client, "/api/services?minimal=true")["contents"][0]
    assert set(item) == {"id", "name", "status", "assured_date", "directory_id"}


def test_taxonomy_terms_filters(client):
    top = get_json(client, "/api/taxonomy_terms?top_only=true")["contents"]
    assert {t["code"] for t in top} == {"category", "audience", "access", "remote", "cost"}
    support = get_json(client, "/api/taxonomy_terms/category:support-group")["id"]
    children = get_json(client, f"/api/taxonomy_terms?parent_id={support}")["contents"]
    assert [t["code"] for t in children] == ["category:grief-support"]
    found = get_json(client, "/api/taxonomy_terms?search=grief")["contents"]
    assert [t["code"] for t in found] == ["category:grief-support"]


def test_the_export_downloads_with_the_build_date(client, built_instance):
    about = client.get("/about").get_data(as_text=True)
    assert "/api/export/hsds.zip" in about and "/about/api" in about
    response = client.get("/api/export/hsds.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert re.search(r'filename=hsds-\d{4}-\d{2}-\d{2}\.zip',
                     response.headers["Content-Disposition"])
    assert response.data[:2] == b"PK"
    response.close()
    as_json = client.get("/api/export/services.json")
    assert as_json.status_code == 200 and as_json.data.lstrip().startswith(b"[")
    as_json.close()


def test_the_human_api_page_has_curl_examples_and_is_in_the_footer(client):
    page = client.get("/about/api").get_data(as_text=True)
    assert "curl" in page and "/api/services?search=" in page
    assert 'href="/about/api"' in client.get("/").get_data(as_text=True)


# --- the same ranking as /search ------------------------------------------------------

CARD = re.compile(r'<h3 class="card-title"><a href="/services/([^"?]+)[^"]*"')
FILTERS = ["", "&cost=free", "&language=es", "&open_now=1", "&category=counselling",
           "&audience=youth&access=walk-in"]


@pytest.fixture(scope="module")
def synthetic_client(tmp_path_factory):
    """1,500 synthetic services, so ties and pages show any difference in order."""
    root = tmp_path_factory.mktemp("parity")
    write_synthetic_data(root / "data", 1500, seed=11)
    build_into(root / "data", root / "instance")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(root / "instance"),
                      "DATA_DIR": str(root / "data"), "NOW": FROZEN_NOW})
    return app.test_client()


@pytest.mark.parametrize("words", [*GOLDEN, "counseling", "peer support", "teen crisis"])
def test_search_gives_the_same_services_in_the_same_order_as_the_site(synthetic_client, words):
    for extra in FILTERS:
        for page in (1, 2):
            # Words that are filters ("free therapy") redirect the site once, to the same
            # search with the filter; the API reads them the same way.
            site = CARD.findall(synthetic_client.get(
                f"/search?q={words}{extra}&page={page}", follow_redirects=True
            ).get_data(as_text=True))
            api = ids_of(synthetic_client,
                         f"/api/services?search={words}{extra}&page={page}&per_page=20")
            assert api == site, (words, extra, page)


def test_near_search_gives_the_same_order_as_the_site(client):
    for url in ["near=60607&radius=25", "lat=41.882&lon=-87.6477&radius=10&q=counselling"]:
        site = CARD.findall(client.get(f"/search?{url}").get_data(as_text=True))
        api = ids_of(client, "/api/services?" + url.replace("q=", "search="))
        located = [s for s in site if s in api]  # the site adds a "Call, text or chat" block
        assert api == located and api, url


def test_fixture_data_is_what_these_tests_assume():
    assert (FIXTURE_DATA / "site.yaml").read_text().count("hsds_namespace") == 1


def test_without_a_build_the_api_says_so_in_json(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "NOW": FROZEN_NOW})
    response = app.test_client().get("/api/services")
    assert response.status_code == 503
    assert response.get_json()["status"] == 503
    assert response.headers["Access-Control-Allow-Origin"] == "*"
