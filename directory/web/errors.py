"""Error pages that help: what went wrong, what to try, and the crisis lines, never a traceback.

Under ``/api/`` the same errors are JSON: status, error, message, and for a bad query
parameter which one it was and the form it expects.
"""

from __future__ import annotations

import sqlite3

from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from whoosh.index import IndexError as WhooshIndexError

from ..build.layout import NoBuild, damage, forget_damaged
from .store import close_db

KINDS = ("service", "organization", "category")
API_MESSAGES = {404: "Nothing here has this address or id.",
                405: "This API only answers GET (and HEAD, OPTIONS).",
                500: "Something went wrong on our side; please try again.",
                503: "The directory has no build to serve yet."}


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _api_error(status: int, message: str | None = None, error: Exception | None = None):
    body = {"status": status,
            "error": error.name if isinstance(error, HTTPException) else
            ("Service Unavailable" if status == 503 else "Internal Server Error"),
            "message": message or API_MESSAGES.get(status, "")}
    parameter = getattr(error, "parameter", None)
    if parameter:
        from .api_params import PARAMETERS  # only for the expected form

        body["parameter"] = parameter
        if parameter in PARAMETERS:
            body["expected"] = PARAMETERS[parameter].expected
    response = jsonify(body)
    response.status_code = status
    if isinstance(error, HTTPException) and status == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


def _page(status: int, message: str | None = None):
    if _is_api():
        return _api_error(status)
    return render_template("error.html", status=status, message=message), status


def handle_http(error: HTTPException):
    # A 400 says what was wrong; a 404 from a view names the kind of thing not found.
    message = error.description if error.code == 400 else None
    if _is_api():
        if error.code == 404 and error.description and len(error.description) < 40:
            message = f"No {error.description} has this id (a UUID or this directory's own id)."
        return _api_error(error.code or 500, message, error)
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
    close_db(error)
    forget_damaged(build, why)
    return handle_no_build(NoBuild(f"{build.path} is damaged ({why})"))


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NoBuild, handle_no_build)
    app.register_error_handler(InternalServerError, handle_unexpected)
    for kind in (sqlite3.DatabaseError, OSError, WhooshIndexError):
        app.register_error_handler(kind, handle_unreadable)
