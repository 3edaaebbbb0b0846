"""What a build folder is: its names, its manifest, the ``current`` link, and opening one.

A build folder holds ``directory.db`` (SQLite, written with sqlite-utils), ``index/`` (Whoosh)
and ``manifest.json`` (site settings, counts, data fingerprint). ``current`` is a symlink in
the instance folder, replaced in one atomic rename. Opening a build needs no Flask: the site
(``web.store``), the benchmark and scripts read builds through ``Build``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from ..search.index import Index

MANIFEST = "manifest.json"
DATABASE = "directory.db"
INDEX = "index"
KEEP_BUILDS = 3
# Raise when the tables a build holds change, so `build --if-changed` rebuilds data that did
# not change for code that needs the new tables. 2: schedules, filter masks (hours, filters);
# places, near_points, search_documents (near search). 3: both of those together.
# 4: translations of listings, descriptions per language, index fields per language.
FORMAT = 4


class BuildError(Exception):
    """The build could not be written; the current build is untouched."""


def fingerprint(files: list[Path], root: Path) -> str:
    """A hash of every data file's name and content, and of the build's format: equal
    fingerprints, equal builds."""
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def current_path(instance: Path) -> Path:
    return instance / "current"


def current_manifest(instance: Path) -> dict | None:
    try:
        return json.loads((current_path(instance) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def switch_current(instance: Path, build: Path) -> None:
    """Point ``current`` at the build in one rename: readers see the old or the new, never half."""
    link = instance / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build.relative_to(instance))
    os.replace(link, current_path(instance))


def prune(builds: Path, *, keep: int, current: Path) -> None:
    """Remove all but the newest ``keep`` builds, and leftovers of killed builds."""
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in finished[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in builds.glob(".*"):
        # A temporary folder older than an hour belongs to a build that was killed.
        if leftover.stat().st_mtime < dt.datetime.now().timestamp() - 3600:
            shutil.rmtree(leftover, ignore_errors=True)



# --- reading a build ------------------------------------------------------------------


class NoBuild(Exception):
    """There is no usable build to serve."""


class Build:
    """One immutable build folder: its manifest, database path and search index."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.manifest = json.loads((path / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise NoBuild(f"{path} is not a complete build ({error}); "
                          "run `directory build`") from error
        self.id = self.manifest["id"]
        self.site = self.manifest["site"]
        self.database = path / DATABASE
        if not self.database.is_file() or not (path / INDEX).is_dir():
            raise NoBuild(f"{path} is missing {DATABASE} or {INDEX}/; run `directory build`")
        self._index: Index | None = None
        self._lock = threading.Lock()
        self._memo: dict[str, object] = {}
        self._recent: dict[object, OrderedDict] = {}

    def recent(self, key: tuple, compute, size: int = 1024):
        """The last ``size`` answers of a kind (``key[0]``: searches, cards...) by key:
        residents ask the same few things, and a build never changes, so an answer stays
        right for the build's whole life (keys hold whatever else it depends on)."""
        with self._lock:
            kept = self._recent.setdefault(key[0], OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        value = compute()
        with self._lock:
            kept[key] = value
            while len(kept) > size:
                kept.popitem(last=False)
        return value

    def memo(self, key: str, compute):
        """A value computed once per build (the build never changes): taxonomy with counts..."""
        if key not in self._memo:
            value = compute()
            with self._lock:
                self._memo.setdefault(key, value)
        return self._memo[key]

    def connect(self) -> sqlite3.Connection:
        # immutable=1: the file never changes, so SQLite skips locking entirely.
        uri = f"file:{self.database}?mode=ro&immutable=1"
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    def index(self, synonyms_loader) -> Index:
        with self._lock:
            if self._index is None:
                self._index = Index(self.path / INDEX, synonyms_loader())
            return self._index


_builds: dict[str, Build] = {}
_builds_lock = threading.Lock()


def open_current(instance: Path) -> Build:
    """The build ``current`` points at now, opened once per process and cached."""
    link = current_path(instance)
    try:
        target = (instance / os.readlink(link)).resolve()
    except OSError:
        raise NoBuild(f"no build at {link}; run `directory build` first") from None
    key = str(target)
    with _builds_lock:
        build = _builds.get(key)
        if build is None:
            build = Build(target)
            # Only the newest build is needed by new requests; drop the others.
            _builds.clear()
            _builds[key] = build
        return build


def verify(instance: Path) -> Build:
    """Open the current build and read from both its database and its index, or raise NoBuild."""
    build = open_current(instance)
    try:
        db = build.connect()
        try:
            db.execute("select count(*) from services").fetchone()
            # A throwaway Index: the cached one must get the real synonyms later.
            Index(build.path / INDEX, {}).search("", per_page=1)
        finally:
            db.close()
    except Exception as error:  # any damage means the build cannot be served
        raise NoBuild(f"{build.path} is damaged ({type(error).__name__}: {error}); "
                      "run `directory build` to write a new one") from error
    return build
