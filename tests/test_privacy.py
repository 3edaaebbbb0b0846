"""Privacy and safety on every response: headers, no cookies, no searches in logs."""

from __future__ import annotations

import logging
import re

import pytest

from directory.privacy import RedactSearches

PAGES = ["/", "/search?q=counselling", "/services/harbour-youth-drop-in", "/about", "/privacy",
         "/organizations/harbour-youth-trust", "/categories/counselling", "/search?page=x",
         "/services/nope", "/healthz"]


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


@pytest.mark.parametrize("url", PAGES[:7])
def test_pages_name_no_other_host(client, url):
    html = client.get(url).get_data(as_text=True)
    # The only absolute links allowed are the data's own websites and the quick exit's
    # neutral page (example domains here): links the user follows, never requests.
    for link in __import__("re").findall(r'(?:src|href)="(https?://[^"]+)"', html):
        assert ".example.org" in link, link
    # JavaScript only enhances: scripts are this site's own files, never inline code.
    for tag in re.findall(r"<script\b[^>]*>.*?</script>", html, flags=re.S):
        assert re.fullmatch(r'<script src="/static/[\w-]+\.js" defer></script>', tag), tag


def log_line(message: str, keep_client: bool = False) -> str:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, None, None)
    RedactSearches(keep_client=keep_client).filter(record)
    return record.getMessage()


def test_access_log_keeps_no_search_and_no_address():
    line = '203.0.113.9 - - [24/Nov/2026 10:00:00] "GET /search?q=suicide+help&near=60607 HTTP/1.1" 200 -'
    assert log_line(line) == '- - - [24/Nov/2026 10:00:00] "GET /search?[redacted] HTTP/1.1" 200 -'
    assert log_line(line, keep_client=True).startswith("203.0.113.9 - - ")
    assert "suicide" not in log_line(line, keep_client=True)


def test_the_app_redacts_werkzeug_logs(app):
    assert any(isinstance(f, RedactSearches) for f in logging.getLogger("werkzeug").filters)
