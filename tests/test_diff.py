"""The change report: what a reviewer reads on a pull request, for folders and git revisions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from directory import cli as directory_cli
from directory.build.pipeline import check
from directory.review import diff
from directory.web.app import create_app
from tests.conftest import FIXTURE_DATA, FROZEN_TODAY

NEW_SERVICE = """\
  - id: northside-night-line
    name: Night line
    categories: [crisis-hotline]
    phones: [{number: "+1 773 555 0122", type: voice}]
    last_verified: 2026-11-20
"""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def change_data(data: Path) -> None:
    """A pull request's worth of edits: add, remove, rename, fields, a reformatted phone."""
    orgs = data / "organizations"
    edit(orgs / "harbour-youth-trust.yaml", '{number: "+1 312 555 0101", type: voice}',
         '{number: "+1 312 555 0199", type: voice}')
    edit(orgs / "harbour-youth-trust.yaml", 'hours: "Mo-Fr 15:00-19:00; Sa 12:00-16:00"',
         'hours: "Mo-Th 15:00-19:00; Sa 12:00-16:00"')
    edit(orgs / "harbour-youth-trust.yaml", "email: hello@harbour.example.org",
         "email: help@harbour.example.org")
    text = (orgs / "harbour-youth-trust.yaml").read_text()
    (orgs / "harbour-youth-trust.yaml").write_text(  # the old camp goes, its roles stay
        text[:text.index("  - id: harbour-old-camp")] + text[text.index("volunteer:"):])
    edit(orgs / "riverside-counseling-center.yaml", "name: Individual counseling",
         "name: Individual counselling")
    edit(orgs / "riverside-counseling-center.yaml", "address_2: Floor 2", "address_2: Floor 3")
    edit(orgs / "northside-warmline.yaml", '"+1 773 555 0120"', '"(773) 555-0120"')
    (orgs / "northside-warmline.yaml").write_text(
        (orgs / "northside-warmline.yaml").read_text() + NEW_SERVICE)


@pytest.fixture
def versions(tmp_path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURE_DATA, old)
    shutil.copytree(FIXTURE_DATA, new)
    change_data(new)
    return old, new


EXPECTED_TEXT = """\
Directory data: old → new
Services: 1 added, 1 removed, 1 renamed, 1 changed
Organizations: 1 changed
Locations: 1 changed

Services
  added: Night line (northside-night-line), Northside Warmline
  removed: Summer camp counselling (harbour-old-camp), Harbour Youth Trust
  renamed: Individual counseling → Individual counselling (riverside-therapy)
  Youth drop-in counselling (harbour-youth-drop-in): hours Mo-Fr 15:00-19:00; Sa 12:00-16:00 \
→ Mo-Th 15:00-19:00; Sa 12:00-16:00; phones (312) 555-0101, (312) 555-0102 (text) → \
(312) 555-0199, (312) 555-0102 (text)

Organizations
  Harbour Youth Trust (harbour-youth-trust): email hello@harbour.example.org → \
help@harbour.example.org

Locations
  400 River Road (riverside-office): address 400 River Road, Floor 2, Testville, IL 60622 → \
400 River Road, Floor 3, Testville, IL 60622"""


def compare_folders(old: Path, new: Path) -> diff.DataDiff:
    (before, _, _), (after, _, _) = check(old, FROZEN_TODAY), check(new, FROZEN_TODAY)
    return diff.compare(before, after)


def test_text_report_for_people(versions):
    assert diff.to_text(compare_folders(*versions), "old", "new") == EXPECTED_TEXT


def test_markdown_report_for_a_pull_request(versions):
    report = diff.to_markdown(compare_folders(*versions), "origin/main", "HEAD")
    assert report.startswith("### Directory data: origin/main → HEAD\n\n"
                             "- **Services:** 1 added, 1 removed, 1 renamed, 1 changed\n")
    for line in [
        "#### Services",
        "- Added: **Night line** (`northside-night-line`), Northside Warmline",
        "- Removed: **Summer camp counselling** (`harbour-old-camp`), Harbour Youth Trust",
        "- Renamed: Individual counseling → **Individual counselling** (`riverside-therapy`)",
        "- **Harbour Youth Trust** (`harbour-youth-trust`): email hello\\@harbour.example.org → "
        "help\\@harbour.example.org",
        "- **Youth drop-in counselling** (`harbour-youth-drop-in`)",
        "  - hours Mo-Fr 15:00-19:00; Sa 12:00-16:00 → Mo-Th 15:00-19:00; Sa 12:00-16:00",
        "  - phones (312) 555-0101, (312) 555-0102 (text) → (312) 555-0199, (312) 555-0102 (text)",
    ]:
        assert line in report.splitlines(), line


