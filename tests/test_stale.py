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


# The fixture's oldest active listing: riverside-couples, verified 2026-06-30; next comes
# riverside-grief-groups, a day later (the inactive camp, older still, is never listed).
COUPLES = dt.date(2026, 6, 30)


def days_since(day: dt.date, today: dt.date) -> int:
    return (today - day).days


@pytest.mark.moves_with_today
def test_threshold_is_exclusive(catalogue, frozen_today):
    # On 2026-11-24 riverside-couples is 147 days old and riverside-grief-groups 146.
    oldest = days_since(COUPLES, frozen_today)
    assert ids(stale.find_stale(catalogue, oldest, frozen_today)) == []
    assert ids(stale.find_stale(catalogue, oldest - 1, frozen_today)) == [
        ("riverside-counseling-center", ["riverside-couples"])]
    assert ids(stale.find_stale(catalogue, oldest - 2, frozen_today)) == [
        ("riverside-counseling-center", ["riverside-couples", "riverside-grief-groups"])]


@pytest.mark.moves_with_today
def test_grouped_by_organization_with_never_verified_first(data_dir, frozen_today):
    org = data_dir / "organizations" / "harbour-youth-trust.yaml"
    org.write_text(org.read_text().replace("    last_verified: 2026-09-15\n", ""))
    # Older than the library hour (verified 2026-10-10): 45 days on 2026-11-24.
    days = days_since(dt.date(2026, 10, 10), frozen_today)
    groups = stale.find_stale(check(data_dir, frozen_today)[0], days, frozen_today)
    assert ids(groups) == [
        ("harbour-youth-trust", ["harbour-parent-group", "harbour-youth-drop-in"]),
        ("riverside-counseling-center", ["riverside-couples", "riverside-grief-groups",
                                         "riverside-therapy"]),
    ]
    harbour = groups[0]
    assert (harbour.name, harbour.phone, harbour.email) == (
        "Harbour Youth Trust", "(312) 555-0100", "hello@harbour.example.org")
    verified = dt.date(2026, 10, 1)
    assert [(s.last_verified, s.days, s.phone) for s in harbour.services] == [
        (None, None, None), (verified, days_since(verified, frozen_today), "(312) 555-0101")]


@pytest.mark.moves_with_today
def test_table_shows_whom_to_call(catalogue, frozen_today):
    days = days_since(COUPLES, frozen_today) - 2  # 145 on 2026-11-24
    groups = stale.find_stale(catalogue, days, frozen_today)
    couples, grief = days + 2, days + 1
    assert stale.format_table(groups, days, frozen_today).splitlines() == [
        f"2 services at 1 organization not verified in the last {days} days (since 2026-07-02) "
        "or never:",
        "",
        "Riverside Counseling Center (riverside-counseling-center): no contact listed; call "
        "the numbers below",
        "  last verified  days  service                                        phone           "
        "source",
        f"  2026-06-30     {couples:>4}  Couples counseling (riverside-couples)         "
        f"(312) 555-0112  {DATA}/services.csv:2",
        f"  2026-07-01     {grief:>4}  Grief support groups (riverside-grief-groups)  "
        f"(312) 555-0111  {DATA}/organizations/riverside-counseling-center.yaml:24",
    ]


@pytest.mark.moves_with_today
def test_nothing_stale(frozen_today):
    days = days_since(dt.date(2026, 5, 28), frozen_today)  # 180 on 2026-11-24
    assert stale.format_table([], days, frozen_today) == (
        f"Every active service was verified in the last {days} days (since 2026-05-28).")


@pytest.mark.moves_with_today
def test_csv_has_a_row_per_service(catalogue, frozen_today):
    buffer = io.StringIO()
    oldest = days_since(COUPLES, frozen_today)
    stale.write_csv(stale.find_stale(catalogue, oldest - 1, frozen_today), buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert [{k: row[k] for k in ("organization", "service_id", "service_phone",
                                  "last_verified", "days_since_verified", "line")}
            for row in rows] == [
        {"organization": "Riverside Counseling Center", "service_id": "riverside-couples",
         "service_phone": "(312) 555-0112", "last_verified": "2026-06-30",
         "days_since_verified": str(oldest), "line": "2"}]


def test_days_are_counted_across_a_leap_day():
    assert stale.age_in_days("2028-02-28", dt.date(2028, 3, 1)) == 2
    assert stale.age_in_days("2027-02-28", dt.date(2027, 3, 1)) == 1
    assert stale.summary([], 30, dt.date(2028, 3, 30)) == (
        "Every active service was verified in the last 30 days (since 2028-02-29).")


class MachineClock:
    """A machine whose clock reads ``utc``, with its own local date: what ``stale`` sees."""

    def __init__(self, utc: dt.datetime, local_date: dt.date):
        class Date(dt.date):
            @classmethod
            def today(cls):
                return local_date

        class DateTime(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return utc.astimezone(tz) if tz else utc.replace(tzinfo=None)

        self.date, self.datetime, self.timedelta = Date, DateTime, dt.timedelta


def test_local_today_follows_the_site_timezone(monkeypatch):
    # 03:30 UTC on 25 November is still the evening of the 24th in Chicago.
    machine = MachineClock(dt.datetime(2026, 11, 25, 3, 30, tzinfo=dt.UTC), dt.date(2026, 11, 23))
    monkeypatch.setattr(stale, "dt", machine)
    assert stale.local_today("America/Chicago") == dt.date(2026, 11, 24)
    assert stale.local_today("UTC") == dt.date(2026, 11, 25)
    # An unknown zone, or none, falls back to the machine's own date.
    assert stale.local_today("Nowhere/Atlantis") == dt.date(2026, 11, 23)
    assert stale.local_today(None) == dt.date(2026, 11, 23)
    assert stale.local_today("UTC", pretend="2027-01-02") == dt.date(2027, 1, 2)
    assert stale.local_today("UTC", pretend=dt.date(2028, 2, 29)) == dt.date(2028, 2, 29)


def test_command_uses_site_threshold_and_frozen_date(instance, data_dir, monkeypatch):
    monkeypatch.setenv("DIRECTORY_TODAY", "2027-01-01")  # 185 days after 2026-06-30
    result = run(instance, "stale", str(data_dir))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "2 services at 1 organization not verified in the last 180 days (since 2026-07-05) "
        "or never:")


@pytest.mark.moves_with_today
def test_command_writes_csv_to_a_file(instance, data_dir, tmp_path, frozen_today):
    target = tmp_path / "calls.csv"
    days = str(days_since(COUPLES, frozen_today) - 1)  # 146 on 2026-11-24
    result = run(instance, "stale", "--days", days, "--csv", "-o", str(target), str(data_dir))
    assert result.exit_code == 0
    assert result.stderr.strip() == f"wrote 1 stale services to {target}"
    assert target.read_text().splitlines()[0].startswith("organization_id,organization,")
    assert "riverside-couples" in target.read_text()
