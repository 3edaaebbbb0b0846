"""Counts of unmet need, kept without tracking anyone: what is counted and how it is stored.

When a deployment turns it on (``count_unmet_need: true`` in site.yaml), each search adds
one to a few counters of its day and UI language, never more:

- ``nothing``: a search that found nothing, by its normalised words (and the filter values
  chosen, which are ids from a fixed list): what people look for and do not find;
- ``crisis``: a crisis search, counted only, never its words;
- ``search``: every search, by kind of help and area (the place given, rounded to its
  neighbourhood or postcode; "use my location" to the nearest one).

Never stored: an address, a point, the query as typed, a time finer than the day, anything
about the person (no cookie, no address, no session). Normalising drops every word with a
digit, e-mail addresses and web addresses, and name-like words: a word after a title (Dr,
Mrs...), a capitalised word the directory does not use, a given name in gender-guesser's
dictionary of about 40,000 names from many countries (unless the directory uses the word
or it is an everyday word that is also a name: hope, grace, will). The report shows a
phrase only once it was counted at least ``MIN_SHOWN`` times (``review.unmet``).

The counts live in one SQLite file outside the build (the site never writes into a build)
under the instance folder, in WAL mode: every search is one short transaction of upserts
(``INSERT ... ON CONFLICT DO UPDATE SET searches = searches + 1``), so several gunicorn
workers may write at once without losing a count, and the counts survive restarts.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FILE_NAME = "unmet-need.sqlite"
MIN_SHOWN = 10  # a phrase is only ever shown once counted this many times
MAX_WORDS = 8
MAX_WORD_LENGTH = 30
NOTHING, CRISIS, SEARCH = "nothing", "crisis", "search"
SCHEMA = """
create table if not exists counts (
  day text not null,          -- YYYY-MM-DD in the site's zone: nothing finer
  language text not null,     -- the UI language of the page
  measure text not null,      -- nothing | crisis | search
  value text not null,        -- normalised words; or "category|area"; or ""
  filters text not null,      -- for "nothing": the filter values chosen, e.g. language=es
  searches integer not null,
  primary key (day, language, measure, value, filters)
) without rowid
"""
_UPSERT = """insert into counts (day, language, measure, value, filters, searches)
             values (?, ?, ?, ?, ?, 1)
             on conflict (day, language, measure, value, filters)
             do update set searches = searches + 1"""

TITLES = {"dr", "doctor", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "rev",
          "reverend", "father", "fr", "pastor", "sister", "brother", "sr", "sra", "srta",
          "don", "dona", "doña", "herr", "frau"}
# Everyday words that are also given names: a name dictionary would drop them all.
EVERYDAY = {"hope", "grace", "faith", "joy", "will", "may", "art", "sad", "men", "man",
            "rose", "summer", "autumn", "june", "august", "mark", "bill", "sunny", "chance",
            "angel", "max", "king", "river", "sky", "star", "honey", "amber", "iris", "jade",
            "lily", "ivy", "dawn", "rain", "storm", "early", "young", "love", "page", "patience",
            "trinity", "christian", "mercy", "harmony", "unity", "liberty", "justice",
            "women", "woman", "boy", "girl", "kid", "son", "dad", "mum", "mom", "carer",
            "care", "help", "home", "house", "free", "new", "can", "do", "an", "la", "de",
            "del", "el", "los", "las", "le", "di", "da", "van", "von", "al"}
# Words of suicide, self-harm and immediate danger: a search with one is a crisis search,
# whose words are never stored. The search engine's own crisis detection (``hits.crisis``,
# with the maintainers' word list) is used first where it exists; this is the floor.
CRISIS_WORDS = {"suicide", "suicidal", "kill", "overdose", "overdosing", "self-harm",
                "selfharm", "cutting", "988", "suicidio", "suicida", "matarme"}
CRISIS_PHRASES = [("kill", "myself"), ("want", "to", "die"), ("end", "my", "life"),
                  ("end", "it", "all"), ("hurt", "myself"), ("self", "harm"),
                  ("want", "to", "live"), ("take", "my", "life"), ("wanna", "die")]
_EMAIL = re.compile(r"\S+@\S+")
_WEB = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@lru_cache(maxsize=1)
def _given_names():
    import gender_guesser.detector as detector  # ~1 s to read: once per process, on first use

    return detector.Detector(case_sensitive=False)


def is_given_name(word: str) -> bool:
    return _given_names().get_gender(word) != "unknown"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return unicodedata.normalize("NFC", text.casefold())


def looks_like_crisis(query: str) -> bool:
    """Whether a query has a word or phrase of suicide, self-harm or immediate danger."""
    words = [_fold(raw).replace("’", "'") for raw in _WORD.findall(query)]
    if CRISIS_WORDS.intersection(words):
        return True
    spaced = f" {' '.join(words)} "
    return any(f" {' '.join(phrase)} " in spaced for phrase in CRISIS_PHRASES)


def words_of(text: str) -> list[str]:
    """Folded words of a public text (a category, a place), hyphenated ones also in parts."""
    found = []
    for raw in _WORD.findall(unicodedata.normalize("NFKC", text)):
        word = _fold(raw).replace("’", "'")
        found += [word, *re.split(r"['-]", word)]
    return found


def normalise(query: str, known: frozenset[str] | set[str] = frozenset()) -> str:
    """The words of a query that may be counted, lowercased, in order, each once.

    ``known`` are words the directory itself uses (names, categories, languages, places):
    public words, never taken for a person's name."""
    text = _WEB.sub(" ", _EMAIL.sub(" ", unicodedata.normalize("NFKC", query)))
    kept: list[str] = []
    after_title = False
    for position, raw in enumerate(_WORD.findall(text)):
        word = _fold(raw).replace("’", "'")
        if after_title:  # "dr smith": the name after a title goes with it
            after_title = False
            if word not in known:
                continue
        if word in TITLES or word.rstrip(".") in TITLES:
            after_title = True
            continue
        if any(ch.isdigit() for ch in word) or len(word) > MAX_WORD_LENGTH:
            continue
        # Two letters name nobody ("my", "al"); longer words may be a name.
        if word not in known and word not in EVERYDAY and len(word) > 2:
            capitalised = raw[:1].isupper() and position > 0
            if capitalised or is_given_name(word):
                continue
        if word not in kept:
            kept.append(word)
    return " ".join(kept[:MAX_WORDS])


