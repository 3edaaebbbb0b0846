"""Privacy and safety on every response: strict headers, no cookies, no searches in logs.

People search this site about their mental health. Nothing may leave for a third party,
and no log line may tie a search to an address.
"""

from __future__ import annotations

import logging
import re

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_REQUEST_LINE = re.compile(r'"(\w+) ([^ ?"]*)\?[^ "]*')
_CLIENT = re.compile(r"^\S+ - - ")


class RedactSearches(logging.Filter):
    """Strip query strings (and, unless opted in, client addresses) from access-log lines."""

    def __init__(self, keep_client: bool = False):
        super().__init__()
        self.keep_client = keep_client

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        message = _REQUEST_LINE.sub(r'"\1 \2?[redacted]', message)
        if not self.keep_client:
            message = _CLIENT.sub("- - - ", message)
        record.msg, record.args = message, None
        return True


_QUERY = re.compile(r"(/[^\s?'\"]*)\?[^\s'\"]*")
_INVALID = re.compile(r"^Invalid request from ip=(?P<ip>\S*?): (?P<error>.*)$", re.S)


class RedactErrors(logging.Filter):
    """For gunicorn's error log: "Invalid request from ip=…: Invalid HTTP request line: 'GET
    /search?q=…'" would keep a search and an address; keep what went wrong and no more.

    The address stays only when the operator opts in (DIRECTORY_LOG_CLIENT_ADDRESS); what
    the client sent is never kept, and "Error handling request /search?q=…" loses its query.
    """

    def __init__(self, keep_client: bool = False):
        super().__init__()
        self.keep_client = keep_client

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        invalid = _INVALID.match(message)
        if invalid:
            ip = invalid["ip"] if self.keep_client else "[redacted]"
            # "Invalid HTTP request line: 'GET /search?q=…'": the kind of error, not the line.
            kind = invalid["error"].split(":", 1)[0].split("'", 1)[0].strip()
            message = f"Invalid request from ip={ip}: {kind or 'unreadable'}: [redacted]"
        message = _QUERY.sub(r"\1?[redacted]", message)
        record.msg, record.args = message, None
        return True


def secure_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Search pages say private things; keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def init_app(app) -> None:
    app.after_request(secure_headers)
    logger = logging.getLogger("werkzeug")
    for old in [f for f in logger.filters if isinstance(f, RedactSearches)]:
        logger.removeFilter(old)
    logger.addFilter(RedactSearches(keep_client=app.config["LOG_CLIENT_ADDRESS"]))
