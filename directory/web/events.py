"""``/events``: dated groups and workshops of the coming weeks, each with a calendar file;
and the "Next session" line of service pages and result cards.

Both are worked out at the moment asked (``search.events``), so past sessions leave the
page as days pass with no rebuild. The page is cached like the others, per stretch of time,
whose key holds the day and every session's start and end (``facets.stretch``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _

from ..geo import distance as geo
from ..search import events, queries
from ..search.nearby import Where
from . import calendar, clock, params, where
from .current import all_categories
from .i18n import localized
from .store import get_db

bp = Blueprint("events", __name__)


@dataclass
class Chosen:
    """The filters of ``/events`` and ``/volunteer``: kind of help, language, place, words."""

    category: str | None
    categories: set[str] | None  # the kind of help chosen and every narrower kind
    language: str | None
    place: Where | None
    names: dict[str, str]

    @property
    def point(self):
        return self.place.point if self.place else None

    @property
    def radius_km(self) -> float | None:
        return geo.to_km(self.place.radius, self.place.unit) if self.place else None

    def args(self, **extra) -> dict:
        """The filters as URL parameters (for links that keep them)."""
        found = {"category": self.category, "language": self.language,
                 "near": self.place.typed if self.place else None,
                 "radius": self.place.radius if self.place else None} | extra
        return {key: value for key, value in found.items() if value}


def chosen() -> Chosen:
    """Read the shared filters strictly: an unknown category or language is a 400."""
    categories = all_categories()
    names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
    category = params.choice("category", names, _("category"))
    wanted = None
    if category:
        wanted, grew = {category}, True
        while grew:  # a kind of help includes its narrower kinds (grief support groups)
            more = {c["id"] for c in categories if c["parent_id"] in wanted}
            grew = not more <= wanted
            wanted |= more
    return Chosen(category, wanted, params.language("language"), where.from_request(), names)


def weeks() -> int:
    value = params.whole_number("weeks", 1, events.MAX_WEEKS, _("a number of weeks"))
    return value or events.DEFAULT_WEEKS


@bp.get("/events")
def listing():
    filters, ahead, now = chosen(), weeks(), clock.now()
    rows = queries.sessions(get_db(), now.date().isoformat())
    found = events.upcoming(rows, clock.zone(), now, ahead, categories=filters.categories,
                            language=filters.language,
                            point=filters.point, radius_km=filters.radius_km)
    days: dict[dt.date, list[events.Event]] = {}
    for event in found:
        days.setdefault(event.when.day, []).append(event)
    languages = sorted({code for row in rows for code in row["languages"]})
    return render_template("events.html", days=days, total=len(found), weeks=ahead,
                           filters=filters, where=filters.place, languages=languages,
                           category_names=filters.names, categories=all_categories(),
                           max_weeks=events.MAX_WEEKS, category=filters.category,
                           near_endpoint="events.listing")


@bp.get("/events/<session_id>.ics")
def calendar_file(session_id: str):
    found = queries.session(get_db(), session_id)
    if found is None:
        abort(404, description="session")
    page = url_for("site.service", service_id=found["service_id"], _external=True)
    body = calendar.session_calendar(found, clock.zone(), clock.now(), page,
                                     uid_domain=request.host.split(":")[0] or "directory")
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{session_id}.ics"'})


def when_text(moment: dt.datetime) -> str:
    """"Thu 10 Dec, 6 PM": a session's start as a resident reads it."""
    day = format_date(moment.date(), "EEE d MMM")
    return _("%(day)s, %(time)s", day=day, time=time_text(moment))


def day_text(day: dt.date) -> str:
    """"Thursday 10 December": the heading of a day's sessions."""
    return format_date(day, "EEEE d MMMM")


def time_text(moment: dt.datetime) -> str:
    """"6 PM", "6:30 PM" in English; the language's short time elsewhere."""
    if str(get_locale() or "en").startswith("en"):
        return format_time(moment.time(), "h a" if moment.minute == 0 else "h:mm a")
    return format_time(moment.time(), "short")


def next_session(service: dict) -> str:
    """"Next session: Thu 10 Dec, 6 PM" for a service with dated sessions, else ""."""
    found = events.next_session(service.get("schedules") or [], clock.zone(), clock.now())
    if found is None:
        return ""
    return _("Next session: %(when)s", when=when_text(found.starts))


def coming_sessions(service: dict) -> list[tuple]:
    """The service's next session dates, for its page."""
    return events.coming(service.get("schedules") or [], clock.zone(), clock.now())


def init_app(app) -> None:
    app.jinja_env.filters.update(next_session=next_session, when_text=when_text,
                                 time_text=time_text, day_text=day_text,
                                 coming_sessions=coming_sessions, from_km=geo.from_km)
    app.register_blueprint(bp)
