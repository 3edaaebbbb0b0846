"""HTML → PDF with WeasyPrint, entirely on this server and never over the network.

WeasyPrint fetches stylesheets and images a page links to. Here it gets a fetcher that serves
this app's own static files from disk and refuses every other address, so a PDF can neither
leak that someone printed a sheet to a third party nor wait on one.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from werkzeug.security import safe_join

# WeasyPrint warns about every screen-only rule of style.css it skips; keep its errors
# (a refused or failed fetch) and drop that noise from the site's log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class RefusedFetch(ValueError):
    """A PDF asked for something other than this app's static files."""


def static_fetcher(static_folder: str, base_url: str, static_url_path: str):
    """A WeasyPrint URL fetcher that reads ``base_url`` + ``static_url_path`` files from disk."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(base_url)
    prefix = static_url_path.rstrip("/") + "/"

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) \
                    or not parts.path.startswith(prefix):
                raise RefusedFetch(f"{url[:200]}: a PDF may only use this site's static files")
            found = safe_join(static_folder, unquote(parts.path[len(prefix):]))
            if found is None or not Path(found).is_file():
                raise RefusedFetch(f"{url[:200]}: no such static file")
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": kind})

    # No redirects, and no protocol but the site's own: belt and braces around fetch().
    return StaticFilesOnly(allow_redirects=False, allowed_protocols=[base.scheme])


def render_pdf(html: str, *, base_url: str, static_folder: str, static_url_path: str) -> bytes:
    """The PDF of one HTML page (print media, its own ``@page`` rules), as bytes."""
    # Imported here: WeasyPrint loads Pango and fonts, which only PDF requests need.
    from weasyprint import HTML

    fetcher = static_fetcher(static_folder, base_url, static_url_path)
    # Tagged: screen readers and text reflow read the PDF in the page's order.
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(pdf_tags=True)
