"""An HSDS 3.0 API, read politely: ``/services`` page by page, each full service when needed.

The API answers ``GET {base}/services?page=N&per_page=M`` with a ``Page`` envelope
(``total_items``, ``total_pages``, ``page_number``, ``size``, ``contents``...). When the items
of a page are the short list form (no ``service_at_locations``, ``phones``...), each service is
fetched from ``{base}/services/{id}``. Requests go one at a time, ``delay`` seconds apart, with
a User-Agent naming this project; a 429 or 503 is retried after its ``Retry-After``; a page that
fails is a report line, not a traceback.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from . import nested
from .notes import ImportReport
from .tables import Tables

PER_PAGE = 100
MAX_PAGES = 100_000  # a server whose total_pages never ends is not followed forever
MAX_WAIT = 60  # seconds: the longest Retry-After honoured
USER_AGENT = "community-directory-importer (+https://openreferral.org/)"
_FULL_KEYS = ("service_at_locations", "phones", "schedules", "attributes")


class ApiError(Exception):
    """The API's first page could not be read: nothing to import."""


def read_api(base: str, report: ImportReport, *, delay: float = 0.5,
             per_page: int = PER_PAGE, timeout: float = 30) -> Tables:
    base = base.rstrip("/")
    tables = Tables(version="3.0")
    report.version = "3.0"
    page, total_pages = 1, 1
    while page <= min(total_pages, MAX_PAGES):
        url = f"{base}/services?" + urllib.parse.urlencode({"page": page, "per_page": per_page})
        label = f"services?page={page}"
        if page > 1:
            time.sleep(delay)
        try:
            envelope = _get(url, timeout)
        except ApiError as error:
            if page == 1:
                raise
            report.note("unreadable", label, 0, "", f"{error}; the pages after it are skipped")
            break
        items = nested.items_of(envelope)
        total_pages = _int(envelope.get("total_pages"), 1) if isinstance(envelope, dict) else 1
        full = []
        for item in items:
            if isinstance(item, dict) and item.get("id") and \
                    not any(key in item for key in _FULL_KEYS):
                time.sleep(delay)
                try:
                    item = _get(f"{base}/services/{urllib.parse.quote(str(item['id']))}",
                                timeout)
                except ApiError as error:
                    report.note("unreadable", f"services/{item['id']}", 0, "",
                                f"{error}; the short form from the list is imported")
            full.append(item)
        nested.add_items(tables, full, label, report, first=1)
        if not items:
            break
        page += 1
    return tables


def _get(url: str, timeout: float, retries: int = 3):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        if error.code in (429, 503) and retries:
            # Asked to slow down: wait as long as the server says (within reason), then retry.
            time.sleep(min(_int(error.headers.get("Retry-After"), 5), MAX_WAIT))
            return _get(url, timeout, retries - 1)
        raise ApiError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ApiError(f"{url} could not be reached ({getattr(error, 'reason', error)})") \
            from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(f"{url} did not answer with JSON") from None


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def system_name(base: str) -> str:
    """``https://api.example.org/hsds`` → ``api-example-org``."""
    host = urllib.parse.urlsplit(base).hostname or "api"
    return "-".join(part for part in host.replace(".", "-").split("-") if part)
