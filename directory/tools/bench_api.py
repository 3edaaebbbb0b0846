"""Benchmark the HSDS API and export (``scripts/bench --api``).

For each size: build synthetic data (in a child process, as ``bench`` does), then

- export it as HSDS (data package and JSON) in a child process: seconds and peak memory;
- time ``/api/services?search=`` against the same search's HTML page (``/search?q=``), both
  through the app (test client, page cache off and each answer computed afresh);
- time ``/api/services/{id}`` for services picked at random.

Targets at 50,000 services: API search p95 within 1.5× of the HTML page's, export under 60 s
and 1 GB peak, ``/api/services/{id}`` p95 under 10 ms.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import ROOT

TARGET_RATIO = 1.5
TARGET_EXPORT_S = 60.0
TARGET_EXPORT_MIB = 1024.0
TARGET_ONE_P95_MS = 10.0
HEADER = ("| size | export s | export peak MiB | HTML search p50 / p95 ms "
          "| API search p50 / p95 ms | API / HTML p95 | one service p50 / p95 ms |")


def export_only(build: Path, out: Path) -> int:
    """Run in the child: export both forms, report seconds and peak memory as JSON."""
    from ..build.layout import Build
    from ..hsds import export
    from ..hsds.source import Source

    started, cpu_started = time.perf_counter(), time.process_time()
    opened = Build(build)
    db = opened.connect()
    source = Source(db, opened.site)
    export.write_datapackage(source, out / "datapackage")
    with (out / "services.json").open("w", encoding="utf-8") as handle:
        count = export.write_json(source, handle)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "services": count,
                      # What it costs when other processes compete for the cores.
                      "cpu_seconds": time.process_time() - cpu_started}))
    return 0


def run_export(build: Path, tmp: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    child = subprocess.run([sys.executable, "-m", "directory.tools.bench", "--export-only",
                            str(build), str(tmp)], capture_output=True, text=True, env=env,
                           cwd=str(ROOT), check=False)
    try:
        return json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"the export child failed:\n{child.stdout}\n{child.stderr}") from None


def _timed(client, build, url: str, cpu: list[float]) -> float:
    """Wall ms of one request, every answer afresh; its CPU ms go to ``cpu`` (what it costs
    when other processes compete for the cores and stretch the wall time)."""
    build._recent.clear()  # what a request costs, not the answer cache
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    cpu.append((time.process_time() - cpu_started) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


# The app is timed in a child that imports it (tools sit below web: they never import it).
APP_CHILD = ("import json, sys; from pathlib import Path; from directory.web.app import "
             "create_app; from directory.tools import bench, bench_api; "
             "print(json.dumps(bench_api.time_app(create_app, Path(sys.argv[1]), "
             "Path(sys.argv[2]), int(sys.argv[3]), bench.QUERIES, bench.percentile)))")


def run_app_timing(instance: Path, data_dir: Path, repeat: int) -> tuple:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    child = subprocess.run([sys.executable, "-c", APP_CHILD, str(instance), str(data_dir),
                            str(repeat)], capture_output=True, text=True, env=env,
                           cwd=str(ROOT), check=False)
    sys.stderr.write(child.stderr[-400:])  # the CPU line
    try:
        return tuple(json.loads(child.stdout.strip().splitlines()[-1]))
    except (IndexError, ValueError):
        raise SystemExit(f"the API timing child failed:\n{child.stdout}\n{child.stderr}") \
            from None


def time_app(create_app, instance: Path, data_dir: Path, repeat: int, queries, percentile):
    """(HTML p50/p95, API p50/p95, one service p50/p95) in ms, through ``create_app``'s app."""
    from urllib.parse import quote

    from ..build.layout import open_current
    from ..search import queries as sql

    app = create_app({"INSTANCE_PATH": str(instance), "DATA_DIR": str(data_dir),
                      "PAGE_CACHE_BYTES": 0, "NOW": "2026-11-24T10:00:00"})
    client = app.test_client()
    build = open_current(instance)
    db = build.connect()
    ids = sql.all_service_ids(db)
    db.close()
    pairs = []
    for text, category in queries:
        extra = f"&category={category}" if category else ""
        pairs.append((f"/search?q={quote(text)}{extra}",
                      f"/api/services?search={quote(text)}{extra}"))
    for n, (html, api) in enumerate(pairs):  # warm the per-build caches, as a site has them
        first = client.get(html)
        if first.status_code in (301, 302, 303):  # words read as filters: "free therapy"
            pairs[n] = (html := first.headers["Location"], api)
        client.get(html), client.get(api)
    html_times, api_times, html_cpu, api_cpu, one_cpu = [], [], [], [], []
    for _ in range(repeat):
        for html, api in pairs:
            html_times.append(_timed(client, build, html, html_cpu))
            api_times.append(_timed(client, build, api, api_cpu))
    picked = random.Random(7).sample(ids, min(len(ids), 200))
    client.get(f"/api/services/{picked[0]}")
    one = [_timed(client, build, f"/api/services/{key}", one_cpu)
           for key in picked * max(1, repeat // 5)]
    print(f"CPU ms p50/p95: HTML search {percentile(html_cpu, 0.5):.2f}/"
          f"{percentile(html_cpu, 0.95):.2f}, API search {percentile(api_cpu, 0.5):.2f}/"
          f"{percentile(api_cpu, 0.95):.2f}, one service {percentile(one_cpu, 0.5):.2f}/"
          f"{percentile(one_cpu, 0.95):.2f}", file=sys.stderr)
    return ((percentile(html_times, 0.5), percentile(html_times, 0.95)),
            (percentile(api_times, 0.5), percentile(api_times, 0.95)),
            (percentile(one, 0.5), percentile(one, 0.95)))


def bench_size(size: int, repeat: int, seed: int, *, run_build, log) -> dict:
    """One size; ``bench`` hands in its build runner and log."""
    from .synthetic import write_synthetic_data

    with tempfile.TemporaryDirectory(prefix=f"directory-bench-api-{size}-") as tmp:
        tmp = Path(tmp)
        write_synthetic_data(tmp / "data", size, seed=seed)
        built = run_build(tmp / "data", tmp / "instance")
        log(f"[{size}] build {built['seconds']:.1f}s (with the HSDS export)")
        exported = run_export(Path(built["build"]), tmp)
        log(f"[{size}] export {exported['seconds']:.1f}s "
            f"(CPU {exported['cpu_seconds']:.1f}s), peak "
            f"{exported['peak_mib']:.0f} MiB, {exported['services']} services")
        html, api, one = run_app_timing(tmp / "instance", tmp / "data", repeat)
    return {"size": size, "build": built["seconds"], "export": exported, "html": html,
            "api": api, "one": one}


def report(rows: list[dict]) -> tuple[str, bool]:
    lines = [HEADER, "|" + "---:|" * 7]
    for r in rows:
        lines.append(f"| {r['size']} | {r['export']['seconds']:.1f} "
                     f"| {r['export']['peak_mib']:.0f} | {r['html'][0]:.2f} / {r['html'][1]:.2f} "
                     f"| {r['api'][0]:.2f} / {r['api'][1]:.2f} "
                     f"| {r['api'][1] / r['html'][1]:.2f}× "
                     f"| {r['one'][0]:.2f} / {r['one'][1]:.2f} |")
    largest = max(rows, key=lambda r: r["size"])
    ratio = largest["api"][1] / largest["html"][1]
    checks = [
        (f"API search p95 ≤ {TARGET_RATIO:g}× HTML", f"{ratio:.2f}×", ratio <= TARGET_RATIO),
        (f"export < {TARGET_EXPORT_S:g} s", f"{largest['export']['seconds']:.1f} s",
         largest["export"]["seconds"] < TARGET_EXPORT_S),
        (f"export peak < {TARGET_EXPORT_MIB:g} MiB", f"{largest['export']['peak_mib']:.0f} MiB",
         largest["export"]["peak_mib"] < TARGET_EXPORT_MIB),
        (f"/api/services/{{id}} p95 < {TARGET_ONE_P95_MS:g} ms", f"{largest['one'][1]:.2f} ms",
         largest["one"][1] < TARGET_ONE_P95_MS),
    ]
    lines.append("")
    lines += [f"- {name} at {largest['size']}: {value} {'PASS' if ok else 'FAIL'}"
              for name, value, ok in checks]
    return "\n".join(lines), all(ok for _, _, ok in checks)
