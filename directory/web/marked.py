"""Links that differ only by a service's id, made once per page with the id's place marked.

A page of results links to twenty services, and adds each to the referral list, with the
same carried place, language and list: ``url_for`` (with its ``url_defaults``) runs once
per kind of link and page, and each link is that one with the id put in.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context

from ..records.fields import SLUG

MARK = "\x01"  # stands for the id; url_for writes it %01, which no id (a slug) holds


def with_id(kind: str, make: Callable[[str], str], service_id: str) -> str:
    """``make(service_id)``, from ``make(MARK)`` made once per request and kind of link."""
    if not SLUG.fullmatch(service_id) or not has_request_context():
        return make(service_id)
    name = f"marked_{kind}"
    made = g.get(name)
    if made is None:
        made = make(MARK)
        setattr(g, name, made)
    return made.replace("%01", service_id, 1)
