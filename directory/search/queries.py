"""Every SQL query the site makes. Views call these; templates never query.

Functions take an open read-only connection and return plain dicts, with JSON columns
decoded and related rows (phones, categories, locations) attached.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

from ..data.catalogue import synonym_words

JSON_COLUMNS = ("names", "descriptions", "synonyms", "remote", "accessibility", "aliases",
                "translations", "organization_translations")


def _row(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    out = dict(row)
    for column in JSON_COLUMNS:
        if isinstance(out.get(column), str):
            out[column] = json.loads(out[column])
    return out


def _rows(cursor) -> list[dict]:
    return [_row(row) for row in cursor]


def _marks(values) -> str:
    return ",".join("?" * len(values))


# --- taxonomy --------------------------------------------------------------------------


def categories(db) -> list[dict]:
    """All categories in taxonomy order, each with the number of active services in it."""
    return _rows(db.execute(
        """select c.*, count(s.id) as service_count from categories c
           left join service_categories sc on sc.category_id = c.id
           left join services s on s.id = sc.service_id and s.status = 'active'
           group by c.id order by c.position"""))


def category(db, category_id: str) -> dict | None:
    return _row(db.execute("select * from categories where id = ?", [category_id]).fetchone())


def synonyms(db) -> dict[str, list[str]]:
    """Phrases that name each category: its names in every language and its synonyms."""
    return {c["id"]: [*c["names"].values(), *synonym_words(c["synonyms"])]
            for c in _rows(db.execute("select id, names, synonyms from categories"))}


def audiences(db) -> list[dict]:
    return _rows(db.execute("select * from audiences order by position"))


# --- services --------------------------------------------------------------------------


def services(db, ids: list[str]) -> list[dict]:
    """Services with everything a result card shows, in the order of ``ids``."""
    if not ids:
        return []
    rows = _rows(db.execute(
        f"""select s.*, o.name as organization_name,
                   o.translations as organization_translations from services s
            join organizations o on o.id = s.organization_id
            where s.id in ({_marks(ids)})""", ids))
    _attach(db, rows)
    by_id = {row["id"]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def service(db, service_id: str) -> dict | None:
    found = services(db, [service_id])
    if not found:
        return None
    result = found[0]
    result["organization"] = organization_row(db, result["organization_id"])
    return result


def _attach(db, rows: list[dict]) -> None:
    """Add phones, categories, locations, languages and audiences to service rows in bulk."""
    ids = [row["id"] for row in rows]
    marks = _marks(ids)
    related = {
        "phones": f"""select * from phones where service_id in ({marks})
                      order by service_id, position""",
        "categories": f"""select sc.service_id, c.* from service_categories sc
                          join categories c on c.id = sc.category_id
                          where sc.service_id in ({marks}) order by sc.position""",
        "locations": f"""select sl.service_id, l.* from service_at_location sl
                         join locations l on l.id = sl.location_id
                         where sl.service_id in ({marks}) order by sl.position""",
        "languages": f"""select service_id, language from service_languages
                         where service_id in ({marks}) order by position""",
        "audiences": f"""select sa.service_id, a.* from service_audiences sa
                         join audiences a on a.id = sa.audience_id
                         where sa.service_id in ({marks}) order by sa.position""",
        "schedules": f"""select * from schedules where service_id in ({marks})
                         order by service_id, valid_from, opens_at""",
    }
    for key, sql in related.items():
        grouped = defaultdict(list)
        for item in _rows(db.execute(sql, ids)):
            grouped[item.pop("service_id")].append(item)
        for row in rows:
            row[key] = grouped.get(row["id"], [])
    for row in rows:
        row["languages"] = [item["language"] for item in row["languages"]]


# --- organizations ---------------------------------------------------------------------


def organization_row(db, organization_id: str) -> dict | None:
    org = _row(db.execute("select * from organizations where id = ?",
                          [organization_id]).fetchone())
    if org:
        org["phones"] = _rows(db.execute(
            "select * from phones where organization_id = ? order by position", [organization_id]))
    return org


def organization(db, organization_id: str) -> dict | None:
    """An organization with its locations and its services (active first, then by name)."""
    org = organization_row(db, organization_id)
    if org is None:
        return None
    org["locations"] = _rows(db.execute(
        "select * from locations where organization_id = ? order by name, id", [organization_id]))
    ids = [r[0] for r in db.execute(
        """select id from services where organization_id = ?
           order by status != 'active', name""", [organization_id])]
    org["services"] = services(db, ids)
    return org


def counts(db) -> dict[str, int]:
    """What the site lists: active services and the organizations and places they belong to."""
    row = db.execute(
        """select count(*), count(distinct organization_id) from services
           where status = 'active'""").fetchone()
    places = db.execute("select count(*) from locations").fetchone()[0]
    return {"services": row[0], "organizations": row[1], "locations": places}


# --- filters and open now --------------------------------------------------------------

# Every (service, filter, value) a search can filter on. Phone and online services (no place
# to visit) count as wheelchair accessible, so a location filter never hides them, and as
# reachable by phone or text when they have such a number.
_FILTER_VALUES = """
select id, 'cost', cost from services where cost is not null
union all select id, 'access', access from services where access is not null
union all select s.id, 'remote', r.value from services s, json_each(s.remote) r
union all select s.id, 'remote', case p.type when 'text' then 'text' else 'phone' end
  from services s join phones p on p.service_id = s.id
  where p.type in ('voice', 'text', 'textphone')
    and not exists (select 1 from service_at_location sl where sl.service_id = s.id)
