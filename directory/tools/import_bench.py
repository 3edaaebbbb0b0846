"""Benchmark ``directory import hsds`` on synthetic HSDS 3.0 exports (``scripts/bench --import``).

For each size: write a synthetic HSDS 3.0 tabular data package (organizations, services,
locations, addresses, phones, schedules, languages, taxonomy terms and attributes, with the
usual messiness: national phone formats, ``9:00am`` times, upper-case names, language names),
then import it into an empty data folder in a child process, so the seconds and the peak
memory are the import's own (reading, cleaning, writing every file, and the final
``directory validate``). Targets: 5,000 services in under 60 s; 50,000 in under 5 minutes and
under 1.5 GB.

    scripts/bench --import                 # 5000 and 50000 services
    scripts/bench --import --sizes 1000
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import ROOT

DEFAULT_SIZES = (5_000, 50_000)
TARGETS = {5_000: (60.0, None), 50_000: (300.0, 1536.0)}  # seconds, peak MiB
TERMS = [("RP-1400", "Mental Health Evaluation and Treatment"),
         ("RP-1500.1400-800", "Suicide Prevention Hotlines"),
         ("PN-8100", "Support Groups"), ("RX", "Substance Use Disorder Services"),
         ("", "Drop-In Centers"), ("", "Peer Support"),
         ("BD-1800", "Food Pantries")]  # the last is unmapped: counted, left out
WORDS = ["counseling", "support", "recovery", "youth", "family", "grief", "peer", "wellness",
         "crisis", "community", "healing", "drop-in", "hope", "care", "together"]
NEIGHBOURHOODS = [("Uptown", 41.9665, -87.6533), ("Pilsen", 41.8564, -87.6562),
                  ("Austin", 41.8940, -87.7654), ("Rogers Park", 42.0095, -87.6700),
                  ("Bronzeville", 41.8169, -87.6180), ("Logan Square", 41.9231, -87.7093)]


def write_export(folder: Path, services: int, seed: int = 1) -> None:
    """A synthetic HSDS 3.0 tabular export of ``services`` services, deterministic per seed."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[list]] = {name: [] for name in HEADERS}
    for number, (code, name) in enumerate(TERMS):
        tables["taxonomy_terms"].append([f"term-{number}", code, name, "", "", "AIRS", "en"])
    orgs = max(1, services // 4)
    for org in range(orgs):
        words = rng.sample(WORDS, 2)
        title = f"{words[0]} {words[1]} center {org}"
        tables["organizations"].append([
            f"org-{org}", title.upper() if org % 5 == 0 else title.title(),
            f"A fictional {words[0]} organization.", f"info{org}@example.org",
            f"www.org{org}.example.org" if org % 3 == 0 else f"https://org{org}.example.org"])
        for place in range(2):
            key = f"loc-{org}-{place}"
            area, lat, lon = rng.choice(NEIGHBOURHOODS)
            tables["locations"].append([key, "physical", f"org-{org}", f"{area} office",
                                        f"{lat + rng.uniform(-0.01, 0.01):.5f}",
                                        f"{lon + rng.uniform(-0.01, 0.01):.5f}"])
            tables["addresses"].append([f"addr-{key}", key, f"{100 + org} N Example St",
                                        "Chicago", "IL " if org % 7 == 0 else "IL",
                                        f"606{rng.randint(10, 60)}", "US", "physical"])
    for index in range(services):
        org = index % orgs
        key = f"svc-{index}"
        words = rng.sample(WORDS, 3)
        tables["services"].append([
            key, f"org-{org}", f"{words[0].title()} {words[1]} group {index}",
            f"Fictional {words[0]} and {words[1]} support for {words[2]}.\\nCall to ask.",
            "" if index % 4 else "active", "Free" if index % 2 else "Sliding scale",
            str(rng.choice(["", "12", "18"])), "2026-10-01"])
        tables["service_at_location"].append([f"sal-{index}", key,
                                              f"loc-{org}-{(index // orgs) % 2}"])
        number = f"{rng.randint(200, 999)}"
        phone = f"(312) 555-01{index % 100:02d}" if index % 2 else f"+1 773 555 01{index % 100:02d}"
        tables["phones"].append([f"ph-{index}", key, "", phone, "voice", number[:0]])
        tables["schedules"].append([f"sch-{index}-a", key, "WEEKLY", "MO,TU,WE,TH,FR",
                                    "9:00am" if index % 3 == 0 else "09:00", "17:00", ""])
        tables["schedules"].append([f"sch-{index}-b", key, "WEEKLY", "SA", "10:00", "14:00", ""])
        tables["languages"].append([f"lang-{index}", key, "English", "en"])
        if index % 3 == 0:
            tables["languages"].append([f"lang-{index}-2", key, "Spanish (limited)", ""])
        term = rng.randrange(len(TERMS))
        tables["attributes"].append([f"attr-{index}", key, f"term-{term}", "service"])
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS[name])
            writer.writerows(rows)
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "synthetic-211", "version": "3.0",
        "resources": [{"name": name, "path": f"{name}.csv"} for name in HEADERS]}))


