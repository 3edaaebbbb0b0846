"""The build being served: found through ``instance/current``, opened read-only.

Each request resolves ``current`` once (a readlink) and uses that build to the end, so a
build switched in mid-request never produces a mixed page. New builds are noticed on the
next request, without a restart.

Database connections are kept per build and handed from request to request: a build's
database never changes, so a connection that already holds its schema, its prepared
statements and the pages read before answers the next request without opening the file
again (issue #19: opening, reading the schema and closing cost a service page a third of
a millisecond, and every first read went back to the file). A file changed or gone under
the server (a damaged build) is noticed before a kept connection is reused: it is then
opened afresh, which fails as it did without keeping.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from flask import current_app, g
from flask.globals import _cv_app

from ..build.layout import Build, NoBuild, open_current

__all__ = ["Build", "NoBuild", "get_build", "get_db", "init_app"]
KEPT_CONNECTIONS = 4  # idle connections per build: enough for a worker's threads (gunicorn_conf:
# 1 by default); each holds up to 2 MB of pages (SQLite's default cache), so at most 8 MB


def get_build() -> Build:
    # A page asks for its build sixty times or more: read from ``g`` without its proxy.
    context = _cv_app.get(None)
    kept = context.g.__dict__ if context is not None else g.__dict__  # g: Flask's own error
    build = kept.get("build")
    if build is None:
        build = kept["build"] = open_current(Path(current_app.instance_path))
    return build


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connections(get_build()).take()
    return g.db


def close_db(exception=None) -> None:
    """Hand the request's connection back to its build; after an error, close it."""
    db = g.pop("db", None)
    if db is None:
        return
    build = g.get("build")
    if exception is None and build is not None:
        connections(build).give(db)
    else:
        db.close()


class Connections:
    """A build's idle read-only connections, and what its database file looked like when
    they were opened (size, modification time, inode)."""

    def __init__(self, build: Build):
        self.build = build
        self._idle: list[sqlite3.Connection] = []
        self._seen = _signature(build.database)
        self._lock = threading.Lock()

    def take(self) -> sqlite3.Connection:
        seen = _signature(self.build.database)
        with self._lock:
            if seen != self._seen:  # the file changed or went: keep nothing read from it
                stale, self._idle, self._seen = self._idle, [], seen
            else:
                stale = []
            db = self._idle.pop() if self._idle else None
        for old in stale:
            old.close()
        return db if db is not None else self.build.connect()

    def give(self, db: sqlite3.Connection) -> None:
        with self._lock:
            if len(self._idle) < KEPT_CONNECTIONS:
                self._idle.append(db)
                return
        db.close()


def connections(build: Build) -> Connections:
    return build.memo("connections", lambda: Connections(build))


def _signature(path: Path) -> tuple | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
