"""This directory's own HSDS taxonomy: categories, audiences, ways in, remote modes and cost.

One ``taxonomy`` holds five top-level terms (``category``, ``audience``, ``access``,
``remote``, ``cost``); under each, one term per value, with ``code`` ``<facet>:<id>`` (e.g.
``category:counselling``, ``audience:youth``). Categories keep their parents (a child
category's ``parent_id`` is its parent category's term). A service points at its terms
through ``attributes`` (``link_entity`` ``service``, ``link_type`` the facet).
"""

from __future__ import annotations

from dataclasses import dataclass

from .ids import Ids

FACETS = {
    "category": ("Kind of help", "What kind of help a service gives (taxonomy.yaml)."),
    "audience": ("Audience", "Who a service is meant for (taxonomy.yaml)."),
    "access": ("Way in", "How a person gets into a service."),
    "remote": ("Remote", "How a service can be used without going there."),
    "cost": ("Cost", "What a service costs."),
}
# Terms of the fixed vocabularies (data/schema.py), with a description a person understands.
FIXED = {
    "access": {
        "walk-in": ("Walk in", "Come in without an appointment."),
        "appointment": ("By appointment", "Make an appointment first."),
        "referral": ("By referral", "Needs a referral from a professional or agency."),
        "call-first": ("Call first", "Call before coming in."),
    },
    "remote": {
        "phone": ("By phone", "Can be used by phone call."),
        "video": ("By video", "Can be used by video call."),
        "chat": ("By online chat", "Can be used by chat on a web page."),
        "text": ("By text message", "Can be used by text message."),
    },
    "cost": {
        "free": ("Free", "Free of charge."),
        "sliding-scale": ("Sliding scale", "Fees depend on what a person can pay."),
        "paid": ("Paid", "There is a fee; see fees_description."),
    },
}


@dataclass(frozen=True)
class Term:
    facet: str
    value: str | None  # None for a facet's top-level term
    hsds: dict


class Taxonomy:
    """The taxonomy and its terms for one build's categories and audiences."""

    def __init__(self, ids: Ids, site: dict, categories: list[dict], audiences: list[dict]):
        self.ids = ids
        self.id = ids.of("taxonomy", "directory")
        self.hsds = {
            "id": self.id,
            "name": f"{site.get('name') or 'Directory'} taxonomy",
            "description": ("The kinds of help, audiences, ways in, remote modes and costs this "
                            f"directory of {site.get('region') or 'services'} lists."),
            "version": "1",
        }
        self.terms: dict[str, Term] = {}  # by code
        for facet, (name, description) in FACETS.items():
            self._add(facet, None, name, description, None)
        for category in categories:
            parent = f"category:{category['parent_id']}" if category.get("parent_id") else None
            self._add("category", category["id"], category["name"],
                      category.get("description") or category["name"], parent)
        for audience in audiences:
            self._add("audience", audience["id"], audience["name"],
                      f"Services meant for: {audience['name']}.", None)
        for facet, values in FIXED.items():
            for value, (name, description) in values.items():
                self._add(facet, value, name, description, None)

    def _add(self, facet, value, name, description, parent_code) -> None:
        code = facet if value is None else f"{facet}:{value}"
        term = {"id": self.ids.of("taxonomy_term", code), "code": code, "name": name,
                "description": description, "taxonomy": self.hsds["name"], "language": "en",
                "taxonomy_id": self.id}
        if value is not None:
            term["parent_id"] = self.ids.of("taxonomy_term", parent_code or facet)
        self.terms[code] = Term(facet, value, term)

    def term(self, facet: str, value: str) -> dict | None:
        found = self.terms.get(f"{facet}:{value}")
        return found.hsds if found else None

    def by_id(self) -> dict[str, Term]:
        return {term.hsds["id"]: term for term in self.terms.values()}

    def full_term(self, term: dict) -> dict:
        """A term with its taxonomy nested, as ``/taxonomy_terms/{id}`` and attributes give it."""
        return {**term, "taxonomy_detail": self.hsds}

    def attributes(self, service: dict, service_id: str) -> list[dict]:
        """The service's links to its terms, each with the term nested."""
        pairs = [("category", c["id"]) for c in service.get("categories") or []]
        pairs += [("audience", a["id"]) for a in service.get("audiences") or []]
        pairs += [("access", service["access"])] if service.get("access") else []
        pairs += [("remote", mode) for mode in service.get("remote") or []]
        pairs += [("cost", service["cost"])] if service.get("cost") else []
        out = []
        for facet, value in pairs:
            term = self.term(facet, value)
            if term is None:
                continue
            out.append({"id": self.ids.of("attribute", "service", service["id"], facet, value),
                        "link_id": service_id, "taxonomy_term_id": term["id"],
                        "link_type": facet, "link_entity": "service", "value": value,
                        "taxonomy_term": term})
        return out