def test_markdown_escapes_what_the_data_says(versions):
    old, new = versions
    edit(new / "organizations" / "riverside-counseling-center.yaml",
         "name: Individual counselling", "name: Counselling *for* <you> @team")
    report = diff.to_markdown(compare_folders(old, new), "a", "b")
    assert ("- Renamed: Individual counseling → **Counselling \\*for\\* \\<you\\> \\@team** "
            "(`riverside-therapy`)") in report


def test_no_changes(tmp_path):
    report = compare_folders(FIXTURE_DATA, FIXTURE_DATA)
    assert not report
    assert diff.to_markdown(report, "main", "HEAD").endswith(
        "No changes to services, organizations, locations or site settings.\n")


def test_site_settings_and_errors_are_reported(versions):
    old, new = versions
    edit(new / "site.yaml", '{number: "988", type: text', '{number: "741741", type: text')
    edit(new / "organizations" / "northside-warmline.yaml", "cost: free", "cost: gratis")
    (before, _, _), (after, report, _) = check(old, FROZEN_TODAY), check(new, FROZEN_TODAY)
    text = diff.to_text(diff.compare(before, after, 0, len(report.errors)), "a", "b")
    assert ("Note: the new data has 1 validation error (directory validate lists them); "
            "records with errors may be compared only in part.") in text
    assert ("  crisis lines 988 Suicide & Crisis Lifeline (988, 988 (text)) → "
            "988 Suicide & Crisis Lifeline (988, 741741 (text))") in text
    assert "Peer warmline (northside-warmline): cost free → (none)" in text
    markdown = diff.to_markdown(diff.compare(before, after), "a", "b")
    assert ("#### Site settings\n- crisis lines 988 Suicide & Crisis Lifeline (988, 988 (text)) → "
            "988 Suicide & Crisis Lifeline (988, 741741 (text))\n") in markdown


# --- git revisions ---------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose history is: a README, then the data, then a pull request's edits."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test Maintainer")
    git(repo, "config", "user.email", "maintainer@example.org")
    (repo / "README.md").write_text("A directory\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    shutil.copytree(FIXTURE_DATA, repo / "data")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data")
    git(repo, "tag", "with-data")
    change_data(repo / "data")
    git(repo, "commit", "-q", "-am", "edits")
    return repo


def run_diff(repo: Path, tmp_path: Path, *args: str):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "DATA_DIR": str(repo / "data")})
    return app.test_cli_runner().invoke(directory_cli.group(), args=["diff", *args])


def test_git_revisions(repo, tmp_path):
    result = run_diff(repo, tmp_path, "with-data", "HEAD")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == EXPECTED_TEXT.replace("old → new", "with-data → HEAD")


def test_git_revision_against_a_folder_and_markdown(repo, tmp_path):
    result = run_diff(repo, tmp_path, "main~1", str(repo / "data"), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "- Added: **Night line** (`northside-night-line`), Northside Warmline" in result.stdout


def test_a_revision_from_before_the_data_folder(repo, tmp_path):
    result = run_diff(repo, tmp_path, "main~2", "main~1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == ("Note: the old data has 2 validation errors (directory validate lists "
                        "them); records with errors may be compared only in part.")
    assert "Services: 8 added" in lines


def test_unknown_revision_says_what_to_try(repo, tmp_path):
    result = run_diff(repo, tmp_path, "origin/main", "HEAD")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f'Error: "origin/main" is neither a data folder nor a git revision of {repo.resolve()} '
        "(try a branch, a tag or a commit; in CI, fetch the base branch first)")
