"""One build read as HSDS: its objects by slug or UUID, in bulk, without Flask.

The export walks every service through ``services``; the API asks for a page of them, or
one, and finds objects by UUID or slug through ``Lookup``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..search import queries
from . import rows as bulk
from .ids import is_uuid
from .mapping import Mapper


class Source:
    """HSDS objects of one build's database (``db``, read-only) and site settings."""

    def __init__(self, db, site: dict, mapper: Mapper | None = None):
        self.db = db
        # The mapper depends only on the build: callers serving many requests keep one.
        self.mapper = mapper or Mapper(site, queries.categories(db), queries.audiences(db))

    def services(self, ids: list[str], *, full: bool = True) -> list[dict]:
        """Services in the order of ``ids``: fully nested, or one-to-one fields only."""
        rows = queries.services_in_bulk(self.db, ids)
        # A service's organization is shown without its phones: none are read.
        orgs = bulk.organizations(self.db, [r["organization_id"] for r in rows], phones=False)
        if not full:
            return [self.mapper.service_summary(r, orgs.get(r["organization_id"])) for r in rows]
        areas = queries.service_areas(self.db, ids)
        places: dict[str, dict] = {}
        return [self.mapper.service(r, orgs[r["organization_id"]], areas.get(r["id"], []),
                                    places) for r in rows]

    def minimal(self, ids: list[str]) -> list[dict]:
        return [self.mapper.minimal(r) for r in queries.services_in_bulk(self.db, ids)]

    def organizations(self, ids: list[str], *, full: bool = False,
                      full_service: bool = False) -> list[dict]:
        orgs = queries.organizations_in_bulk(self.db, ids)
        out = []
        for key in ids:
            org = orgs.get(key)
            if org is None:
                continue
            if not full:
                out.append(self.mapper.organization_summary(org))
                continue
            service_ids = queries.organization_service_ids(self.db, key)
            services = self.services(service_ids, full=full_service)
            if not full_service:  # one-to-one fields; the organization is the one around them
                for service in services:
                    service.pop("organization", None)
            out.append(self.mapper.organization(
                org, queries.organization_locations(self.db, key), services))
        return out

    def service_at_locations(self, pairs: list[tuple[str, str]], *, full: bool) -> list[dict]:
        services = {r["id"]: r for r in queries.services_in_bulk(
            self.db, list(dict.fromkeys(s for s, _ in pairs)))}
        locations = queries.locations_in_bulk(self.db, [loc for _, loc in pairs])
        nested = {}
        if full:
            nested = {s["directory_id"]: s for s in self.services(list(services), full=False)}
        out = []
        for service_id, location_id in pairs:
            if service_id in services and location_id in locations:
                out.append(self.mapper.service_at_location(
                    services[service_id], locations[location_id],
                    nested_service=nested.get(service_id) if full else None))
        if not full:  # list items: one-to-one fields and the location
            for item in out:
                for key in ("contacts", "phones", "schedules", "attributes", "metadata"):
                    item.pop(key)
        return out


@dataclass
class Lookup:
    """UUID → slug of every object the API finds by id, for one build (computed once)."""

    by_uuid: dict[str, dict[str, str]]

    @classmethod
    def of(cls, source: Source) -> Lookup:
        ids, db = source.mapper.ids, source.db
        table = {
            "service": queries.all_service_ids(db),
            "organization": queries.all_organization_ids(db),
            "location": queries.all_location_ids(db),
            "taxonomy_term": list(source.mapper.taxonomy.terms),
            "taxonomy": ["directory"],
        }
        by_uuid = {kind: {ids.of(kind, slug): slug for slug in slugs}
                   for kind, slugs in table.items()}
        by_uuid["service_at_location"] = {
            ids.of("service_at_location", s, loc): f"{s}/{loc}"
            for s, loc in queries.service_locations(db)}
        return cls(by_uuid)

    def find(self, kind: str, key: str) -> tuple[str | None, bool]:
        """(slug, given as UUID?) of ``key``, a UUID or a slug; (None, …) when unknown."""
        known = self.by_uuid[kind]
        if is_uuid(key.lower()):
            return known.get(key.lower()), True
        return (key if key in self._slugs(kind) else None), False

    def _slugs(self, kind: str) -> set[str]:
        cache = self.__dict__.setdefault("_slug_sets", {})
        if kind not in cache:
            cache[kind] = set(self.by_uuid[kind].values())
        return cache[kind]
