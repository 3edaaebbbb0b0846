"""Fixtures: a tiny data set built by the real build, an app serving it, and copies to break."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from pathlib import Path

import pytest

from directory.build import pipeline
from directory.web.app import create_app

FIXTURE_DATA = Path(__file__).parent / "data"
# Tests run on this date, so ages like "2 months ago" and stale warnings never drift.
FROZEN_TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Every app and CLI run in a test sees FROZEN_TODAY as today (DIRECTORY_TODAY)."""
    monkeypatch.setenv("DIRECTORY_TODAY", FROZEN_TODAY.isoformat())
    return FROZEN_TODAY
# Every page is rendered at this moment (a Tuesday morning in the fixture's America/Chicago),
# so "open now" never depends on when the tests run. Tests that need another moment set NOW.
FROZEN_NOW = "2026-11-24T10:00:00"


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
def app(built_instance):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(built_instance),
                       "DATA_DIR": str(FIXTURE_DATA), "NOW": FROZEN_NOW})


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
def fresh_app(data_dir, instance):
    """An app over a private instance, for tests that rebuild while it serves."""
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATA_DIR": str(data_dir),
                       "NOW": FROZEN_NOW})
