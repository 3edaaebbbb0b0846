"""Fixtures: a tiny data set built by the real build, an app serving it, and copies to break.

The clock is frozen: no test reads the machine's date or time. The frozen day is one
place's business (``FROZEN_TODAY`` below), ``--today=YYYY-MM-DD`` or ``DIRECTORY_TEST_TODAY``
moves it for a whole run, and tests marked ``moves_with_today`` also run on ``HARD_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from pathlib import Path

import pytest

from directory import create_app, pipeline

FIXTURE_DATA = Path(__file__).parent / "data"
# Tests run on this date, so ages like "2 months ago" and stale warnings never drift. A Tuesday;
# no date in tests/data is later, so any later day works too (an earlier one makes the
# fixture's last_verified dates "in the future", which is an error).
DEFAULT_TODAY = dt.date(2026, 11, 24)
# Days that date arithmetic gets wrong, in the fixture's America/Chicago: the Sundays the clocks
# go forward and back, and a leap day. Tests marked moves_with_today run on each of them as well.
HARD_DAYS = (dt.date(2027, 3, 14), dt.date(2027, 11, 7), dt.date(2028, 2, 29))
# The time of day of the frozen moment: every page is rendered at it (FROZEN_NOW).
FROZEN_TIME = dt.time(10, 0)


def frozen_moment(day: dt.date) -> str:
    """The moment pages are rendered at on ``day``, as NOW reads it (the site's zone)."""
    return dt.datetime.combine(day, FROZEN_TIME).isoformat()


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f'"{text}" is not a date (expected YYYY-MM-DD)') from None


DAYS = pytest.StashKey[list]()  # the days tests marked moves_with_today run on
# Set once per run by pytest_configure (from --today or DIRECTORY_TEST_TODAY); tests import them.
FROZEN_TODAY = DEFAULT_TODAY
FROZEN_NOW = frozen_moment(FROZEN_TODAY)  # 2026-11-24T10:00:00: a Tuesday morning


def pytest_addoption(parser):
    parser.addoption(
        "--today", metavar="YYYY-MM-DD", default=None,
        help="the date the tests treat as today, for the whole run (default: "
             f"$DIRECTORY_TEST_TODAY, else {DEFAULT_TODAY}). Without it, tests marked "
             "moves_with_today also run on " + ", ".join(map(str, HARD_DAYS)) + ".")


def pytest_configure(config):
    global FROZEN_TODAY, FROZEN_NOW
    config.addinivalue_line(
        "markers", "moves_with_today: date-sensitive; runs on the frozen day and, unless "
                   "--today or DIRECTORY_TEST_TODAY picks one day, on each of HARD_DAYS")
    chosen = config.getoption("--today") or os.environ.get("DIRECTORY_TEST_TODAY")
    FROZEN_TODAY = _day(chosen) if chosen else DEFAULT_TODAY
    FROZEN_NOW = frozen_moment(FROZEN_TODAY)
    config.stash[DAYS] = [FROZEN_TODAY] if chosen else [FROZEN_TODAY, *HARD_DAYS]


def pytest_report_header(config):
    first, *others = config.stash[DAYS]
    also = f"; moves_with_today tests also on {', '.join(map(str, others))}" if others else ""
    return f"frozen today: {first}{also}"


def pytest_generate_tests(metafunc):
    """A test marked moves_with_today runs once on each frozen day, its id ending in the day."""
    if metafunc.definition.get_closest_marker("moves_with_today"):
        metafunc.parametrize("frozen_today", metafunc.config.stash[DAYS], indirect=True,
                             ids=str)


@pytest.fixture(autouse=True)
def frozen_today(request, monkeypatch) -> dt.date:
    """Today, for this test: FROZEN_TODAY, or each day in turn for tests marked
    moves_with_today. Every app and CLI run in a test sees it (DIRECTORY_TODAY), and the
    moment of frozen_now (DIRECTORY_NOW), unless the test sets another."""
    day = getattr(request, "param", FROZEN_TODAY)
    monkeypatch.setenv("DIRECTORY_TODAY", day.isoformat())
    monkeypatch.setenv("DIRECTORY_NOW", frozen_moment(day))
    return day


@pytest.fixture
def frozen_now(frozen_today) -> str:
    """The moment pages are rendered at: the frozen day at 10:00 in the site's zone. Tests that
    need a weekday or an hour (a Tuesday morning) set NOW themselves."""
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
