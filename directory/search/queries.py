"""Every SQL query the site makes. Views call these; templates never query.

Functions take an open read-only connection and return plain dicts, with JSON columns
decoded and related rows (phones, categories, locations) attached.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import orjson

from ..data.catalogue import synonym_words

JSON_COLUMNS = ("names", "descriptions", "synonyms", "remote", "accessibility", "aliases",
                "translations", "organization_translations")
CHUNK = 500  # ids per query: well under SQLite's limit on parameters


def _row(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    out = dict(row)
    for column in JSON_COLUMNS:
        if isinstance(out.get(column), str):
            out[column] = json.loads(out[column])
    return out


def _rows(cursor) -> list[dict]:
    """``_row`` of every row, the JSON columns found once per query, not looked for in each
    row (a search page reads ~150 rows, most of them phones, places and hours)."""
    names = [column[0] for column in cursor.description or ()]
    decoded = [name for name in names if name in JSON_COLUMNS]
    if not decoded:
        return [dict(row) for row in cursor]
    rows = []
    for row in cursor:
        out = dict(row)
        for column in decoded:
            if isinstance(value := out[column], str):
                out[column] = json.loads(value)
        rows.append(out)
    return rows


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


def crisis_terms(db, kind: str = "crisis") -> list[tuple[str, str]]:
    """(language, phrase) of the build's crisis terms of one kind (crisis, not_crisis)."""
    return [(row[0], row[1]) for row in _rows_if_table(
        db, "crisis_terms", "select language, phrase from crisis_terms where kind = ? "
        "order by id", [kind])]


def filter_words(db) -> list[tuple[str, str, str]]:
    """(filter, value, phrase) of the words in a search that are filters ("free")."""
    return [tuple(row) for row in _rows_if_table(
        db, "filter_words", "select filter, value, phrase from filter_words order by id")]


def _rows_if_table(db, table: str, sql: str, args=()) -> list:
    # A build of an older format (before FORMAT 4) has no such table: serve it without,
    # until the next build, rather than fail every search.
    if not db.execute("select 1 from sqlite_master where type = 'table' and name = ?",
                      [table]).fetchone():
        return []
    return db.execute(sql, list(args)).fetchall()


def audiences(db) -> list[dict]:
    return _rows(db.execute("select * from audiences order by position"))


# --- services --------------------------------------------------------------------------


def services(db, ids: list[str]) -> list[dict]:
    """Services with everything a result card shows, in the order of ``ids``: each one row
    of ``service_rows`` (a build before FORMAT 9 has none: made from its tables)."""
    if not ids:
        return []
    marks = _marks(ids)
    try:
        found = db.execute(f"select id, row from {SERVICE_ROWS} where id in ({marks})",
                           ids).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        found = db.execute(f"{service_rows_select(db)} where s.id in ({marks})",
                           ids).fetchall()
    by_id = {service_id: row for service_id, row in found}
    # Decoded afresh for each caller: the rows are changed by their readers (distances).
    return [orjson.loads(by_id[i]) for i in ids if i in by_id]


# Each service as ``services`` gives it, one JSON row per service, written by the build: a
# page's cards read one row a service where seven queries' joins took three times as long
# (1.5–1.8 against 0.5–0.8 ms for a page's 11 unkept cards at 50,000 services, #19).
SERVICE_ROWS = "service_rows"
# What a service's page and cards show of each of its categories: not the synonyms and
# descriptions (two JSON lists a category, for search and its own page).
_CATEGORY_COLUMNS = ("id", "parent_id", "name", "names", "position")


def service_rows_select(db) -> str:
    """SQL of (id, row) for every service (add ``where s.id in (...)`` for some): the row is
    the service's columns with its organization's name and translations, and its phones,
    categories, locations, languages, audiences and schedules in order, as JSON made by
    SQLite. Columns are read from the tables, so a column added to one is in the rows."""
    def columns(table: str, alias: str, only=None, leave=("service_id",)) -> str:
        found = [(row[1], row[2].upper()) for row in db.execute(f"pragma table_info({table})")
                 if row[1] not in leave and (only is None or row[1] in only)]
        return ", ".join(f"'{name}', {value(f'{alias}.{name}', name, kind)}"
                         for name, kind in found)

    def value(column: str, name: str, kind: str) -> str:
        if name in JSON_COLUMNS:
            return f"json({column})"
        if kind in ("REAL", "FLOAT"):
            # SQLite's JSON writes 15 digits (a point's 16th and 17th were lost): 17 are
            # every double exactly, with its point ("41.0" stays a float).
            return f"iif({column} is null, null, json(printf('%!.17g', {column})))"
        return column

    def listed(value: str, rest: str) -> str:
        # Ordered in a subquery: SQLite aggregates its rows in that order (an aggregate's
        # subquery with ORDER BY is never flattened into it).
        return f"(select json_group_array(json(x)) from (select {value} as x {rest}))"

    def owned(table: str, order: str) -> str:  # a service's rows of a table
        return listed(f"json_object({columns(table, 't')})",
                      f"from {table} t where t.service_id = s.id order by {order}")

    def linked(link: str, column: str, table: str, only=None) -> str:  # through a link table
        return listed(f"json_object({columns(table, 't', only)})",
                      f"from {link} k join {table} t on t.id = k.{column} "
                      "where k.service_id = s.id order by k.position")

    return f"""select s.id, json_object({columns('services', 's', leave=())},
        'organization_name', o.name, 'organization_translations', json(o.translations),
        'phones', {owned('phones', 't.position')},
        'categories', {linked('service_categories', 'category_id', 'categories',
                              _CATEGORY_COLUMNS)},
        'locations', {linked('service_at_location', 'location_id', 'locations')},
        'languages', {listed("json_quote(language)", "from service_languages where "
                             "service_id = s.id order by position")},
        'audiences', {linked('service_audiences', 'audience_id', 'audiences')},
        'schedules', {owned('schedules', 't.valid_from, t.opens_at')}
        ) from services s join organizations o on o.id = s.organization_id"""


