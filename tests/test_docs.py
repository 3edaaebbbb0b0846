"""The README documents every command and every data field the validator accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from directory.cli import commands as cli
from directory.data import retired, schema

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("command", [c.name for c in cli.COMMANDS])
def test_every_command_is_documented(command):
    assert f"directory {command}" in README


def _fields(check) -> set[str]:
    """Field names of a mapping checker, found through its closure."""
    names = set()
    for cell in check.__closure__ or []:
        value = cell.cell_contents
        if isinstance(value, dict):
            names.update(value)
    return names


@pytest.mark.parametrize("check", [
    schema.site("US"), schema.organization("US", [], []), schema.location("US"),
    schema.address("US"), schema.phone("US"),
], ids=["site", "organization", "location", "address", "phone"])
def test_every_field_is_documented(check):
    fields = _fields(check)
    assert fields
    missing = [f for f in fields if f"`{f}`" not in README]
    assert missing == []


def test_retired_ids_file_is_documented():
    assert "`retired.yaml`" in README
    for name in (*_fields(retired.RETIRED_ID), *retired.KINDS):
        assert f"`{name}`" in README, name


def test_every_service_field_and_enum_is_documented():
    for name in schema.service_fields("US", [], []):
        assert f"`{name}`" in README, name
    for value in (*schema.PHONE_TYPES, *schema.COSTS, *schema.ACCESS, *schema.REMOTE,
                  *schema.ACCESSIBILITY, *schema.STATUSES):
        assert f"`{value}`" in README, value


def test_readme_shows_the_two_commands():
    assert "scripts/serve" in README and "scripts/test" in README


def test_the_data_workflow_validates_and_posts_the_change_report():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "data.yml").read_text())
    assert workflow[True]["pull_request"]["paths"] == ["data/**"]  # YAML reads "on" as True
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["check"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "pip install -e ." in runs
    assert "directory validate --format github" in runs
    assert 'directory diff "origin/$BASE_REF" HEAD --format markdown' in runs
    assert any(step.get("uses", "").startswith("actions/github-script@") for step in steps)


def test_contributing_guide_covers_yaml_csv_messages_and_retiring():
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    for topic in ("```yaml", "```csv", "## Reading validation messages", "data/retired.yaml",
                  "last_verified"):
        assert topic in guide, topic
