"""A build's rows (``search.queries``) as HSDS 3.0 objects: the one mapping the export and the
API share.

Fields HSDS has no room for, or that would be empty, are left out (the schemas allow no
nulls). Nothing personal is published: there are no contact names in the data, and none here.
Our slug travels with each object so an importer can round-trip it: ``directory_id`` on a
service (an extension property), ``organization_identifiers`` (``identifier_type``
``directory_id``) on an organization, ``external_identifier`` (``external_identifier_type``
``directory_id``) on a location, ``code`` on a taxonomy term (see the README).
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

from .ids import Ids, namespace_of
from .taxonomy import Taxonomy

SLUG_TYPE = "directory_id"
ACCESSIBILITY = {
    "wheelchair": "Wheelchair accessible", "accessible-restroom": "Accessible restroom",
    "elevator": "Elevator", "hearing-loop": "Hearing loop", "sign-language": "Sign language",
    "braille": "Braille", "service-animals": "Service animals welcome",
}
# One-to-one service fields that keep their name and value in HSDS.
SERVICE_FIELDS = ("name", "description", "url", "email", "status", "application_process",
                  "fees_description", "eligibility_description", "minimum_age", "maximum_age")
END_OF_DAY = "23:59:59"  # our "24:00": HSDS times are clock times of one day


def clean(obj: dict) -> dict:
    """Without the keys whose value is None or empty text: HSDS schemas allow no nulls."""
    return {key: value for key, value in obj.items() if value is not None and value != ""}


def clock(value: str | None) -> str | None:
    """``"09:00"`` → ``"09:00:00"``; ``"24:00"`` (midnight at the end of a day) → 23:59:59."""
    if not value:
        return None
    return END_OF_DAY if value == "24:00" else f"{value}:00"


@functools.cache
def language_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).english_name or code
    except (ValueError, UnknownLocaleError):
        return code


class Mapper:
    """Builds HSDS objects for one build's site settings and taxonomy."""

    def __init__(self, site: dict, categories: list[dict], audiences: list[dict]):
        self.site = site
        self.ids = Ids(namespace_of(site))
        self.taxonomy = Taxonomy(self.ids, site, categories, audiences)

    # --- organizations ----------------------------------------------------------------

    def organization_summary(self, org: dict) -> dict:
        """One-to-one fields (``compiled/organization_list.json``)."""
        return clean({
            "id": self.ids.of("organization", org["id"]), "name": org["name"],
            "alternate_name": org.get("alternate_name"),
            # HSDS requires a description; an organization without one is named instead.
            "description": org.get("description") or org["name"],
            "email": org.get("email"), "website": org.get("url"),
        })

    def organization(self, org: dict, locations: list[dict], services: list[dict]) -> dict:
        """Fully nested (``compiled/organization.json``); ``services`` already mapped."""
        org_id = self.ids.of("organization", org["id"])
        return {
            **self.organization_summary(org),
            "phones": [self.phone(p, "organization", org["id"], organization_id=org_id)
                       for p in org.get("phones") or []],
            "locations": [self.location(loc) for loc in locations],
            "organization_identifiers": [{
                "id": self.ids.of("organization_identifier", org["id"]),
                "organization_id": org_id, "identifier_scheme": self.site.get("name"),
                "identifier_type": SLUG_TYPE, "identifier": org["id"]}],
            "contacts": [], "funding": [], "programs": [], "attributes": [], "metadata": [],
            "services": services,
        }

    # --- locations --------------------------------------------------------------------

    def location(self, loc: dict) -> dict:
        loc_id = self.ids.of("location", loc["id"])
        address = clean({
            "id": self.ids.of("address", loc["id"]), "location_id": loc_id,
            "address_1": loc.get("address_1"), "address_2": loc.get("address_2"),
            "city": loc.get("city"), "state_province": loc.get("state_province"),
            "postal_code": loc.get("postal_code"),
            "country": loc.get("country") or self.site.get("country"),
            "address_type": "physical",
        })
        for required in ("state_province", "postal_code"):  # by HSDS; empty when unknown
            address.setdefault(required, "")
        return {
            **clean({
                "id": loc_id, "location_type": "physical",
                "organization_id": self.ids.of("organization", loc["organization_id"]),
                "name": loc.get("name"), "description": loc.get("description"),
                "transportation": loc.get("transportation"),
                "latitude": loc.get("latitude"), "longitude": loc.get("longitude"),
                "external_identifier": loc["id"], "external_identifier_type": SLUG_TYPE,
            }),
            "addresses": [address],
            "accessibility": [clean({
                "id": self.ids.of("accessibility", loc["id"], feature), "location_id": loc_id,
                "description": ACCESSIBILITY.get(feature, feature), "details": feature})
                for feature in loc.get("accessibility") or []],
            "languages": [], "phones": [], "schedules": [], "contacts": [], "attributes": [],
            "metadata": [],
        }

    # --- services ---------------------------------------------------------------------

    def service_summary(self, service: dict, organization: dict | None = None) -> dict:
        """One-to-one fields and the organization (``compiled/service_list.json``)."""
        out = clean({
            "id": self.ids.of("service", service["id"]),
            "organization_id": self.ids.of("organization", service["organization_id"]),
            **{key: service.get(key) for key in SERVICE_FIELDS},
            "assured_date": service.get("last_verified"),
            # Our slug (an extension: HSDS 3.0 services have no identifier field of their own).
            "directory_id": service["id"],
        })
        if organization is not None:
            out["organization"] = self.organization_summary(organization)
        return out

    def minimal(self, service: dict) -> dict:
        """``minimal=true``: what a harvester needs to decide what to fetch."""
        return clean({"id": self.ids.of("service", service["id"]), "name": service["name"],
                      "status": service["status"], "assured_date": service.get("last_verified"),
                      "directory_id": service["id"]})

    def service(self, service: dict, organization: dict, areas: list[str],
                places: dict | None = None) -> dict:
        """Fully nested (``compiled/service.json``): ``service`` as ``queries.services`` gives
        it, ``areas`` its ``service_area`` names; ``places`` keeps locations already mapped
        (many services share one), by id."""
        key = service["id"]
        places = {} if places is None else places
        sid = self.ids.of("service", key)
        return {
            **self.service_summary(service, organization),
            "phones": [self.phone(p, "service", key, service_id=sid)
                       for p in service.get("phones") or []],
            "schedules": [self.schedule(row, sid) for row in service.get("schedules") or []
                          if row.get("phone_id") is None],
            "service_areas": [self.service_area(area, key, sid) for area in areas],
            "service_at_locations": [
                self.service_at_location(service, loc, mapped=places.get(loc["id"])
                                         or places.setdefault(loc["id"], self.location(loc)))
                for loc in service.get("locations") or []],
            "languages": [{"id": self.ids.of("language", key, code), "service_id": sid,
                           "name": language_name(code), "code": code}
                          for code in service.get("languages") or []],
            "cost_options": self.cost_options(service, sid),
            "attributes": self.taxonomy.attributes(service, sid),
            "contacts": [], "funding": [], "required_documents": [], "metadata": [],
        }

    def service_at_location(self, service: dict, loc: dict, *, nested_service=None,
                            mapped: dict | None = None) -> dict:
        location = mapped or self.location(loc)
        out = {"id": self.ids.of("service_at_location", service["id"], loc["id"]),
               "service_id": self.ids.of("service", service["id"]),
               "location_id": location["id"], "location": location,
               "contacts": [], "phones": [], "schedules": [], "attributes": [], "metadata": []}
        if nested_service is not None:
            out["service"] = nested_service
        return out

    def phone(self, phone: dict, owner_kind: str, owner: str, **link: str) -> dict:
        description = phone.get("description")
        if phone.get("hours"):  # HSDS 3.0 phones have no schedules of their own
            description = f"{description + '. ' if description else ''}Hours: {phone['hours']}"
        return clean({"id": self.ids.of("phone", owner_kind, owner, phone["position"]), **link,
                      "number": phone["number"], "type": phone.get("type") or "voice",
                      "description": description}) | {"languages": []}

    def schedule(self, row: dict, service_id: str) -> dict:
        kind = row["kind"]
        return clean({
            "id": self.ids.of("schedule", row["id"]), "service_id": service_id,
            "freq": row.get("freq"), "byday": row.get("byday"),
            "opens_at": clock(row.get("opens_at")), "closes_at": clock(row.get("closes_at")),
            "valid_from": row.get("valid_from"), "valid_to": row.get("valid_to"),
            # A dated session (groups, workshops): its first date, its end, how many times,
            # and where, as HSDS's recurrence fields.
            "dtstart": row.get("dtstart"), "until": row.get("until"), "count": row.get("count"),
            "location_id": self.ids.of("location", row["location_id"])
            if row.get("location_id") else None,
            "description": row.get("description"),
            "attending_type": "by appointment" if kind == "appointment" else None,
            "notes": f"Times are local time in {self.site['timezone']}."
            if self.site.get("timezone") and row.get("opens_at") else None,
        })

    def service_area(self, area: str, key: str, service_id: str) -> dict:
        if area == "region":
            name = self.site.get("region") or area
            description = "Everywhere this directory covers."
        else:
            name, description = area, None
        return clean({"id": self.ids.of("service_area", key, area), "service_id": service_id,
                      "name": name, "description": description,
                      "extent_type": "region" if area == "region" else "place"})

    def cost_options(self, service: dict, service_id: str) -> list[dict]:
        cost = service.get("cost")
        if not cost:
            return []
        name = self.taxonomy.term("cost", cost)["name"]
        return [clean({"id": self.ids.of("cost_option", service["id"]), "service_id": service_id,
                       "option": name, "amount": 0 if cost == "free" else None,
                       "amount_description": service.get("fees_description")})]
