"""Listings nobody has checked lately, grouped by organization with the contact to call.

``directory stale`` prints them as a table or CSV; validation warns about them; the site
shows how long ago each service was checked. "Today" is always passed in (the CLI and the
site take it from ``DIRECTORY_TODAY`` when set), so tests and previews can freeze the date.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from .catalogue import Catalogue

DEFAULT_DAYS = 180  # when neither --days nor site.yaml stale_after_days says otherwise
CSV_COLUMNS = ["organization_id", "organization", "organization_phone", "organization_email",
               "service_id", "service", "service_phone", "last_verified", "days_since_verified",
               "file", "line"]


def local_today(timezone: str | None = None, pretend: str | dt.date | None = None) -> dt.date:
    """Today in the site's timezone (the machine's when unknown), or ``pretend`` when given."""
    if pretend:
        return pretend if isinstance(pretend, dt.date) else dt.date.fromisoformat(str(pretend))
    try:
        return dt.datetime.now(ZoneInfo(timezone)).date() if timezone else dt.date.today()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.date.today()


def age_in_days(verified: dt.date | str | None, today: dt.date) -> int | None:
    """Whole days since ``verified`` (an ISO string or a date); None when never verified."""
    if not verified:
        return None
    if isinstance(verified, str):
        verified = dt.date.fromisoformat(verified)
    return (today - verified).days


def is_stale(verified: dt.date | str | None, today: dt.date, days: int) -> bool:
    """True when the listing was verified more than ``days`` days ago (not when never)."""
    age = age_in_days(verified, today)
    return age is not None and age > days


@dataclass(frozen=True)
class StaleService:
    id: str
    name: str
    last_verified: dt.date | None
    days: int | None  # days since last verified; None when never
    phone: str | None
    file: str
    line: int


@dataclass
class StaleOrganization:
    id: str
    name: str
    phone: str | None
    email: str | None
    services: list[StaleService] = field(default_factory=list)


def find_stale(catalogue: Catalogue, days: int, today: dt.date) -> list[StaleOrganization]:
    """Active services not verified in the last ``days`` days (or never), by organization name.

    Within an organization the longest-unchecked come first, never-checked before all.
    """
    organizations = {org["id"]: org for org in catalogue.organizations}
    groups: dict[str, StaleOrganization] = {}
    for service in catalogue.services:
        if service.get("status", "active") != "active":
            continue
        verified = service.get("last_verified")
        age = age_in_days(verified, today)
        if age is not None and age <= days:
            continue
        org_id = service.get("organization_id")
        org = organizations.get(org_id, {})
        if org_id not in groups:
            groups[org_id] = StaleOrganization(
                id=org_id, name=org.get("name") or org_id, phone=_first_phone(org),
                email=org.get("email"))
        groups[org_id].services.append(StaleService(
            id=service["id"], name=service.get("name") or service["id"], last_verified=verified,
            days=age, phone=_first_phone(service), file=service.file, line=service.line))
    for group in groups.values():
        group.services.sort(key=lambda s: (s.days is not None, -(s.days or 0), s.name))
    return sorted(groups.values(), key=lambda g: (g.name.casefold(), g.id))


def _first_phone(record) -> str | None:
    """The number to call: the first voice phone, else the first phone of any kind."""
    phones = [p for p in record.get("phones") or [] if isinstance(p.get("number"), dict)]
    voice = [p for p in phones if p.get("type", "voice") == "voice"]
    chosen = (voice or phones or [None])[0]
    return chosen["number"]["display"] if chosen else None


def summary(groups: list[StaleOrganization], days: int, today: dt.date) -> str:
    count = sum(len(group.services) for group in groups)
    since = (today - dt.timedelta(days=days)).isoformat()
    if not count:
        return f"Every active service was verified in the last {days} days (since {since})."
    services = "service" if count == 1 else "services"
    places = "organization" if len(groups) == 1 else "organizations"
    return (f"{count} {services} at {len(groups)} {places} not verified in the last {days} days "
            f"(since {since}) or never:")


def format_table(groups: list[StaleOrganization], days: int, today: dt.date) -> str:
    """A plain-text report: one block per organization with its contact, one row per service."""
    lines = [summary(groups, days, today)]
    rows = [_row(service) for group in groups for service in group.services]
    header = ["last verified", "days", "service", "phone", "source"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def row_text(cells: list[str]) -> str:
        cells = [cell.rjust(width) if i == 1 else cell.ljust(width)
                 for i, (cell, width) in enumerate(zip(cells, widths, strict=True))]
        return ("  " + "  ".join(cells)).rstrip()

    for group in groups:
        contact = ", ".join(filter(None, [group.phone and f"call {group.phone}",
                                          group.email and f"email {group.email}"]))
        contact = contact or "no contact listed; call the numbers below"
        lines += ["", f"{group.name} ({group.id}): {contact}", row_text(header)]
        lines += [row_text(_row(service)) for service in group.services]
    return "\n".join(lines)


def _when(service: StaleService) -> str:
    return service.last_verified.isoformat() if service.last_verified else "never"


def _row(service: StaleService) -> list[str]:
    return [_when(service), "-" if service.days is None else str(service.days),
            f"{service.name} ({service.id})", service.phone or "-",
            f"{service.file}:{service.line}"]


def write_csv(groups: list[StaleOrganization], handle: TextIO) -> None:
    """One row per stale service, with its organization's contact repeated for spreadsheets."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for group in groups:
        for service in group.services:
            writer.writerow([
                group.id, group.name, group.phone or "", group.email or "", service.id,
                service.name, service.phone or "",
                service.last_verified.isoformat() if service.last_verified else "",
                "" if service.days is None else service.days, service.file, service.line])
