"""The malformed-data corpus: every broken file gives its exact messages, exit 1, fast.

Each case in ``tests/malformed/cases/`` is one broken data file; ``manifest.yaml`` says which
file of ``tests/data`` it replaces (``into``), what is wrong with it (``what``) and the exact
error lines ``directory validate`` must print (``errors``). The test copies the fixture data,
drops the case in, runs the real command and checks its output, its exit code, that it ends
within a few seconds and that it does not grow the process's memory by much.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from directory.cli import group
from directory.web.app import create_app
from tests.conftest import FIXTURE_DATA

CORPUS = Path(__file__).parent / "malformed"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
SECONDS = 10  # a case that takes longer than this has hung
MEGABYTES = 256  # the most one case may add to the process's peak memory


class Hung(Exception):
    pass


def validate(data_dir: Path, instance: Path) -> tuple[int, str, float]:
    """Run ``directory validate --quiet`` on a folder: exit code, stderr, seconds taken."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    runner = app.test_cli_runner()

    def hung(*_):
        raise Hung(f"validate took more than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(SECONDS)
    started = time.perf_counter()
    try:
        result = runner.invoke(group(), ["validate", "--quiet", str(data_dir)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr, time.perf_counter() - started


def place(case: dict, root: Path) -> Path:
    """A copy of the fixture data with the case's file dropped in; returns the data folder."""
    data = root / "data"
    shutil.copytree(FIXTURE_DATA, data)
    target = data / case["into"]
    target.write_bytes((CORPUS / "cases" / case["case"]).read_bytes())
    return data


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def test_the_corpus_is_large_and_every_case_has_a_file():
    files = sorted(path.name for path in (CORPUS / "cases").iterdir())
    assert files == sorted(case["case"] for case in MANIFEST)
    assert len(files) >= 150
    assert all(case["errors"] and case["what"] for case in MANIFEST)


@pytest.mark.parametrize("case", MANIFEST, ids=[case["case"] for case in MANIFEST])
def test_each_broken_file_gives_its_exact_messages(case, tmp_path, instance, monkeypatch):
    data = place(case, tmp_path)
    monkeypatch.chdir(tmp_path)  # messages name files as a maintainer types them: data/...
    before = _peak_mb()
    code, stderr, _ = validate(Path("data"), instance)
    assert "Traceback" not in stderr
    assert stderr.splitlines() == case["errors"], case["what"]
    assert code == 1
    assert _peak_mb() - before < MEGABYTES
    assert data.is_dir()


# --- files that cannot be committed: made here, each with its one line -----------------

ORG = "data/organizations/special.yaml"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str):
    return lambda path: path.symlink_to(target)


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inner.yaml").write_text("id: inner\n")


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: 65 MB on paper, nothing on disk
        handle.truncate(65 * 1024 * 1024)


SPECIAL = {
    "fifo": (_fifo, f"{ORG}: is a named pipe (FIFO), not a regular file; only regular files "
                    "are read, so remove it"),
    "dev-zero": (_link("/dev/zero"), f"{ORG}: is a symbolic link to a file outside the data "
                                     "folder; only files inside it are read, so replace the "
                                     "link with the file"),
    "etc-passwd": (_link("/etc/passwd"), f"{ORG}: is a symbolic link to a file outside the data "
                                         "folder; only files inside it are read, so replace the "
                                         "link with the file"),
    "dangling": (_link("nowhere.yaml"), f"{ORG}: is a symbolic link to a file that does not "
                                        "exist; remove it or replace it with the file itself"),
    "loop": (_loop, f"{ORG}: is a symbolic link that loops; replace it with the file itself"),
    "folder": (_folder, f"{ORG}: is a folder, not a file; rename it or move its files up"),
    "too-big": (_huge, f"{ORG}: is 65 MB, over the 64 MB limit for one data file; split it "
                       "(one organization per file)"),
}


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_files_are_refused_in_one_line(kind, tmp_path, instance, monkeypatch):
    make, message = SPECIAL[kind]
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    make(tmp_path / ORG)
    monkeypatch.chdir(tmp_path)
    code, stderr, seconds = validate(Path("data"), instance)
    assert stderr.splitlines() == [message, "Error: 1 errors, 0 warnings; nothing was changed"]
    assert code == 1 and seconds < SECONDS
    assert "root:" not in stderr


def test_a_link_inside_the_data_folder_is_read(tmp_path, instance, monkeypatch):
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    organizations = tmp_path / "data" / "organizations"
    (organizations / "harbour-youth-trust.yaml").rename(tmp_path / "data" / "harbour.txt")
    (organizations / "harbour-youth-trust.yaml").symlink_to("../harbour.txt")
    monkeypatch.chdir(tmp_path)
    code, stderr, _ = validate(Path("data"), instance)
    assert (code, stderr) == (0, "")


def test_the_site_settings_as_a_fifo_do_not_hang(tmp_path, instance, monkeypatch):
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    (tmp_path / "data" / "site.yaml").unlink()
    os.mkfifo(tmp_path / "data" / "site.yaml")
    monkeypatch.chdir(tmp_path)
    code, stderr, _ = validate(Path("data"), instance)
    assert code == 1
    assert stderr.splitlines()[0] == ("data/site.yaml: is a named pipe (FIFO), not a regular "
                                      "file; only regular files are read, so remove it")


def test_a_file_that_is_not_yaml_is_named_as_a_warning(tmp_path, instance, monkeypatch):
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    (tmp_path / "data" / "organizations" / "notes.txt").write_text("to do\n")
    monkeypatch.chdir(tmp_path)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    result = app.test_cli_runner().invoke(group(), ["validate", "data"])
    assert result.exit_code == 0
    assert ("data/organizations/notes.txt: warning: is not a .yaml file, so it is not read; "
            "organizations/ holds one <org-id>.yaml file per organization") in result.stderr


PEAK = """
import json, resource, subprocess, sys
limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
result = subprocess.run([sys.executable, "-m", "directory", "validate", "--quiet", "data"],
                        capture_output=True, text=True, timeout=60, preexec_fn=limit)
print(json.dumps({"code": result.returncode, "stderr": result.stderr,
                  "megabytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def test_validate_in_its_own_process_is_bounded_in_time_and_memory(tmp_path):
    """The real command, its peak memory measured: /dev/zero, a FIFO, an alias bomb and a
    65 MB file at once give their lines and exit 1 within seconds, in about the memory of
    validating the fixture data alone (60 MB), however they are read."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "organizations" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(data / "organizations" / "pipe.yaml")
    os.mkfifo(data / "services.csv.tmp")
    _huge(data / "organizations" / "big.yaml")
    bomb = next(case for case in MANIFEST if "billion-laughs" in case["case"])
    (data / "organizations" / "laughs.yaml").write_bytes(
        (CORPUS / "cases" / bomb["case"]).read_bytes().replace(b"harbour", b"laughs"))
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(tmp_path / "instance"))
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", PEAK], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(run.stdout)
    assert result["code"] == 1, result["stderr"]
    assert "Traceback" not in result["stderr"]
    assert time.monotonic() - started < 60
    assert result["megabytes"] < 150, result["megabytes"]
    lines = result["stderr"].splitlines()
    for start in ("data/organizations/zero.yaml: is a symbolic link",
                  "data/organizations/pipe.yaml: is a named pipe",
                  "data/organizations/big.yaml: is 65 MB",
                  "data/organizations/laughs.yaml:56: stands for more than 2,000,000 values"):
        assert any(line.startswith(start) for line in lines), (start, lines)
