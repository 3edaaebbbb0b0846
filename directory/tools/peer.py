"""Side by side with a peer: this site and Datasette serving the same rows, on distinct URLs.

``scripts/bench --peer`` builds N synthetic services, loads the same services into a plain
SQLite file with ``sqlite-utils insert`` + ``enable-fts`` (porter) and serves it with Datasette
(a bench-only extra: ``pip install -e '.[peer]'``), starts this site with the production
gunicorn config, and drives both with the same bounded load generator over lists of distinct
URLs: no URL is asked twice in a run, so no page cache answers and every page is a first
render. It prints requests/s, p50/p99 and the ratio per kind of page, the build against the
``sqlite-utils`` load of the same rows, and the site's worker memory after the runs.
"""

from __future__ import annotations

import collections
import http.client
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from .loadgen import free_port, percentile
from .synthetic import write_synthetic_data

KINDS = ("search", "service", "near", "filtered")
# What each kind of page is measured against on the peer: its search page, its row page.
PEER_KIND = {"search": "search", "service": "service", "near": "search", "filtered": "search"}
TARGETS = {"search": 5.0, "service": 2.0, "near": 4.0, "filtered": 4.0}
TARGET_SEARCH_P99_MS = 100.0
TARGET_RSS_MB = 150.0
TARGET_BUILD_RATIO = 10.0
# The build's peak memory: 600 MiB at 50,000 services; a state's catalogue (200,000) in 4 GB.
PEAK_TARGETS_MIB = ((50_000, 600), (200_000, 4096))
FILTERS = ("open_now=1", "cost=free", "language=es", "wheelchair=1", "access=walk-in",
           "remote=phone", "age=16", "cost=free&open_now=1")
RADII = (1, 3, 10)


