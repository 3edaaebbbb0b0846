"""``Tables`` → this directory's records: organizations with their locations and services.

Joins the HSDS tables (service_at_location, phones, schedules, languages, taxonomy terms...)
and cleans every value on the way (``cleaning``, ``schedules``). The records carry HSDS ids,
not our ids yet: ``importer`` gives them ids (kept from an earlier import, or made from
names) and writes the files. Every row that cannot be joined, every duplicate id and every
staff contact is a report line; nothing here raises on messy input.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from . import cleaning, locations, phones, schedules
from . import terms as terms_of
from .cleaning import Place, join_texts
from .notes import ImportReport
from .tables import Row, Tables, slug_hint
from .taxonomy_map import TaxonomyMap, top_level

STATUSES = {"active": "active", "inactive": "inactive", "temporarily closed": "inactive",
            "temporarily_closed": "inactive", "closed": "inactive", "pending": "inactive"}
# Values our data format holds nowhere: said in the report when they are filled in.
UNHELD = ("alternate_name", "interpretation_services", "wait_time", "accreditations",
          "licenses", "alert")


@dataclass
class Options:
    country: str = "US"
    bounds: dict | None = None
    fix_case: bool = False
    include_all: bool = False
    taxonomy: TaxonomyMap = field(default_factory=TaxonomyMap)
    categories: set[str] = field(default_factory=set)  # ids in the target taxonomy.yaml
    audiences: set[str] = field(default_factory=set)
    places: dict[str, str] = field(default_factory=dict)  # lowercase name → places.csv name


@dataclass
class Imported:
    """What the tables hold in this directory's shape, keyed by source ids."""

    organizations: list[dict] = field(default_factory=list)  # each with locations, services
    new_categories: dict[str, str] = field(default_factory=dict)  # id → name (with --all)


def assemble(tables: Tables, options: Options, report: ImportReport) -> Imported:
    return _Assembler(tables, options, report).run()


