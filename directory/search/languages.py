"""How the index reads words in each language: a tokenizer, a stop list and a stemmer.

English, Spanish and the other languages Whoosh ships a Snowball stemmer for use Whoosh's;
Indonesian (which Whoosh lacks) uses the Snowball stemmer of ``snowballstemmer``. After
stemming, accents are folded, so "psicólogo" and "psicologo" (a phone keyboard without
accents) are one term. The analyzers are pickled into the index's schema, so everything here
is a module-level name.
"""

from __future__ import annotations

import functools
import unicodedata

import snowballstemmer
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang import has_stemmer, stopwords_for_language
from whoosh.support.charset import accent_map

# Words too common in Indonesian searches to tell services apart ("layanan untuk anak di
# ..."); Whoosh has no Indonesian stop list.
INDONESIAN_STOP_WORDS = frozenset(
    "yang dan di ke dari untuk dengan ini itu atau pada dalam adalah saya aku kami kita "
    "ada akan bisa juga oleh tidak tak bagi".split())


@functools.lru_cache(maxsize=1)
def _indonesian():
    return snowballstemmer.stemmer("indonesian")


def indonesian_stem(word: str) -> str:
    """'dukungan' → 'dukung', 'konseling' → 'konseling'."""
    return _indonesian().stemWord(word)


def fold_accents(text: str) -> str:
    """'consejería' → 'consejeria', 'niño' → 'nino': phone keyboards often type neither."""
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """The words the analyzer of ``language`` drops (English's for a language without one)."""
    if language == "id":
        return INDONESIAN_STOP_WORDS
    if language == "en" or not has_stemmer(language):
        return frozenset(STOP_WORDS)
    return frozenset(stopwords_for_language(language))


@functools.cache
def analyzer(language: str):
    """The analyzer for text in ``language`` (ISO 639-1); English when there is no stemmer."""
    if language == "en" or (language != "id" and not has_stemmer(language)):
        # Unchanged from the English-only index, whose ranking tests_ranking pins down.
        return StemmingAnalyzer()
    if language == "id":
        stops, stem = INDONESIAN_STOP_WORDS, StemFilter(stemfn=indonesian_stem)
    else:
        stops, stem = stop_words(language), StemFilter(lang=language)
    return (RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stops) | stem
            | CharsetFilter(accent_map))
