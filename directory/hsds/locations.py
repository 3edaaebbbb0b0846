"""One HSDS location (with its addresses and accessibility rows) → this directory's location.

The physical address is used (a postal one only when there is nothing else); a location
without street and city, or a virtual one, is left out with a report line. Coordinates are
kept only when usable (see ``cleaning.coordinates``); accessibility notes become the known
features where their words say so, and stay as text otherwise.
"""

from __future__ import annotations

import re

from ..data import schema
from . import cleaning
from .cleaning import Place, join_texts
from .tables import Row, slug_hint

ACCESSIBILITY_WORDS = [
    ("wheelchair", "wheelchair"), ("ramp", "wheelchair"), ("step-free", "wheelchair"),
    ("restroom", "accessible-restroom"), ("toilet", "accessible-restroom"),
    ("elevator", "elevator"), ("lift", "elevator"), ("hearing loop", "hearing-loop"),
    ("induction loop", "hearing-loop"), ("sign language", "sign-language"),
    ("asl", "sign-language"), ("braille", "braille"), ("service animal", "service-animals"),
]
COUNTRIES = {"USA": "US", "UNITED STATES": "US", "CAN": "CA", "CANADA": "CA", "GBR": "GB",
             "UK": "GB"}


def location(row: Row, addresses: list[Row], features: list[Row], options,
             place_of) -> dict | None:
    """``options``: the import's ``assemble.Options``; ``place_of(row)`` a row's Place."""
    place, key = place_of(row), row.text("id")
    if row.text("location_type").lower() == "virtual":
        place.note("value-dropped", "location_type", f'"{row.text("name") or key}" is virtual '
                   "(no place to go); left out, its services keep their phones and web address")
        return None
    physical = [a for a in addresses if a.text("address_type").lower() != "postal"] or addresses
    found = address(physical[0], options.country, place_of) if physical else None
    if found is None:
        place.note("address-incomplete", "address",
                   f'"{row.text("name") or key}" has no street address and city; the '
                   "location is left out (services there keep their phones)")
        return None
    own = row.text("external_identifier") if row.text("external_identifier_type").lower() \
        .replace(" ", "_") in ("slug", "directory_id") else None
    out = {"source_id": key, "slug": slug_hint(row, own), "address": found,
           "name": cleaning.name(row.get("name"), place, "name", options.fix_case)}
    point = cleaning.coordinates(row.get("latitude"), row.get("longitude"), options.bounds,
                                 place)
    if point:
        out["latitude"], out["longitude"] = point
    else:
        place.note("no-coordinates", "latitude",
                   "no usable coordinates; directory geocode will place the address")
    out["accessibility"], notes = accessibility(features, place_of)
    out["transportation"] = cleaning.text(row.get("transportation"), place, "transportation")
    out["description"] = join_texts(cleaning.text(row.get("description"), place, "description"),
                                    *(f"Accessibility: {note}" for note in notes if note))
    return out


def accessibility(rows: list[Row], place_of) -> tuple[list[str], list[str]]:
    """The known features the rows name, and the notes that name none."""
    features, notes = [], []
    for feature in rows:
        place = place_of(feature)
        words = " ".join(filter(None, (feature.text("description"),
                                       feature.text("details")))).lower()
        found = [feature.text("details")] if feature.text("details") in schema.ACCESSIBILITY \
            else [value for word, value in ACCESSIBILITY_WORDS if re.search(rf"\b{word}", words)]
        if found:
            features.extend(value for value in found if value not in features)
        elif words:
            notes.append(cleaning.text(feature.text("description") or feature.text("details"),
                                       place, "accessibility"))
            place.note("accessibility-kept-as-text", "accessibility",
                       f"{cleaning.show(words)} names no known feature; kept in the "
                       "location's description")
    return features, notes


def address(row: Row, country: str, place_of) -> dict | None:
    place = place_of(row)
    street = cleaning.text(row.get("address_1"), place, "address_1")
    city = cleaning.text(row.get("city"), place, "city")
    if not street or not city:
        return None
    return {"address_1": street,
            "address_2": cleaning.text(row.get("address_2"), place, "address_2"),
            "city": city,
            "state_province": cleaning.code(row.get("state_province"), place, "state_province"),
            "postal_code": postcode(row, country, place),
            "country": country_code(row, place)}


def postcode(row: Row, country: str, place: Place) -> str | None:
    value = cleaning.code(row.get("postal_code"), place, "postal_code")
    if value is None:
        return None
    if value.isdigit() and len(value) == 4 and country == "US":
        place.note("code-trimmed", "postal_code",
                   f'"{value}" → "0{value}" (a spreadsheet dropped the leading zero)')
        value = "0" + value
    try:
        return schema.postcode(country)(value)
    except schema.Invalid:
        place.note("value-dropped", "postal_code",
                   f'"{value}" is not a postal code for {country}; dropped')
        return None


def country_code(row: Row, place: Place) -> str | None:
    value = cleaning.code(row.get("country"), place, "country")
    if value is None:
        return None
    code = COUNTRIES.get(value.upper(), value.upper())
    if len(code) != 2 or not code.isalpha():
        place.note("value-dropped", "country", f'"{value}" is not a country code; dropped')
        return None
    if code != value:
        place.note("code-trimmed", "country", f'"{value}" → "{code}"')
    return code
