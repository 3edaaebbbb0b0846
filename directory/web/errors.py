"""Error pages that help: what went wrong, what to try, and the crisis lines, never a traceback."""

from __future__ import annotations

import sqlite3

from flask import current_app, g, render_template
from werkzeug.exceptions import HTTPException, InternalServerError
from whoosh.index import IndexError as WhooshIndexError

from ..build.layout import NoBuild, damage, forget_damaged
from .store import close_db

KINDS = ("service", "organization", "category")


def _page(status: int, message: str | None = None):
    return render_template("error.html", status=status, message=message), status


def handle_http(error: HTTPException):
    # A 400 says what was wrong; a 404 from a view names the kind of thing not found.
    message = error.description if error.code == 400 else None
    kind = error.description if error.code == 404 and error.description in KINDS else None
    return render_template("error.html", status=error.code, message=message, kind=kind), error.code


def handle_no_build(error: NoBuild):
    current_app.logger.error("cannot serve: %s", error)
    return _page(503)


def handle_unexpected(error: Exception):
    return _page(500)


def handle_unreadable(error: Exception):
    """A database or index error: when the served build was damaged under the running server
    (its folder deleted, its database truncated), the "no build" page, and the build is not
    opened again; any other such error is a plain 500."""
    build = g.pop("build", None)
    why = damage(build) if build is not None else None
    if why is None:
        current_app.logger.exception("unexpected error")
        return _page(500)
    close_db()
    forget_damaged(build, why)
    return handle_no_build(NoBuild(f"{build.path} is damaged ({why})"))


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NoBuild, handle_no_build)
    app.register_error_handler(InternalServerError, handle_unexpected)
    for kind in (sqlite3.DatabaseError, OSError, WhooshIndexError):
        app.register_error_handler(kind, handle_unreadable)
