"""Organization files as the importer writes them: a fixed key order, stable YAML, same bytes
for the same records, so a second identical import changes nothing and a diff is small.
"""

from __future__ import annotations

import datetime as dt

import yaml

ORGANIZATION = ("id", "name", "alternate_name", "description", "url", "email", "phones",
                "source", "locations", "services")
LOCATION = ("id", "name", "address", "latitude", "longitude", "accessibility", "transportation",
            "description", "source")
ADDRESS = ("address_1", "address_2", "city", "state_province", "postal_code", "country")
SERVICE = ("id", "name", "description", "categories", "at", "hours", "closed", "special",
           "phones", "email", "url", "languages", "audience", "minimum_age", "maximum_age",
           "cost", "fees_description", "access", "application_process", "eligibility_description",
           "remote", "service_area", "last_verified", "status", "source")
PHONE = ("number", "type", "description", "hours")
SOURCE = ("system", "id")
HEADER = ("# Imported by `directory import hsds` from {system}. A re-import of {system} rewrites\n"
          "# this file: correct the listing in the source system, or remove `source:` lines to\n"
          "# take the listing over by hand.\n")


def ordered(record: dict, keys: tuple[str, ...]) -> dict:
    """The record's non-empty fields in the fixed order (unknown keys are not written)."""
    out = {}
    for key in keys:
        value = record.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "address":
            value = ordered(value, ADDRESS)
        elif key == "phones":
            value = [ordered(phone, PHONE) for phone in value]
        elif key == "source":
            value = ordered(value, SOURCE)
        elif key == "locations":
            value = [ordered(location, LOCATION) for location in value]
        elif key == "services":
            value = [ordered(service, SERVICE) for service in value]
        elif key in ("last_verified",):
            value = dt.date.fromisoformat(str(value))
        out[key] = value
    return out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Short lists of plain values on one line, long texts as blocks, dates unquoted."""


def _list(dumper: _Dumper, items: list):
    flow = all(isinstance(item, str | int | float | dt.date) for item in items) and \
        sum(len(str(item)) for item in items) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


def _text(dumper: _Dumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, _text)


def render(organization: dict, system: str) -> str:
    body = yaml.dump(ordered(organization, ORGANIZATION), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100, default_flow_style=False)
    return HEADER.format(system=system) + body