@dataclass
class Run:
    """What one server answered to one list of URLs."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def drive(port: int, paths: list[str], connections: int, seconds: float) -> Run:
    """Ask each path once, over ``connections`` keep-alive connections, until the list is
    used up or ``seconds`` pass (a bounded loop: it stops by itself either way)."""
    queue, lock, run = collections.deque(paths), threading.Lock(), Run()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    break
                path = queue.popleft()
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    run.errors.append(f"{path}: {type(error).__name__}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                run.latencies.append(elapsed)
                if response.status >= 400:
                    run.errors.append(f"{path}: HTTP {response.status}")
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    run.seconds = time.perf_counter() - started
    return run


# A quarter of the searches are one word, the rest two, where the build has words enough.
ONE_WORD_SHARE = 0.25


def distinct_queries(singles: list[str], pairs_from: list[str], count: int,
                     rng: random.Random) -> list[str]:
    """``count`` different searches: one word (of ``singles``) or two (of ``pairs_from``).

    The one-word searches are spread evenly through the list, so that every beginning of it
    holds the same share of them: each server stops where its time runs out, a fast one far
    further down than a slow one, and each must have been asked the same mix. (With the
    one-word searches all first, the slower server's part was mostly single words, which
    cost every search engine more than pairs: the ratio flattered the faster one.)"""
    words = list(dict.fromkeys(singles))
    rng.shuffle(words)
    share = min(ONE_WORD_SHARE, len(words) / count) if count else 0.0
    pairs_from = list(dict.fromkeys(pairs_from))
    chosen: dict[str, None] = {}
    attempts = 0
    while len(chosen) < count and attempts < count * 50:
        attempts += 1
        # Position n is a single word when the running share passes a whole one there.
        n = len(chosen)
        if words and int((n + 1) * share) > int(n * share):
            text = words.pop()
        else:
            text = f"{rng.choice(pairs_from)} {rng.choice(pairs_from)}"
        chosen.setdefault(text, None)
    return list(chosen)


def url_lists(db: sqlite3.Connection, count: int, seed: int = 3) -> dict[str, dict[str, list]]:
    """For each kind, the site's URLs and the peer's, each URL distinct within its list.

    The peer's page for a near or filtered search is its search page for the same words
    (Datasette has neither places nor these filters): both servers are asked the same words
    in the same order, so whichever stops first was asked the same mix."""
    rng = random.Random(seed)
    vocabulary = [row[0] for row in db.execute(
        "select word from spelling_words where length(word) > 3 order by frequency desc")]
    ids = [row[0] for row in db.execute(
        "select id from services where status = 'active' order by random() limit ?",
        (count,))]
    places = [row[0] for row in db.execute("select name from places")]
    lists: dict[str, dict[str, list]] = {kind: {"site": [], "peer": []} for kind in KINDS}
    for kind in ("search", "near", "filtered"):
        # Pairs of the commonest words: a search with many matches to rank, as residents'
        # are; single words of the whole vocabulary, common and rare.
        texts = distinct_queries(vocabulary, vocabulary[:400], count, rng)
        lists[kind]["peer"] = [f"/peer/services?_search={quote_plus(t)}&_size=20"
                               for t in texts]
        for text in texts:
            if kind == "search":
                url = f"/search?q={quote_plus(text)}"
            elif kind == "near":
                place = quote_plus(rng.choice(places)) if places else "41.88,-87.63"
                url = f"/search?q={quote_plus(text)}&near={place}&radius={rng.choice(RADII)}"
            else:
                url = f"/search?q={quote_plus(text)}&{rng.choice(FILTERS)}"
            lists[kind]["site"].append(url)
    lists["service"]["site"] = [f"/services/{quote_plus(i)}" for i in ids]
    lists["service"]["peer"] = [f"/peer/services/{quote_plus(i)}" for i in ids]
    return lists


def sqlite_utils_load(build_db: Path, work: Path) -> tuple[Path, float]:
    """The same services as plain rows, loaded the way a Datasette user would: ``sqlite-utils
    insert`` then ``enable-fts``; returns the file and the seconds both commands took."""
    rows = work / "services.json"
    db = sqlite3.connect(build_db)
    db.row_factory = sqlite3.Row
    with rows.open("w") as handle:
        json.dump([dict(row) for row in db.execute(
            "select id, organization_id, name, description, eligibility_description, "
            "application_process, fees_description, status from services")], handle)
    db.close()
    peer = work / "peer.db"
    tool = str(Path(sys.executable).parent / "sqlite-utils")
    started = time.perf_counter()
    subprocess.run([tool, "insert", str(peer), "services", str(rows), "--pk", "id"], check=True)
    subprocess.run([tool, "enable-fts", str(peer), "services", "name", "description",
                    "--tokenize", "porter", "--create-triggers"], check=True)
    return peer, time.perf_counter() - started


def build_site(data: Path, instance: Path) -> tuple[float, float]:
    """Seconds and peak MiB of ``directory build`` in a child process."""
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "directory", "build", "--quiet", "--offline",
                    str(data)], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


def wait_for(port: int, path: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server for {path} exited while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {path} in time")


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the children of the master)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
        if line:
            sizes.append(int(line.split()[1]) / 1024)
    return sizes


def table(results: dict[str, tuple[Run, Run]]) -> list[str]:
    lines = ["| page | site req/s | site p50 / p99 ms | Datasette req/s | "
             "Datasette p50 / p99 ms | ratio | target |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, (site, peer) in results.items():
        ratio = site.rate / peer.rate if peer.rate else float("inf")
        lines.append(
            f"| {kind} | {site.rate:.0f} | {_p(site, 50)} / {_p(site, 99)} | {peer.rate:.0f} | "
            f"{_p(peer, 50)} / {_p(peer, 99)} | {ratio:.2f}x | ≥ {TARGETS[kind]:g}x |")
    return lines


def _p(run: Run, q: float) -> str:
    return f"{percentile(run.latencies, q):.0f}" if run.latencies else "–"


def serve_and_drive(instance: Path, peer_db: Path, lists: dict, connections: int,
                    seconds: float) -> tuple[dict[str, tuple[Run, Run]], list[float]]:
    """Start both servers afresh (no page of an earlier run cached), drive each kind of page
    on each, one server at a time, and return the runs and the site's worker memory."""
    site_port, peer_port = free_port(), free_port()
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance), PORT=str(site_port),
               HOST="127.0.0.1", DIRECTORY_TRUSTED_HOSTS="127.0.0.1,localhost")
    site = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:directory.gunicorn_conf",
         "--access-logfile", "/dev/null", "directory.wsgi:app"], env=env)
    peer = subprocess.Popen(
        [str(Path(sys.executable).parent / "datasette"), "serve", "-i", str(peer_db),
         "--port", str(peer_port), "--setting", "default_page_size", "20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, tuple[Run, Run]] = {}
    try:
        wait_for(site_port, "/healthz", site)
        wait_for(peer_port, "/peer.json", peer)
        for kind in KINDS:  # one server at a time: each has the whole machine
            site_run = drive(site_port, lists[kind]["site"], connections, seconds)
            peer_run = drive(peer_port, lists[kind]["peer"], connections, seconds)
            results[kind] = (site_run, peer_run)
            print(f"[peer] {kind}: site {site_run.rate:.0f} req/s, Datasette "
                  f"{peer_run.rate:.0f} req/s", flush=True)
        rss = worker_rss_mb(site)
    finally:
        for server in (site, peer):
            server.terminate()
            server.wait(timeout=30)
    return results, rss


def checks_of(results: dict[str, tuple[Run, Run]], rss: list[float]) -> list[tuple[str, bool]]:
    """The serving targets of one run: each ratio, the search p99, worker memory, errors."""
    search_p99 = percentile(results["search"][0].latencies, 99)
    checks = [(f"{kind} ≥ {TARGETS[kind]:g}x Datasette",
               results[kind][0].rate >= TARGETS[kind] * results[kind][1].rate)
              for kind in KINDS]
    checks += [
        (f"search p99 ≤ {TARGET_SEARCH_P99_MS:g} ms ({search_p99:.0f})",
         search_p99 <= TARGET_SEARCH_P99_MS),
        (f"worker RSS ≤ {TARGET_RSS_MB:g} MB ({', '.join(f'{m:.0f}' for m in rss) or '?'})",
         bool(rss) and max(rss) <= TARGET_RSS_MB),
    ]
    errors = sum(len(run.errors) for pair in results.values() for run in pair)
    checks.append((f"no errors ({errors})", errors == 0))
    return checks


def peak_target(services: int) -> int:
    """The build's peak memory target (MiB) for a catalogue of ``services``: the target of
    the smallest size it does not exceed (the largest one's beyond it)."""
    return next((mib for size, mib in PEAK_TARGETS_MIB if services <= size),
                PEAK_TARGETS_MIB[-1][1])


def spread(runs: list[dict[str, tuple[Run, Run]]]) -> list[str]:
    """Each kind's ratio in every run, and the lowest and highest."""
    lines = ["| page | " + " | ".join(f"run {n + 1}" for n in range(len(runs)))
             + " | lowest – highest |", "|---|" + "---:|" * (len(runs) + 1)]
    for kind in KINDS:
        ratios = [r[kind][0].rate / r[kind][1].rate if r[kind][1].rate else float("inf")
                  for r in runs]
        lines.append(f"| {kind} | " + " | ".join(f"{x:.2f}x" for x in ratios)
                     + f" | {min(ratios):.2f}x – {max(ratios):.2f}x |")
    return lines


def main(services: int, seconds: float, connections: int, seed: int, runs: int = 1) -> int:
    try:
        import datasette  # noqa: F401  (only to say how to get it)
    except ImportError:
        print("scripts/bench --peer needs Datasette: .venv/bin/pip install -e '.[peer]'")
        return 2
    work = Path(tempfile.mkdtemp(prefix="directory-peer-"))
    try:  # the data, the build and the peer's database: gigabytes at 200k, never kept
        return _compare(work, services, seconds, connections, seed, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compare(work: Path, services: int, seconds: float, connections: int, seed: int,
             runs: int) -> int:
    data, instance = work / "data", work / "instance"
    print(f"[peer] {services} synthetic services (seed {seed}) ...", flush=True)
    write_synthetic_data(data, services, seed=seed)
    build_s, build_peak = build_site(data, instance)
    database = instance / "current" / "directory.db"
    peer_db, load_s = sqlite_utils_load(database, work)
    print(f"[peer] build {build_s:.1f} s (peak {build_peak:.0f} MiB); sqlite-utils insert + "
          f"enable-fts {load_s:.1f} s", flush=True)
    checks: list[tuple[str, bool]] = []
    all_results = []
    for run in range(runs):
        # Each run asks other URLs (another seed) of servers started afresh.
        with sqlite3.connect(database) as db:
            lists = url_lists(db, count=max(200, int(seconds * 400)), seed=seed + run)
        results, rss = serve_and_drive(instance, peer_db, lists, connections, seconds)
        all_results.append(results)
        ones = sum("+" not in url.partition("q=")[2] for url in lists["search"]["site"])
        print(f"\n{services} services, {connections} connections, up to {seconds:g} s a list, "
              f"every URL distinct, {ones / len(lists['search']['site']):.0%} of the searches "
              f"one word" + (f" (run {run + 1} of {runs})" if runs > 1 else ""))
        print("\n".join(table(results)))
        checks += [(name + (f" (run {run + 1})" if runs > 1 else ""), ok)
                   for name, ok in checks_of(results, rss)]
    if runs > 1:
        print("\nRatios of the runs\n" + "\n".join(spread(all_results)))
    ratio_build = build_s / load_s if load_s else float("inf")
    checks += [
        (f"build ≤ {TARGET_BUILD_RATIO:g}x sqlite-utils ({ratio_build:.1f}x: {build_s:.1f} s "
         f"vs {load_s:.1f} s)", ratio_build <= TARGET_BUILD_RATIO),
        (f"build peak ≤ {peak_target(services)} MiB ({build_peak:.0f})",
         build_peak <= peak_target(services)),
    ]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1
