"""The served build as Open Referral HSDS: its mapping and its UUID → slug lookup, made once
per build (both depend on nothing else) and a ``Source`` over this request's connection."""

from __future__ import annotations

from ..hsds.source import Lookup, Source
from .store import get_build, get_db


def source() -> Source:
    build = get_build()
    mapper = build.memo("hsds-mapper", lambda: Source(get_db(), build.site).mapper)
    return Source(get_db(), build.site, mapper=mapper)


def lookup() -> Lookup:
    return get_build().memo("hsds-lookup", lambda: Lookup.of(source()))
