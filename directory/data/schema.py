"""The data format: which fields each file may hold and how each is checked.

Field names follow Open Referral HSDS 3.0 where HSDS has one. The README's data reference
documents the same fields; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import uuid

import phonenumbers

from ..geo.geocoder import check_settings as check_geocoder
from ..hours import sessions as dated
from ..hours import syntax as hours
from ..records.fields import (
    At,
    Field,
    Invalid,
    date,
    email,
    integer,
    is_mapping,
    language,
    list_of,
    mapping,
    number,
    one_of,
    phone_number,
    postcode,
    show,
    simple,
    slug,
    text,
    url,
    url_pattern,
)
from ..records.load import Located
from ..records.problems import Report
from ..records.words import fold

PHONE_TYPES = ["voice", "text", "fax", "textphone", "video"]
COSTS = ["free", "sliding-scale", "paid"]
ACCESS = ["walk-in", "appointment", "referral", "call-first"]
REMOTE = ["phone", "video", "chat", "text"]
STATUSES = ["active", "inactive"]
ACCESSIBILITY = ["wheelchair", "accessible-restroom", "elevator", "hearing-loop",
                 "sign-language", "braille", "service-animals"]
DISTANCE_UNITS = ["km", "mi"]
ROLE_KINDS = ["volunteer", "peer-training"]
# The text fields a listing may carry in other languages (``translations: {es: {...}}``).
SERVICE_TEXTS = ["name", "description", "application_process", "eligibility_description",
                 "fees_description"]
ORGANIZATION_TEXTS = ["name", "alternate_name", "description"]

TEXT = Field(simple(text))
REQUIRED_TEXT = Field(simple(text), required=True)
ID = Field(simple(slug), required=True)
LATITUDE = simple(number(-90, 90, "a latitude"))
LONGITUDE = simple(number(-180, 180, "a longitude"))
HOURS = Field(simple(hours.check_hours))
# Where an imported record came from (``directory import hsds``): the source system's name and
# the record's id there. A re-import of the same system updates exactly these records; a record
# without ``source`` was written by hand and is never touched by an import.
SOURCE = Field(mapping({"system": REQUIRED_TEXT, "id": REQUIRED_TEXT}, "a source"))
COORDINATES = {"latitude": Field(LATITUDE, required=True),
               "longitude": Field(LONGITUDE, required=True)}


def namespace_uuid(value) -> str:
    """A UUID (the namespace of this directory's HSDS ids), written in its usual form."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{value!r} is not a UUID (expected e.g. "
                      "5b6f0a34-2d9e-4a8e-9a43-0f1f3a0c6a11; make one with "
                      "`python -c 'import uuid; print(uuid.uuid4())'`)") from None


def phone(country: str):
    return mapping({
        "number": Field(simple(phone_number(country)), required=True),
        "type": Field(simple(one_of(PHONE_TYPES, "phone type"))),
        "description": TEXT,
        "hours": HOURS,
    }, "a phone")


def site(country: str, languages: list[str] | None = None):
    """``site.yaml``: settings of the whole site; ``country`` (and ``languages``, which the
    texts may be written in) are read first."""
    languages = languages or ["en"]
    words = Field(_localized(languages))
    return mapping({
        "name": REQUIRED_TEXT,
        "tagline": words,
        "region": REQUIRED_TEXT,
        "country": Field(simple(one_of_country), required=True),
        "timezone": Field(simple(hours.timezone), required=True),
        "distance_unit": Field(simple(one_of(DISTANCE_UNITS, "distance unit"))),
        "languages": Field(some(list_of(simple(language)), "language, e.g. [en]"),
                           required=True),
        "centre": Field(mapping(COORDINATES, "a point")),
        "bounds": Field(mapping({
            "south": Field(LATITUDE, required=True), "west": Field(LONGITUDE, required=True),
            "north": Field(LATITUDE, required=True), "east": Field(LONGITUDE, required=True),
        }, "a bounding box")),
        "demo": Field(simple(boolean)),
        # Off unless a deployment opts in: anonymous daily counts (web.unmet, the README).
        "count_unmet_need": Field(simple(boolean)),
        "stale_after_days": Field(simple(integer(1, 3650, "a number of days"))),
        "edit_url": Field(simple(url_pattern("path", "line"))),
        "report_url": Field(simple(url_pattern("id", "name", "url"))),
        "contact_email": Field(simple(email)),
        "quick_exit_url": Field(simple(url)),
        "geocoder": Field(check_geocoder),
        "hsds_namespace": Field(simple(namespace_uuid)),
        "crisis_lines": Field(some(list_of(mapping({
            "name": Field(_localized(languages), required=True),
            "description": words,
            "url": Field(simple(url)),
            "phones": Field(list_of(phone(country), scalars=False), required=True),
        }, "a crisis line"), scalars=False), "crisis line"), required=True),
    }, "site settings")


