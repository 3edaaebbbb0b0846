"""Each service as the site's pages read it: one stored row a service (``service_rows``,
FORMAT 9), the same as the rows made from the build's tables."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from directory.build.layout import DATABASE, Build
from directory.search import queries

JSON = set(queries.JSON_COLUMNS)
# What each list of a service holds, read table by table: the reference the stored rows
# are held to (the build makes them in SQL, in one statement).
RELATED = {
    "phones": "select * from phones where service_id = ? order by position",
    "categories": """select c.id, c.parent_id, c.name, c.names, c.position
                     from service_categories sc join categories c on c.id = sc.category_id
                     where sc.service_id = ? order by sc.position""",
    "locations": """select l.* from service_at_location sl
                    join locations l on l.id = sl.location_id
                    where sl.service_id = ? order by sl.position""",
    "languages": "select language from service_languages where service_id = ? order by position",
    "audiences": """select a.* from service_audiences sa join audiences a on a.id = sa.audience_id
                    where sa.service_id = ? order by sa.position""",
    "schedules": """select * from schedules where service_id = ?
                    order by valid_from, opens_at""",
}


def _decoded(row) -> dict:
    return {key: json.loads(value) if key in JSON and isinstance(value, str) else value
            for key, value in dict(row).items() if key != "service_id"}


def _from_tables(db, service_id: str) -> dict:
    row = _decoded(db.execute(
        """select s.*, o.name as organization_name,
                  o.translations as organization_translations
           from services s join organizations o on o.id = s.organization_id
           where s.id = ?""", [service_id]).fetchone())
    for key, sql in RELATED.items():
        row[key] = [_decoded(item) for item in db.execute(sql, [service_id])]
    row["languages"] = [item["language"] for item in row["languages"]]
    return row


def _db(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


@pytest.mark.parametrize("which", ["fixture", "synthetic"])
def test_stored_rows_are_the_rows_of_the_tables_in_order(which, request):
    build = request.getfixturevalue("synthetic_build") if which == "synthetic" \
        else (request.getfixturevalue("built_instance") / "current").resolve()
    db = Build(build).connect()
    ids = queries.all_service_ids(db)
    stored = queries.services(db, [*reversed(ids), "no-such-service"])
    assert [row["id"] for row in stored] == list(reversed(ids))
    assert stored == [_from_tables(db, service_id) for service_id in reversed(ids)]
    if which == "synthetic":  # what orders matter for: several phones, kinds of help...
        for key in ("phones", "categories", "locations", "languages", "audiences", "schedules"):
            assert any(len(row[key]) > 1 for row in stored), key
    assert all(isinstance(language, str) for row in stored for language in row["languages"])


def test_each_caller_gets_its_own_rows(built_instance):
    db = Build((built_instance / "current").resolve()).connect()
    service_id = queries.all_service_ids(db)[0]
    first = queries.services(db, [service_id])[0]
    first["locations"].clear()  # a card puts the nearest place first, in place
    assert queries.services(db, [service_id])[0]["locations"]


def test_a_build_before_the_stored_rows_is_served_the_same(built_instance, tmp_path):
    current = (built_instance / "current").resolve() / DATABASE
    older = tmp_path / DATABASE
    shutil.copy(current, older)
    with sqlite3.connect(older) as db:
        db.execute(f"drop table {queries.SERVICE_ROWS}")
    new, old = _db(current), _db(older)
    ids = queries.all_service_ids(new)
    assert queries.services(old, ids) == queries.services(new, ids)
    assert queries.service(old, ids[0]) == queries.service(new, ids[0])


def test_a_point_is_kept_to_its_last_digit(built_instance, tmp_path):
    """SQLite's JSON writes a number to 15 digits; a stored row keeps every digit."""
    path = tmp_path / DATABASE
    shutil.copy((built_instance / "current").resolve() / DATABASE, path)
    with sqlite3.connect(path) as db:
        service_id, location_id = db.execute(
            "select service_id, location_id from service_at_location limit 1").fetchone()
        db.execute("update locations set latitude = ?, longitude = ? where id = ?",
                   [41.878113999999996, -87.0, location_id])
        db.execute(f"drop table {queries.SERVICE_ROWS}")  # made again from the tables
    place = next(loc for loc in queries.services(_db(path), [service_id])[0]["locations"]
                 if loc["id"] == location_id)
    assert (place["latitude"], place["longitude"]) == (41.878113999999996, -87.0)
    assert isinstance(place["longitude"], float)
