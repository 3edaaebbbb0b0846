"""The export's bulk reads give the site's rows exactly (``hsds.rows`` against ``queries``)."""

from __future__ import annotations

from directory.build.layout import Build
from directory.hsds import rows
from directory.search import queries


def _db(built_instance):
    return Build((built_instance / "current").resolve()).connect()


def test_organizations_with_and_without_phones(built_instance):
    db = _db(built_instance)
    ids = queries.all_organization_ids(db)
    with_phones = queries.organizations_in_bulk(db, ids)
    assert rows.organizations(db, ids) == with_phones
    assert any(org["phones"] for org in with_phones.values())
    without = rows.organizations(db, ids, phones=False)
    assert without == {key: {k: v for k, v in org.items() if k != "phones"}
                       for key, org in with_phones.items()}


def test_locations_of_many_organizations_at_once(built_instance):
    db = _db(built_instance)
    ids = queries.all_organization_ids(db)
    grouped = rows.organization_locations(db, ids)
    assert list(grouped) == ids
    assert grouped == {key: queries.organization_locations(db, key) for key in ids}
    assert sum(map(len, grouped.values())) > 1
