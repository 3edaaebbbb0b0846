"""Privacy and safety on every response: headers, no cookies, no searches in logs."""

from __future__ import annotations

import logging
import re

import pytest

from directory.web.privacy import RedactSearches

PAGES = ["/", "/search?q=counselling", "/services/harbour-youth-drop-in", "/about", "/privacy",
         "/organizations/harbour-youth-trust", "/categories/counselling", "/search?page=x",
         "/services/nope", "/healthz", "/about/api", "/api/", "/api/services?search=grief",
         "/api/services?page=0", "/api/openapi.json"]


@pytest.mark.parametrize("url", PAGES)
def test_headers_and_no_cookies(client, url):
    response = client.get(url)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("url", PAGES[:7] + ["/search?near=Harbourside"])
def test_pages_name_no_other_host(client, url):
    html = client.get(url).get_data(as_text=True)
    # Nothing is ever loaded from another host.
    assert re.findall(r'src="(https?:)?//', html) == []
    # The only absolute links are the data's own websites (example domains here) and plain
    # links to OpenStreetMap's directions, which load nothing until followed.
    for link in re.findall(r'href="(https?://[^"]+)"', html):
        assert (".example.org" in link
                or link.startswith("https://www.openstreetmap.org/directions?")
                or link == "https://weather.example.org/"), link
    # Scripts only as same-origin files that enhance the page; never inline.
    for tag, body in re.findall(r"(<script[^>]*>)(.*?)</script>", html, re.S):
        assert re.fullmatch(r'<script src="/static/[\w.-]+\.js" defer>', tag), tag
        assert body.strip() == ""
    assert html.count("<script") == len(re.findall(r"<script[^>]*>.*?</script>", html, re.S))


def log_line(message: str, keep_client: bool = False) -> str:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, None, None)
    RedactSearches(keep_client=keep_client).filter(record)
    return record.getMessage()


def test_access_log_keeps_no_search_and_no_address():
    line = ('203.0.113.9 - - [24/Nov/2026 10:00:00] "GET /search?q=suicide+help&near=60607 '
            'HTTP/1.1" 200 -')
    assert log_line(line) == '- - - [24/Nov/2026 10:00:00] "GET /search?[redacted] HTTP/1.1" 200 -'
    assert log_line(line, keep_client=True).startswith("203.0.113.9 - - ")
    assert "suicide" not in log_line(line, keep_client=True)


def test_the_app_redacts_werkzeug_logs(app):
    assert any(isinstance(f, RedactSearches) for f in logging.getLogger("werkzeug").filters)