HEADERS = {
    "organizations": ["id", "name", "description", "email", "website"],
    "locations": ["id", "location_type", "organization_id", "name", "latitude", "longitude"],
    "addresses": ["id", "location_id", "address_1", "city", "state_province", "postal_code",
                  "country", "address_type"],
    "services": ["id", "organization_id", "name", "description", "status", "fees_description",
                 "minimum_age", "assured_date"],
    "service_at_location": ["id", "service_id", "location_id"],
    "phones": ["id", "service_id", "organization_id", "number", "type", "extension"],
    "schedules": ["id", "service_id", "freq", "byday", "opens_at", "closes_at", "description"],
    "languages": ["id", "service_id", "name", "code"],
    "taxonomy_terms": ["id", "code", "name", "description", "parent_id", "taxonomy", "language"],
    "attributes": ["id", "link_id", "taxonomy_term_id", "link_entity"],
}


def child(source: Path, into: Path) -> int:
    """In the child process: import, then print seconds, peak memory and counts as JSON."""
    import datetime as dt

    from ..hsds import importer

    started = time.perf_counter()
    outcome = importer.run(importer.Settings(source=str(source), into=into,
                                             today=dt.date(2026, 11, 24)))
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    maxrss = usage.ru_maxrss
    peak_mib = maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "written": outcome.report.written,
                      "errors": len(outcome.validation.errors),
                      "first_errors": [str(p) for p in outcome.validation.errors[:5]],
                      "notes": sum(outcome.report.counts().values())}))
    return 0


def measure(size: int, seed: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"directory-import-{size}-") as tmp:
        source, into = Path(tmp) / "export", Path(tmp) / "data"
        write_export(source, size, seed)
        (into / "organizations").mkdir(parents=True)
        shutil.copy(ROOT / "data" / "site.yaml", into / "site.yaml")
        shutil.copy(ROOT / "data" / "taxonomy.yaml", into / "taxonomy.yaml")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run([sys.executable, "-m", "directory.tools.import_bench", "--child",
                               str(source), str(into)], capture_output=True, text=True,
                              env=env, cwd=str(ROOT), check=False)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"the import child failed (exit {done.returncode}):\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}") from None
    result["size"] = size
    return result


def report(results: list[dict]) -> tuple[str, bool]:
    # CPU seconds are the import's own work; wall seconds also count waiting for a busy CPU.
    lines = ["| services | import s (wall) | CPU s | peak MiB | written (orgs/locations/services) "
             "| notes | validate errors |", "|---:|---:|---:|---:|---|---:|---:|"]
    ok = True
    for row in results:
        written = row["written"]
        lines.append(f"| {row['size']} | {row['seconds']:.1f} | {row['cpu_seconds']:.1f} | "
                     f"{row['peak_mib']:.0f} | "
                     f"{written['organizations']}/{written['locations']}/{written['services']} | "
                     f"{row['notes']} | {row['errors']} |")
    lines.append("")
    for row in results:
        seconds, mib = TARGETS.get(row["size"], (None, None))
        checks = [row["errors"] == 0]
        if seconds:
            checks.append(row["seconds"] < seconds)
        if mib:
            checks.append(row["peak_mib"] < mib)
        target = " and ".join(filter(None, [f"< {seconds:.0f} s" if seconds else "",
                                            f"< {mib:.0f} MiB" if mib else "",
                                            "0 validate errors"]))
        passed = all(checks)
        ok = ok and passed
        lines.append(f"- import of {row['size']} services: {row['seconds']:.1f} s "
                     f"({row['cpu_seconds']:.1f} CPU s), "
                     f"{row['peak_mib']:.0f} MiB peak ({target}): {'PASS' if passed else 'FAIL'}")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/bench --import",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    sizes = [int(size.lower().replace("k", "000")) for size in args.sizes.split(",") if size]
    results = []
    for size in sizes:
        print(f"[{size}] importing a synthetic HSDS 3.0 export ...", file=sys.stderr)
        results.append(measure(size, args.seed))
    text, ok = report(results)
    print(text)
    print(f"(load average when done: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs)")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