class _Assembler:
    def __init__(self, tables: Tables, options: Options, report: ImportReport):
        self.t, self.o, self.r = tables, options, report
        self.rows = {name: self._unique(name, rows) for name, rows in tables.rows.items()
                     if name in ("organizations", "services", "locations", "taxonomy_terms")}
        # table → link column → id → rows
        self.by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for table in ("addresses", "phones", "schedules", "service_at_location", "languages",
                      "accessibility", "service_terms", "eligibility", "service_areas",
                      "organization_identifiers"):
            for row in tables.rows.get(table, []):
                for column in ("service_id", "location_id", "organization_id",
                               "service_at_location_id"):
                    if row.text(column):
                        self.by[table][column][row.text(column)].append(row)
        self.out = Imported()
        # An export of this directory says cost itself (cost:free terms): nothing to infer.
        self.own_vocabulary = any(term.text("code").startswith("cost:")
                                  for term in self.rows["taxonomy_terms"].values())
        self.orgs: dict[str, dict] = {}
        self.locations: dict[str, dict | None] = {}

    def place(self, row: Row) -> Place:
        return Place(self.r, row.file, row.row)

    def _unique(self, table: str, rows: list[Row]) -> dict[str, Row]:
        kept: dict[str, Row] = {}
        for row in rows:
            key = row.text("id")
            if not key:
                self.r.note("unjoined", row.file, row.row, "id",
                            f"a {table[:-1]} row without an id; left out")
            elif key in kept:
                first = kept[key]
                self.r.note("duplicate-id", row.file, row.row, "id",
                            f'"{key}" is already used at {first.file}:{first.row}; this row '
                            "is left out")
            else:
                kept[key] = row
        return kept

    # --- the walk ------------------------------------------------------------------------

    def run(self) -> Imported:
        self._count_contacts()
        self._check_links()
        for row in self.rows["services"].values():
            self._service(row)
        self.out.organizations = list(self.orgs.values())
        return self.out

    def _count_contacts(self) -> None:
        for row in self.t.rows.get("contacts", []):
            self.r.note("contact-skipped", row.file, row.row, "contacts",
                        "a named staff contact; people's names and work emails are not "
                        "public listings, so it is not imported")
        for row in self.t.rows.get("phones", []):
            if row.text("contact_id"):
                self.r.note("contact-skipped", row.file, row.row, "phones",
                            "a staff contact's phone; not imported")

    def _check_links(self) -> None:
        services, locations = self.rows["services"], self.rows["locations"]
        orgs = self.rows["organizations"]
        checks = [("phones", "organization_id", orgs), ("phones", "location_id", locations),
                  ("accessibility", "location_id", locations),
                  ("service_at_location", "service_id", services),
                  ("service_at_location", "location_id", locations),
                  ("phones", "service_id", services), ("schedules", "service_id", services),
                  ("languages", "service_id", services), ("addresses", "location_id", locations),
                  ("service_terms", "service_id", services)]
        for table, column, known in checks:
            for key, rows in self.by[table][column].items():
                if key not in known:
                    for row in rows:
                        self.r.note("unjoined", row.file, row.row, column,
                                    f'"{key}" is not a {column[:-3]} in this export; the '
                                    f"{table} row is left out")

    def _service(self, row: Row) -> None:
        place, key = self.place(row), row.text("id")
        status = self._status(row, place)
        if status is None:
            return
        terms = [self.rows["taxonomy_terms"].get(link.text("term_id"))
                 for link in self.by["service_terms"]["service_id"][key]]
        for link in self.by["service_terms"]["service_id"][key]:
            if link.text("term_id") not in self.rows["taxonomy_terms"]:
                self.r.note("unjoined", link.file, link.row, "taxonomy_term_id",
                            f'"{link.text("term_id")}" is not a taxonomy term in this export')
        terms = [term for term in terms if term is not None]
        fields = terms_of.fields(terms, self.rows["taxonomy_terms"], self.o)
        categories = fields.pop("categories")
        if not categories and self.o.include_all:
            categories = terms_of.created_categories(terms, self.o, self.out.new_categories)
        if not categories:
            top = top_level(terms[0], self.rows["taxonomy_terms"]) if terms else \
                "(no taxonomy term)"
            self.r.left_out_by_term[top] += 1
            self.r.note("no-category", row.file, row.row, "taxonomy",
                        f'"{row.text("name")}" has no term in the taxonomy map (top-level term: '
                        f"{top}); left out (use --all or --taxonomy-map to import it)")
            return
        org = self._organization_for(row, place)
        service = {"source_id": key, "slug": slug_hint(row),
                   "name": cleaning.name(row.get("name"), place, "name", self.o.fix_case)
                   or cleaning.text(row.get("alternate_name"), place, "alternate_name")
                   or f"Service {key}"}
        service["description"] = cleaning.text(row.get("description"), place, "description")
        service["categories"] = categories
        service.update(self._where(row, org))
        service.update(self._hours(row, service))
        service["phones"] = self._phone_list(
            self.by["phones"]["service_id"][key]
            + [phone for link in self.by["service_at_location"]["service_id"][key]
               for phone in self.by["phones"]["service_at_location_id"][link.text("id")]]
            # A place's own phone (no service named) reaches the services there.
            + [phone for location in service["at"]
               for phone in self.by["phones"]["location_id"][location]
               if not (phone.text("service_id") or phone.text("service_at_location_id"))])
        service["email"] = cleaning.email(row.get("email"), place, "email")
        service["url"] = cleaning.web_address(row.get("url"), place, "url")
        service["languages"] = self._languages(key)
        service["audience"] = fields.get("audience", []) + self._eligibility(key, service)
        for column in ("minimum_age", "maximum_age"):
            service[column] = cleaning.age(row.get(column), place, column)
        if service["minimum_age"] is not None and service["maximum_age"] is not None and \
                service["minimum_age"] > service["maximum_age"]:
            place.note("age-dropped", "maximum_age",
                       f"{service['maximum_age']} is below minimum_age; both dropped")
            service["minimum_age"] = service["maximum_age"] = None
        service["fees_description"] = cleaning.text(row.get("fees_description") or
                                                    row.get("fees"), place, "fees_description")
        service["cost"] = fields.get("cost")
        if not service["cost"] and not self.own_vocabulary and \
                _cost_from(service["fees_description"]):
            service["cost"] = _cost_from(service["fees_description"])
            place.note("cost-read", "fees_description",
                       f"{cleaning.show(service['fees_description'])} → cost: {service['cost']}")
        service["access"] = fields.get("access")
        service["application_process"] = cleaning.text(row.get("application_process"), place,
                                                        "application_process")
        service["eligibility_description"] = join_texts(
            cleaning.text(row.get("eligibility_description"), place, "eligibility_description"),
            service.pop("eligibility_text", None))
        service["remote"] = fields.get("remote", [])
        service["service_area"] = self._areas(key)
        service["last_verified"] = _date(row.text("assured_date"))
        service["status"] = status if status != "active" else None
        for column in UNHELD:
            if row.text(column):
                place.note("value-dropped", column,
                           f"{cleaning.show(row.text(column))}: this directory has no {column}")
        org["services"].append(service)

    def _status(self, row: Row, place: Place) -> str | None:
        raw = row.text("status").lower()
        if raw == "defunct":
            place.note("defunct", "status", f'"{row.text("name")}" is defunct; left out')
            return None
        status = STATUSES.get(raw.replace("-", " "), "active" if not raw else None)
        if status is None:
            place.note("status-changed", "status", f"{cleaning.show(raw)} read as active")
            return "active"
        if raw and raw != status:
            place.note("status-changed", "status", f"{cleaning.show(raw)} read as {status}")
        return status

    # --- organizations and locations ------------------------------------------------------

    def _organization_for(self, row: Row, place: Place) -> dict:
        key = row.text("organization_id")
        if key in self.orgs:
            return self.orgs[key]
        source = self.rows["organizations"].get(key)
        if source is None:
            made_key = key or f"service-{row.text('id')}"
            label = row.text("name") or f"Service {row.text('id')}"
            name = f"{label} (organization {key})" if key else label
            place.note("organization-made", "organization_id",
                       f'"{key or "(empty)"}" is not an organization in this export; the '
                       f'service is listed under a new organization "{name}"')
            org = {"source_id": made_key, "slug": None, "name": cleaning.text(name, place, "name"),
                   "locations": [], "services": []}
            self.orgs[key or made_key] = org
            return org
        where = self.place(source)
        org = {"source_id": key, "slug": slug_hint(source, self._identifier_slug(key)),
               "name": cleaning.name(source.get("name"), where, "name", self.o.fix_case)
               or f"Organization {key}",
               "alternate_name": cleaning.text(source.get("alternate_name"), where,
                                               "alternate_name"),
               "description": self._org_description(source, where),
               "url": cleaning.web_address(source.get("website") or source.get("url"), where,
                                           "website"),
               "email": cleaning.email(source.get("email"), where, "email"),
               "phones": self._phone_list([phone for phone in
                                       self.by["phones"]["organization_id"][key]
                                       if not (phone.text("service_id") or
                                               phone.text("location_id") or
                                               phone.text("service_at_location_id"))]),
               "locations": [], "services": []}
        self.orgs[key] = org
        return org

    def _org_description(self, source: Row, where: Place) -> str | None:
        description = cleaning.text(source.get("description"), where, "description")
        if description and description == source.text("name"):
            # HSDS requires a description, so exports repeat the name: it says nothing more.
            where.note("value-dropped", "description", "repeats the name; dropped")
            return None
        return description

    def _identifier_slug(self, org_key: str) -> str | None:
        for row in self.by["organization_identifiers"]["organization_id"][org_key]:
            kind = row.text("identifier_type").lower().replace(" ", "_")
            if kind in ("slug", "directory_id"):
                return row.text("identifier")
        return None

    def _where(self, row: Row, org: dict) -> dict:
        """``at``: the service's locations, each added to its organization once."""
        at = []
        for link in self.by["service_at_location"]["service_id"][row.text("id")]:
            key = link.text("location_id")
            if key not in self.rows["locations"]:
                continue  # said in _check_links
            if key not in self.locations:
                # A location is written once, in the file of the first organization whose
                # service is there; other organizations' services point at it by id.
                row = self.rows["locations"][key]
                self.locations[key] = locations.location(
                    row, self.by["addresses"]["location_id"][key],
                    self.by["accessibility"]["location_id"][key], self.o, self.place)
                if self.locations[key] is not None:
                    org["locations"].append(self.locations[key])
            if self.locations[key] is not None and key not in at:
                at.append(key)
        return {"at": at}

    # --- the rest of a service ------------------------------------------------------------

    def _phone_list(self, rows: list[Row]) -> list[dict]:
        return phones.phones(rows, self.o.country, self.place)

    def _hours(self, row: Row, service: dict) -> dict:
        key = row.text("id")
        rows = list(self.by["schedules"]["service_id"][key])
        for link in self.by["service_at_location"]["service_id"][key]:
            rows += [r for r in self.by["schedules"]["service_at_location_id"][link.text("id")]
                     if r not in rows]
        if not rows:  # the hours of the place, when the service has none of its own
            for location in service["at"]:
                rows += self.by["schedules"]["location_id"][location]
        read = schedules.opening(rows, self.place)
        notes = read.as_text
        if not read.hours and row.text("hours"):
            read.hours, note = schedules.free_text(row.text("hours"), self.place(row), "hours")
            notes = notes + ([note] if note else [])
        if notes:
            service["description"] = join_texts(service.get("description"),
                                           "Hours: " + "; ".join(notes))
        return {"hours": read.hours, "closed": read.closed,
                "special": {day: read.special[day] for day in sorted(read.special)}}

    def _areas(self, key: str) -> list[str]:
        """``region``, and the names of places.csv, that the service's areas name."""
        areas = []
        for row in self.by["service_areas"]["service_id"][key]:
            name = row.text("name")
            if row.text("extent_type").lower() == "region":
                area = "region"
            elif name.lower() in self.o.places:
                area = self.o.places[name.lower()]
            else:
                self.place(row).note("value-dropped", "service_area",
                                     f"{cleaning.show(name)} is not a place in places.csv; "
                                     "dropped (add it there to keep it)")
                continue
            if area not in areas:
                areas.append(area)
        return areas

    def _languages(self, key: str) -> list[str]:
        codes = []
        for row in self.by["languages"]["service_id"][key]:
            place = self.place(row)
            found = cleaning.language(row.text("code"), place, "code") if row.text("code") \
                else cleaning.language(row.text("name"), place, "name")
            if not found and row.text("code") and row.text("name"):
                found = cleaning.language(row.text("name"), place, "name")
            codes.extend(code for code in found if code not in codes)
        return codes

    def _eligibility(self, key: str, service: dict) -> list[str]:
        audiences, texts = [], []
        for row in self.by["eligibility"]["service_id"][key]:
            value = row.text("eligibility")
            audience = self.o.taxonomy.audience_of(value)
            if audience and audience in self.o.audiences:
                audiences.append(audience)
            elif value:
                texts.append(value)
        if texts:
            service["eligibility_text"] = "; ".join(texts)
        return audiences

def _cost_from(fees: str | None) -> str | None:
    text = (fees or "").lower()
    if re.match(r"^(free|no cost|no charge|no fee)", text):
        return "free"
    if "sliding" in text:
        return "sliding-scale"
    return None


def _date(text: str) -> str | None:
    match = re.match(r"^\d{4}-\d{2}-\d{2}", text)
    return match[0] if match else None
