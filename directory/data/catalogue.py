"""The catalogue: validated, normalised records, the one shape every later step reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..geo import places
from ..records.load import Located


@dataclass
class Catalogue:
    """Validated, normalised records: what a build writes. Rows are plain dicts."""

    site: dict = field(default_factory=dict)
    categories: list[dict] = field(default_factory=list)
    audiences: list[dict] = field(default_factory=list)
    organizations: list[Located] = field(default_factory=list)
    locations: list[Located] = field(default_factory=list)
    services: list[Located] = field(default_factory=list)
    places: list[places.Place] = field(default_factory=list)
    # crisis / not_crisis → language code → phrases (crisis_terms.yaml).
    crisis_terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Words of a search that are filters (taxonomy.yaml's filter_words): filter, value, words.
    filter_words: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"organizations": len(self.organizations), "services": len(self.services),
                "locations": len(self.locations), "categories": len(self.categories)}


def synonym_words(synonyms, language: str | None = None) -> list[str]:
    """A category's search words: those of one language (when given) or of all of them.

    Synonyms are ``{en: [...], es: [...]}`` once validated; a plain list (older builds,
    hand-made test data) counts as every language's."""
    if not synonyms:
        return []
    if isinstance(synonyms, list):
        return list(synonyms)
    if language is not None:
        return list(synonyms.get(language) or [])
    return [word for words in synonyms.values() for word in words]
