"""The ``directory`` command through click's runner: messages and exit codes maintainers see."""

from __future__ import annotations

import pytest

from directory.cli import commands as cli
from directory.cli import group
from directory.web.app import create_app


def run(instance, *args):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    runner = app.test_cli_runner(mix_stderr=False) if _mix_supported() else app.test_cli_runner()
    return runner.invoke(group(), args=list(args))


def _mix_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


@pytest.mark.on_fixture_day  # later, the fixture's listings are stale: warnings
def test_validate_ok(instance, data_dir):
    result = run(instance, "validate", str(data_dir))
    assert result.exit_code == 0
    assert result.stdout.strip() == "ok: 4 organizations, 8 services"


@pytest.mark.on_fixture_day
def test_validate_lists_every_error_and_exits_1(instance, data_dir):
    org = data_dir / "organizations" / "northside-warmline.yaml"
    org.write_text(org.read_text().replace('"+1 773 555 0120"', '"12"')
                   .replace("cost: free", "cost: gratis"))
    result = run(instance, "validate", str(data_dir))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith('northside-warmline.yaml:10: services[0].phones[0].number: "12" is '
                             "not a phone number (expected e.g. +1 555 0100)")
    assert lines[1].endswith('northside-warmline.yaml:12: services[0].cost: "gratis" is not a '
                             "cost (expected one of: free, sliding-scale, paid)")
    assert lines[-1] == "Error: 2 errors, 0 warnings; nothing was changed"


def test_build_then_failed_build_keeps_the_old_one(instance, data_dir):
    result = run(instance, "build", str(data_dir))
    assert result.exit_code == 0 and "4 organizations, 8 services" in result.stdout
    current = (instance / "current").resolve()
    (data_dir / "taxonomy.yaml").write_text("categories: nope\n")
    result = run(instance, "build", str(data_dir))
    assert result.exit_code == 1
    assert "the site keeps serving the previous build" in result.stderr
    assert (instance / "current").resolve() == current


def test_build_if_changed_is_quiet_when_nothing_changed(instance, data_dir):
    run(instance, "build", str(data_dir))
    result = run(instance, "build", "--if-changed", str(data_dir))
    assert result.exit_code == 0 and result.stdout == ""


def test_help_shows_an_example(instance):
    for command in cli.COMMANDS:
        result = run(instance, command.name, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command.name
        assert f"directory {command.name}" in result.stdout, command.name


def test_every_command_also_works_under_flask():
    """``flask --app directory <command>`` finds each command through the entry points in
    pyproject.toml (the app itself never imports the CLI)."""
    from importlib.metadata import entry_points

    found = {point.name: point.load() for point in entry_points(group="flask.commands")
             if point.value.startswith("directory.")}
    assert found == {command.name: command for command in cli.COMMANDS}
