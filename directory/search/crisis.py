"""Crisis searches: words of suicide, self-harm and immediate danger, however phrased.

The phrases come from the data folder's ``crisis_terms.yaml`` (a list per language; the
build writes them into the table ``crisis_terms``). A search is a crisis search when any
phrase of any language is in it, compared word by word:

- folded (``records.words.fold``): case, accents and apostrophes do not matter;
- by stem (the index's English stemmer, applied alike to both sides): "killing myself"
  matches "kill myself", "overdosed" matches "overdose";
- one extra word may stand between two words of a phrase: "want to just die";
- words of ``FUZZY_FROM`` letters or more also match with one typo (Damerau-Levenshtein 1):
  "suicde", "sucidal", since people in distress type fast on small keyboards.

Such a search is never rewritten by the speller and never ends on an empty page: the
finder puts the crisis services first (``finder``), the page the crisis lines above all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang.porter import stem

from ..records.words import fold
from . import queries

CATEGORY = "crisis-hotline"  # the kind of help a crisis search puts first
LAST_KEPT = 64  # searches whose answer is kept (per build and worker)
FUZZY_FROM = 7  # shorter words have too many neighbours one typo away ("cut" → "cat")
GAP = 1  # words allowed between two words of a phrase
# "my self" is how phones split "myself".
_JOINED = {("my", "self"): "myself", ("self", "harm"): "selfharm"}


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return stem(word)


def words(text: str) -> list[tuple[str, str]]:
    """(word, stem) pairs a phrase or search is compared by."""
    tokens = fold(text).split()
    joined: list[str] = []
    for token in tokens:
        if joined and (joined[-1], token) in _JOINED:
            joined[-1] = _JOINED[(joined[-1], token)]
        else:
            joined.append(token)
    return [(token, _stem(token)) for token in joined]


@dataclass(frozen=True)
class Match:
    language: str
    phrase: str


class CrisisTerms:
    """The crisis phrases of one build, ready to test searches against."""

    def __init__(self, phrases: list[tuple[str, str]], exceptions: list[tuple[str, str]] = ()):
        """``phrases``: (language, phrase) pairs, as ``queries.crisis_terms`` reads them;
        ``exceptions``: phrases that make a search *not* a crisis one ("suicide loss")."""
        self._phrases = [(stems, Match(language, phrase)) for language, phrase in phrases
                         if (stems := words(phrase))]
        self._exceptions = [stems for _, phrase in exceptions if (stems := words(phrase))]
        self._last: dict[str, Match | None] = {}

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def match(self, text: str) -> Match | None:
        """The first phrase the search contains, or None: not a crisis search."""
        # A search is asked twice (reading its words, then finding): compare it once.
        if text in self._last:
            return self._last[text]
        found = self._match(text)
        if len(self._last) >= LAST_KEPT:
            self._last.clear()
        self._last[text] = found
        return found

    def _match(self, text: str) -> Match | None:
        typed = words(text)
        if not typed:
            return None
        if any(_contains(typed, stems) for stems in self._exceptions):
            return None
        for stems, found in self._phrases:
            if _contains(typed, stems):
                return found
        return None


def _contains(typed: list[str], phrase: list[str]) -> bool:
    """Whether the words of ``phrase`` appear in ``typed`` in order, at most ``GAP`` apart."""
    for start, word in enumerate(typed):
        if not _same(word, phrase[0]):
            continue
        at, ok = start, True
        for wanted in phrase[1:]:
            following = range(at + 1, min(len(typed), at + 2 + GAP))
            at = next((i for i in following if _same(typed[i], wanted)), -1)
            if at < 0:
                ok = False
                break
        if ok:
            return True
    return False


def _same(typed: tuple[str, str], wanted: tuple[str, str]) -> bool:
    if typed[1] == wanted[1]:  # the same stem
        return True
    return len(wanted[0]) >= FUZZY_FROM and len(typed[0]) >= FUZZY_FROM - 1 \
        and _one_typo(typed[0], wanted[0])


def _one_typo(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1: one letter added, dropped, changed or swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[i:] == long[i + 1:]


def for_build(build, db) -> CrisisTerms:
    """The crisis terms of a build, read from its database once per build."""
    return build.memo("crisis_terms", lambda: CrisisTerms(
        queries.crisis_terms(db, "crisis"), queries.crisis_terms(db, "not_crisis")))
