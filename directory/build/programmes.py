"""The build's tables of dated sessions' details and of volunteer roles.

A session's dates and times are its HSDS schedule row (``hours.schedules``); what a person
needs besides (title, place, languages, cost, how to register) is in ``sessions`` under the
same id. Volunteer roles and peer-supporter trainings are ``volunteer_roles``, one row each,
with the places they happen at in ``volunteer_locations``.
"""

from __future__ import annotations

import json

from ..data.catalogue import Catalogue
from ..hours.schedules import session_id
from .insert import insert_rows

SESSIONS = {"id": str, "service_id": str, "position": int, "title": str, "description": str,
            "location_id": str, "languages": str, "cost": str, "fees_description": str,
            "registration_url": str, "registration_phone": str, "registration_display": str,
            "registration_email": str, "registration_description": str}
ROLES = {"id": str, "organization_id": str, "position": int, "name": str, "kind": str,
         "description": str, "commitment": str, "training": str, "requirements": str,
         "categories": str, "languages": str, "contact_name": str, "contact_email": str,
         "contact_phone": str, "contact_display": str, "contact_url": str,
         "source_file": str, "source_line": int}


def write_programmes(db, catalogue: Catalogue) -> None:
    """Create and fill ``sessions``, ``volunteer_roles`` and ``volunteer_locations``."""
    db["sessions"].create(SESSIONS, pk="id", foreign_keys=[
        ("service_id", "services", "id"), ("location_id", "locations", "id")])
    db["volunteer_roles"].create(ROLES, pk="id",
                                 foreign_keys=[("organization_id", "organizations", "id")])
    db["volunteer_locations"].create(
        {"role_id": str, "location_id": str, "position": int}, pk=("role_id", "location_id"),
        foreign_keys=[("role_id", "volunteer_roles", "id"),
                      ("location_id", "locations", "id")])
    insert_rows(db, "sessions", _session_rows(catalogue))
    roles = [(org, n, role) for org in catalogue.organizations
             for n, role in enumerate(org.get("volunteer") or [])]
    insert_rows(db, "volunteer_roles", (_role_row(org, n, role) for org, n, role in roles))
    insert_rows(db, "volunteer_locations",
                ({"role_id": role["id"], "location_id": location, "position": n}
                 for _, _, role in roles
                 for n, location in enumerate(dict.fromkeys(role.get("at") or []))))
    db["sessions"].create_index(["service_id"])
    db["volunteer_roles"].create_index(["organization_id"])


def _session_rows(catalogue: Catalogue):
    for service in catalogue.services:
        for n, session in enumerate(service.get("sessions") or []):
            register = session.get("registration") or {}
            phone = register.get("phone") or {}
            yield {
                "id": session_id(service["id"], n), "service_id": service["id"], "position": n,
                "title": session.get("title"), "description": session.get("description"),
                "location_id": session.get("at"),
                "languages": json.dumps(session.get("languages") or service.get("languages")
                                        or []),
                "cost": session.get("cost") or service.get("cost"),
                "fees_description": session.get("fees_description")
                or (None if session.get("cost") else service.get("fees_description")),
                "registration_url": register.get("url"),
                "registration_phone": phone.get("e164"),
                "registration_display": phone.get("display"),
                "registration_email": register.get("email"),
                "registration_description": register.get("description"),
            }


def _role_row(org, position: int, role) -> dict:
    contact = role.get("contact") or {}
    phone = contact.get("phone") or {}
    return {
        "id": role["id"], "organization_id": org["id"], "position": position,
        "name": role["name"], "kind": role.get("kind", "volunteer"),
        "description": role.get("description"), "commitment": role.get("commitment"),
        "training": role.get("training"), "requirements": role.get("requirements"),
        "categories": json.dumps(role.get("categories") or []),
        "languages": json.dumps(role.get("languages") or []),
        "contact_name": contact.get("name"), "contact_email": contact.get("email"),
        "contact_phone": phone.get("e164"), "contact_display": phone.get("display"),
        "contact_url": contact.get("url"),
        "source_file": getattr(role, "repository_path", role.file), "source_line": role.line,
    }
