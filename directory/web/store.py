"""The build being served: found through ``instance/current``, opened read-only.

Each request resolves ``current`` once (a readlink) and uses that build to the end, so a
build switched in mid-request never produces a mixed page. New builds are noticed on the
next request, without a restart.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import current_app, g

from ..build.layout import Build, NoBuild, open_current

__all__ = ["Build", "NoBuild", "get_build", "get_db", "init_app"]


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
