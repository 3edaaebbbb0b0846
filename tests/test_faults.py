"""Faults: a build killed at any moment, and a damaged build at start-up."""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from directory.build.layout import NoBuild, verify

BUILD = [sys.executable, "-m", "directory", "build", "--quiet"]


def run_build(data_dir: Path, instance: Path) -> subprocess.Popen:
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance))
    return subprocess.Popen([*BUILD, str(data_dir)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def test_build_killed_at_random_moments_never_breaks_serving(data_dir, instance, rebuild):
    first = rebuild(data_dir, instance).build
    rng = random.Random(7)
    previous, killed_before_switch = first, 0
    for attempt in range(6):
        (data_dir / "site.yaml").write_text(
            (data_dir / "site.yaml").read_text() + f"# attempt {attempt}\n")
        process = run_build(data_dir, instance)
        time.sleep(rng.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        served = verify(instance)  # whatever happened, current is a complete build
        assert served.path.parent == first.parent
        killed_before_switch += served.path == previous
        previous = served.path
    assert killed_before_switch > 0  # some kills really landed mid-build
    finished = run_build(data_dir, instance)
    assert finished.wait(timeout=60) == 0, finished.stderr.read().decode()
    latest = verify(instance)
    assert latest.path != first and latest.manifest["counts"]["services"] == 8


@pytest.fixture
def damaged(data_dir, instance, rebuild):
    build = rebuild(data_dir, instance).build
    return instance, build


def _damage(instance: Path, build: Path, damage: str) -> None:
    if damage == "no current":
        (instance / "current").unlink()
    elif damage == "current loop":
        (instance / "current").unlink()
        (instance / "current").symlink_to("current")
    elif damage == "current is a folder":
        (instance / "current").unlink()
        (instance / "current").mkdir()
    elif damage.startswith("manifest "):
        (build / "manifest.json").write_text(damage.removeprefix("manifest "))
    elif damage == "no manifest":
        (build / "manifest.json").unlink()
    elif damage == "garbage database":
        (build / "directory.db").write_bytes(b"this is not a database" * 100)
    elif damage == "no index":
        shutil.rmtree(build / "index")
    else:
        for part in (build / "index").iterdir():
            part.unlink()


DAMAGES = ["no current", "no manifest", "garbage database", "no index", "empty index",
           "current loop", "current is a folder", "manifest {}", "manifest []", "manifest null",
           'manifest {"id": 5, "site": {}}', 'manifest {"id": "x"}']


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_build_is_named_clearly(damaged, damage):
    instance, build = damaged
    _damage(instance, build, damage)
    with pytest.raises(NoBuild) as error:
        verify(instance)
    message = str(error.value)
    assert "directory build" in message and "Traceback" not in message


def test_gunicorn_refuses_to_start_without_a_build(instance):
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance), PORT="0")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run([str(gunicorn), "-c", "python:directory.gunicorn_conf",
                             "directory.wsgi:app"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert f"directory: cannot start: no build at {instance}/current; run `directory build` first" \
        in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("damage", ["truncated database", "deleted folder", "database overwritten",
                                    "index deleted"])
def test_a_build_damaged_under_a_running_server_gives_the_no_build_page(
        fresh_app, data_dir, instance, rebuild, damage):
    build = rebuild(data_dir, instance).build
    client = fresh_app.test_client()
    assert client.get("/search?q=counselling").status_code == 200  # the build is open
    if damage == "truncated database":
        with (build / "directory.db").open("r+b") as handle:
            handle.truncate(4096)
    elif damage == "deleted folder":
        shutil.rmtree(build)
    elif damage == "database overwritten":
        (build / "directory.db").write_bytes(b"\0" * 8192)
    else:
        shutil.rmtree(build / "index")
        (build / "directory.db").unlink()
    for page in ("/services/harbour-youth-drop-in", "/search?q=drop-in", "/categories/drop-in"):
        response = client.get(page)  # pages not served before, so not in the page cache
        assert response.status_code == 503, (page, response.status_code)
        body = response.get_data(as_text=True)
        assert "988" in body and "Traceback" not in body
    if damage == "deleted folder":
        (data_dir / "site.yaml").write_text((data_dir / "site.yaml").read_text() + "# again\n")
    rebuild(data_dir, instance)  # a new build is noticed without a restart
    assert client.get("/services/harbour-youth-drop-in").status_code == 200


# --- the build's indexing processes (issue 14) -----------------------------------------

PARALLEL = pytest.mark.skipif((os.cpu_count() or 1) < 2,
                              reason="the index is written by several processes on 2+ cores")


def _descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` now, by pid, with its start time (a pid can be reused)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = (int(fields[1]), fields[19])
    found, frontier = {}, {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in parents.items() if parent in frontier}
        found |= {pid: parents[pid][1] for pid in frontier}
    return found


def _still_running(processes: dict[int, str]) -> list[int]:
    alive = []
    for pid, started in processes.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[19] == started and fields[0] != "Z":
            alive.append(pid)
    return alive


@pytest.fixture(scope="module")
def big_data(tmp_path_factory) -> Path:
    """1,100 services: enough for the index to be written by several processes."""
    from directory.tools.synthetic import write_synthetic_data

    data = tmp_path_factory.mktemp("big") / "data"
    write_synthetic_data(data, 1100, seed=2)
    return data


@PARALLEL
def test_no_process_of_a_killed_build_outlives_it(big_data, tmp_path):
    instance = tmp_path / "instance"
    for attempt in range(2):
        process = run_build(big_data, instance)
        children: dict[int, str] = {}
        deadline = time.monotonic() + 60
        while len(children) < 2 and process.poll() is None and time.monotonic() < deadline:
            children |= _descendants(process.pid)
            time.sleep(0.02)
        assert children, "the build never started its indexing processes"
        time.sleep(0.2 * attempt)  # once as they start, once while they index
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while _still_running(children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _still_running(children) == [], "an indexing process outlived its build"


@PARALLEL
def test_an_interrupted_build_stops_its_processes_and_says_one_line(big_data, tmp_path):
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(tmp_path / "instance"))
    # Its own process group, as in a terminal, where Ctrl-C reaches every process in it.
    process = subprocess.Popen([*BUILD, str(big_data)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    children: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while len(children) < 2 and process.poll() is None and time.monotonic() < deadline:
        children |= _descendants(process.pid)
        time.sleep(0.02)
    assert children
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in stderr.decode(), stderr.decode()
    # A writer orphaned as its parent stops gets the kernel's SIGKILL (PR_SET_PDEATHSIG),
    # which may land a moment after the build has returned: as long as a kill -9 may take.
    deadline = time.monotonic() + 5
    while _still_running(children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _still_running(children) == []
    assert not [p for p in (tmp_path / "instance" / "builds").glob(".*")]  # no temp folder kept



def test_a_ctrl_c_held_while_forking_stops_the_build_and_not_the_child():
    """Ctrl-C the moment before a writer is forked (``interrupts_held``): the build gets it
    once the child exists; the child, a copy of the build, must not raise it too and run
    the build's way out (it printed three tracebacks under an interrupted busy build)."""
    from directory.search.processes import interrupts_held

    pid, interrupted = None, False
    try:
        with interrupts_held():
            # As it can happen: the signal delivered just before it is blocked.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.kill(os.getpid(), signal.SIGINT)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            pid = os.fork()
    except KeyboardInterrupt:
        if pid == 0:
            os._exit(3)  # the child was interrupted
        interrupted = True
    if pid == 0:
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child raised the build's Ctrl-C"
    assert interrupted, "the build never got its Ctrl-C"


@PARALLEL
@pytest.mark.parametrize("kilobytes", [64, 256, 1024])
def test_a_full_disk_while_indexing_is_one_line(big_data, tmp_path, kilobytes):
    """A file-size limit stands in for a full disk: whichever file hits it first (an index
    segment in a child, the database in the build), one line, exit 1, nothing left behind."""
    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (kilobytes * 1024, kilobytes * 1024))

    instance = tmp_path / "instance"
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance))
    result = subprocess.run([*BUILD, str(big_data)], env=env, capture_output=True, text=True,
                            preexec_fn=small_disk, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("build failed: "), result.stderr
    assert lines[0].endswith("; the site keeps serving the previous build")
    assert not list((instance / "builds").glob(".*"))


@pytest.mark.parametrize("damage", ["manifest {}", "manifest []", "current loop"])
def test_gunicorn_names_a_damaged_build_in_one_line(damaged, damage):
    instance, build = damaged
    _damage(instance, build, damage)
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance), PORT="0",
               DIRECTORY_PUBLIC_URL="https://help.example.org")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run([str(gunicorn), "-c", "python:directory.gunicorn_conf",
                             "directory.wsgi:app"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    refusals = [line for line in result.stderr.splitlines() if "directory: cannot start:" in line]
    assert len(refusals) == 1 and "directory build" in refusals[0], result.stderr
    assert "Traceback" not in result.stderr


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(data_dir, instance, rebuild):
    rebuild(data_dir, instance)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    leftover = instance / "builds" / f".20260101T000000000000-{dead}-abcdefgh"
    (leftover / "index").mkdir(parents=True)
    (instance / f".current-{dead}").symlink_to("builds/nowhere")
    running = instance / "builds" / f".20260101T000000000001-{os.getpid()}-abcdefgh"
    running.mkdir()  # a build still at work (this process) keeps its folder
    (data_dir / "site.yaml").write_text((data_dir / "site.yaml").read_text() + "# next\n")
    rebuild(data_dir, instance)
    assert not leftover.exists() and not (instance / f".current-{dead}").is_symlink()
    assert running.exists()
