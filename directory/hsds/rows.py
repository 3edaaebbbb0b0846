"""A build's organization rows for the HSDS mapping, read in bulk and fast.

The same rows as ``search.queries`` gives (``organizations_in_bulk``,
``organization_locations``), which the site reads a page at a time; the export reads every
row of the build, where the per-row cost of ``sqlite3.Row`` and of ``json.loads`` is most
of its reading time. So rows are built from plain tuples, a JSON column's empty ``{}``/``[]``
(nearly all of them) without the JSON decoder, and an organization's locations for a chunk
of organizations at once. tests/test_hsds_rows.py holds them equal to the site's rows.
(Services are read as the site reads them, ``queries.services_in_bulk``: one stored row
each, faster than any reading of their tables.)
"""

from __future__ import annotations

import json

from ..search.queries import CHUNK, JSON_COLUMNS

_JSON = frozenset(JSON_COLUMNS)


def _decode(value):
    # A fresh object each time: rows are changed by their readers.
    if value == "{}":
        return {}
    if value == "[]":
        return []
    return json.loads(value)


def _rows(cursor) -> list[dict]:
    """``queries._rows``: each row a dict, its JSON columns decoded."""
    names = [column[0] for column in cursor.description or ()]
    decoded = [name for name in names if name in _JSON]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    for name in decoded:
        for row in rows:
            if type(value := row[name]) is str:
                row[name] = _decode(value)
    return rows


def _plain(db, sql: str, args) -> list[dict]:
    cursor = db.cursor()
    cursor.row_factory = None  # tuples, whatever the connection's factory
    return _rows(cursor.execute(sql, args))


def _marks(values) -> str:
    return ",".join("?" * len(values))


def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def organizations(db, ids: list[str], *, phones: bool = True) -> dict[str, dict]:
    """``queries.organizations_in_bulk``: organization rows by id, with their phones (or
    without: a service's nested organization shows none)."""
    found: dict[str, dict] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = _marks(chunk)
        for org in _plain(db, f"select * from organizations where id in ({marks})", chunk):
            if phones:
                org["phones"] = []
            found[org["id"]] = org
        if phones:
            for phone in _plain(db, f"""select * from phones where organization_id in ({marks})
                                        order by organization_id, position""", chunk):
                found[phone["organization_id"]]["phones"].append(phone)
    return found


def organization_locations(db, ids: list[str]) -> dict[str, list[dict]]:
    """``queries.organization_locations`` of many organizations at once, by organization."""
    grouped: dict[str, list[dict]] = {key: [] for key in ids}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        for location in _plain(db, f"""select * from locations where organization_id in
                                       ({_marks(chunk)}) order by organization_id, id""", chunk):
            grouped[location["organization_id"]].append(location)
    return grouped
