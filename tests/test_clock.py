"""The tests' clock: no test reads the machine's date or time, so the suite passes on any day.

Every date and moment a test uses comes from the frozen day in ``tests/conftest.py``
(``FROZEN_TODAY``, the ``frozen_today`` and ``frozen_now`` fixtures), which ``--today`` moves.
The guard below finds any read of the machine's clock under ``tests/`` and names its line.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
import yaml

from directory.web import clock
from tests import conftest
from tests.conftest import FIXTURE_DATA, FIXTURE_DAY, HARD_DAYS, frozen_moment

TESTS = Path(__file__).parent
ROOT = TESTS.parent
# The allow-list: a line may read the clock only if it says why, in a comment such as
#     started = time.time()  # allow-wall-clock: measures how long the build took, not a date
ALLOW = "# allow-wall-clock:"
DATE_TYPES = {"date", "datetime"}  # datetime.date / datetime.datetime, however imported
DATE_READS = {"today", "now", "utcnow"}
TIME_READS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _allowed(line: str) -> bool:
    return ALLOW in line and bool(line.split(ALLOW, 1)[1].strip())


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line number, what) for each read of the machine's clock in Python ``source``:
    ``date.today``, ``datetime.now``/``utcnow``/``today``, ``time.time``, ``time.localtime``
    and the like, called or not, except on lines with an allow-wall-clock comment and a reason.
    Words in strings and comments are not reads."""
    tree = ast.parse(source)
    date_types, time_modules = set(DATE_TYPES), {"time"}
    found = []
    for node in ast.walk(tree):  # the names the module gives datetime's types and time
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            date_types |= {a.asname or a.name for a in node.names if a.name in DATE_TYPES}
        elif isinstance(node, ast.Import):
            time_modules |= {a.asname for a in node.names if a.name == "time" and a.asname}
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [(node.lineno, f"from time import {a.name}")
                      for a in node.names if a.name in TIME_READS]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _dotted(node.value)
        if (node.attr in DATE_READS and owner.rsplit(".", 1)[-1] in date_types) or (
                node.attr in TIME_READS and owner in time_modules):
            found.append((node.lineno, f"{owner}.{node.attr}"))
    lines = source.splitlines()
    return sorted((number, what) for number, what in found if not _allowed(lines[number - 1]))


def test_no_test_reads_the_wall_clock():
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 25  # the scan really looked at the suite
    reads = [f"{path.relative_to(ROOT)}:{number}: {what}"
             for path in files for number, what in wall_clock_reads(path.read_text())]
    assert reads == [], (
        "these lines read the machine's clock, so the tests would pass or fail by the day "
        "they run: take the date from the frozen_today fixture (or FROZEN_TODAY, FROZEN_NOW "
        f"in tests/conftest.py), or end the line with '{ALLOW} <why>'")


SAMPLE = '''\
import datetime as dt
import time
import time as clock_module
from datetime import date, datetime as DT
from time import localtime
a = dt.date.today()
b = dt.datetime.now(dt.UTC)
c = date.today()
d = DT.utcnow()
e = time.time()
f = clock_module.time_ns()
g = dt.datetime.now  # a reference is as good as a call
h = "dt.date.today() in a string is not a read"
# nor dt.datetime.now() in a comment
i = dt.date(2026, 11, 24), dt.date.fromisoformat("2026-11-24"), time.monotonic()
j = time.time()  # allow-wall-clock: how long the build took, not a date
k = time.time()  # allow-wall-clock:
'''


def test_the_guard_finds_each_way_of_reading_the_clock():
    assert wall_clock_reads(SAMPLE) == [
        (5, "from time import localtime"), (6, "dt.date.today"), (7, "dt.datetime.now"),
        (8, "date.today"), (9, "DT.utcnow"), (10, "time.time"), (11, "clock_module.time_ns"),
        (12, "dt.datetime.now"),
        (17, "time.time"),  # the allow-list needs a reason
    ]


# --- the frozen day itself ------------------------------------------------------------------


def test_the_hard_days_are_hard_in_the_fixtures_time_zone():
    name = yaml.safe_load((FIXTURE_DATA / "site.yaml").read_text())["timezone"]
    assert name == "America/Chicago"
    zone = zoneinfo.ZoneInfo(name)

    def offset(day: dt.date, hour: int) -> dt.timedelta:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).utcoffset()

    spring, autumn, leap = HARD_DAYS
    assert offset(spring, 1) < offset(spring, 4) and spring.month == 3  # clocks go forward
    assert offset(autumn, 0) > offset(autumn, 4) and autumn.month == 11  # clocks go back
    assert (leap.month, leap.day) == (2, 29)
    # After the fixture's day, so its last_verified dates are in the past on every one.
    assert all(day > FIXTURE_DAY for day in HARD_DAYS)


@pytest.mark.moves_with_today
def test_apps_and_commands_see_the_frozen_day(app, frozen_today):
    assert os.environ["DIRECTORY_TODAY"] == frozen_today.isoformat()
    assert os.environ["DIRECTORY_NOW"] == frozen_moment(frozen_today)
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    with app.app_context():
        assert clock.today() == frozen_today
        assert clock.now() == dt.datetime.combine(frozen_today, dt.time(10), tzinfo=chicago)


def test_today_option_moves_the_whole_run():
    """``--today`` (like DIRECTORY_TEST_TODAY) runs everything on one day: no hard days."""
    environment = {k: v for k, v in os.environ.items() if k != "DIRECTORY_TEST_TODAY"}
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "--today=2028-02-29", "tests/test_clock.py::test_apps_and_commands_see_the_frozen_day"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert listed.stdout.splitlines()[0] == (
        "tests/test_clock.py::test_apps_and_commands_see_the_frozen_day[2028-02-29]")
    assert "1 test collected" in listed.stdout


@pytest.mark.parametrize(("text", "message"), [
    ("2026-11-01", "DIRECTORY_TEST_TODAY 2026-11-01 is before 2026-11-24, the day tests/data is "
                   "written for: its last_verified dates would be in the future"),
    ("1/3/2027", 'DIRECTORY_TEST_TODAY "1/3/2027" is not a date (expected YYYY-MM-DD)'),
])
def test_a_day_the_suite_cannot_run_on_is_refused(text, message):
    with pytest.raises(pytest.UsageError) as refused:
        conftest._day(text, "DIRECTORY_TEST_TODAY")
    assert str(refused.value) == message


def test_the_readme_says_how_the_tests_clock_works():
    readme = (ROOT / "README.md").read_text()
    assert "scripts/test --today=" in readme and "DIRECTORY_TEST_TODAY" in readme
    assert "moves_with_today" in readme and ALLOW in readme
    for day in (FIXTURE_DAY, *HARD_DAYS):
        assert str(day) in readme, day
