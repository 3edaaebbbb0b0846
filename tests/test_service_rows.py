"""Each service as the site's pages read it: one stored row a service (``service_rows``,
FORMAT 9), the same as the rows made from the build's tables."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from directory.build.layout import DATABASE, Build
from directory.hsds import rows
from directory.search import queries


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
    # hsds.rows makes each row from the tables in Python, a query per table.
    assert stored == rows.services(db, list(reversed(ids)))
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