def check_bounds(site: dict, at, report) -> None:
    """South must be below north, and west left of east (unless the region crosses the 180°
    meridian, which a west in the east and an east in the west say); otherwise every
    location would be "outside the region", one warning each, so it is one error here and the
    bounds are dropped."""
    bounds = site.get("bounds") or {}
    if any(bounds.get(side) is None for side in ("south", "west", "north", "east")):
        return
    line = getattr(bounds, "line_of", lambda key: at.line)
    wrong = None
    if bounds["south"] >= bounds["north"]:
        wrong = ("south", f"south {bounds['south']:g} is not below north {bounds['north']:g}")
    elif bounds["west"] >= bounds["east"] and not (bounds["west"] > 0 > bounds["east"]):
        wrong = ("west", f"west {bounds['west']:g} is not left of east {bounds['east']:g}")
    if wrong:
        side, message = wrong
        report.error(at.file, line(side), f"bounds.{side}",
                     f"{message}; swap them (south and west are the smaller numbers)")
        site.pop("bounds")


def taxonomy(languages: list[str]):
    localized = Field(_localized(languages), required=True)
    return mapping({
        "categories": Field(list_of(mapping({
            "id": ID,
            "name": localized,
            "description": Field(_localized(languages)),
            "parent": Field(simple(slug)),
            "synonyms": Field(_synonyms(languages)),
        }, "a category"), scalars=False), required=True),
        "audiences": Field(list_of(mapping({
            "id": ID,
            "name": localized,
            # Words residents use for the audience ("lgbt", "trans"): searched, like a category's.
            "synonyms": Field(_synonyms(languages)),
        }, "an audience"), scalars=False)),
        # Words in a search that are filters ("free", "tonight", "in spanish", "near me").
        "filter_words": Field(list_of(mapping({
            "filter": Field(simple(one_of(list(WORD_FILTERS), "filter")), required=True),
            "value": Field(simple(text), required=True),
            "words": Field(list_of(simple(text)), required=True),
        }, "a set of filter words"), scalars=False)),
    }, "a taxonomy")


# The filters words can stand for, and what their value must be (audience: an id of the
# taxonomy's audiences, checked in ``validate``; place: "me", for "near me").
WORD_FILTERS = {
    "cost": COSTS, "access": ACCESS, "remote": REMOTE, "open_now": ["1"], "wheelchair": ["1"],
    "language": None, "audience": None, "place": ["me"],
}


def check_filter_value(entry: dict, audiences: list[str]) -> str | None:
    """What is wrong with one filter_words entry's value for its filter, or None."""
    name, value = entry.get("filter"), entry.get("value")
    if name is None or value is None:
        return None
    allowed = audiences if name == "audience" else WORD_FILTERS[name]
    if allowed is None:  # a language
        try:
            language(value)
        except Invalid as error:
            return str(error)
        return None
    if value not in allowed:
        return f'"{value}" is not a value of {name} (expected one of: {", ".join(allowed)})'
    return None


CRISIS_KINDS = ("crisis", "not_crisis")


def crisis_terms(value, at: At, report: Report) -> dict[str, dict[str, list[str]]]:
    """``crisis_terms.yaml``: ``crisis`` (required) and ``not_crisis``, each a language code →
    phrases. Every phrase needs a letter or digit; none may repeat in a list (compared as
    they match: case, accents and apostrophes ignored)."""
    checked = mapping({"crisis": Field(_phrases_per_language, required=True),
                       "not_crisis": Field(_phrases_per_language)},
                      "a file of crisis terms")(value, at, report) or {}
    return {kind: checked.get(kind) or {} for kind in CRISIS_KINDS}


def _phrases_per_language(value, at: At, report: Report) -> dict[str, list[str]]:
    if not is_mapping(value, at, report, "a list of phrases per language",
                      "expected e.g. en: [kill myself, suicidal]"):
        return {}
    line_of = getattr(value, "line_of", lambda key: at.line)
    phrase_text = simple(text)
    out: dict[str, list[str]] = {}
    for code, raw in value.items():
        here = at.key(str(code), line_of(code))
        try:
            code = language(code)
        except Invalid as error:
            report.error(here.file, here.line, here.path, str(error))
            continue
        items = raw if isinstance(raw, list) else [] if raw is None else [raw]
        lines = getattr(raw, "line_of", None)
        seen: dict[str, int] = {}
        kept = []
        for position, item in enumerate(items):
            where = here.item(position, lines(position) if lines else here.line)
            phrase = phrase_text(item, where, report)
            if phrase is None:
                continue
            folded = fold(phrase)
            if not folded:
                report.error(where.file, where.line, where.path,
                             f'"{phrase}" has no letters or digits to match a search with')
            elif folded in seen:
                report.error(where.file, where.line, where.path,
                             f'"{phrase}" is already listed at line {seen[folded]}; keep one')
            else:
                seen[folded] = where.line
                kept.append(phrase)
        out[code] = kept
    return out