def service_places(db, ids: list[str]) -> dict[str, list[dict]]:
    """Each service's locations as ``services`` orders them, with only their ids and points:
    which is nearest, without reading the rest of a service."""
    places: dict[str, list[dict]] = {service_id: [] for service_id in ids}
    for service_id, location_id, latitude, longitude in db.execute(
            f"""select sl.service_id, l.id, l.latitude, l.longitude from service_at_location sl
                join locations l on l.id = sl.location_id
                where sl.service_id in ({_marks(ids)}) order by sl.position""", ids):
        places[service_id].append({"id": location_id, "latitude": latitude,
                                   "longitude": longitude})
    return places


def service(db, service_id: str) -> dict | None:
    found = services(db, [service_id])
    if not found:
        return None
    result = found[0]
    result["organization"] = organization_row(db, result["organization_id"])
    return result


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
    org["volunteer"] = volunteer_roles(db, organization_id)
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
    service and phone line, and of every dated session: the moments any status line or
    "next session" can change."""
    return db.execute("""select distinct kind, byday, valid_from, opens_at, closes_at
                         from schedules where kind in ('weekly', 'special', 'session')""")


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
    found: dict[int, str] = {}
    docnums = list(docnums)
    for start in range(0, len(docnums), CHUNK):  # all of them, for the HSDS API's lists
        chunk = docnums[start:start + CHUNK]
        found.update(db.execute(
            f"select docnum, service_id from search_documents where docnum in ({_marks(chunk)})",
            chunk).fetchall())
    return found


def docnums_with_phone(db, digits: str, exact: bool = False) -> list[int]:
    """Document numbers of active services (or of their organization) with a phone whose
    number ends with these digits: a resident types "312 555 0101" or "(312) 555-0101";
    ``exact``: a short code ("211") is the whole number, not its end."""
    return [row[0] for row in db.execute(
        """select distinct d.docnum from phones p
           join services s on s.id = p.service_id or (p.service_id is null
                                                     and s.organization_id = p.organization_id)
           join search_documents d on d.service_id = s.id
           where replace(p.e164, '+', '') like ? order by p.service_id is null, d.docnum""",
        [digits if exact else "%" + digits])]


# --- dated sessions and volunteer roles ------------------------------------------------

_PLACE_COLUMNS = """l.name as location_name, l.address_1, l.address_2, l.city, l.state_province,
    l.postal_code, l.latitude, l.longitude, l.precision"""


def sessions(db, today: str) -> list[dict]:
    """Every dated session of an active service that has a date from ``today`` (ISO) on, or
    no end: its schedule row, its details, its service, organization, place and categories."""
    return _sessions(db, "(sc.until is null or sc.until >= ?)", [today])


def session(db, session_id: str) -> dict | None:
    """One session with its details, whatever its dates (for its calendar file)."""
    found = _sessions(db, "sc.id = ?", [session_id])
    return found[0] if found else None


def _sessions(db, condition: str, args: list) -> list[dict]:
    rows = _rows(db.execute(
        f"""select sc.id, sc.service_id, sc.freq, sc.byday, sc.dtstart, sc.until, sc.count,
                   sc.opens_at, sc.closes_at, sc.location_id, se.title, se.description,
                   se.languages as session_languages, se.cost, se.fees_description,
                   se.registration_url, se.registration_phone, se.registration_display,
                   se.registration_email, se.registration_description,
                   s.name as service_name, s.organization_id, o.name as organization_name,
                   {_PLACE_COLUMNS}
            from schedules sc join sessions se on se.id = sc.id
            join services s on s.id = sc.service_id
            join organizations o on o.id = s.organization_id
            left join locations l on l.id = sc.location_id
            where sc.kind = 'session' and s.status = 'active' and {condition}
            order by sc.dtstart, sc.opens_at, sc.id""", args))
    categories = defaultdict(list)
    for service_id, category_id in db.execute(
            f"""select service_id, category_id from service_categories
                where service_id in ({_marks(rows)}) order by position""",
            [row["service_id"] for row in rows]):
        categories[service_id].append(category_id)
    for row in rows:
        row["languages"] = json.loads(row.pop("session_languages") or "[]")
        row["categories"] = categories.get(row["service_id"], [])
    return rows


def volunteer_roles(db, organization_id: str | None = None) -> list[dict]:
    """Volunteer roles and trainings (of one organization, or all), each with its places."""
    where, args = ("where r.organization_id = ?", [organization_id]) if organization_id \
        else ("", [])
    rows = _rows(db.execute(
        f"""select r.*, o.name as organization_name from volunteer_roles r
            join organizations o on o.id = r.organization_id {where}
            order by o.name, r.position""", args))
    places = defaultdict(list)
    for item in _rows(db.execute(
            f"""select vl.role_id, l.id, {_PLACE_COLUMNS} from volunteer_locations vl
                join locations l on l.id = vl.location_id
                where vl.role_id in ({_marks(rows)}) order by vl.position""",
            [row["id"] for row in rows])):
        places[item.pop("role_id")].append(item)
    for row in rows:
        row["categories"] = json.loads(row["categories"] or "[]")
        row["languages"] = json.loads(row["languages"] or "[]")
        row["locations"] = places.get(row["id"], [])
    return rows


# --- everything, for Open Referral HSDS (the export and the API) ------------------------

def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def all_service_ids(db) -> list[str]:
    """Every service, active or not, by organization then id: the export's order."""
    return [row[0] for row in db.execute("select id from services order by organization_id, id")]