union all select service_id, 'language', language from service_languages
union all select service_id, 'audience', audience_id from service_audiences
union all select sl.service_id, 'wheelchair', '1' from service_at_location sl
  join locations l on l.id = sl.location_id
  where exists (select 1 from json_each(l.accessibility) a where a.value = 'wheelchair')
union all select s.id, 'wheelchair', '1' from services s
  where not exists (select 1 from service_at_location sl where sl.service_id = s.id)
"""


def filter_values(db):
    """(service id, filter, value) rows for every filterable fact, duplicates allowed."""
    return db.execute(_FILTER_VALUES)


def filter_masks(db):
    """(filter, value, mask bytes) written by the build (``facets.write_facets``)."""
    return db.execute("select filter, value, mask from filter_masks")


def age_limits(db):
    """(document number, minimum_age, maximum_age) of searchable services with an age limit."""
    return db.execute("""select d.docnum, s.minimum_age, s.maximum_age from services s
                         join search_documents d on d.service_id = s.id
                         where s.minimum_age is not null or s.maximum_age is not null""")


def timed_schedules(db):
    """(kind, byday, date, opens_at, closes_at) of every weekly and special span of every
    service and phone line: the moments any status line can change."""
    return db.execute("""select distinct kind, byday, valid_from, opens_at, closes_at
                         from schedules where kind in ('weekly', 'special')""")


def open_at_minute(db, minute: int) -> list[int]:
    """Document numbers of services whose weekly hours include this minute of the week."""
    return [row[0] for row in db.execute(
        """select distinct d.docnum from open_intervals o join search_documents d
           on d.service_id = o.service_id
           where o.opens_minute <= ? and o.closes_minute > ?""", [minute, minute])]


def services_with_exceptions(db, first: str, last: str) -> list[str]:
    """Ids of services with a closed or special day between two ISO dates."""
    return [row[0] for row in db.execute(
        """select distinct service_id from schedules
           where kind in ('closed', 'special') and phone_id is null
             and valid_from between ? and ?""", [first, last])]


def spelling_words(db) -> dict[str, int]:
    """The words people search with (names, category words) → how many services use each."""
    try:
        return dict(db.execute("select word, frequency from spelling_words"))
    except sqlite3.OperationalError:  # a build from before the table existed
        return {}


def schedules_by_docnum(db, service_ids: list[str]) -> dict[int, list[dict]]:
    """Searchable services' own schedule rows, by their document number."""
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in _rows(db.execute(
            f"""select d.docnum, s.* from schedules s join search_documents d
                on d.service_id = s.service_id
                where s.phone_id is null and s.service_id in ({_marks(service_ids)})""",
            service_ids)):
        grouped[row.pop("docnum")].append(row)
    return grouped


def schedules(db, service_ids: list[str]) -> dict[str, list[dict]]:
    """The services' own schedule rows (not their phones'), by service id."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(db.execute(
            f"""select * from schedules where phone_id is null
                and service_id in ({_marks(service_ids)})""", service_ids)):
        grouped[row["service_id"]].append(row)
    return grouped


# --- places and distance ---------------------------------------------------------------


def places(db) -> list[dict]:
    """The gazetteer (places.csv) in file order."""
    return _rows(db.execute(
        "select name, kind, latitude, longitude, aliases from places order by id"))


def near_points(db) -> list[tuple[float, float, int]]:
    """(latitude, longitude, document number) of every place an active service is at."""
    return db.execute("select latitude, longitude, docnum from near_points order by docnum"
                      ).fetchall()


def remote_areas(db) -> list[tuple[int, str | None]]:
    """(document number, area served or None) of every active service without a location:
    one row per area (``region`` or a place name), one with None when it names none."""
    return db.execute(
        """select d.docnum, a.area from search_documents d
           left join service_areas a on a.service_id = d.service_id
           where not exists (select 1 from service_at_location sl
                             where sl.service_id = d.service_id)
           order by d.docnum""").fetchall()


def docnum(db, service_id: str) -> int | None:
    """A service's Whoosh document number (None when it is not in the index: inactive)."""
    row = db.execute("select docnum from search_documents where service_id = ?",
                     [service_id]).fetchone()
    return row[0] if row else None


def service_ids(db, docnums: list[int]) -> dict[int, str]:
    """Service ids of Whoosh document numbers."""
    if not docnums:
        return {}
    return dict(db.execute(
        f"select docnum, service_id from search_documents where docnum in ({_marks(docnums)})",
        list(docnums)).fetchall())
