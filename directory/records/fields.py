"""Field checkers: each takes a raw value and returns it normalised, or explains what is wrong.

A checker is ``check(value, at, report) -> value``. Simple ones are written as plain
functions that raise ``Invalid`` and are wrapped with ``simple``; nested ones (mappings,
lists) report their own problems so that every problem in a file is found in one run.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale, UnknownLocaleError

from .load import Located
from .problems import Report

# Matched with fullmatch: "$" alone also matches before a trailing newline, and
# "odu-day-centre\n" would pass as a second, different id.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
SHORT_CODE = re.compile(r"\d{3,6}")  # 911, 988, 741741: dialled as written, in-country only
POSTCODES = {
    "US": (r"^\d{5}(-\d{4})?$", "12345 or 12345-6789"),
    "CA": (r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$", "K1A 0B1"),
    "GB": (r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", "SW1A 1AA"),
    "DE": (r"^\d{5}$", "10115"),
    "FR": (r"^\d{5}$", "75001"),
    "AU": (r"^\d{4}$", "2000"),
    "NL": (r"^\d{4} ?[A-Z]{2}$", "1012 AB"),
}


# Limits on one value (the README's data reference states them): an id is part of a URL,
# and URLs over 4 KB are refused by servers; no listing needs a longer text than this.
MAX_ID = 100
MAX_TEXT = 20_000
MAX_URL = 2_000
MAX_EMAIL = 254  # RFC 5321
SHOWN = 80  # a bad value is quoted in its message up to this many characters
# C0 and C1 controls, and the bidirectional overrides that make text display in another
# order than it is stored ("Trojan Source"): never needed in a listing, harmful in a log.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Invalid(Exception):
    """A value is wrong; the message says what was expected."""


class At(NamedTuple):
    """Where a value sits: file, line and field path such as ``services[0].phones[1].number``."""

    # A named tuple rather than a frozen dataclass: one is made per value checked, and
    # tuples are several times cheaper to create on data sets of thousands of services.
    file: str
    line: int
    path: str = ""

    def key(self, name: str, line: int) -> At:
        return At(self.file, line, f"{self.path}.{name}" if self.path else name)

    def item(self, index: int, line: int) -> At:
        return At(self.file, line, f"{self.path}[{index}]")


Checker = Callable[[object, At, Report], object]


def show(value) -> str:
    """A value as a maintainer would recognise it in their file."""
    if isinstance(value, str):
        # Escaped and cut: a control character would rewrite the terminal or CI log it is
        # printed in, and a megabyte-long value would bury every other message.
        shown = CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}" if m.group() > "\xff"
                             else f"\\x{ord(m.group()):02x}", value[:SHOWN + 1])
        shown = shown.replace("\n", "\\n")
        return f'"{shown[:SHOWN]}…" ({len(value):,} characters)' if len(value) > SHOWN \
            else f'"{shown}"'
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false; quote it)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, set | frozenset):
        return "a set"
    if isinstance(value, bytes):
        return "binary data"
    shown = str(value)  # a number: cut too (YAML reads up to 4,300 digits as an integer)
    return f"{shown[:SHOWN]}… ({len(shown):,} characters)" if len(shown) > SHOWN else shown


def simple(fn: Callable[[object], object]) -> Checker:
    """Turn a function that raises Invalid into a checker that reports at its place."""

    def check(value, at: At, report: Report):
        try:
            return fn(value)
        except Invalid as error:
            report.error(at.file, at.line, at.path, str(error))
            return None

    check.__name__ = fn.__name__
    # ``mapping`` and ``list_of`` call ``fn`` themselves and make the value's ``At`` only
    # when it is wrong: most values are right, and there are millions in a large data set.
    check.plain = fn
    return check


# --- scalar checkers -------------------------------------------------------------------


def text(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"{show(value)} is not text (expected a sentence or a name)")
    value = str(value)
    if len(value) > MAX_TEXT:
        raise Invalid(f"is {len(value):,} characters long, over the limit of {MAX_TEXT:,}; "
                      "shorten it (link to a page for the details)")
    control = CONTROL.search(value)
    if control:
        raise Invalid(f"holds the control character U+{ord(control.group()):04X}; delete it "
                      "(it is often invisible)")
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    if not value:
        raise Invalid("is empty (write some text or remove the field)")
    return value


def slug(value) -> str:
    if isinstance(value, str) and len(value) > MAX_ID:
        raise Invalid(f"is {len(value):,} characters long; an id is part of the page's address, "
                      f"so it can have at most {MAX_ID}")
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise Invalid(
            f"{show(value)} is not an id (expected lowercase letters, digits and dashes, "
            "e.g. harbour-youth-drop-in)"
        )
    return value


def url(value) -> str:
    if isinstance(value, str) and len(value) > MAX_URL:
        raise Invalid(f"is {len(value):,} characters long; a web address can have at most "
                      f"{MAX_URL:,}")
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:  # e.g. "https://[oops/": an unclosed IPv6 bracket
        parts = None
    if not parts or parts.scheme not in ("http", "https") or "." not in parts.netloc \
            or CONTROL.search(value) or _SPACE.search(value):
        raise Invalid(f"{show(value)} is not a web address (expected e.g. https://example.org/page)")
    return value


# What str.isspace() calls a space (re's \s on text is the same Unicode test), found in C.
_SPACE = re.compile(r"\s")


def url_pattern(*placeholders: str) -> Callable:
    """A web address with ``{name}`` placeholders, each one of ``placeholders``."""
    allowed = ", ".join("{" + name + "}" for name in placeholders)

    def check(value) -> str:
        for name in re.findall(r"{([^{}]*)}", url(value)):
            if name not in placeholders:
                raise Invalid(f'"{{{name}}}" is not a placeholder here (use {allowed})')
        return value

    return check


def email(value) -> str:
    if not isinstance(value, str) or len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        raise Invalid(f"{show(value)} is not an email address (expected e.g. help@example.org)")
    return value


def date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as error:  # 2026-02-30, month 13, year 0
            raise Invalid(f"{show(value)} is not a day in the calendar ({error}); "
                          "check the year, month and day") from None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", raw):
        raise Invalid(f"{show(value)} is a date with a time; give the date only "
                      "(YYYY-MM-DD, e.g. 2026-10-01)")
    raise Invalid(f"{show(value)} is not a date (expected YYYY-MM-DD, e.g. 2026-10-01)")


def integer(low: int, high: int, what: str) -> Callable:
    def check(value) -> int:
        raw = str(value).strip()
        try:
            # Digits only (int() takes "²"? no, but "１２" and "1_000" yes) and few of them:
            # int() refuses 4,300+ digits with an error of its own.
            ascii_digits = raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 20
            number = int(raw) if ascii_digits and not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise Invalid(f"{show(value)} is not {what} (expected a whole number {low}-{high})")
        return number

    return check


def number(low: float, high: float, what: str) -> Callable:
    def check(value) -> float:
        raw = str(value).strip()
        try:
            plain = raw.isascii() and len(raw) <= 40
            result = float(raw) if plain and not isinstance(value, bool) else None
        except ValueError:
            result = None
        if result is None or result != result or not low <= result <= high:
            raise Invalid(f"{show(value)} is not {what} (expected a number from {low} to {high})")
        return result

    return check


def one_of(choices: list[str], what: str) -> Callable:
    allowed = frozenset(choices)

    def check(value) -> str:
        try:
            if value in allowed:  # a set: a taxonomy may have hundreds of ids
                return value
        except TypeError:  # a list or a mapping is never one of them
            pass
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        article = "an" if what[:1] in "aeiou" else "a"
        raise Invalid(f"{show(value)} is not {article} {what} "
                      f"(expected one of: {', '.join(choices)}){hint}")

    return check


def language(value) -> str:
    if not _is_locale(str(value)):
        raise Invalid(
            f"{show(value)} is not a language code (expected an ISO 639-1 code such as en, es, zh)"
        )
    return str(value)


@functools.lru_cache(maxsize=512)
def _is_locale(code: str) -> bool:
    # Cached: a few codes repeat across thousands of services and parsing one is slow.
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


class Phone(dict):
    """A checked phone number: ``number`` as written, ``e164`` and ``display``.

    ``valid`` is False when the number has a possible length but libphonenumber knows no such
    number (an unassigned area code or exchange): worth a warning, not an error.
    """

    valid: bool = True


def phone_number(country: str) -> Callable:
    """Phone numbers are parsed with libphonenumber for the site's country and kept as E.164."""

    # libphonenumber is the costliest check per record; directories repeat numbers (a
    # crisis line, an organization's switchboard), so each distinct one is parsed once.
    known: dict[str, tuple[str, str, bool] | str] = {}

    def check(value) -> dict:
        raw = str(value).strip() if isinstance(value, str | int) else ""
        found = known.get(raw)
        if found is None:
            if len(known) >= PHONES_KEPT:
                known.clear()
            found = known[raw] = _parse_phone(raw, country)
        if isinstance(found, str):
            raise Invalid(f"{show(value)} {found}")
        e164, display, valid = found
        checked = Phone(number=raw, e164=e164, display=display)
        checked.valid = valid
        return checked

    return check


