"""Opening hours in the build: HSDS 3.0 ``schedules`` rows, and weekly intervals for "open now".

Each ``hours`` rule becomes one weekly row per time span (``freq`` WEEKLY, ``byday``
``MO,TU,WE,TH,FR``, ``opens_at`` 09:00, ``closes_at`` 17:00; a ``closes_at`` at or before
``opens_at`` means the next day). A dated closure is a row with ``valid_from`` = ``valid_to``
and no times; a special day is a row per span with that date. A dated session
(``sessions``) is one row of kind ``session``: ``dtstart`` its first date, ``freq``
(WEEKLY, MONTHLY or none for a one-off), ``byday`` (``TH``, ``1SA``), ``until`` its last
date when it has one (also when written as ``count``), ``opens_at``/``closes_at``, and
``location_id``; its title, registration and cost are in the build's ``sessions`` table under
the same id. ``kind`` (``weekly``, ``appointment``, ``closed``, ``special``, ``session``) and
``phone_id`` are this directory's additions.

``open_intervals`` holds every service's weekly hours as minute-of-week intervals (Monday
00:00 = 0, split where Sunday night runs into Monday), so "which services are open at minute
m" is one indexed range query (see ``openness``).
"""

from __future__ import annotations

from . import sessions as dated
from . import syntax as hours

SCHEDULES = "schedules"
OPEN_INTERVALS = "open_intervals"
SCHEDULE_COLUMNS = {
    "id": str, "service_id": str, "phone_id": int, "kind": str, "freq": str, "byday": str,
    "opens_at": str, "closes_at": str, "valid_from": str, "valid_to": str, "description": str,
    "dtstart": str, "until": str, "count": int, "location_id": str,
}
INTERVAL_COLUMNS = {"service_id": str, "opens_minute": int, "closes_minute": int}


def _insert_all(db, table: str, rows) -> None:
    db[table].insert_all(rows, batch_size=1000)


def write_schedules(db, catalogue, insert=_insert_all) -> None:
    """Create and fill ``schedules`` and ``open_intervals`` (phones must be written already).

    ``insert(db, table, rows)`` writes a table's rows: sqlite-utils' ``insert_all`` unless
    the caller has a faster way to write the same rows (``build.insert.insert_rows``)."""
    db[SCHEDULES].create(SCHEDULE_COLUMNS, pk="id", foreign_keys=[
        ("service_id", "services", "id"), ("phone_id", "phones", "id"),
        ("location_id", "locations", "id")])
    db[OPEN_INTERVALS].create(INTERVAL_COLUMNS, foreign_keys=[("service_id", "services", "id")])
    # A service and an organization may share an id, so the owner's kind is part of the key.
    rows = db.execute("select service_id, organization_id, position, id from phones")
    phone_ids = {("service", row[0], row[2]) if row[0] else ("organization", row[1], row[2]): row[3]
                 for row in rows}
    insert(db, SCHEDULES, _all_rows(catalogue, phone_ids))
    insert(db, OPEN_INTERVALS,
           ({"service_id": service["id"], "opens_minute": start, "closes_minute": end}
            for service in catalogue.services if service.get("hours")
            for start, end in hours.week_intervals(hours.parse(service["hours"]).periods())))
    # A service's hours in the order its pages list them (``queries.service_rows_select``).
    db[SCHEDULES].create_index(["service_id", "valid_from", "opens_at"])
    db[SCHEDULES].create_index(["kind", "valid_from"])
    db[OPEN_INTERVALS].create_index(["opens_minute", "closes_minute", "service_id"])


def _all_rows(catalogue, phone_ids: dict):
    owners = [("organization", o, None) for o in catalogue.organizations] + \
             [("service", s, s) for s in catalogue.services]
    for kind, owner, service in owners:
        if service is not None:
            yield from service_rows(service)
        for position, phone in enumerate(owner.get("phones") or []):
            if phone.get("hours"):
                phone_id = phone_ids[(kind, owner["id"], position)]
                yield from hours_rows(phone["hours"], f"phone-{phone_id}",
                                      service_id=service and service["id"], phone_id=phone_id)


def service_rows(service) -> list[dict]:
    """The schedule rows of one service: weekly hours, then closed days, then special days."""
    key = service["id"]
    rows = hours_rows(service["hours"], key, service_id=key) if service.get("hours") else []
    for day in sorted(service.get("closed") or []):
        rows.append(_row(f"{key}-closed-{day.isoformat()}", key, None, "closed",
                         valid_from=day.isoformat(), valid_to=day.isoformat(),
                         description="closed"))
    for day, times in sorted((service.get("special") or {}).items()):
        for n, (opens, closes) in enumerate(hours.parse_spans(times)):
            rows.append(_row(f"{key}-special-{day.isoformat()}-{n}", key, None, "special",
                             opens_at=hours.clock_text(opens),
                             closes_at=_closing(closes), valid_from=day.isoformat(),
                             valid_to=day.isoformat(), description="special hours"))
    for n, session in enumerate(service.get("sessions") or []):
        rows.append(session_row(session, session_id(key, n), key))
    return rows


def session_id(service_id: str, position: int) -> str:
    """The stable id of a service's n-th session (its schedule row and ``sessions`` row)."""
    return f"{service_id}-session-{position + 1}"


def session_row(session, key: str, service_id: str) -> dict:
    """One dated session as an HSDS schedule row."""
    first, repeat = session["date"], session.get("repeat")
    freq, by = dated.FREQ.get(repeat), dated.byday(first, repeat)
    count = session.get("count") if repeat else None
    until = dated.last_date(first, freq, by, session.get("until") if repeat else None, count)
    opens, closes = session["time"].split("-")
    return _row(key, service_id, None, "session", freq=freq, byday=by, opens_at=opens,
                closes_at=closes, dtstart=first.isoformat(),
                until=until.isoformat() if until else None, count=count,
                valid_from=first.isoformat(), valid_to=until.isoformat() if until else None,
                location_id=session.get("at"),
                description=session.get("title"))


def hours_rows(text: str, key: str, *, service_id: str | None, phone_id: int | None = None):
    parsed = hours.parse(text)
    rows = []
    for rule in parsed.rules:
        for opens, closes in rule.spans:
            rows.append(_row(f"{key}-{len(rows)}", service_id, phone_id, "weekly", freq="WEEKLY",
                             byday=",".join(hours.BYDAY[day] for day in rule.days),
                             opens_at=hours.clock_text(opens), closes_at=_closing(closes),
                             description=rule.text))
    if parsed.appointment:
        rows.append(_row(f"{key}-{len(rows)}", service_id, phone_id, "appointment",
                         description=hours.APPOINTMENT))
    return rows


def _closing(minutes: int) -> str:
    # Past midnight is written as the next day's clock time, as HSDS does.
    day = hours.DAY_MINUTES
    return hours.clock_text(minutes if minutes <= day else minutes - day)


def _row(key, service_id, phone_id, kind, **values) -> dict:
    return {"id": key, "service_id": service_id, "phone_id": phone_id, "kind": kind, **values}
