"""Whatever arrives in a URL, the answer is a page or a helpful 400, never a 5xx."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = ["/", "/search", "/search/remote", "/services/harbour-youth-drop-in",
          "/categories/counselling", "/organizations/harbour-youth-trust", "/about", "/privacy",
          "/healthz"]
NAMES = ["q", "page", "category", "lang", "near", "lat", "lon", "radius", "ids", "note",
         "open_now", "cost", "language", "audience", "access"]
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "-1", "0", "NaN", "inf", "1e309", "99999999999999999999", "%00",
                     "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
                     "🙂" * 50, "counselling\u202e", "a" * 5000]),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES),
       params=st.lists(st.tuples(st.sampled_from(NAMES), NASTY), max_size=6))
def test_no_parameter_causes_a_server_error(client, route, params):
    response = client.get(f"{route}?{urlencode(params)}")
    assert response.status_code < 500, (route, params, response.status_code)
    assert b"Traceback" not in response.data


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=80).filter(lambda s: s not in (".", "..")))
def test_no_id_causes_a_server_error(client, segment):
    for prefix in ("/services/", "/organizations/", "/categories/"):
        response = client.get(prefix + segment.replace("/", "%2F").replace("?", "%3F")
                              .replace("#", "%23"))
        assert response.status_code in (200, 308, 404), (prefix, segment)


@pytest.mark.parametrize("path", [
    "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/..%2Fpyproject.toml",
    "/static/../../etc/passwd", "/services/..%2F..%2Fetc%2Fpasswd", "/static/%00",
])
def test_path_traversal_finds_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"[build-system]" not in response.data and b"root:" not in response.data