def all_organization_ids(db) -> list[str]:
    return [row[0] for row in db.execute("select id from organizations order by name, id")]


def all_location_ids(db) -> list[str]:
    return [row[0] for row in db.execute("select id from locations order by id")]


def services_in_bulk(db, ids: list[str]) -> list[dict]:
    """``services`` for any number of ids, in their order."""
    out = []
    for chunk in _chunks(ids):
        out += services(db, chunk)
    return out


def organizations_in_bulk(db, ids: list[str]) -> dict[str, dict]:
    """Organization rows with their phones, by id."""
    found: dict[str, dict] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = _marks(chunk)
        for org in _rows(db.execute(f"select * from organizations where id in ({marks})", chunk)):
            org["phones"] = []
            found[org["id"]] = org
        for phone in _rows(db.execute(
                f"""select * from phones where organization_id in ({marks})
                    order by organization_id, position""", chunk)):
            found[phone["organization_id"]]["phones"].append(phone)
    return found


def locations_in_bulk(db, ids: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        for loc in _rows(db.execute(f"select * from locations where id in ({_marks(chunk)})",
                                    chunk)):
            found[loc["id"]] = loc
    return found


def organization_locations(db, organization_id: str) -> list[dict]:
    return _rows(db.execute("select * from locations where organization_id = ? order by id",
                            [organization_id]))


def organization_service_ids(db, organization_id: str) -> list[str]:
    return [row[0] for row in db.execute(
        "select id from services where organization_id = ? order by name, id",
        [organization_id])]


def service_areas(db, ids: list[str]) -> dict[str, list[str]]:
    """The ``service_area`` names of services, by service id, in the order written."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        for service_id, area in db.execute(
                f"""select service_id, area from service_areas
                    where service_id in ({_marks(chunk)}) order by service_id, position""",
                chunk):
            grouped[service_id].append(area)
    return grouped


def service_locations(db) -> list[tuple[str, str]]:
    """Every (service id, location id) of service_at_location, active services first."""
    return db.execute("""select sl.service_id, sl.location_id from service_at_location sl
                         join services s on s.id = sl.service_id
                         order by s.status != 'active', sl.service_id, sl.position""").fetchall()


def _docnums_where(db, condition: str, values: list) -> list[int]:
    """Document numbers of searchable services matching a fixed condition on ``s`` (services)
    or ``l`` (their locations); only this module writes conditions."""
    return [row[0] for row in db.execute(
        f"""select distinct d.docnum from search_documents d join services s
            on s.id = d.service_id {condition}""", values)]


def docnums_of_organization(db, organization_id: str) -> list[int]:
    return _docnums_where(db, "where s.organization_id = ?", [organization_id])


def docnums_verified_since(db, day: str) -> list[int]:
    return _docnums_where(db, "where s.last_verified >= ?", [day])


def docnums_in_postcode(db, postcode: str) -> list[int]:
    """Services at a location with this postal code, or without a location and serving an
    area of that name (``service_area``)."""
    return _docnums_where(
        db, """where exists (select 1 from service_at_location sl join locations l
                             on l.id = sl.location_id
                             where sl.service_id = s.id and l.postal_code = ?)
               or exists (select 1 from service_areas a
                          where a.service_id = s.id and a.area = ?)""", [postcode, postcode])