def organization(country: str, categories: list[str], audiences: list[str],
                 languages: list[str] | None = None):
    """One ``organizations/<id>.yaml`` file; ``languages``: the site's (for translations)."""
    phones = Field(list_of(phone(country), scalars=False))
    languages = languages or ["en"]
    return mapping({
        "id": ID,
        "name": REQUIRED_TEXT,
        "alternate_name": TEXT,
        "description": TEXT,
        "url": Field(simple(url)),
        "email": Field(simple(email)),
        "phones": phones,
        "locations": Field(list_of(location(country), scalars=False)),
        "services": Field(list_of(service(country, categories, audiences, languages),
                                  scalars=False)),
        "volunteer": Field(list_of(volunteer_role(country, categories), scalars=False)),
        "translations": Field(translations(languages, ORGANIZATION_TEXTS)),
        "source": SOURCE,
    }, "an organization")


def registration(country: str):
    """How to sign up for a session: a link, a phone, an email, a note."""
    return mapping({
        "url": Field(simple(url)),
        "phone": Field(simple(phone_number(country))),
        "email": Field(simple(email)),
        "description": TEXT,
    }, "a way to register")


def session(country: str):
    """One dated session of a service (``hours.sessions`` explains repeats)."""
    return mapping({
        "title": TEXT,
        "description": TEXT,
        "date": Field(simple(date), required=True),
        "time": Field(simple(dated.check_time), required=True),
        "repeat": Field(simple(one_of(dated.REPEATS, "repeat"))),
        "until": Field(simple(date)),
        "count": Field(simple(integer(1, 520, "a number of sessions"))),
        "at": Field(simple(slug)),
        "languages": Field(list_of(simple(language))),
        "cost": Field(simple(one_of(COSTS, "cost"))),
        "fees_description": TEXT,
        "registration": Field(registration(country)),
    }, "a session")


def volunteer_role(country: str, categories: list[str]):
    """A way to help: a volunteer role or a peer-supporter training (``kind``)."""
    return mapping({
        "id": ID,
        "name": REQUIRED_TEXT,
        "kind": Field(simple(one_of(ROLE_KINDS, "kind of role"))),
        "description": REQUIRED_TEXT,
        "commitment": TEXT,
        "training": TEXT,
        "requirements": TEXT,
        "categories": Field(list_of(_known(categories, "category id"))),
        "at": Field(list_of(simple(slug))),
        "languages": Field(list_of(simple(language))),
        "contact": Field(mapping({
            "name": TEXT,
            "email": Field(simple(email)),
            "phone": Field(simple(phone_number(country))),
            "url": Field(simple(url)),
        }, "a contact"), required=True),
    }, "a volunteer role")


def address(country: str):
    return mapping({
        "address_1": REQUIRED_TEXT,
        "address_2": TEXT,
        "city": REQUIRED_TEXT,
        "state_province": TEXT,
        "postal_code": Field(simple(postcode(country))),
        "country": Field(simple(one_of_country)),
    }, "an address")


def location(country: str):
    return mapping({
        "id": ID,
        "name": TEXT,
        "address": Field(address(country), required=True),
        "latitude": Field(LATITUDE),
        "longitude": Field(LONGITUDE),
        "accessibility": Field(list_of(simple(one_of(ACCESSIBILITY, "accessibility feature")))),
        "transportation": TEXT,
        "description": TEXT,
        "source": SOURCE,
    }, "a location")


def service_fields(country: str, categories: list[str], audiences: list[str]) -> dict:
    """The fields a service has, shared by the YAML form and the CSV sheet."""
    return {
        "id": ID,
        "name": REQUIRED_TEXT,
        "description": TEXT,
        "categories": Field(list_of(_known(categories, "category id")), required=True),
        "at": Field(list_of(simple(slug))),
        "hours": HOURS,
        "closed": Field(list_of(simple(date))),
        "special": Field(hours.check_special),
        "sessions": Field(list_of(session(country), scalars=False)),
        "phones": Field(list_of(phone(country), scalars=False)),
        "email": Field(simple(email)),
        "url": Field(simple(url)),
        "languages": Field(list_of(simple(language))),
        "audience": Field(list_of(_known(audiences, "audience id"))),
        "minimum_age": Field(simple(integer(0, 120, "an age"))),
        "maximum_age": Field(simple(integer(0, 120, "an age"))),
        "cost": Field(simple(one_of(COSTS, "cost"))),
        "fees_description": TEXT,
        "access": Field(simple(one_of(ACCESS, "way in"))),
        "application_process": TEXT,
        "eligibility_description": TEXT,
        "remote": Field(list_of(simple(one_of(REMOTE, "remote option")))),
        "last_verified": Field(simple(date)),
        "status": Field(simple(one_of(STATUSES, "status"))),
        # Checked against places.csv in validate (places.check_service_areas).
        "service_area": Field(list_of(simple(text))),
        "source": SOURCE,
    }


