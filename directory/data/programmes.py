"""Sessions and volunteer roles checked across records, and the defaults they take.

Each file was checked alone by ``schema``; here a session's ``at`` and a role's ``at`` must
be location ids, a session's fields must agree (``hours.sessions.check_session``: an end
before a start is an error, dates all past a warning), a role needs a way to reach someone
and its id must be unique. A session without ``at`` takes its service's first location; a
role without ``categories`` takes those of its organization's services, so the filters of
``/events`` and ``/volunteer`` find both.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import TYPE_CHECKING

from ..hours import sessions as dated
from ..records.problems import Report

if TYPE_CHECKING:
    from .catalogue import Catalogue


def check_programmes(catalogue: Catalogue, report: Report, today: dt.date) -> None:
    """Check every session and volunteer role; fill in their defaults."""
    locations = {location["id"] for location in catalogue.locations}
    for service in catalogue.services:
        base = getattr(service, "path", "") or ""
        for index, session in enumerate(service.get("sessions") or []):
            path = f"{base}.sessions[{index}]" if base else f"sessions[{index}]"
            dated.check_session(session, path, report, today)
            _check_location(session.get("at"), locations, session, f"{path}.at", report)
            if not session.get("at") and service.get("at"):
                session["at"] = service["at"][0]
    seen: dict[str, str] = {}
    for org in catalogue.organizations:
        categories = list(dict.fromkeys(
            c for s in org.get("services") or [] if s.get("status", "active") == "active"
            for c in s.get("categories") or []))
        kept = []
        for index, role in enumerate(org.get("volunteer") or []):
            path = f"volunteer[{index}]"
            where = f"{role.file}:{role.line}"
            if role.get("id") in seen:
                report.error(role.file, role.line_of("id"), f"{path}.id",
                             f'"{role["id"]}" is already used by the role at '
                             f"{seen[role['id']]}; role ids must be unique")
                continue
            if role.get("id"):
                seen[role["id"]] = where
            for n, location_id in enumerate(role.get("at") or []):
                _check_location(location_id, locations, role, f"{path}.at[{n}]", report)
            contact = role.get("contact") or {}
            if role.get("contact") is not None and not any(
                    contact.get(key) for key in ("email", "phone", "url")):
                report.error(role.file, role.line_of("contact"), f"{path}.contact",
                             "needs an email, phone or url, so people who want to help can "
                             "reach someone")
            role.setdefault("categories", categories)
            role.setdefault("kind", "volunteer")
            kept.append(role)
        if org.get("volunteer"):
            org["volunteer"] = kept


def _check_location(location_id, locations: set[str], record, path: str,
                    report: Report) -> None:
    if not location_id or location_id in locations:
        return
    close = difflib.get_close_matches(location_id, sorted(locations), n=1)
    hint = f'; did you mean "{close[0]}"?' if close else "; list the location under locations:"
    report.error(record.file, record.line_of(path.rsplit(".", 1)[-1].split("[")[0]), path,
                 f'"{location_id}" is not a location id{hint}')
