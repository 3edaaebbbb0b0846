"""What the words of a search say besides the kind of help: filters and place.

Residents write "free counselling", "support group tonight", "therapist who speaks spanish",
"aa meetings near me". The taxonomy's ``filter_words`` list such phrases and what each means
(``cost: free``, ``open_now``, ``language: es``, ``place: me``); the build writes them into
the table ``filter_words``. ``FilterWords.read`` finds them (as whole words, folded like the
crisis terms: case, accents and apostrophes ignored; longest phrase first) and returns the
search without them and the filters they ask for. The site then shows those filters as
chips a person can remove (``web.site``), and for "near me" asks where they are.

A phrase is only taken as a filter when the build has services with that value (no
"language: id" filter on a directory without Indonesian services: the words stay words),
and when the person has not chosen that filter already.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..records.words import fold
from . import queries

PLACE = "place"  # the pseudo-filter of "near me": ask where the person is
_TOKEN = re.compile(r"[\w'’‘`´]+")


@dataclass(frozen=True)
class Reading:
    text: str  # the words left to search with
    filters: tuple[tuple[str, str], ...] = ()  # (filter, value) the words asked for
    ask_place: bool = False  # "near me": the page asks where the person is
    phrases: tuple[str, ...] = ()  # the words taken as filters or place, as typed
    place_phrase: str = ""  # the words that asked for a place ("near me"), as typed

    @property
    def changed(self) -> bool:
        return bool(self.filters or self.ask_place)


class FilterWords:
    """The filter phrases of one build."""

    def __init__(self, rows: list[tuple[str, str, str]]):
        """``rows``: (filter, value, phrase), as ``queries.filter_words`` reads them."""
        entries = [(fold(phrase).split(), name, value) for name, value, phrase in rows]
        self._entries = sorted((e for e in entries if e[0]), key=lambda e: -len(e[0]))
        # Where each first word starts a phrase: a search is compared with the phrases that
        # begin with one of its words (in the same order), not with every phrase.
        self._starting: dict[str, list[int]] = {}
        for position, (words, _name, _value) in enumerate(self._entries):
            self._starting.setdefault(words[0], []).append(position)

    def read(self, q: str, available: Callable[[str, str], bool],
             chosen: set[str] = frozenset()) -> Reading:
        """The search without its filter words, and the filters they ask for.

        ``available(name, value)``: whether the build has services with that value;
        ``chosen``: filters the person set already (their own choice wins)."""
        typed = _TOKEN.findall(q)
        folded = [fold(token) for token in typed]
        used = [False] * len(typed)
        filters: dict[str, str] = {}
        ask_place, phrases, place_phrase = False, [], ""
        candidates = sorted({position for word in folded
                             for position in self._starting.get(word, ())})
        for words, name, value in (self._entries[position] for position in candidates):
            if name != PLACE and (name in chosen or name in filters
                                  or not available(name, value)):
                continue
            for start in range(len(folded) - len(words) + 1):
                span = range(start, start + len(words))
                if any(used[i] for i in span) or folded[start:start + len(words)] != words:
                    continue
                for i in span:
                    used[i] = True
                phrases.append(" ".join(typed[i] for i in span))
                if name == PLACE:
                    ask_place, place_phrase = True, phrases[-1]
                else:
                    filters[name] = value
                break
        text = " ".join(token for token, gone in zip(typed, used, strict=True) if not gone)
        if not phrases:
            return Reading(q)
        return Reading(text, tuple(sorted(filters.items())), ask_place, tuple(phrases),
                       place_phrase)


def available(facet_index, name: str, value: str) -> bool:
    """Whether some service of the build has this filter value (flags always can)."""
    return name in ("open_now", "wheelchair") or value in facet_index.masks.get(name, {})


def for_build(build, db) -> FilterWords:
    """The filter words of a build, read from its database once per build."""
    return build.memo("filter_words", lambda: FilterWords(queries.filter_words(db)))
