"""Load test: the production server on loopback under a realistic mix of residents' requests.

``scripts/load`` builds N synthetic services, starts gunicorn with the production config on
127.0.0.1, drives C concurrent keep-alive clients for S seconds (a bounded loop that stops by
itself) and prints requests/s, p50/p95/p99 and the error count. With ``--rebuild`` a new build
is switched in halfway; every page must still come whole from one build.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

from .synthetic import write_synthetic_data

WORDS = ["counselling", "support group", "walk in", "someone to talk to", "grief", "housing",
         "addiction recovery", "youth", "free therapy", "peer", "anxiety", "crisis line"]
BUILD_ID = re.compile(rb'<meta name="directory-build" content="([^"]+)"')
LISTED = re.compile(rb"It lists (\d+) services")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(data_dir: Path, instance: Path) -> dict:
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance))
    subprocess.run([sys.executable, "-m", "directory", "build", "--quiet", str(data_dir)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads((instance / "current" / "manifest.json").read_text())


FILTERS = ["open_now=1", "cost=free", "language=es", "wheelchair=1", "access=walk-in",
           "cost=free&open_now=1", "remote=phone", "age=16"]
RADII = [1, 3, 10]
# (kind, how many paths of that kind) in a mix of about 700 distinct paths: searches
# dominate, then service pages; outreach workers' sheets are a few percent.
MIX = {"home": 30, "about": 6, "search": 150, "search+category": 60, "search+filter": 60,
       "near": 60, "near+filter": 30, "search page 2": 20, "category": 40, "service": 180,
       "organization": 20, "referral sheet": 25, "street sheet": 10}


def request_mix(instance: Path, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, path) pairs in realistic proportions, varied enough that the per-minute answer
    cache of /search does not answer most of them."""
    db = sqlite3.connect(instance / "current" / "directory.db")
    services = [r[0] for r in db.execute("select id from services order by random() limit 500")]
    organizations = [r[0] for r in db.execute("select id from organizations limit 500")]
    categories = [r[0] for r in db.execute("select id from categories")]
    places = [r[0] for r in db.execute("select name from places")]
    db.close()

    def words() -> str:
        return quote_plus(rng.choice(WORDS))

    makers = {
        "home": lambda: "/",
        "about": lambda: "/about",
        "search": lambda: f"/search?q={words()}",
        "search+category": lambda: f"/search?q={words()}&category={rng.choice(categories)}",
        "search+filter": lambda: f"/search?q={words()}&{rng.choice(FILTERS)}",
        "near": lambda: f"/search?q={words()}&near={quote_plus(rng.choice(places))}"
                        f"&radius={rng.choice(RADII)}",
        "near+filter": lambda: f"/search?near={quote_plus(rng.choice(places))}"
                               f"&radius={rng.choice(RADII)}&{rng.choice(FILTERS)}",
        "search page 2": lambda: f"/search?q={words()}&page=2",
        "category": lambda: f"/categories/{rng.choice(categories)}",
        "service": lambda: f"/services/{rng.choice(services)}",
        "organization": lambda: f"/organizations/{rng.choice(organizations)}",
        "referral sheet": lambda: "/referral?ids=" + ",".join(rng.sample(services, 3)),
        "street sheet": lambda: f"/sheets/street?category={rng.choice(categories)}",
    }
    paths = [(kind, makers[kind]()) for kind, count in MIX.items() for _ in range(count)]
    rng.shuffle(paths)
    return paths


class Client(threading.Thread):
    """One resident: a keep-alive connection issuing requests until the deadline."""

    def __init__(self, port: int, paths: list[str], deadline: float, max_requests: int, seed: int):
        super().__init__(daemon=True)
        self.port, self.paths, self.deadline, self.max = port, paths, deadline, max_requests
        self.rng = random.Random(seed)
        self.latencies: list[tuple[str, float]] = []  # (kind, seconds)
        self.errors: list[str] = []
        self.pages: list[tuple[bytes, bytes | None]] = []  # (build id, listed count) of /about

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for _ in range(self.max):
            if time.monotonic() >= self.deadline:
                break
            kind, path = self.rng.choice(self.paths)
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{path}: {type(error).__name__}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append((kind, time.perf_counter() - started))
            if status >= 400:
                self.errors.append(f"{path}: HTTP {status}")
            if path == "/about":
                build_id, listed = BUILD_ID.search(body), LISTED.search(body)
                self.pages.append((build_id and build_id.group(1), listed and listed.group(1)))
        connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def wait_ready(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000,
                        help="per client: the loop is bounded even if the clock misbehaves")
    parser.add_argument("--rebuild", action="store_true",
                        help="switch in a new build halfway and check no page is mixed")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="directory-load-"))
    data, instance = work / "data", work / "instance"
    print(f"building {args.services} synthetic services ...", flush=True)
    write_synthetic_data(data, args.services)
    manifests = [build(data, instance)]
    port = free_port()
    # The production config refuses to start without the site's address (web.hosts).
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(instance), PORT=str(port),
               HOST="127.0.0.1", DIRECTORY_TRUSTED_HOSTS="127.0.0.1,localhost")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:directory.gunicorn_conf",
         "--access-logfile", "/dev/null", "directory.wsgi:app"], env=env)
    try:
        wait_ready(port, server)
        paths = request_mix(instance, random.Random(1))
        if args.rebuild:
            # Same seed, a few more services: every page of the first build still exists.
            write_synthetic_data(work / "data-2", args.services + 7)
        deadline = time.monotonic() + args.seconds
        clients = [Client(port, paths, deadline, args.max_requests, seed)
                   for seed in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        if args.rebuild:
            # Early enough that the build (slower on a loaded machine) is switched in well
            # before the clients stop, so pages of both builds are checked.
            time.sleep(args.seconds / 6)
            manifests.append(build(work / "data-2", instance))
            print(f"switched to build {manifests[-1]['id']} under load", flush=True)
        for client in clients:
            client.join(args.seconds + 60)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    timed = [x for c in clients for x in c.latencies]
    latencies = [seconds for _, seconds in timed]
    errors = [x for c in clients for x in c.errors]
    # A page is whole when its build id is a real build and every page of that build
    # shows the same count of services (the rebuild changes the count).
    known = {m["id"].encode() for m in manifests}
    pages = [p for c in clients for p in c.pages]
    counts: dict[bytes, set] = {}
    for build_id, listed in pages:
        counts.setdefault(build_id, set()).add(listed)
    mixed = [b for b, seen in counts.items() if b not in known or len(seen) != 1]
    print(f"\n{args.clients} clients, {elapsed:.0f} s, {args.services} services")
    print("| kind | requests | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in [*MIX, "all"]:
        these = latencies if kind == "all" else [t for k, t in timed if k == kind]
        if these:
            print(f"| {kind} | {len(these)} | {len(these) / elapsed:.0f} | "
                  f"{percentile(these, 50):.1f} | {percentile(these, 95):.1f} | "
                  f"{percentile(these, 99):.1f} |")
    print(f"errors: {len(errors)}")
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error}")
    if args.rebuild:
        shown = {b.decode(): sorted(c.decode() for c in seen if c) for b, seen in counts.items()}
        print(f"builds served with their service counts: {shown}; mixed: {len(mixed)}")
    # With --rebuild, both builds must have served pages, or nothing was checked.
    both = not args.rebuild or len(counts) == 2
    ok = latencies and not errors and not mixed and both and percentile(latencies, 99) < 250
    if not both:
        print("the new build was not switched in before the clients stopped")
    print("target: zero errors and p99 < 250 ms:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
