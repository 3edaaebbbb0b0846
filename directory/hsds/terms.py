"""A service's taxonomy terms → its categories (through the taxonomy map) and, from an export
of this directory (terms coded ``category:counselling``, ``cost:free``...), its audience, cost,
way in and remote modes. With ``--all``, categories made from the source's own terms."""

from __future__ import annotations

import re

from ..data import schema
from .tables import Row

WORDS = {"cost": schema.COSTS, "access": schema.ACCESS, "remote": schema.REMOTE}
_OWN = re.compile(r"^(category|audience|access|remote|cost):([a-z0-9-]+)$")


def fields(terms: list[Row], all_terms: dict[str, Row], options) -> dict:
    """``categories``, ``audience``, ``remote`` (lists) and ``cost``, ``access`` when said."""
    out: dict = {"categories": [], "audience": [], "remote": []}
    known = options.categories
    for term in terms:
        own = _OWN.match(term.text("code"))
        if own:  # an export of a directory like this one: facet:value codes
            facet, value = own[1], own[2]
            if facet == "category" and value in known:
                out["categories"].append(value)
            elif facet == "audience" and value in options.audiences:
                out["audience"].append(value)
            elif facet == "remote" and value in schema.REMOTE:
                out["remote"].append(value)
            elif facet in ("cost", "access") and value in WORDS[facet]:
                out[facet] = value
            continue
        vocabulary = term.text("taxonomy").lower()
        code = term.text("code") or term.text("name")
        field_name = next((name for name in ("cost", "access", "remote", "audience")
                           if vocabulary.endswith(name)), None)
        if field_name == "audience" and code in options.audiences:
            out["audience"].append(code)
            continue
        if field_name in WORDS and code in WORDS[field_name]:
            if field_name == "remote":
                out["remote"].append(code)
            else:
                out[field_name] = code
            continue
        mapped = [code] if code in known else \
            [category for category in options.taxonomy.categories_of(term, all_terms)
             if category in known]
        out["categories"].extend(mapped)
    out["categories"] = list(dict.fromkeys(out["categories"]))
    return out


def created_categories(terms: list[Row], options, new: dict[str, str]) -> list[str]:
    """Category ids made from the terms' names (``new`` collects the ones to add)."""
    if not terms:  # --all and not even a term: one catch-all category holds them
        if "other" not in options.categories:
            new.setdefault("other", "Other services")
        return ["other"]
    made = []
    for term in terms:
        name = term.text("name") or term.text("code")
        category = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if not category:
            continue
        if category not in options.categories:
            new.setdefault(category, name)
        if category not in made:
            made.append(category)
    return made
