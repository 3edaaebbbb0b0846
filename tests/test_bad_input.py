"""Whatever arrives in a URL, the answer is a page or a helpful 400, never a 5xx."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = ["/", "/search", "/search/remote", "/services/harbour-youth-drop-in",
          "/categories/counselling", "/organizations/harbour-youth-trust", "/about", "/privacy",
          "/healthz", "/referral", "/sheets/street"]
NAMES = ["q", "page", "category", "lang", "near", "lat", "lon", "radius", "ids", "note",
         "open_now", "cost", "language", "audience", "access", "age", "wheelchair", "remote",
         "list", "paper"]
# Digits that str.isdigit() accepts and int() rejects or reads otherwise, and numbers past
# Python's 4,300-digit limit for int(): each once gave a 500 (issue 14).
NOT_ASCII_DIGITS = ["²", "³", "¹", "1²", "١٢", "１２", "٣", "⁵⁰"]
HUGE = ["9" * 4301, "1" * 10000, "-" + "9" * 5000, "0" * 5000 + "1"]
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "-1", "0", "NaN", "inf", "1e309", "99999999999999999999", "%00",
                     "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
                     "🙂" * 50, "counselling\u202e", "a" * 5000, *NOT_ASCII_DIGITS, *HUGE]),
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


NUMERIC = [(route, "radius") for route in ("/search", "/search/remote", "/sheets/street",
                                           "/sheets/street.pdf")] + \
    [("/search", "page"), ("/search", "age"), ("/search", "lat"), ("/search", "lon")]


@pytest.mark.parametrize(("route", "name"), NUMERIC)
@pytest.mark.parametrize("value", NOT_ASCII_DIGITS + HUGE, ids=lambda v: v[:6])
def test_numbers_that_are_not_ascii_digits_are_a_400_naming_them(client, route, name, value):
    params = {name: value, "near": "Harbourside"}
    if name in ("lat", "lon"):
        params = {"lat": value, "lon": "-87.6"} if name == "lat" else {"lat": "41.8", "lon": value}
    response = client.get(route, query_string=params)
    assert response.status_code == 400, (route, name, value, response.status_code)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "988" in body  # the crisis lines are on the 400 too
    assert value[:6] in body or f"{name}= is" in body, (route, name, value)


PDF_ROUTES = ["/referral.pdf", "/sheets/street.pdf"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(PDF_ROUTES),
       params=st.lists(st.tuples(st.sampled_from(NAMES), NASTY), max_size=4))
def test_no_parameter_breaks_a_pdf(client, route, params):
    """The PDFs too (fewer examples: each one is rendered)."""
    response = client.get(f"{route}?{urlencode(params)}")
    assert response.status_code < 500, (route, params, response.status_code)


HOSTS = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"[a-z0-9-]{1,70}(\.[a-z0-9-]{1,70}){0,3}(:[0-9]{1,7})?", fullmatch=True),
    st.sampled_from(["", "evil.example", "a" * 64 + ".example", "[::1]:80", "[::1", "..",
                     "localhost:0", "localhost:99999", "xn--nxasmq6b.example", "ex\x00ample"]),
)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), host=HOSTS)
def test_no_host_header_causes_a_server_error(client, route, host):
    """Whatever Host a request claims: a page or the 400 page, with the security headers."""
    try:
        response = client.get(route, headers={"Host": host})
    except ValueError:  # the test client itself refuses some (e.g. NUL); a server never sees it
        return
    assert response.status_code in (200, 400), (route, host, response.status_code)
    assert response.headers.get("Referrer-Policy") == "no-referrer"
