"""The stale report: who to call, with a frozen date so thresholds are exact."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from directory.build.pipeline import check
from directory.data import stale
from directory.records.load import display_path
from tests.conftest import FIXTURE_DATA, FROZEN_TODAY
from tests.test_cli import run

DATA = display_path(FIXTURE_DATA)  # as problems and reports name it


@pytest.fixture(scope="module")
def catalogue():
    return check(FIXTURE_DATA, FROZEN_TODAY)[0]


def ids(groups) -> list[tuple[str, list[str]]]:
    return [(g.id, [s.id for s in g.services]) for g in groups]


def test_threshold_is_exclusive(catalogue):
    # riverside-couples was verified 2026-06-30 (147 days before the frozen date),
    # riverside-grief-groups 2026-07-01 (146 days); the inactive camp is never listed.
    assert ids(stale.find_stale(catalogue, 147, FROZEN_TODAY)) == []
    assert ids(stale.find_stale(catalogue, 146, FROZEN_TODAY)) == [
        ("riverside-counseling-center", ["riverside-couples"])]
    assert ids(stale.find_stale(catalogue, 145, FROZEN_TODAY)) == [
        ("riverside-counseling-center", ["riverside-couples", "riverside-grief-groups"])]


def test_grouped_by_organization_with_never_verified_first(data_dir):
    org = data_dir / "organizations" / "harbour-youth-trust.yaml"
    org.write_text(org.read_text().replace("    last_verified: 2026-09-15\n", ""))
    groups = stale.find_stale(check(data_dir, FROZEN_TODAY)[0], 50, FROZEN_TODAY)
    assert ids(groups) == [
        ("harbour-youth-trust", ["harbour-parent-group", "harbour-youth-drop-in"]),
        ("riverside-counseling-center", ["riverside-couples", "riverside-grief-groups",
                                         "riverside-therapy"]),
    ]
    harbour = groups[0]
    assert (harbour.name, harbour.phone, harbour.email) == (
        "Harbour Youth Trust", "(312) 555-0100", "hello@harbour.example.org")
    assert [(s.last_verified, s.days, s.phone) for s in harbour.services] == [
        (None, None, None), (dt.date(2026, 10, 1), 54, "(312) 555-0101")]


def test_table_shows_whom_to_call(catalogue):
    groups = stale.find_stale(catalogue, 140, FROZEN_TODAY)
    assert stale.format_table(groups, 140, FROZEN_TODAY).splitlines() == [
        "2 services at 1 organization not verified in the last 140 days (since 2026-07-07) "
        "or never:",
        "",
        "Riverside Counseling Center (riverside-counseling-center): no contact listed; call "
        "the numbers below",
        "  last verified  days  service                                        phone           "
        "source",
        "  2026-06-30      147  Couples counseling (riverside-couples)         (312) 555-0112  "
        f"{DATA}/services.csv:2",
        "  2026-07-01      146  Grief support groups (riverside-grief-groups)  (312) 555-0111  "
        f"{DATA}/organizations/riverside-counseling-center.yaml:24",
    ]


def test_nothing_stale(catalogue):
    assert stale.format_table([], 180, FROZEN_TODAY) == (
        "Every active service was verified in the last 180 days (since 2026-05-28).")


def test_csv_has_a_row_per_service(catalogue):
    buffer = io.StringIO()
    stale.write_csv(stale.find_stale(catalogue, 146, FROZEN_TODAY), buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [{k: row[k] for k in ("organization", "service_id", "service_phone",
                                  "last_verified", "days_since_verified", "line")}
            for row in rows] == [
        {"organization": "Riverside Counseling Center", "service_id": "riverside-couples",
         "service_phone": "(312) 555-0112", "last_verified": "2026-06-30",
         "days_since_verified": "147", "line": "2"}]


def test_local_today_follows_the_site_timezone():
    assert stale.local_today("Nowhere/Atlantis") == dt.date.today()
    assert stale.local_today("UTC", pretend="2027-01-02") == dt.date(2027, 1, 2)


def test_command_uses_site_threshold_and_frozen_date(instance, data_dir, monkeypatch):
    monkeypatch.setenv("DIRECTORY_TODAY", "2027-01-01")  # 185 days after 2026-06-30
    result = run(instance, "stale", str(data_dir))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "2 services at 1 organization not verified in the last 180 days (since 2026-07-05) "
        "or never:")


def test_command_writes_csv_to_a_file(instance, data_dir, tmp_path):
    target = tmp_path / "calls.csv"
    result = run(instance, "stale", "--days", "146", "--csv", "-o", str(target), str(data_dir))
    assert result.exit_code == 0
    assert result.stderr.strip() == f"wrote 1 stale services to {target}"
    assert target.read_text().splitlines()[0].startswith("organization_id,organization,")
    assert "riverside-couples" in target.read_text()
