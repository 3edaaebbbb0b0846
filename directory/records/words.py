"""How the words of a search and of a data file are compared: folded to plain lowercase.

"Don't", "dont" and "DON’T" are one word; "daño" and "dano" too. Used by the crisis terms
(checked for repeats as they will match) and by the search that matches them.
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes inside a word are dropped ("don't" → "dont"), any other mark separates words.
_APOSTROPHES = re.compile(r"(?<=\w)['’‘`´](?=\w)")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lowercase words without accents, separated by single spaces: "Don't  Cut" → "dont cut"."""
    text = _APOSTROPHES.sub("", str(text).casefold())
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))