PHONES_KEPT = 100_000


def _parse_phone(raw: str, country: str) -> tuple[str, str, bool] | str:
    """(E.164, display, valid) of a number, or why it is not one."""
    if SHORT_CODE.fullmatch(raw):
        return raw, raw, True
    try:
        parsed = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return "is not a phone number (expected e.g. +1 555 0100)"
    national = parsed.country_code == phonenumbers.country_code_for_region(country)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.format_number(parsed, style), phonenumbers.is_valid_number(parsed))


def postcode(country: str) -> Callable:
    pattern, example = POSTCODES.get(country, (r"^[A-Za-z0-9 -]{2,10}$", "a postal code"))

    def check(value) -> str:
        code = str(value).strip().upper() if isinstance(value, str | int) else ""
        if not re.fullmatch(pattern, code):
            raise Invalid(f"{show(value)} is not a postal code for {country} "
                          f"(expected e.g. {example})")
        return code

    return check


# --- structure checkers ----------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    check: Checker
    required: bool = False


def is_mapping(value, at: At, report: Report, what: str, expected: str) -> bool:
    """Whether ``value`` is a mapping; if not, say so: '"x" is not {what} ({expected})'."""
    if isinstance(value, dict):
        return True
    report.error(at.file, at.line, at.path, f"{show(value)} is not {what} ({expected})")
    return False


