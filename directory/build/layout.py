"""What a build folder is: its names, its manifest, the ``current`` link, and opening one.

A build folder holds ``directory.db`` (SQLite, written with sqlite-utils), ``index/`` (Whoosh)
and ``manifest.json`` (site settings, counts, data fingerprint). ``current`` is a symlink in
the instance folder, replaced in one atomic rename. Opening a build needs no Flask: the site
(``web.store``), the benchmark and scripts read builds through ``Build``.
"""

from __future__ import annotations

import datetime as dt
import functools
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
# 4: crisis_terms (crisis searches), filter_words, audience words in the index.
# 5: both, and dated sessions (schedule rows of kind session, the sessions table), volunteer roles.
# 6: all of those, and translations of listings, descriptions and index fields per language.
# 7: and every term's postings as flat arrays beside the index (search/postings.py).
# 8: and every text term's positions as flat arrays (search/positions.py: quoted phrases).
# 9: and each service as pages read it, one JSON row a service (service_rows).
FORMAT = 9


class BuildError(Exception):
    """The build could not be written; the current build is untouched."""


def fingerprint(files: list[Path], root: Path) -> str:
    """A hash of every data file's name and content, and of the build's format: equal
    fingerprints, equal builds."""
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with path.open("rb") as handle:  # in pieces: memory stays flat for big files
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def current_path(instance: Path) -> Path:
    return instance / "current"


def current_manifest(instance: Path) -> dict | None:
    try:
        manifest = json.loads((current_path(instance) / MANIFEST).read_text())
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a link loop (Python 3.11)
        return None
    return manifest if isinstance(manifest, dict) else None


def alive(pid: int) -> bool:
    """Whether a process with this id runs (a build that left a folder may still be at it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def owner(name: str) -> int | None:
    """The build process named in a temporary name: ``.<stamp>-<pid>-<random>`` or
    ``.current-<pid>``; None for names without one."""
    parts = name.lstrip(".").split("-")
    named = len(parts) > 2 or (len(parts) == 2 and parts[0] == "current")
    return int(parts[1]) if named and parts[1].isdigit() else None


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
    remove_leftovers(builds.parent)


def remove_leftovers(instance: Path) -> None:
    """Temporary folders and ``.current-<pid>`` links of builds that are no longer running.

    Each carries its build's process id: one whose process is gone was killed and is removed
    now. (Folders of the older form, without an id, go once they are an hour old.)
    """
    builds = instance / "builds"
    candidates = [*builds.glob(".*"), *instance.glob(".current-*")] if builds.is_dir() else \
        list(instance.glob(".current-*"))
    hour_ago = dt.datetime.now().timestamp() - 3600
    for leftover in candidates:
        pid = owner(leftover.name)
        try:
            stale = (pid is not None and pid != os.getpid() and not alive(pid)) or \
                (pid is None and leftover.lstat().st_mtime < hour_ago)
        except OSError:
            continue
        if not stale:
            continue
        if leftover.is_symlink() or not leftover.is_dir():
            leftover.unlink(missing_ok=True)
        else:
            shutil.rmtree(leftover, ignore_errors=True)



# --- reading a build ------------------------------------------------------------------


class NoBuild(Exception):
    """There is no usable build to serve. ``site``: the settings of the build that was being
    served, when one was damaged under the server (the "no build" page still shows its
    crisis lines)."""

    def __init__(self, message: str, site: dict | None = None):
        super().__init__(message)
        self.site = site or {}


class Build:
    """One immutable build folder: its manifest, database path and search index."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.manifest = json.loads((path / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise NoBuild(f"{path} is not a complete build ({error}); "
                          "run `directory build`") from error
        if not isinstance(self.manifest, dict) or not isinstance(self.manifest.get("id"), str) \
                or not isinstance(self.manifest.get("site"), dict):
            raise NoBuild(f"{path}/{MANIFEST} is not a build's manifest (it needs an id and the "
                          "site settings); run `directory build` to write a new build")
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

    def kept(self, key: tuple):
        """What ``recent`` keeps by ``key``, or None: for a caller that first gathers what
        is missing (a page of cards reads the rows of those not kept at once)."""
        with self._lock:
            kept = self._recent.get(key[0])
            if kept is None or key not in kept:
                return None
            kept.move_to_end(key)
            return kept[key]

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
        if self._index is None:
            # Read outside the lock: the loader may open the database, which takes the
            # build's lock for its kept connections (``memo``): under it, that would wait
            # for ever on a worker whose first question was the index.
            synonyms = synonyms_loader()
            with self._lock:
                if self._index is None:
                    self._index = Index(self.path / INDEX, synonyms)
        return self._index


_builds: dict[str, Build] = {}
_damaged: dict[str, tuple[str, dict]] = {}  # build folder -> (why it is unreadable, site)
_builds_lock = threading.Lock()


def damage(build: Build) -> str | None:
    """Why a build that was opened can no longer be read (its folder deleted, its database
    truncated or overwritten under the running server), or None when it is whole."""
    if not build.path.is_dir():
        return "its folder is gone"
    for part, exists in ((DATABASE, build.database.is_file()),
                         (f"{INDEX}/", (build.path / INDEX).is_dir())):
        if not exists:
            return f"{part} is gone"
    try:
        db = build.connect()
        try:
            # quick_check reads every page once: a truncated file fails here.
            verdict = db.execute("pragma quick_check(1)").fetchone()[0]
            db.execute("select count(*) from services").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        return f"{DATABASE} cannot be read ({error})"
    return None if verdict == "ok" else f"{DATABASE} is damaged ({verdict})"


def forget_damaged(build: Build, why: str) -> None:
    """Stop serving a damaged build: ``open_current`` refuses it from now on (NoBuild, the
    "no build" page) until ``current`` points at another one."""
    with _builds_lock:
        _damaged[str(build.path)] = (why, build.site)
        _builds.pop(str(build.path), None)


def open_current(instance: Path) -> Build:
    """The build ``current`` points at now, opened once per process and cached."""
    link = current_path(instance)
    try:
        target = _resolved(str(instance), os.readlink(link))
    except FileNotFoundError:
        raise NoBuild(f"no build at {link}; run `directory build` first") from None
    except (OSError, RuntimeError):  # not a link; RuntimeError: a link loop (Python 3.11)
        raise NoBuild(f"{link} does not lead to a build (a link loop, or not a link); remove "
                      "it and run `directory build`") from None
    key = str(target)
    with _builds_lock:
        if key in _damaged:
            why, site = _damaged[key]
            raise NoBuild(f"{target} is damaged ({why}); run `directory build` to write a new "
                          "one", site=site)
        build = _builds.get(key)
        if build is None:
            build = Build(target)
            # Only the newest build is needed by new requests; drop the others.
            _builds.clear()
            _builds[key] = build
        return build


@functools.lru_cache(maxsize=64)
def _resolved(instance: str, link_text: str) -> Path:
    """Where ``current``'s text leads, made absolute: once per text, not on every request
    (``resolve`` looks at each part of the path: a tenth of a millisecond a page). A new
    build is a new text, so it is looked up afresh; a loop raises and is not kept."""
    return (Path(instance) / link_text).resolve()


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
