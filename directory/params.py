"""Read query parameters strictly: a bad value is a 400 that says what was wrong, never a 500."""

from __future__ import annotations

import unicodedata

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest


def _clean(value: str) -> str:
    """Drop control characters (NUL, escapes) that no person types; keep every letter."""
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t ").strip()


def text(name: str, limit: int | None = None) -> str:
    value = _clean(request.args.get(name, ""))
    limit = limit or current_app.config["MAX_QUERY_LENGTH"]
    if len(value) > limit:
        raise BadRequest(_("The search is %(length)d characters long; please keep it under "
                           "%(limit)d.", length=len(value), limit=limit))
    return value


def page() -> int:
    raw = request.args.get("page", "1").strip() or "1"
    limit = current_app.config["MAX_PAGE"]
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        raise BadRequest(_('"%(value)s" is not a page number; use a whole number from 1 to '
                           "%(limit)d.", value=raw[:20], limit=limit))
    return int(raw)


def choice(name: str, choices: dict[str, str], what: str) -> str | None:
    """A value that must be one of the known ids, e.g. a category."""
    value = _clean(request.args.get(name, ""))
    if not value:
        return None
    if value not in choices:
        raise BadRequest(_('"%(value)s" is not a known %(what)s. Choose one of: %(choices)s.',
                           value=value[:60], what=what, choices=", ".join(choices.values())))
    return value
