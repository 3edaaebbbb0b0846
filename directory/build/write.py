"""Write a validated catalogue into a new, immutable build folder and switch ``current`` to it.

The folder is written under a temporary name and renamed into place; ``current`` is then
switched in one atomic rename, so a failed or killed build never touches what is being served.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
from functools import partial
from pathlib import Path

import sqlite_utils

from ..data.catalogue import Catalogue, synonym_words
from ..hsds import export as hsds_export
from ..hsds.source import Source
from ..search import facets, positions, queries, spelling
from ..search import index as search
from ..search.parallel import write_index_in_parts
from ..search.processes import Forked
from .aside import Aside
from .database import english, write_database, write_document_numbers
from .layout import (
    DATABASE,
    INDEX,
    KEEP_BUILDS,
    MANIFEST,
    BuildError,
    prune,
    remove_leftovers,
    switch_current,
)


def write_build(catalogue: Catalogue, instance: Path, data_fingerprint: str,
                on_stage=lambda stage: None) -> Path:
    """Write the catalogue as a new build folder, switch ``current`` to it, prune old ones."""
    builds = instance / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    remove_leftovers(instance)  # of builds killed before: their folders can be large
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")  # sorts in build order
    # The process id in the name tells a later build whether this one is still running.
    work = Path(tempfile.mkdtemp(prefix=f".{stamp}-{os.getpid()}-", dir=builds))
    final = builds / work.name[1:]
    try:
        on_stage("write database and index")
        # The geocoder's options may hold an API key; nothing served needs them.
        site = {key: value for key, value in catalogue.site.items() if key != "geocoder"}

        def database_and_export():
            write_database(catalogue, work / DATABASE)
            write_hsds(work, site)

        # The database and the Open Referral export in a process beside the indexing
        # (``aside``; README, Performance).
        aside = Aside(database_and_export)
        try:
            write_index(work / INDEX, catalogue)
            on_stage("write the Open Referral export")  # pipeline.STAGES: what is left
            # The words the speller knows, counted while the export is written (this
            # process would wait for it otherwise); written with the other late tables.
            words = spelling.vocabulary(catalogue)
            aside.result()
        finally:
            aside.stop()
        with contextlib.closing(sqlite_utils.Database(work / DATABASE)) as db:
            spelling.write_vocabulary(db, words)
        facets.write_facets(work / DATABASE, work / INDEX)  # needs the index's document numbers
        write_document_numbers(work / DATABASE, work / INDEX)
        manifest = {
            "id": final.name,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "fingerprint": data_fingerprint,
            "counts": catalogue.counts(),
            "site": site,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
        work.rename(final)
    except sqlite3.Error as error:  # e.g. "disk I/O error" on a full disk: one line, not a trace
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(f"the database could not be written ({error})") from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    switch_current(instance, final)
    prune(builds, keep=KEEP_BUILDS, current=final)
    return final



# From this many services the export is written in two processes (``write_hsds``).
SPLIT_EXPORT_FROM = 5000


def write_hsds(folder: Path, site: dict) -> None:
    """The HSDS 3.0 export (``hsds/``) of the database just written, for the site to serve.

    A large one is written in two halves at once, the second by a forked process: the
    export is the build's last work, done while the indexing's processes have finished and
    a core is idle. The halves' files, joined in order, are the one-pass export exactly."""
    database = folder / DATABASE
    with _read_only(database) as db:
        ids = queries.all_service_ids(db)
        organizations = len(queries.all_organization_ids(db))
    if len(ids) < SPLIT_EXPORT_FROM:
        with _read_only(database) as db:
            hsds_export.write_build_export(folder, Source(db, site))
        return
    export = folder / hsds_export.FOLDER
    export.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".parts-", dir=export))
    # The first half also writes the taxonomy and every organization with its locations,
    # about half a service's work each (measured at 50,000 services): it takes fewer
    # services, so both halves end together.
    half = max(1, (len(ids) - organizations // 2) // 2)
    try:
        # Opened after the fork, on each side: an SQLite connection must not cross one.
        second = Forked(lambda: _write_part(database, site, work / "2", ids[half:], False))
        try:
            files = _write_part(database, site, work / "1", ids[:half], True)
            second.wait()
        finally:
            second.stop()
        with (export / hsds_export.JSON_NAME).open("wb") as out:
            for part in ("1", "2"):
                with (work / part / hsds_export.JSON_NAME).open("rb") as piece:
                    shutil.copyfileobj(piece, out)
            out.write(b"\n]\n")
        for file in files:  # each table's rows: the second half's after the first's
            if file.suffix == ".csv":
                with file.open("ab") as out, (work / "2" / file.name).open("rb") as piece:
                    shutil.copyfileobj(piece, out)
        hsds_export.zip_files(files, export / hsds_export.ZIP_NAME)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_part(database: Path, site: dict, folder: Path, ids: list[str],
                first: bool) -> list[Path]:
    """One part of a split export: its tables in ``folder``, its JSON in services.json."""
    folder.mkdir()
    with _read_only(database) as db, \
            (folder / hsds_export.JSON_NAME).open("w", encoding="utf-8") as out:
        files, _ = hsds_export.write_part(Source(db, site), folder, out, ids, first)
    return files


@contextlib.contextmanager
def _read_only(database: Path):
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        yield db
    finally:
        db.close()


def write_index(folder: Path, catalogue: Catalogue) -> None:
    """The search index of the catalogue's active services: a large one by one process per
    core, each forked with the catalogue and indexing a consecutive part of it."""
    languages = catalogue.site.get("languages") or ["en"]
    active = [s for s in catalogue.services if s.get("status", "active") == "active"]
    procs = min(os.cpu_count() or 1, search.MAX_PROCS)
    if len(active) < search.PARALLEL_FROM or procs < 2:
        search.write_index(folder, index_documents(catalogue), languages=languages)
        positions.write_beside(folder)  # where each word stands: quoted phrases (FORMAT 8)
    else:  # each part writes its own words' places too
        step = -(-len(active) // procs)
        parts = [active[start:start + step] for start in range(0, len(active), step)]
        write_index_in_parts(folder, [(len(part), partial(index_documents, catalogue, part))
                                      for part in parts], languages=languages)


def index_documents(catalogue: Catalogue, services=None):
    """One Whoosh document per active service (of ``services``, default all), with category
    words and ancestors folded in: the English fields, and one set per other language of the
    site (``name_in_es``...)."""
    categories = {c["id"]: c for c in catalogue.categories}
    audiences = {a["id"]: a for a in catalogue.audiences}
    organizations = {o["id"]: o for o in catalogue.organizations}
    others = [code for code in catalogue.site.get("languages") or ["en"] if code != "en"]

    def lineage(category_id):
        while category_id in categories:
            yield categories[category_id]
            category_id = categories[category_id].get("parent")

    # A service's category words in each language, by its categories and audiences: the
    # same few thousand combinations recur across a large catalogue.
    kept: dict[tuple, tuple] = {}
    for service in catalogue.services if services is None else services:
        if service.get("status", "active") != "active":
            continue
        audience = service.get("audience", [])
        key = (tuple(service.get("categories", [])), tuple(audience))
        found = kept.get(key)
        if found is None:
            chain = [c for cid in key[0] for c in lineage(cid)]
            groups = [audiences[a] for a in audience if a in audiences]
            found = kept[key] = (chain, groups, ",".join(dict.fromkeys(c["id"] for c in chain)),
                                 {code: _topics(chain, groups, code) for code in ["en", *others]})
        chain, groups, category, topics = found
        org = organizations.get(service["organization_id"], {})
        document = {
            "id": service["id"],
            **_words(service, org, groups, topics["en"], "en"),
            "category": category,
            "sort_name": service["name"].casefold(),
        }
        for code in others:
            document |= _words(service, org, groups, topics[code], code)
        yield document


def _topics(chain: list[dict], groups: list[dict], language: str) -> str:
    """The words of a service's categories (ancestors too) and audiences in one language:
    English, every name and the English synonyms; another language, its names and synonyms.
    The audiences' words too: "lgbt" or "veteran" finds services for them."""
    topics = []
    for category in chain + groups:
        if language == "en":
            topics += [*category["name"].values(),
                       *synonym_words(category.get("synonyms"), "en")]
        else:
            topics += [category["name"].get(language) or "",
                       *synonym_words(category.get("synonyms"), language)]
    return " ".join(topics)


def _words(service, org, groups, topics: str, language: str) -> dict[str, str]:
    """A service's words in one language (see ``search.index``). English, the text as
    written: its own text, its category words (``_topics``). Another language: that
    language's category words, and the listing's own text only where it is translated (its
    pages search the text as written too)."""
    def text(record, key):
        if language == "en":
            return record.get(key) or ""
        return ((record.get("translations") or {}).get(language) or {}).get(key) or ""

    def named(names):
        return (english(names) if language == "en" else (names or {}).get(language)) or ""

    words = [text(service, key) for key in
             ("description", "eligibility_description", "application_process")]
    words += [named(group["name"]) for group in groups]
    organization = " ".join(filter(None, [text(org, "name"), text(org, "alternate_name")]))
    if language == "en":
        return {"name": text(service, "name"), "topics": topics,
                "organization": organization, "description": " ".join(filter(None, words))}
    return {
        search.field_name("name", language): text(service, "name"),
        search.field_name("topics", language): topics,
        search.field_name("description", language): " ".join(filter(None, [*words,
                                                                           organization])),
    }