@dataclass
class Search:
    """What one search adds to the counts (already stripped of anything personal)."""

    day: str
    language: str
    words: str = ""
    category: str = ""
    area: str = ""
    filters: str = ""
    crisis: bool = False
    found_nothing: bool = False

    def counters(self) -> list[tuple[str, str, str]]:
        """(measure, value, filters) of each counter this search adds one to."""
        found = [(SEARCH, f"{self.category}|{self.area}", "")]
        if self.crisis:
            found.append((CRISIS, "", ""))  # never the words of a crisis search
        elif self.found_nothing and (self.words or self.filters):
            found.append((NOTHING, self.words, self.filters))
        return found


def path_in(instance: Path) -> Path:
    return Path(instance) / FILE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """The counts file, created on first use (readable by its owner only), in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = normal")  # WAL: a crash may lose the last counts, no more
    db.execute(SCHEMA)
    return db


_open = threading.local()


def _connection(path: Path) -> sqlite3.Connection:
    """This thread's connection to the counts file, kept open: closing the last connection
    checkpoints the log to disk, which made each search's count 25 ms instead of 0.4 ms. A
    forked worker opens its own (the key holds the process id)."""
    key = (os.getpid(), str(path))
    found = getattr(_open, "connections", {})
    if key not in found:
        found = {k: v for k, v in found.items() if k[0] == os.getpid()}
        found[key] = connect(path)
        _open.connections = found
    return found[key]


def record(path: Path, searches: Iterable[Search]) -> None:
    """Add the searches' counters in one transaction (safe with other writers)."""
    db = _connection(path)
    db.execute("begin immediate")
    try:
        for search in searches:
            for measure, value, filters in search.counters():
                db.execute(_UPSERT, (search.day, search.language, measure, value, filters))
        db.execute("commit")
    except BaseException:
        if db.in_transaction:
            db.execute("rollback")
        raise


def read(path: Path, since: str) -> list[dict]:
    """Every counter from the day ``since`` (ISO date) on, summed over days."""
    if not path.exists():
        return []
    uri = f"file:{path}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
        db.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in db.execute(
                """select language, measure, value, filters, sum(searches) as searches,
                          min(day) as first_day, max(day) as last_day
                   from counts where day >= ? group by language, measure, value, filters
                   order by searches desc, value""", [since])]
        except sqlite3.OperationalError:  # an empty file: no table yet
            return []
