"""The site's own name: links never come from an unchecked ``Host`` header.

Share links, the "Report a problem" link and the QR code of a referral sheet are absolute
addresses. Built from whatever ``Host`` a request claims, four requests with
``Host: evil.example`` would have put that name on pages other people are served from the
page cache. So in production one of these must be configured, or the server refuses to start:

- ``PUBLIC_URL`` (``DIRECTORY_PUBLIC_URL``): the address people reach the site at; every
  absolute link is made from it, whatever the request says.
- ``TRUSTED_HOSTS`` (``DIRECTORY_TRUSTED_HOSTS``, comma-separated): the names the site answers
  to (``.example.org`` for it and its subdomains); any other ``Host`` is a 400 page.

Whatever the settings, a ``Host`` that is not a host name at all (a label over 63 characters,
spaces, 300 characters) is answered with the 400 page too, built as if for ``localhost``:
Werkzeug cannot even route such a request, which used to give a bare 500.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_babel import gettext as _

# A DNS name (labels of 1-63 letters, digits, dashes; "_" for container names), an IPv4
# address, or an IPv6 literal in brackets; then an optional port.
_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{{1,5}})?")
_FLAG = "directory.bad_host"
FALLBACK = "localhost"


def trusted_hosts(config) -> list[str]:
    """The configured names, lower case, without ports: a list or a comma-separated string."""
    value = config.get("TRUSTED_HOSTS") or []
    names = value.split(",") if isinstance(value, str) else value
    return [str(name).strip().lower() for name in names if str(name).strip()]


def unsafe_config(config) -> str | None:
    """Why this configuration must not serve the public, or None when it may."""
    public = config.get("PUBLIC_URL")
    if public:
        parts = urlsplit(str(public))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return (f'DIRECTORY_PUBLIC_URL "{public}" is not a web address; set it to the '
                    "address people reach the site at, e.g. https://help.example.org")
        return None
    if trusted_hosts(config):
        return None
    return ("set DIRECTORY_PUBLIC_URL to the address people reach the site at (e.g. "
            "https://help.example.org), or DIRECTORY_TRUSTED_HOSTS to the names it answers to; "
            "without either, links would be made from whatever Host header a request claims")


def _problem(host: str, trusted: list[str]) -> str | None:
    if len(host) > 260 or not _HOST.fullmatch(host):
        return "not a host name"
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.rstrip(".").lower()
    # ".example.org" also trusts its subdomains, as in Flask's own TRUSTED_HOSTS.
    if trusted and not any(name == entry.lstrip(".") or
                           (entry.startswith(".") and name.endswith(entry))
                           for entry in trusted):
        return "not a name of this site"
    return None


def own_name(config) -> str:
    """A name the site surely answers to: PUBLIC_URL's host, else the first trusted name."""
    public = urlsplit(str(config.get("PUBLIC_URL") or "")).hostname
    trusted = trusted_hosts(config)
    return public or (trusted[0].lstrip(".") if trusted else FALLBACK)


class CheckHost:
    """WSGI middleware: a ``Host`` that is malformed or not trusted is replaced by a safe
    name before Flask routes the request, and the request is then answered with a 400."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        trusted = trusted_hosts(self.config)
        problem = _problem(host, trusted)
        if problem:
            # The 400 page is then made as if asked of the site's own name.
            safe = own_name(self.config)
            environ[_FLAG] = problem
            environ["HTTP_HOST"] = safe
            environ["SERVER_NAME"], environ["SERVER_PORT"] = safe, "80"
        return self.wsgi_app(environ, start_response)


def refuse_bad_host():
    if request.environ.get(_FLAG):
        # The host is not repeated: it may be anything, and it is nobody's business here.
        abort(400, _("This page was asked for under a name that is not this site's (the "
                     "Host header). Open the site from its usual address."))


def cache_key() -> tuple:
    """What of the request's address shapes a page: nothing when PUBLIC_URL makes every
    link, else the scheme and host that absolute links are built from."""
    if current_app.config.get("PUBLIC_URL"):
        return ()
    return (request.scheme, request.host.lower())


def init_app(app) -> None:
    # Flask (3.1+) reads TRUSTED_HOSTS too, as a list; DIRECTORY_TRUSTED_HOSTS is a string.
    # Its own check then never refuses a host this one let through.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config) or None
    app.wsgi_app = CheckHost(app.wsgi_app, app.config)
    app.before_request(refuse_bad_host)
