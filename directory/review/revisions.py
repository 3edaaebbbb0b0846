"""A data folder as it was at a git revision, exported with ``git archive`` into a temporary
folder: no checkout, no change to the working tree, no network.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path


class RevisionError(Exception):
    """A revision cannot be read; the message says why and what to try."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed; compare two data folders instead") from None


def repository_root(start: Path) -> Path:
    """The top folder of the git repository that holds ``start``."""
    found = _git(start, "rev-parse", "--show-toplevel")
    if found.returncode:
        raise RevisionError(f"{start} is not inside a git repository; compare two data "
                            "folders instead (directory diff OLD_DATA_DIR NEW_DATA_DIR)")
    return Path(found.stdout.decode().strip())


def export_revision(repo: Path, revision: str, data_path: str, target: Path) -> Path:
    """Write the data folder as it was at ``revision`` under ``target``; return that folder.

    A revision from before the data folder existed gives an empty folder.
    """
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode:
        raise RevisionError(f'"{revision}" is neither a data folder nor a git revision of '
                            f"{repo} (try a branch, a tag or a commit; in CI, fetch the base "
                            "branch first)")
    folder = target / data_path
    listed = _git(repo, "ls-tree", "--name-only", revision, "--", data_path)
    if not listed.stdout.strip():
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    archive = _git(repo, "archive", "--format=tar", revision, "--", data_path)
    if archive.returncode:
        raise RevisionError(f"git archive {revision} failed: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # The "data" filter refuses links and paths outside the target (Python 3.11.4+).
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(target, **extra)
    return folder


def path_inside(repo: Path, data_dir: Path) -> str:
    """The data folder's path inside the repository ("data" when it lies elsewhere)."""
    try:
        return data_dir.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return "data"