def _cut_warning(report: Report, here: At, cut: str) -> None:
    """A value YAML cut at " #" (``load._cut_by_comment``): said, never silently kept."""
    shown = cut if len(cut) <= 40 else cut[:39] + "…"
    report.warning(here.file, here.line, here.path,
                   f'stops before "{shown}": YAML reads " #" as the start of a comment and '
                   "drops the rest of the line; put the whole value in quotes to keep it "
                   '("…"), or write "# " if it is a comment')


def mapping(fields: dict[str, Field], what: str) -> Checker:
    """A mapping with known fields: unknown ones are errors with a suggestion, never dropped."""
    plains = {key: getattr(spec.check, "plain", None) for key, spec in fields.items()}

    def check(value, at: At, report: Report):
        if not is_mapping(value, at, report, what,
                          f"expected fields such as {', '.join(list(fields)[:3])}"):
            return None
        if isinstance(value, Located):  # its lines, read here: once per key of every record
            lines, default = value.lines, value.line
        else:
            lines, default = {}, at.line
        for key, line in getattr(value, "duplicate_keys", []):
            report.error(at.file, line, at.key(str(key), line).path,
                         "appears twice in the same block; keep one")
        for key, line, cut in getattr(value, "cut_by_comment", []):
            _cut_warning(report, at.key(str(key), line), cut)
        out = Located(file=at.file, line=at.line)
        out.path = at.path
        out_lines = out.lines
        suggested = set()
        for key, raw in value.items():
            line = lines.get(key, default)
            spec = fields.get(key)
            if spec is None:
                here = at.key(str(key), line)
                close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
                suggested.update(close)
                hint = f'did you mean "{close[0]}"?' if close else \
                    f"allowed here: {', '.join(fields)}"
                report.error(here.file, here.line, here.path, f"is not a known field; {hint}")
            elif raw is None or raw == "":
                if spec.required:
                    report.error(at.file, line, at.key(str(key), line).path,
                                 "is required but empty")
            else:
                plain = plains[key]
                if plain is None:
                    out[key] = spec.check(raw, at.key(str(key), line), report)
                else:  # ``simple``'s check, without an ``At`` for a right value
                    try:
                        out[key] = plain(raw)
                    except Invalid as error:
                        report.error(at.file, line, at.key(str(key), line).path, str(error))
                        out[key] = None
                out_lines[key] = line
        for key, spec in fields.items():
            # A misspelt required field was already reported with its suggestion.
            if spec.required and key not in value and key not in suggested:
                noun = what.split(" ", 1)[1] if what.startswith(("a ", "an ")) else what
                report.error(at.file, at.line, at.key(key, at.line).path,
                             f"is missing; every {noun} needs one")
        return out

    return check


def list_of(item: Checker, *, scalars: bool = True) -> Checker:
    """A list; for lists of plain values a single value is taken as a list of one."""
    plain = getattr(item, "plain", None)

    def check(value, at: At, report: Report):
        if not isinstance(value, list):
            if scalars and not isinstance(value, dict):
                value = [value]
            else:
                report.error(at.file, at.line, at.path,
                             f"{show(value)} is not a list (start each item with '- ')")
                return []
        line_of = getattr(value, "line_of", lambda index: at.line)
        for index, line, cut in getattr(value, "cut_by_comment", []):
            _cut_warning(report, at.item(index, line), cut)
        if plain is None:
            items = [item(raw, at.item(i, line_of(i)), report) for i, raw in enumerate(value)]
            return [x for x in items if x is not None]
        out = []
        for i, raw in enumerate(value):  # ``simple``'s check, without an ``At`` for a right item
            try:
                checked = plain(raw)
            except Invalid as error:
                here = at.item(i, line_of(i))
                report.error(here.file, here.line, here.path, str(error))
                continue
            if checked is not None:
                out.append(checked)
        return out

    return check


def split_list(separator: str = ";") -> Callable:
    """CSV cells hold lists as ``a;b;c``."""
    return lambda cell: [part.strip() for part in str(cell).split(separator) if part.strip()]
