"""How current a listing is and how to correct it, for the service page.

"Last verified 3 months ago" (translated), an amber note once a listing is older than
site.yaml ``stale_after_days``, a "suggest an edit" link to the listing's file and line on the
forge (site.yaml ``edit_url``), and a "report a problem" link (site.yaml ``report_url``, else a
mailto to ``contact_email``), so a resident who finds a disconnected number can say so in one
click. All of it comes from the build's site settings; templates call these as globals.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from flask_babel import format_timedelta

from ..data.stale import age_in_days, is_stale
from . import clock
from .i18n import gettext
from .sharing import public_url
from .store import get_build

EDIT_PLACEHOLDERS = ("path", "line")
REPORT_PLACEHOLDERS = ("id", "name", "url")


def _site() -> dict:
    return get_build().site


def today() -> dt.date:
    """Today in the site's timezone (``clock`` honours DIRECTORY_TODAY and DIRECTORY_NOW)."""
    return clock.today()


def verified_ago(iso: str) -> str:
    """'3 months ago', 'yesterday'-style wording from Babel, in the page's language."""
    age = age_in_days(iso, today())
    if age <= 0:
        return gettext("today")
    return format_timedelta(dt.timedelta(days=-age), granularity="day", add_direction=True)


def listing_is_stale(service: dict) -> bool:
    """An active service last verified longer ago than site.yaml ``stale_after_days``."""
    days = _site().get("stale_after_days")
    return bool(days) and service.get("status", "active") == "active" \
        and is_stale(service.get("last_verified"), today(), days)


def stale_period() -> str:
    """The stale threshold in words, e.g. '6 months'."""
    return format_timedelta(dt.timedelta(days=_site().get("stale_after_days") or 0),
                            granularity="day")


def fill(pattern: str, **values: str) -> str:
    """Put URL-quoted values into a link pattern's ``{name}`` placeholders."""
    for name, value in values.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


def edit_link(service: dict) -> str | None:
    """The listing's source file (and line) on the forge, or None without site.yaml edit_url."""
    pattern = _site().get("edit_url")
    if not pattern or not service.get("source_file"):
        return None
    return fill(pattern, path=quote(service["source_file"], safe="/"),
                line=str(service.get("source_line") or 1))


def report_link(service: dict) -> str | None:
    """A prefilled issue (site.yaml report_url) or email (contact_email) about this listing."""
    site = _site()
    page = public_url("site.service", service_id=service["id"])  # never from a raw Host
    if site.get("report_url"):
        return fill(site["report_url"], id=quote(service["id"], safe=""),
                    name=quote(service["name"], safe=""), url=quote(page, safe=""))
    if site.get("contact_email"):
        query = urlencode({
            "subject": gettext("Problem with the listing %(name)s", name=service["name"]),
            "body": gettext("Listing: %(url)s\n\nWhat is wrong (for example a disconnected "
                            "number, or hours that have changed)?\n", url=page),
        }, quote_via=quote)
        return f"mailto:{site['contact_email']}?{query}"
    return None


def init_app(app) -> None:
    app.jinja_env.globals.update(
        verified_ago=verified_ago, listing_is_stale=listing_is_stale, stale_period=stale_period,
        edit_link=edit_link, report_link=report_link)
