"""The malformed-data corpus: every broken file gives its exact messages, exit 1, fast.

Each case in ``tests/malformed/cases/`` is one broken data file; ``manifest.yaml`` says which
file of ``tests/data`` it replaces (``into``), what is wrong with it (``what``) and the exact
error lines ``directory validate`` must print (``errors``). The test copies the fixture data,
drops the case in, runs the real command and checks its output, its exit code, that it ends
within a few seconds and that it does not grow the process's memory by much.
"""

from __future__ import annotations

import resource
import shutil
import signal
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
