"""Fixtures: a tiny data set built by the real build, an app serving it, and copies to break.

The clock is frozen: no test reads the machine's date or time (tests/test_clock.py checks).
Today is FROZEN_TODAY, set in one place below: FIXTURE_DAY, unless --today=YYYY-MM-DD or
DIRECTORY_TEST_TODAY moves it for the whole run. Tests marked moves_with_today also run on
HARD_DAYS; tests marked on_fixture_day keep FIXTURE_DAY whatever the run's day.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from pathlib import Path

import pytest

from directory.build import pipeline
from directory.web.app import create_app

FIXTURE_DATA = Path(__file__).parent / "data"
# The day tests/data is written for (a Tuesday): no listing in it is stale yet, and none was
# verified later. Tests run on it unless --today says otherwise; a later day works as well
# (an earlier one would put the fixture's last_verified dates in the future, an error).
FIXTURE_DAY = dt.date(2026, 11, 24)
# Days that date arithmetic gets wrong, in the fixture's America/Chicago: the Sundays the clocks
# go forward and back, and a leap day. Tests marked moves_with_today run on each of them too.
HARD_DAYS = (dt.date(2027, 3, 14), dt.date(2027, 11, 7), dt.date(2028, 2, 29))
# The time of day of the frozen moment: pages are rendered at it (FROZEN_NOW).
FROZEN_TIME = dt.time(10, 0)


def frozen_moment(day: dt.date) -> str:
    """The moment pages are rendered at on ``day``, as NOW reads it (in the site's zone)."""
    return dt.datetime.combine(day, FROZEN_TIME).isoformat()


# The run's frozen day and moment: FIXTURE_DAY, or the day --today or DIRECTORY_TEST_TODAY
# gives (set by pytest_configure, before any test module imports them).
FROZEN_TODAY = FIXTURE_DAY
FROZEN_NOW = frozen_moment(FROZEN_TODAY)  # 2026-11-24T10:00:00, a Tuesday morning
DAYS = pytest.StashKey[list]()  # the days tests marked moves_with_today run on


def pytest_addoption(parser):
    parser.addoption(
        "--today", metavar="YYYY-MM-DD", default=None,
        help=f"the day the tests take as today, for the whole run (default: "
             f"$DIRECTORY_TEST_TODAY, else {FIXTURE_DAY}; not earlier). Without it, tests "
             f"marked moves_with_today also run on {', '.join(map(str, HARD_DAYS))}.")


def _day(text: str, source: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f'{source} "{text}" is not a date (expected YYYY-MM-DD)') \
            from None
    if day < FIXTURE_DAY:
        raise pytest.UsageError(f"{source} {day} is before {FIXTURE_DAY}, the day tests/data "
                                "is written for: its last_verified dates would be in the future")
    return day


def pytest_configure(config):
    global FROZEN_TODAY, FROZEN_NOW
    config.addinivalue_line(
        "markers", "moves_with_today: date-sensitive; runs on the frozen day and, unless "
                   "--today or DIRECTORY_TEST_TODAY names one, on each of HARD_DAYS too")
    config.addinivalue_line(
        "markers", "on_fixture_day: runs on FIXTURE_DAY whatever --today says: it tests "
                   "something else on data that is fresh only then, or needs its Tuesday")
    option, variable = config.getoption("--today"), os.environ.get("DIRECTORY_TEST_TODAY")
    chosen = option or variable
    FROZEN_TODAY = _day(chosen, "--today" if option else "DIRECTORY_TEST_TODAY") \
        if chosen else FIXTURE_DAY
    FROZEN_NOW = frozen_moment(FROZEN_TODAY)
    config.stash[DAYS] = [FROZEN_TODAY] if chosen else [FROZEN_TODAY, *HARD_DAYS]


def pytest_report_header(config):
    first, *others = config.stash[DAYS]
    also = f"; moves_with_today tests also on {', '.join(map(str, others))}" if others else ""
    return f"frozen today: {first}{also}"


def pytest_generate_tests(metafunc):
    """A test marked moves_with_today runs once on each day, its id ending in the day."""
    if metafunc.definition.get_closest_marker("moves_with_today"):
        metafunc.parametrize("frozen_today", metafunc.config.stash[DAYS], indirect=True,
                             ids=str)


@pytest.fixture(autouse=True)
def frozen_today(request, monkeypatch) -> dt.date:
    """Today, for this test: FROZEN_TODAY; each day in turn for tests marked moves_with_today;
    FIXTURE_DAY for tests marked on_fixture_day. Every app and CLI run in the test sees it
    (DIRECTORY_TODAY) and its moment (DIRECTORY_NOW, see frozen_now) unless told otherwise."""
    if hasattr(request, "param"):
        day = request.param
    elif request.node.get_closest_marker("on_fixture_day"):
        day = FIXTURE_DAY
    else:
        day = FROZEN_TODAY
    monkeypatch.setenv("DIRECTORY_TODAY", day.isoformat())
    monkeypatch.setenv("DIRECTORY_NOW", frozen_moment(day))
    return day


@pytest.fixture
def frozen_now(frozen_today) -> str:
    """The moment pages are rendered at: 10:00 on the test's day, in the site's zone. Tests
    that need a particular weekday or hour set NOW themselves (or are on_fixture_day)."""
    return frozen_moment(frozen_today)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test may touch the network: a geocoder that tries fails the test loudly."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def build_into(data_dir: Path, instance: Path) -> pipeline.Outcome:
    outcome = pipeline.run(data_dir, instance, today=FROZEN_TODAY)
    assert not outcome.report.errors, [str(p) for p in outcome.report.errors]
    return outcome


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory) -> Path:
    """One build of 1,500 synthetic services (seed 7): the same few sentences over and over,
    so words and phrases match hundreds of services with equal scores, in several segments
    (the parallel writer). Shared by the ranking and phrase tests, which only read it."""
    from directory.tools.synthetic import write_synthetic_data

    root = tmp_path_factory.mktemp("synthetic-1500")
    write_synthetic_data(root / "data", 1500, seed=7)
    return build_into(root / "data", root / "instance").build


@pytest.fixture(scope="session")
def built_instance(tmp_path_factory) -> Path:
    """An instance folder holding one build of tests/data (shared: tests only read it)."""
    instance = tmp_path_factory.mktemp("instance")
    build_into(FIXTURE_DATA, instance)
    return instance


@pytest.fixture
def app(built_instance, frozen_today, frozen_now):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                       "DATA_DIR": str(FIXTURE_DATA), "NOW": frozen_now,
                       "TODAY": frozen_today.isoformat()})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A private copy of tests/data that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


@pytest.fixture
def rebuild():
    """Build a data folder into an instance with the real pipeline; fail on data errors."""
    return build_into


@pytest.fixture
def instance(tmp_path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def fresh_app(data_dir, instance, frozen_today, frozen_now):
    """An app over a private instance, for tests that rebuild while it serves."""
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATA_DIR": str(data_dir),
                       "NOW": frozen_now, "TODAY": frozen_today.isoformat()})