def _known(ids: list[str] | None, what: str):
    """One of the taxonomy's ids; any id when the taxonomy could not be read (None)."""
    return simple(slug) if ids is None else simple(one_of(ids, what))


def service(country: str, categories: list[str], audiences: list[str],
            languages: list[str] | None = None):
    fields = service_fields(country, categories, audiences)
    fields["translations"] = Field(translations(languages or ["en"], SERVICE_TEXTS))
    return mapping(fields, "a service")


def translations(languages: list[str], texts: list[str]):
    """``translations: {es: {name: ..., description: ...}}``: a listing's text in the site's
    other languages. A language the site does not offer, or a field that is not text the
    site shows, is an error at its line: a translation that would never show is a mistake."""
    others = languages[1:]
    fields = mapping({name: TEXT for name in texts}, "a translation")

    def check(value, at, report):
        if not is_mapping(value, at, report, "translations",
                          "expected e.g. es: {name: ..., description: ...}"):
            return None
        line_of = getattr(value, "line_of", lambda key: at.line)
        out = Located(file=at.file, line=at.line)
        for code, raw in value.items():
            here = at.key(str(code), line_of(code))
            if code not in others:
                _not_offered(code, languages, here, report)
                continue
            checked = fields(raw, here, report)
            if checked:
                out[code] = dict(checked)
                out.lines[code] = here.line
        return out

    return check


def one_of_country(value) -> str:
    code = str(value).strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise Invalid(f"{show(value)} is not a country code (expected two letters, e.g. US)")
    if code not in phonenumbers.SUPPORTED_REGIONS:
        # Phones are read for this country; "XX" or "UK" would make every number fail.
        hint = ' (the United Kingdom is "GB")' if code == "UK" else ""
        raise Invalid(f'"{code}" is not a country code{hint} (expected an ISO 3166 code such '
                      "as US, CA, GB)")
    return code


def some(checker, what: str):
    """A list that must hold at least one item: ``languages: []`` leaves the site without one."""

    def check(value, at, report):
        items = checker(value, at, report)
        if isinstance(value, list) and not value:
            report.error(at.file, at.line, at.path, f"is an empty list; give at least one {what}")
        return items

    return check


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"{show(value)} is not true or false")


def _not_offered(code, languages: list[str], at, report) -> None:
    """Text in a language the site does not offer: a warning when it is a language (a
    deployment may switch one off and keep its translations), an error when it is not."""
    offered = ", ".join(languages)
    try:
        language(code)
    except Invalid:
        report.error(at.file, at.line, at.path,
                     f'"{code}" is not a language code (expected one of the site\'s '
                     f"languages: {offered})")
        return
    report.warning(at.file, at.line, at.path,
                   f'"{code}" is not one of the site\'s languages (site.yaml languages: '
                   f"{offered}), so this text is not shown; add it there or remove the text")


def _per_language(languages: list[str], inner: dict, what: str):
    """A mapping by language code: the site's languages (and English) checked with
    ``inner``; other languages warned about and dropped (``_not_offered``)."""
    known = mapping(inner, what)

    def check(value, at, report):
        if not isinstance(value, dict):
            return known(value, at, report)
        line_of = getattr(value, "line_of", lambda key: at.line)
        kept = type(value)()
        if hasattr(value, "lines"):
            kept.file, kept.line, kept.lines = value.file, value.line, value.lines
        for code, text_value in value.items():
            if code in inner:
                kept[code] = text_value
            else:
                _not_offered(str(code), list(inner), at.key(str(code), line_of(code)), report)
        return known(kept, at, report)

    return check


def _synonyms(languages: list[str]):
    """Search words for a category: a list (in the site's first language) or a list per
    language, ``{en: [therapy], es: [terapia, consejería]}``."""
    words = list_of(simple(text))
    per_language = _per_language(languages, {code: Field(words) for code in
                                             dict.fromkeys([*languages, "en"])},
                                 "synonyms per language")

    def check(value, at, report):
        if isinstance(value, dict):
            return per_language(value, at, report)
        checked = words(value, at, report)
        return None if checked is None else {languages[0] if languages else "en": checked}

    return check


def _localized(languages: list[str]):
    """A name per UI language: ``{en: Counselling, es: Consejería}``; plain text means English."""

    def check(value, at, report):
        if isinstance(value, str):
            value = {languages[0] if languages else "en": value}
        inner = _per_language(languages, {code: TEXT for code in languages} | {"en": TEXT},
                              "a name per language")
        return inner(value, at, report)

    return check
