"""The build writes proper tables and an index, switches atomically, and never breaks serving."""

from __future__ import annotations

import json
import os
import sqlite3

import sqlite_utils

from directory.build import layout, pipeline
from directory.build import write as build


def test_tables_counts_and_foreign_keys(built_instance):
    db = sqlite_utils.Database(built_instance / "current" / "directory.db")
    assert {t: db[t].count for t in ("organizations", "services", "locations", "phones",
                                     "categories", "audiences")} == {
        "organizations": 4, "services": 8, "locations": 3, "phones": 8, "categories": 6,
        "audiences": 2}
    assert {fk.other_table for fk in db["services"].foreign_keys} == {"organizations"}
    assert {fk.other_table for fk in db["service_at_location"].foreign_keys} == {
        "services", "locations"}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    indexed = {tuple(i.columns) for i in db["service_categories"].indexes}
    assert ("category_id", "service_id") in indexed


def test_rows_hold_normalised_values(built_instance):
    db = sqlite_utils.Database(built_instance / "current" / "directory.db")
    service = db["services"].get("riverside-couples")  # from services.csv
    assert service["organization_id"] == "riverside-counseling-center"
    assert service["source_file"].endswith("services.csv") and service["source_line"] == 2
    phone = next(db["phones"].rows_where("service_id = ?", ["harbour-youth-drop-in"]))
    assert (phone["number"], phone["e164"], phone["display"]) == (
        "+1 312 555 0101", "+13125550101", "(312) 555-0101")
    # The library's row in services.csv has no coordinates: offline, the build falls back to
    # the centre of its postcode in places.csv and marks the point approximate.
    library = db["locations"].get("maple-library-drop-in-location")
    assert (library["organization_id"], library["latitude"], library["longitude"],
            library["precision"]) == ("maple-library", 41.9229, -87.6483, "postcode")
    assert db["locations"].get("harbour-main")["precision"] == "address"
    assert json.loads(db["categories"].get("grief-support")["synonyms"]) == {
        "en": ["bereavement", "loss"], "es": ["duelo", "pérdida"], "id": ["duka", "kehilangan"]}


def test_failed_build_leaves_the_served_build_untouched(data_dir, instance, rebuild):
    first = rebuild(data_dir, instance).build
    (data_dir / "organizations" / "broken.yaml").write_text("id: broken\nname: [\n")
    outcome = pipeline.run(data_dir, instance)
    assert outcome.build is None and outcome.report.errors
    assert (instance / "current").resolve() == first.resolve()
    assert sorted(p.name for p in (instance / "builds").iterdir()) == [first.name]


def test_crash_while_writing_leaves_no_half_build(data_dir, instance, monkeypatch, rebuild):
    first = rebuild(data_dir, instance).build

    def explode(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build.search, "write_index", explode)
    (data_dir / "site.yaml").write_text((data_dir / "site.yaml").read_text() + "\n")
    try:
        pipeline.run(data_dir, instance)
    except OSError:
        pass
    assert (instance / "current").resolve() == first.resolve()
    assert [p.name for p in (instance / "builds").iterdir()] == [first.name]


def test_if_changed_skips_identical_data_and_prunes_old_builds(data_dir, instance, rebuild):
    first = rebuild(data_dir, instance)
    again = pipeline.run(data_dir, instance, if_changed=True)
    assert again.unchanged and again.build is None
    names = []
    for n in range(4):
        (data_dir / "site.yaml").write_text((data_dir / "site.yaml").read_text() + f"# {n}\n")
        names.append(pipeline.run(data_dir, instance, if_changed=True).build.name)
    kept = sorted(p.name for p in (instance / "builds").iterdir())
    assert kept == sorted(names[-layout.KEEP_BUILDS:])
    assert first.build.name not in kept
    assert os.readlink(instance / "current") == f"builds/{names[-1]}"


def test_database_is_opened_read_only(app):
    with app.app_context():
        from directory.web.store import get_db

        db = get_db()
        try:
            db.execute("delete from services")
        except sqlite3.OperationalError as error:
            assert "readonly" in str(error)
        else:
            raise AssertionError("the served database accepted a write")


def test_running_app_picks_up_a_new_build(fresh_app, data_dir, instance, rebuild):
    rebuild(data_dir, instance)
    client = fresh_app.test_client()
    assert b"Library wellbeing hour" in client.get("/search?q=library").data
    path = data_dir / "services.csv"
    path.write_text(path.read_text().replace("Library wellbeing hour", "Library calm hour"))
    rebuild(data_dir, instance)
    page = client.get("/search?q=library").data
    assert b"Library calm hour" in page and b"Library wellbeing hour" not in page


def test_no_build_gives_a_clear_503(fresh_app):
    response = fresh_app.test_client().get("/")
    assert response.status_code == 503
    assert b"The directory is being set up" in response.data
    assert b"Traceback" not in response.data


def test_a_new_build_format_rebuilds_unchanged_data(data_dir, instance, rebuild, monkeypatch):
    rebuild(data_dir, instance)
    assert pipeline.run(data_dir, instance, if_changed=True).unchanged
    monkeypatch.setattr(layout, "FORMAT", layout.FORMAT + 1)
    again = pipeline.run(data_dir, instance, if_changed=True)
    assert not again.unchanged and again.build is not None


def test_the_geocoders_settings_never_reach_a_build(data_dir, instance, rebuild):
    """They may hold an API key; the served build folder needs none of them."""
    site = data_dir / "site.yaml"
    site.write_text(site.read_text().replace("user_agent: directory-tests",
                                             "user_agent: key-0f9e8d7c"))
    rebuild(data_dir, instance)
    build = instance / "current"
    assert not any("key-0f9e8d7c" in path.read_text(errors="ignore")
                   for path in build.rglob("*") if path.is_file())
    manifest = json.loads((build / "manifest.json").read_text())
    assert "geocoder" not in manifest["site"] and manifest["site"]["name"]


def test_a_database_that_cannot_be_written_fails_the_build_cleanly(
        data_dir, instance, monkeypatch, rebuild):
    """The database is written by a thread while Whoosh indexes: its failure is the build's,
    the old build keeps serving, and the command says so in one line."""
    from tests.test_cli import run

    first = rebuild(data_dir, instance).build

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build, "write_database", fail)
    (data_dir / "site.yaml").write_text((data_dir / "site.yaml").read_text() + "\n")
    try:
        pipeline.run(data_dir, instance)
        raise AssertionError("the build should have failed")
    except OSError as error:
        assert str(error) == "disk full"
    assert (instance / "current").resolve() == first.resolve()
    assert [p.name for p in (instance / "builds").iterdir()] == [first.name]
    result = run(instance, "build", "--offline", "--quiet", str(data_dir))
    assert result.exit_code == 1
    assert "build failed: disk full; the site keeps serving the previous build" in result.stderr
    assert "Traceback" not in result.stderr
