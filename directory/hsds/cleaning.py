"""Clean one value of an HSDS export: texts, names, codes, phones, emails, web addresses,
languages, ages and coordinates.

Each cleaner takes the raw value and a ``Place`` (the report, the source file and row) and
returns what this directory can hold, or None. Whatever it changes or drops is a line in the
report, so nothing is lost silently; a value kept as it was says nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from babel import Locale

from ..records.fields import CONTROL, EMAIL, SHORT_CODE, Invalid
from ..records.fields import url as check_url
from .notes import ImportReport


@dataclass(frozen=True)
class Place:
    """Where a value was read: notes about it name the file and the row."""

    report: ImportReport
    file: str
    row: int

    def note(self, kind: str, field: str, message: str) -> None:
        self.report.note(kind, self.file, self.row, field, message)


def show(value, limit: int = 60) -> str:
    text = str(value)
    return f'"{text if len(text) <= limit else text[:limit - 1] + "…"}"'


# --- texts -----------------------------------------------------------------------------

_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^<>]*>")
_BLOCK_TAGS = {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4"}
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def text(value, place: Place, field: str) -> str | None:
    """A text without literal ``\\n`` escapes, markup or entities; None when empty."""
    if value is None:
        return None
    raw = str(value)
    # Control characters and bidirectional overrides never belong in a listing (validate
    # refuses them): dropped, and said.
    cleaned = CONTROL.sub("", raw)
    if cleaned != raw:
        place.note("text-cleaned", field, f"control characters removed from {show(raw)}")
    cleaned = cleaned.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", " ")
    cleaned = _TAG.sub(lambda m: "\n" if m[2].lower() in _BLOCK_TAGS else "", cleaned)
    if _ENTITY.search(cleaned):
        cleaned = html.unescape(cleaned)
    lines = [" ".join(line.split()) for line in cleaned.replace("\r", "\n").split("\n")]
    cleaned = "\n".join(line for line in lines if line).strip()
    if cleaned != " ".join(raw.split()) and cleaned.replace("\n", " ") != " ".join(raw.split()):
        place.note("text-cleaned", field, f"escapes or markup removed from {show(raw)}")
    return cleaned or None


def join_texts(*parts) -> str | None:
    """Texts as paragraphs of one, leaving out the empty ones; None when all are."""
    kept = [part for part in parts if part]
    return "\n\n".join(kept) if kept else None


# Words kept as written when fixing an UPPER CASE name: acronyms, numerals, places' codes.
ACRONYMS = {"YMCA", "YWCA", "LGBT", "LGBTQ", "LGBTQIA", "NAMI", "HIV", "AIDS", "USA", "US", "VA",
            "DV", "CBT", "DBT", "EMDR", "ADHD", "PTSD", "ACT", "AA", "NA", "ALANON", "II", "III",
            "IV", "LLC", "INC", "NFP", "CEO", "ER", "ID", "IL", "NW", "NE", "SW", "SE", "N", "S",
            "E", "W", "UIC", "UCLA", "CPS", "DCFS", "SNAP", "WIC", "GED", "ESL", "ASL", "TTY",
            "SMS", "KC", "NYC", "LA", "DC", "MH", "SUD", "MAT", "BIPOC", "AAPI"}
_SMALL = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def name(value, place: Place, field: str, fix_case: bool) -> str | None:
    """A name; with ``fix_case`` an UPPER CASE one becomes title case, acronyms kept."""
    cleaned = text(value, place, field)
    if not cleaned or not fix_case or not _shouting(cleaned):
        return cleaned
    fixed = title_case(cleaned)
    if fixed != cleaned:
        place.note("case-fixed", field, f"{show(cleaned)} → {show(fixed)}")
    return fixed


def _shouting(value: str) -> bool:
    letters = [char for char in value if char.isalpha()]
    return len(letters) > 3 and all(char.isupper() for char in letters)


def title_case(value: str) -> str:
    """``NORTHSIDE YMCA COUNSELING FOR ADULTS`` → ``Northside YMCA Counseling for Adults``."""
    words = re.split(r"(\s+|-|/)", value)
    out = []
    for index, word in enumerate(words):
        bare = re.sub(r"[^A-Za-z]", "", word)
        if not bare or word.isspace() or word in "-/":
            out.append(word)
        elif bare in ACRONYMS or not re.search(r"[AEIOUY]", bare) or "." in word:
            out.append(word)  # YMCA, CBT, A.A.: acronyms stay capitals
        elif index and bare.lower() in _SMALL:
            out.append(word.lower())
        else:
            out.append(re.sub(r"[A-Za-z][A-Za-z']*", _capitalised, word))
    return "".join(out)


def _capitalised(match: re.Match) -> str:
    # O'BRIEN → O'Brien, but CHILDREN'S → Children's.
    head, _, tail = match[0].partition("'")
    word = head[0] + head[1:].lower()
    if not tail:
        return word
    return f"{word}'{tail[0] + tail[1:].lower() if len(head) == 1 else tail.lower()}"


def code(value, place: Place, field: str) -> str | None:
    """A code (state, country, postcode, type): spaces around it removed, and said."""
    if value is None:
        return None
    raw = str(value)
    stripped = " ".join(raw.split())
    if stripped != raw and stripped:
        place.note("code-trimmed", field, f"{show(raw)} → {show(stripped)}")
    return stripped or None


# --- contact details -------------------------------------------------------------------


def phone(number, extension, country: str, place: Place, field: str) -> str | None:
    """A phone number in international form (``+1 312-555-0100 ext. 12``), or None."""
    raw = " ".join(str(number or "").replace('"', " ").split())
    if not raw:
        return None
    if SHORT_CODE.fullmatch(raw):
        return raw  # 988, 211, 741741
    try:
        parsed = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        place.note("phone-dropped", field, f"{show(raw)} is not a phone number; dropped")
        return None
    extension = str(extension or "").strip()
    if extension.endswith(".0"):
        extension = extension[:-2]  # a spreadsheet read the extension as a number
    if extension and not parsed.extension:
        if extension.isdigit():
            parsed.extension = extension
        else:
            place.note("value-dropped", f"{field} extension",
                       f"{show(extension)} is not an extension; dropped")
    written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if not raw.startswith("+") or (extension and parsed.extension):
        place.note("phone-normalised", field, f"{show(raw)} → {show(written)}")
    return written


def email(value, place: Place, field: str) -> str | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    cleaned = raw.removeprefix("mailto:").strip()
    if EMAIL.fullmatch(cleaned):
        return cleaned
    place.note("email-dropped", field, f"{show(raw)} is not an email address; dropped")
    return None


def web_address(value, place: Place, field: str) -> str | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    candidate = raw
    if not re.match(r"^https?://", raw, re.I) and re.match(r"^(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$",
                                                           raw):
        candidate = f"https://{raw}"
    try:
        check_url(candidate)
    except Invalid:
        place.note("url-dropped", field, f"{show(raw)} is not a web address; dropped")
        return None
    if candidate != raw:
        place.note("url-fixed", field, f"{show(raw)} → {show(candidate)}")
    return candidate


# --- languages -------------------------------------------------------------------------

# ISO 639-2/3 codes that exports use, to their ISO 639-1 code.
THREE_LETTER = {
    "eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "zho": "zh",
    "chi": "zh", "cmn": "zh", "yue": "zh", "kor": "ko", "vie": "vi", "tgl": "tl", "fil": "tl",
    "pol": "pl", "ara": "ar", "rus": "ru", "hin": "hi", "urd": "ur", "por": "pt", "ita": "it",
    "jpn": "ja", "hat": "ht", "ukr": "uk", "fas": "fa", "per": "fa", "som": "so", "amh": "am",
    "ben": "bn", "guj": "gu", "pan": "pa", "tha": "th", "yid": "yi", "heb": "he", "ell": "el",
    "gre": "el", "srp": "sr", "bos": "bs", "hrv": "hr", "ron": "ro", "rum": "ro", "swa": "sw",
    "nep": "ne", "mya": "my", "bur": "my", "khm": "km", "lao": "lo", "hmn": None,
}
ALIASES = {"mandarin": "zh", "cantonese": "zh", "farsi": "fa", "tagalog": "tl",
           "filipino": "tl", "haitian creole": "ht", "creole": None, "burmese": "my"}
_QUALIFIER = re.compile(r"\s*[\(\[].*?[\)\]]\s*|\s*-\s*(?:limited|some|fluent|interpreter).*$",
                        re.I)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    return dict(Locale("en").languages)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {}
    for code_, label in _codes().items():
        if len(code_) == 2:
            names.setdefault(label.lower(), code_)
    return names


def language(value, place: Place, field: str) -> list[str]:
    """ISO 639-1 codes from a cell such as ``Spanish (limited)``, ``eng`` or ``English, Korean``."""
    raw = " ".join(str(value or "").split())
    if not raw:
        return []
    codes = []
    for part in re.split(r"\s*(?:[,;/]|\band\b)\s*", raw):
        if not part:
            continue
        found = language_code(part)
        if found is None:
            place.note("language-dropped", field,
                       f"{show(part)} is not one language with an ISO 639-1 code; dropped")
            continue
        if found != part:
            place.note("language-mapped", field, f"{show(part)} → {found}")
        codes.append(found)
    return codes


def language_code(text_value: str) -> str | None:
    value = text_value.strip()
    lower = value.lower()
    if len(lower) == 2 and lower.isalpha() and lower in _codes():
        return lower
    if "-" in lower and len(lower) <= 6 and lower[:2] in _codes():
        return lower[:2]  # en-US
    if len(lower) == 3 and lower.isalpha() and lower in THREE_LETTER:
        return THREE_LETTER[lower]
    bare = _QUALIFIER.sub(" ", value).strip().lower()
    if bare in ALIASES:
        return ALIASES[bare]
    inside = re.search(r"\(([^)]*)\)", value)
    if bare in _names():
        return _names()[bare]
    if inside and inside[1].strip().lower() in ALIASES:
        return ALIASES[inside[1].strip().lower()]
    return None


# --- numbers ---------------------------------------------------------------------------


def age(value, place: Place, field: str) -> int | None:
    raw = str(value if value is not None else "").strip()
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 0 <= number <= 120:
        place.note("age-dropped", field, f"{show(raw)} is not an age from 0 to 120; dropped")
        return None
    return int(number)


def coordinates(latitude, longitude, bounds: dict | None, place: Place):
    """(lat, lon) when both are numbers in range, not (0, 0) and inside ``bounds``; else None."""
    raw = (str(latitude if latitude is not None else "").strip(),
           str(longitude if longitude is not None else "").strip())
    if not any(raw):
        return None
    try:
        lat, lon = float(raw[0]), float(raw[1])
    except ValueError:
        place.note("coordinates-dropped", "latitude",
                   f"({raw[0] or '-'}, {raw[1] or '-'}) are not numbers; dropped")
        return None
    why = None
    if lat == 0 and lon == 0:
        why = "is (0, 0), a placeholder"
    elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
        why = "is not a point on Earth"
    elif bounds and not (bounds["south"] <= lat <= bounds["north"]
                         and bounds["west"] <= lon <= bounds["east"]):
        why = "is outside the region's bounds in site.yaml"
    if why:
        place.note("coordinates-dropped", "latitude",
                   f"({lat}, {lon}) {why}; dropped, so directory geocode places the address")
        return None
    return lat, lon
