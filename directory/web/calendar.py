"""A session as an iCalendar file (RFC 5545), made with the ``icalendar`` library, so a
resident can add a group or a workshop to their phone's calendar in one tap.

A series keeps its rule (``RRULE:FREQ=MONTHLY;BYDAY=1SA``, with ``UNTIL`` or ``COUNT``), the
times are in the site's zone (``TZID`` and its ``VTIMEZONE``), and the description says
who runs it, what it costs and how to register. Nothing about the person asking goes in it.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ..hours import sessions as dated


def session_calendar(session: dict, zone, now: dt.datetime, page_url: str,
                     uid_domain: str) -> bytes:
    """The ``.ics`` file of one session (one event; a series as one event with its rule)."""
    import icalendar  # loaded by the first calendar asked for, not by every worker

    first = dated.occurrences(session, zone, dt.date.fromisoformat(session["dtstart"]),
                              dt.date.fromisoformat(session["dtstart"]))[0]
    event = icalendar.Event()
    event.add("uid", f"{session['id']}@{uid_domain}")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", first.starts)
    event.add("dtend", first.ends)
    event.add("summary", session.get("title") or session["service_name"])
    if session.get("freq"):
        rule = {"freq": session["freq"], "byday": session["byday"]}
        if session.get("count"):
            rule["count"] = session["count"]
        elif session.get("until"):
            last = dated.occurrences(session, zone, dt.date.fromisoformat(session["until"]),
                                     dt.date.fromisoformat(session["until"]))
            end = last[0].starts if last else dt.datetime.combine(
                dt.date.fromisoformat(session["until"]), dt.time.max, tzinfo=zone)
            rule["until"] = end.astimezone(dt.UTC)
        event.add("rrule", rule)
    if session.get("address_1"):
        event.add("location", ", ".join(filter(None, [
            session.get("location_name"), session.get("address_1"), session.get("address_2"),
            session.get("city"), session.get("state_province"), session.get("postal_code")])))
    event.add("description", "\n".join(_lines(session, page_url)))
    event.add("url", page_url)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//community-directory//events//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    # Only the years the session spans: the zone's whole history would be most of the file.
    last = dt.date.fromisoformat(session["until"]) if session.get("until") else \
        first.day + dt.timedelta(days=dated.OPEN_ENDED_DAYS)
    calendar.add_missing_timezones(first_date=first.day - dt.timedelta(days=366),
                                   last_date=last + dt.timedelta(days=366))
    return calendar.to_ical()


def _lines(session: dict, page_url: str) -> list[str]:
    lines = [_("Run by %(organization)s", organization=session["organization_name"])]
    if session.get("description"):
        lines.append(session["description"])
    cost = {"free": _("Free"), "sliding-scale": _("Sliding scale"),
            "paid": _("Fee charged")}.get(session.get("cost") or "")
    if cost:
        lines.append(cost + (f": {session['fees_description']}"
                             if session.get("fees_description") else ""))
    if session.get("registration_description"):
        lines.append(session["registration_description"])
    if session.get("registration_display"):
        lines.append(_("To register, call %(number)s", number=session["registration_display"]))
    if session.get("registration_url"):
        lines.append(_("To register: %(url)s", url=session["registration_url"]))
    if session.get("registration_email"):
        lines.append(_("To register, email %(email)s", email=session["registration_email"]))
    lines.append(page_url)
    return lines
