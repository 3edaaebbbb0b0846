"""The Open Referral HSDS 3.0 mapping and export: valid against the official schemas, stable
ids, nothing personal, and a round trip that gives back what the build holds."""

from __future__ import annotations

import csv
import json
import sqlite3
import uuid
import zipfile
from collections import defaultdict

import pytest

from directory.build.layout import Build
from directory.hsds import export
from directory.hsds.ids import DEFAULT_NAMESPACE, Ids
from directory.hsds.source import Source
from directory.search import queries
from tests.hsds_schemas import HSDS, needs_hsds, problems
from tests.test_cli import run


@pytest.fixture(scope="module")
def build(built_instance):
    return Build((built_instance / "current").resolve())


@pytest.fixture
def source(build):
    db = build.connect()
    yield Source(db, build.site)
    db.close()


@pytest.fixture(scope="module")
def package(built_instance, tmp_path_factory):
    """The data package as ``directory export hsds`` writes it."""
    folder = tmp_path_factory.mktemp("hsds") / "out"
    result = run(built_instance, "export", "hsds", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert "datapackage.json and 15 CSVs" in result.output
    return folder


def test_ids_are_uuid_v5_of_the_sites_namespace_and_the_slug(build):
    namespace = uuid.UUID(build.site["hsds_namespace"])
    ids = Ids(namespace)
    assert ids.of("service", "harbour-youth-drop-in") == str(
        uuid.uuid5(namespace, "service:harbour-youth-drop-in"))
    assert Ids(namespace).of("service", "x") == ids.of("service", "x")  # any build, any time
    assert Ids(DEFAULT_NAMESPACE).of("service", "x") != ids.of("service", "x")


@needs_hsds
def test_every_exported_object_validates_against_hsds_3(source):
    ids = queries.all_service_ids(source.db)
    wrong = {}
    for service in source.services(ids):
        wrong[service["directory_id"]] = problems(service, "compiled/service.json")
    for service in source.services(ids, full=False):
        wrong[f"list {service['directory_id']}"] = problems(service, "compiled/service_list.json")
    orgs = queries.all_organization_ids(source.db)
    for org in source.organizations(orgs, full=True, full_service=True):
        wrong[org["name"]] = problems(org, "compiled/organization.json")
    for org in source.organizations(orgs):
        wrong[f"list {org['name']}"] = problems(org, "compiled/organization_list.json")
    pairs = queries.service_locations(source.db)
    for item in source.service_at_locations(pairs, full=True):
        wrong[item["id"]] = problems(item, "compiled/service_at_location.json")
    for term in source.mapper.taxonomy.terms.values():
        wrong[term.hsds["code"]] = problems(source.mapper.taxonomy.full_term(term.hsds),
                                            "taxonomy_term.json")
    wrong["taxonomy"] = problems(source.mapper.taxonomy.hsds, "taxonomy.json")
    assert {key: found for key, found in wrong.items() if found} == {}
    assert len(ids) == 8 and len(pairs) == 7  # inactive services too


@needs_hsds
def test_the_json_export_is_a_service_package(build, source, tmp_path):
    text = export.json_text(source)
    services = json.loads(text)
    assert problems(services, "compiled/service_package.json") == []
    assert [s["directory_id"] for s in services] == queries.all_service_ids(source.db)
    # The build wrote the same file for the site to serve.
    assert json.loads((build.path / "hsds" / "services.json").read_text()) == services


def test_a_service_carries_what_a_resident_needs(source):
    (service,) = source.services(["harbour-youth-drop-in"])
    assert service["name"] == "Youth drop-in counselling"
    assert service["status"] == "active" and service["assured_date"] == "2026-10-01"
    assert [(p["number"], p["type"]) for p in service["phones"]] == [
        ("+1 312 555 0101", "voice"), ("+1 312 555 0102", "text")]
    assert service["phones"][1]["description"] == "Hours: Mo-Fr 15:00-21:00"
    weekly = [(s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]
              if s.get("freq") == "WEEKLY"]
    assert sorted(weekly) == [("MO,TU,WE,TH,FR", "15:00:00", "19:00:00"),
                              ("SA", "12:00:00", "16:00:00")]
    dated = {(s["valid_from"], s.get("opens_at"), s["description"])
             for s in service["schedules"] if "valid_from" in s}
    assert dated == {("2026-12-24", "12:00:00", "special hours"),
                     ("2026-12-25", None, "closed")}
    assert not any(s.get("freq") == "DAILY" for s in service["schedules"])
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [
        ("en", "English"), ("es", "Spanish")]
    (link,) = service["service_at_locations"]
    location = link["location"]
    assert location["location_type"] == "physical"
    assert location["addresses"][0]["address_type"] == "physical"
    assert location["accessibility"][0]["description"] == "Wheelchair accessible"
    assert service["cost_options"][0]["option"] == "Free"
    terms = {(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]}
    assert terms == {("category", "category:counselling"), ("category", "category:drop-in"),
                     ("audience", "audience:youth"), ("access", "access:walk-in"),
                     ("cost", "cost:free")}
    assert all(a["link_entity"] == "service" and a["link_id"] == service["id"]
               for a in service["attributes"])


def test_phone_only_services_have_no_location_but_their_areas(source):
    (warmline,) = source.services(["northside-warmline"])
    assert warmline["service_at_locations"] == []
    assert [a["name"] for a in warmline["service_areas"]] == ["Northside", "60640"]


def test_inactive_services_are_exported_as_inactive(source):
    (camp,) = source.services(["harbour-old-camp"])
    assert camp["status"] == "inactive"


def test_nothing_personal_is_published(package):
    assert (package / "contacts.csv").exists() is False
    rows = json.loads((package / "datapackage.json").read_text())["resources"]
    assert "contact" not in {r["name"] for r in rows}


def test_the_datapackage_lists_exactly_the_files_written(package):
    listed = {r["path"] for r in json.loads((package / "datapackage.json").read_text())
              ["resources"]}
    assert listed == {p.name for p in package.glob("*.csv")}
    assert {"services.csv", "organizations.csv", "locations.csv", "schedules.csv",
            "taxonomy_terms.csv", "attributes.csv", "service_at_location.csv"} <= listed


@needs_hsds
def test_the_datapackage_names_tables_and_columns_as_hsds_does(package):
    official = {r["name"]: r for r in json.loads((HSDS / "datapackage.json").read_text())
                ["resources"]}
    ours = json.loads((package / "datapackage.json").read_text())["resources"]
    for resource in ours:
        theirs = official[resource["name"]]
        assert resource["path"] == theirs["path"]
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert names[:len(theirs["schema"]["fields"])] == [
            f["name"] for f in theirs["schema"]["fields"]]
        with (package / resource["path"]).open() as handle:
            assert next(csv.reader(handle)) == names


def test_frictionless_validates_the_data_package(package):
    from frictionless import validate

    report = validate(str(package / "datapackage.json"))
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, errors


def test_the_json_form_from_the_command_line(built_instance, tmp_path):
    result = run(built_instance, "export", "hsds", "--format", "json", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    services = json.loads((tmp_path / "services.json").read_text())
    assert len(services) == 8 and "8 services" in result.output


def test_export_without_a_build_says_what_to_do(tmp_path):
    result = run(tmp_path, "export", "hsds", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "directory build" in result.output


def test_each_build_writes_the_export_as_a_zip(build):
    with zipfile.ZipFile(build.path / "hsds" / "hsds.zip") as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("datapackage.json"))
    assert names == {"datapackage.json", *(r["path"] for r in package["resources"])}


# --- round trip -------------------------------------------------------------------------


def read_package(folder) -> dict[str, dict]:
    """A small HSDS reader: the data package back into this directory's fields, by slug."""
    def table(name):
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    terms = {t["id"]: t["code"] for t in table("taxonomy_terms.csv")}
    locations = {loc["id"]: loc for loc in table("locations.csv")}
    addresses = {a["location_id"]: a for a in table("addresses.csv")}
    services = {s["id"]: s for s in table("services.csv")}
    by_service = defaultdict(lambda: defaultdict(list))
    for name, key in (("phones.csv", "phones"), ("schedules.csv", "schedules"),
                      ("languages.csv", "languages"), ("service_at_location.csv", "at")):
        for row in table(name):
            if row.get("service_id") in services:
                by_service[row["service_id"]][key].append(row)
    for row in table("attributes.csv"):
        if row["link_entity"] == "service":
            by_service[row["link_id"]]["terms"].append(terms[row["taxonomy_term_id"]])
    out = {}
    for uid, row in services.items():
        rel = by_service[uid]
        hours = sorted(
            (s["byday"], s["opens_at"][:5],
             "24:00" if s["closes_at"] == "23:59:59" else s["closes_at"][:5])
            for s in rel["schedules"] if s["freq"] == "WEEKLY" and not s.get("dtstart"))
        dated = sorted((s["valid_from"], s["opens_at"][:5] or None) for s in rel["schedules"]
                       if s["valid_from"])
        out[row["directory_id"]] = {
            "name": row["name"],
            "phones": [(p["number"], p["type"]) for p in rel["phones"]],
            "addresses": [
                {k: addresses[link["location_id"]][k] or None for k in
                 ("address_1", "city", "state_province", "postal_code")}
                | {"location": locations[link["location_id"]]["external_identifier"]}
                for link in rel["at"]],
            "hours": hours, "dated": dated,
            "languages": [lang["code"] for lang in rel["languages"]],
            "categories": sorted(code.split(":", 1)[1] for code in rel["terms"]
                                 if code.startswith("category:")),
            "ages": (int(row["minimum_age"]) if row["minimum_age"] else None,
                     int(row["maximum_age"]) if row["maximum_age"] else None),
        }
    return out


def as_built(db: sqlite3.Connection) -> dict[str, dict]:
    out = {}
    for s in queries.services_in_bulk(db, queries.all_service_ids(db)):
        own = [r for r in s["schedules"] if r["phone_id"] is None]
        out[s["id"]] = {
            "name": s["name"],
            "phones": [(p["number"], p["type"]) for p in s["phones"]],
            "addresses": [{k: loc[k] for k in
                           ("address_1", "city", "state_province", "postal_code")}
                          | {"location": loc["id"]} for loc in s["locations"]],
            "hours": sorted((r["byday"], r["opens_at"], r["closes_at"]) for r in own
                            if r["kind"] == "weekly"),
            "dated": sorted((r["valid_from"], r["opens_at"]) for r in own if r["valid_from"]),
            "languages": s["languages"],
            "categories": sorted(c["id"] for c in s["categories"]),
            "ages": (s["minimum_age"], s["maximum_age"]),
        }
    return out


def test_round_trip_gives_back_every_service_as_built(package, build):
    db = build.connect()
    try:
        expected = as_built(db)
    finally:
        db.close()
    assert read_package(package) == expected
    assert expected["harbour-youth-drop-in"]["hours"]  # the comparison compares something


def test_ids_are_the_uuid5_of_kind_and_key_for_every_kind():
    from directory.hsds.ids import DEFAULT_NAMESPACE, Ids

    ids = Ids(DEFAULT_NAMESPACE)
    for kind, key in [("service", ("harbour-drop-in",)), ("attribute", ("service", "a", "cost",
                      "free")), ("phone", ("service", "ünïcode-id", 3)), ("language", ("x", "es")),
                      ("service_at_location", ("s", "l")), ("schedule", (17,))]:
        expected = str(uuid.uuid5(DEFAULT_NAMESPACE, f"{kind}:{'/'.join(map(str, key))}"))
        assert ids.of(kind, *key) == expected
        assert ids.of(kind, *key) == expected  # and again, from the cache where there is one


def test_an_export_split_in_two_processes_is_the_one_pass_export(build, tmp_path,
                                                                 monkeypatch):
    """A large build writes its export in two halves at once (``build.write``): joined, the
    halves are the one-pass export byte for byte, JSON and every table."""
    import shutil

    from directory.build import write

    for name in ("directory.db", "manifest.json"):
        shutil.copy(build.path / name, tmp_path / name)
    monkeypatch.setattr(write, "SPLIT_EXPORT_FROM", 2)
    write.write_hsds(tmp_path, build.site)
    split = tmp_path / export.FOLDER
    whole = build.path / export.FOLDER
    assert (split / export.JSON_NAME).read_bytes() == (whole / export.JSON_NAME).read_bytes()
    with zipfile.ZipFile(split / export.ZIP_NAME) as halves, \
            zipfile.ZipFile(whole / export.ZIP_NAME) as one:
        assert halves.namelist() == one.namelist()
        for name in one.namelist():
            assert halves.read(name) == one.read(name), name
    assert sorted(p.name for p in split.iterdir()) == [export.ZIP_NAME, export.JSON_NAME]


def test_a_failure_in_the_exports_second_process_is_the_builds_error(build, tmp_path,
                                                                    monkeypatch):
    import shutil

    from directory.build import write

    shutil.copy(build.path / "directory.db", tmp_path / "directory.db")
    monkeypatch.setattr(write, "SPLIT_EXPORT_FROM", 2)
    real = write._write_part

    def failing(database, site, folder, ids, first):
        if not first:
            raise OSError(28, "No space left on device")
        return real(database, site, folder, ids, first)

    monkeypatch.setattr(write, "_write_part", failing)
    with pytest.raises(OSError, match="No space left on device"):
        write.write_hsds(tmp_path, build.site)
    assert not any(p.name.startswith(".parts-") for p in (tmp_path / export.FOLDER).iterdir())
