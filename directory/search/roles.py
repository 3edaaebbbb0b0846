"""Ways to help: volunteer roles and peer-supporter trainings, filtered like ``/events``.

Roles are never in the search index: a resident looking for help never meets them among
services. ``/volunteer`` (and ``/search?kind=volunteer``, which goes there) filters the few
roles a build has here, by words, kind of help, language and place.
"""

from __future__ import annotations

import unicodedata

from ..geo import distance as geo
from .events import distance, matches

TEXT_FIELDS = ("name", "description", "commitment", "training", "requirements",
               "organization_name")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def find(roles: list[dict], words: str = "", *, categories: set[str] | None = None,
         language: str | None = None, point: geo.Point | None = None,
         radius_km: float | None = None) -> list[dict]:
    """Roles that have every word (in any of their texts), one of ``categories``, the
    language and, with a point, a place within ``radius_km`` or no place at all (done from
    home). Nearest first with a point; each kept role gets ``distance_km``."""
    wanted = _fold(words).split()
    found = []
    for role in roles:
        if not matches(role, categories, language):
            continue
        haystack = _fold(" ".join(str(role.get(name) or "") for name in TEXT_FIELDS))
        if not all(word in haystack for word in wanted):
            continue
        kms = [km for place in role.get("locations") or []
               if (km := distance(place, point)) is not None]
        if point is not None and kms and radius_km is not None and min(kms) > radius_km:
            continue
        found.append(role | {"distance_km": min(kms) if kms else None})
    if point is not None:
        found.sort(key=lambda role: (role["distance_km"] is None, role["distance_km"] or 0))
    return found
