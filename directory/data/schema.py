"""The data format: which fields each file may hold and how each is checked.

Field names follow Open Referral HSDS 3.0 where HSDS has one. The README's data reference
documents the same fields; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

from ..geo.geocoder import check_settings as check_geocoder
from ..hours import syntax as hours
from ..records.fields import (
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
    simple,
    slug,
    text,
    url,
    url_pattern,
)
from ..records.load import Located

PHONE_TYPES = ["voice", "text", "fax", "textphone", "video"]
COSTS = ["free", "sliding-scale", "paid"]
ACCESS = ["walk-in", "appointment", "referral", "call-first"]
REMOTE = ["phone", "video", "chat", "text"]
STATUSES = ["active", "inactive"]
ACCESSIBILITY = ["wheelchair", "accessible-restroom", "elevator", "hearing-loop",
                 "sign-language", "braille", "service-animals"]
DISTANCE_UNITS = ["km", "mi"]
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
COORDINATES = {"latitude": Field(LATITUDE, required=True),
               "longitude": Field(LONGITUDE, required=True)}


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
        "languages": Field(list_of(simple(language)), required=True),
        "centre": Field(mapping(COORDINATES, "a point")),
        "bounds": Field(mapping({
            "south": Field(LATITUDE, required=True), "west": Field(LONGITUDE, required=True),
            "north": Field(LATITUDE, required=True), "east": Field(LONGITUDE, required=True),
        }, "a bounding box")),
        "demo": Field(simple(boolean)),
        "stale_after_days": Field(simple(integer(1, 3650, "a number of days"))),
        "edit_url": Field(simple(url_pattern("path", "line"))),
        "report_url": Field(simple(url_pattern("id", "name", "url"))),
        "contact_email": Field(simple(email)),
        "quick_exit_url": Field(simple(url)),
        "geocoder": Field(check_geocoder),
        "crisis_lines": Field(list_of(mapping({
            "name": Field(_localized(languages), required=True),
            "description": words,
            "url": Field(simple(url)),
            "phones": Field(list_of(phone(country), scalars=False), required=True),
        }, "a crisis line"), scalars=False), required=True),
    }, "site settings")


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
        }, "an audience"), scalars=False)),
    }, "a taxonomy")


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
        "translations": Field(translations(languages, ORGANIZATION_TEXTS)),
    }, "an organization")


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
    }, "a location")


def service_fields(country: str, categories: list[str], audiences: list[str]) -> dict:
    """The fields a service has, shared by the YAML form and the CSV sheet."""
    return {
        "id": ID,
        "name": REQUIRED_TEXT,
        "description": TEXT,
        "categories": Field(list_of(simple(one_of(categories, "category id"))), required=True),
        "at": Field(list_of(simple(slug))),
        "hours": HOURS,
        "closed": Field(list_of(simple(date))),
        "special": Field(hours.check_special),
        "phones": Field(list_of(phone(country), scalars=False)),
        "email": Field(simple(email)),
        "url": Field(simple(url)),
        "languages": Field(list_of(simple(language))),
        "audience": Field(list_of(simple(one_of(audiences, "audience id")))),
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
    }


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
    if len(code) != 2 or not code.isalpha():
        raise Invalid(f"{value!r} is not a country code (expected two letters, e.g. US)")
    return code


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"{value!r} is not true or false")


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
