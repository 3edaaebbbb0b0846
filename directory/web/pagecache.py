"""Rendered pages kept until anything on them could change.

A public page is a function of four things only: the build, the URL (with the host its
absolute links are made from, unless ``PUBLIC_URL`` makes them), the language and the
stretch of time it is made in (``FacetIndex.stretch``: between two moments at which any
status line, the open-now filter or a date could change). Residents ask for the same few
pages again and again, so a page rendered once is served again from memory until one of
the four changes. Under load this is most of the site's speed (``scripts/load``).

Privacy: pages live only in each worker's memory, never on disk and never shared, and only
for the life of one build. The key holds no cookie, address or header of the person
asking (pages vary by none; the host is checked by ``hosts`` and names the site, not the
person), so nothing kept ties a page to a person. Only successful
GETs of the pages in ``CACHED``; beyond ``PAGE_CACHE_BYTES`` the least recently used go.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, g, request

from ..build.layout import NoBuild
from . import compression, current, hosts
from .i18n import page_language
from .store import get_build

CACHED = {"site.home", "site.search", "site.remote_services", "site.service",
          "site.organization", "site.category", "site.about", "site.api_page", "sheets.referral",
          "sheets.street", "sheets.referral_pdf", "sheets.street_pdf", "events.listing",
          "volunteer.listing"}
# Per worker, of pages as kept (HTML gzipped, ~5 KB a result page: ``compression``): ~1,500
# pages, far more than the popular pages that come back; beyond them a one-off page only
# holds memory (32 MiB of unpacked pages was an eighth of a worker at 50k services).
DEFAULT_BYTES = 8 * 2**20


class PageCache:
    """(body, mimetype, headers, unmet-need note, packed) by key, least recently used dropped
    beyond ``max_bytes`` (of bodies as kept: ``packed`` ones gzipped)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: tuple) -> None:
        if len(page[0]) > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            self._bytes += len(page[0]) - (len(old[0]) if old else 0)
            self._pages[key] = page
            while self._bytes > self.max_bytes:
                _, (body, *_) = self._pages.popitem(last=False)
                self._bytes -= len(body)


def _key() -> tuple | None:
    if request.method != "GET" or request.endpoint not in CACHED:
        return None
    try:
        build = get_build()
    except NoBuild:
        return None
    # The host too, unless PUBLIC_URL makes every link: absolute links are built from it.
    return (build.id, request.full_path, page_language(), current.current_stretch(),
            *hosts.cache_key())


def serve_cached():
    key = _key()
    if key is None:
        return None
    page = current_app.extensions["page_cache"].get(key)
    if page is None:
        g.page_key = key
        return None
    body, mimetype, headers, note, packed = page
    if note is not None:  # what the search adds to the unmet-need counts (web.unmet)
        g.unmet_note = note
    if not packed:
        return current_app.response_class(body, mimetype=mimetype, headers=headers)
    if not compression.accepted():
        return _varying(current_app.response_class(compression.unpack(body), mimetype=mimetype,
                                                   headers=headers))
    response = _varying(current_app.response_class(mimetype=mimetype, headers=headers))
    compression.send_packed(response, body)
    return response


def keep(response):
    key = g.pop("page_key", None)
    if key is None or response.status_code != 200 or response.direct_passthrough:
        return response
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in ("content-length", "content-type")]
    body, packed = response.get_data(), compression.worth_packing(response.mimetype)
    if packed:
        body = compression.pack(body)
        _varying(response)
        if compression.accepted():
            compression.send_packed(response, body)
    current_app.extensions["page_cache"].put(
        key, (body, response.mimetype, headers, g.get("unmet_note"), packed))
    return response


def _varying(response):
    response.vary.add("Accept-Encoding")  # packed or not, by what the client takes
    return response


def init_app(app) -> None:
    size = app.config.get("PAGE_CACHE_BYTES", DEFAULT_BYTES)
    if not size:
        return
    app.extensions["page_cache"] = PageCache(int(size))
    app.before_request(serve_cached)
    app.after_request(keep)
