"""The build being served: found through ``instance/current``, opened read-only.

Each request resolves ``current`` once (a readlink) and uses that build to the end, so a
build switched in mid-request never produces a mixed page. New builds are noticed on the
next request, without a restart.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from flask import current_app, g

from .build import DATABASE, INDEX, MANIFEST, current_path
from .search import Index


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


def get_build() -> Build:
    if "build" not in g:
        g.build = open_current(Path(current_app.instance_path))
    return g.build


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = get_build().connect()
    return g.db


def close_db(_exception=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
