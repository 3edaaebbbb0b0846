"""Progress: a bar on a terminal, plain lines in CI logs, nothing under --quiet."""

from __future__ import annotations

import io
import re

from directory.cli.progress import progress, track
from tests.test_cli import run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plain(text: str) -> list[str]:
    """Lines without the elapsed time, which varies."""
    return [re.sub(r" \[\d+\.\d+s\]$", "", line) for line in text.splitlines()]


def test_plain_lines_at_each_stage():
    log = io.StringIO()
    with progress("build", stages=["load", "validate", "write"], stream=log) as meter:
        for stage in ("load", "validate", "write"):
            meter.stage(stage)
    assert plain(log.getvalue()) == ["build: load (1/3)", "build: validate (2/3)",
                                     "build: write (3/3)"]
    assert re.fullmatch(r"build: load \(1/3\) \[\d+\.\ds\]", log.getvalue().splitlines()[0])


def test_plain_lines_at_every_tenth_of_the_items():
    log = io.StringIO()
    assert list(track(range(25), "geocode", stream=log)) == list(range(25))
    assert plain(log.getvalue()) == [
        f"geocode: {done}/25 ({done * 100 // 25}%)" for done in (3, 5, 8, 10, 13, 15, 18, 20,
                                                                 23, 25)]


def test_a_bar_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    screen = Terminal()
    with progress("build", stages=["load", "validate"], stream=screen) as meter:
        meter.stage("load")
        meter.stage("validate")
    drawn = screen.getvalue()
    assert "0/2  load" in drawn and "1/2  validate" in drawn and "2/2" in drawn
    assert "build: load (1/2)" not in drawn  # no plain lines on a terminal


def test_ci_gets_plain_lines_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    screen = Terminal()
    with progress("build", stages=["load"], stream=screen) as meter:
        meter.stage("load")
    assert plain(screen.getvalue()) == ["build: load (1/1)"]


def test_disabled_prints_nothing():
    log = io.StringIO()
    with progress("build", stages=["load"], stream=log, enabled=False) as meter:
        meter.stage("load")
    assert log.getvalue() == ""


def test_build_shows_its_stages(instance, data_dir):
    result = run(instance, "build", str(data_dir))
    assert result.exit_code == 0
    stages = [line for line in plain(result.stderr) if line.startswith("build: ")]
    assert stages == ["build: load (1/5)", "build: validate (2/5)", "build: geocode (3/5)",
                      "build: write database and index (4/5)",
                      "build: write the Open Referral export (5/5)"]
    quiet = run(instance, "build", "--quiet", str(data_dir))
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_failed_build_leaves_the_bar_where_it_stopped(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    screen = Terminal()
    with progress("build", stages=["load", "validate", "write"], stream=screen) as meter:
        meter.stage("load")
        meter.stage("validate")
    assert "1/3  validate" in screen.getvalue() and "3/3" not in screen.getvalue()
