"""How a list travels: its address on this site, a QR code of it, and links to send it.

Everything is made here on the server: the QR code is an inline SVG (no image request, no
style attribute, so the strict CSP holds) and the links are plain ``sms:`` and ``mailto:``
addresses, with no third-party share widget.
"""

from __future__ import annotations

from urllib.parse import quote

import segno
from flask import current_app, request, url_for
from markupsafe import Markup

from ..search.filters import PLACE
from .i18n import gettext as _


def public_url(endpoint: str, **args) -> str:
    """An absolute address of this site, for QR codes and shared links.

    ``PUBLIC_URL`` (``DIRECTORY_PUBLIC_URL``) names the address people reach the site at, for
    sites behind a proxy and for PDFs made on the command line; otherwise the request's host.
    """
    for name in PLACE:  # a resident's place stays theirs: never in an address made to pass on
        args.setdefault(name, None)
    # A shared list opens in the language it was made in: ``i18n.keep_language`` puts the
    # page's (or the sheet's) language on the address.
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return url_for(endpoint, _external=True, **args)
    return public.rstrip("/") + url_for(endpoint, **args)[len(request.script_root):]


def qr_code(url: str, title: str) -> Markup:
    """An inline SVG QR code of ``url``, sized to scan from paper."""
    qr = segno.make_qr(url)  # never a Micro QR: not every phone reads those
    modules = qr.symbol_size()[0]
    # Big enough to scan from paper, small enough to leave room for six services.
    width_mm = min(45.0, max(28.0, modules * 0.45))
    return Markup(qr.svg_inline(scale=round(width_mm / modules, 4), unit="mm", title=title,
                                svgclass="qr", lineclass="qr-line"))


def share_links(url: str, subject: str | None = None) -> dict[str, str]:
    """``sms:`` and ``mailto:`` links that carry ``url`` under ``subject`` (by default a
    referral list's words), and the address itself; no third-party widget."""
    subject = subject or _("Services we talked about")
    body = quote(_("%(subject)s: %(url)s", subject=subject, url=url))
    # "sms:?&body=" is the form both Android and iOS messaging apps read.
    return {"sms": f"sms:?&body={body}", "mailto": f"mailto:?subject={quote(subject)}&body={body}",
            "url": url}
