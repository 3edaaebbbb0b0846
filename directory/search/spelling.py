"""Typo tolerance: "did you mean" from Whoosh's corrector over the directory's own words.

The build stores the unstemmed words people search with, and how many active services use
each: service names, organization names, and the names and synonyms of each service's
categories (table ``spelling_words``). The site loads them once per build into Whoosh's
``ListCorrector`` (a Levenshtein automaton over the sorted list). A search word that is
neither such a word nor, once stemmed, in the index is replaced by the nearest word
(Damerau-Levenshtein distance 1, else 2, same first letter; the most used wins). Known words
are never touched, so a correct search is never "corrected".

Why a word list rather than Whoosh's ``spelling=True`` fields: those re-index every
document's text unstemmed, which made building the index about 55% slower; the list costs
a fraction of a second.
"""

from __future__ import annotations

import threading
from collections import Counter

from whoosh.spelling import ListCorrector

from ..data.catalogue import synonym_words
from . import queries
from .index import ANALYZER, SEARCH_FIELDS, normalise

MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
WORDS = "spelling_words"


# --- in the build ----------------------------------------------------------------------


def vocabulary(catalogue) -> Counter:
    """Each word of names, organizations and category words → active services using it."""
    categories = {c["id"]: c for c in catalogue.categories}
    audiences = {a["id"]: a for a in catalogue.audiences}
    organizations = {o["id"]: o for o in catalogue.organizations}
    counts: Counter = Counter()
    # A category's words repeat in every service of it: split each distinct text once.
    words_in: dict[str, frozenset[str]] = {}

    def words(text: str) -> frozenset[str]:
        found = words_in.get(text)
        if found is None:
            found = words_in[text] = frozenset(
                word for word in normalise(text).split() if word.isalpha())
        return found

    # And a category's words, with its ancestors', are the same for every service in it:
    # gathered once per category and audience, not once per service (a set is counted once
    # per service, so the union is the same however it is made).
    topic_words: dict[tuple[str, str], frozenset[str]] = {}

    def category_words(category_id: str) -> frozenset[str]:
        found = topic_words.get(("category", category_id))
        if found is None:
            texts, ancestor = [], category_id
            while ancestor in categories:  # the category and its ancestors, as indexed
                category = categories[ancestor]
                texts += [*category["name"].values(), *synonym_words(category.get("synonyms"))]
                ancestor = category.get("parent")
            found = frozenset().union(*map(words, texts))
            topic_words[("category", category_id)] = found
        return found

    def audience_words(audience_id: str) -> frozenset[str]:
        found = topic_words.get(("audience", audience_id))
        if found is None:
            audience = audiences.get(audience_id)
            found = frozenset() if audience is None else frozenset().union(*map(words, [
                *audience["name"].values(), *synonym_words(audience.get("synonyms"))]))
            topic_words[("audience", audience_id)] = found
        return found

    # A word counts once per service that has it: its topics' words once per service with
    # the same topics (counted at the end), its own words where its topics lack them.
    topics_of: dict[tuple, frozenset[str]] = {}
    services_with: Counter = Counter()
    for service in catalogue.services:
        if service.get("status", "active") != "active":
            continue
        key = (tuple(service.get("categories") or ()), tuple(service.get("audience") or ()))
        topics = topics_of.get(key)
        if topics is None:
            topics = topics_of[key] = frozenset().union(*map(category_words, key[0]),
                                                        *map(audience_words, key[1]))
        services_with[key] += 1
        org = organizations.get(service["organization_id"], {})
        texts = [service["name"], org.get("name") or "", org.get("alternate_name") or ""]
        counts.update(frozenset().union(*map(words, texts)) - topics)
    for key, services in services_with.items():
        for word in topics_of[key]:
            counts[word] += services
    return counts


def write_vocabulary(db, words: Counter) -> None:
    """The ``vocabulary`` as the build's table of words (a ``sqlite_utils.Database``)."""
    db[WORDS].create({"word": str, "frequency": int}, pk="word")
    db[WORDS].insert_all(({"word": word, "frequency": frequency}
                          for word, frequency in sorted(words.items())), batch_size=1000)


# --- on the site -----------------------------------------------------------------------


class Speller:
    """The corrector of one build."""

    def __init__(self, words: dict[str, int]):
        self.frequency = words
        self.corrector = ListCorrector(sorted(words))

    def correct(self, reader, text: str) -> str | None:
        """The search with misspelt words replaced, or None when nothing needed correcting."""
        words = normalise(text).split()
        fixed = [self._fix(reader, word) for word in words]
        return " ".join(fixed) if fixed != words else None

    def may_correct(self, text: str) -> bool:
        """Whether any word could be corrected at all (cheap: no index reader needed)."""
        return bool(self.frequency) and any(
            len(word) >= MIN_LENGTH and word.isalpha() and word not in self.frequency
            for word in normalise(text).split())

    def known(self, reader, word: str) -> bool:
        """A word of the list, or one whose stem is in the index (stop words count as known)."""
        if word in self.frequency:
            return True
        stems = [token.text for token in ANALYZER(word)]
        return not stems or any(reader.doc_frequency(field, stem)
                                for field in SEARCH_FIELDS for stem in stems)

    def _fix(self, reader, word: str) -> str:
        if len(word) < MIN_LENGTH or not word.isalpha() or not self.frequency \
                or self.known(reader, word):
            return word
        for distance in (1, 2):
            found = self.corrector.suggest(word, limit=10, maxdist=distance, prefix=1)
            if found:
                # The most used nearby word; ties go alphabetically, for stable results.
                return min(found, key=lambda s: (-self.frequency.get(s, 0), s))
        return word


_spellers: dict[str, Speller] = {}
_lock = threading.Lock()


def for_build(build, db) -> Speller:
    """The speller of a build, made on first use and kept while that build is current."""
    with _lock:
        found = _spellers.get(build.id)
        if found is None:
            found = Speller(queries.spelling_words(db))
            _spellers.clear()
            _spellers[build.id] = found
        return found
