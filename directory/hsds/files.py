"""Organization files as the importer writes them: a fixed key order, stable YAML, same bytes
for the same records, so a second identical import changes nothing and a diff is small.
"""

from __future__ import annotations

import datetime as dt
import json
import re

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


# A small YAML writer for exactly these records (mappings, lists, texts, numbers, dates): the
# same bytes every time, and several times faster than PyYAML's pure-Python representer on
# 50,000 services. tests/test_hsds_files.py reads its output back with PyYAML.
_PLAIN = re.compile(r"^[A-Za-z0-9(][A-Za-z0-9 ,.'()/&+%$!?;=_~*:#-]*$")
_PLAIN_UNSAFE = re.compile(r": | #|:\Z")  # a key, a comment, or a key at the end
_FLOW_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/()+-]")  # inside [a, b]: only the plainest
_RESOLVER = yaml.resolver.Resolver()
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_LINE_BREAKS = {"\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\ufeff"}


def scalar(value, *, flow: bool = False) -> str:
    """One value as YAML: plain when it reads back as the same text, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and "  " not in text and \
            not _PLAIN_UNSAFE.search(text) and \
            not (flow and _FLOW_UNSAFE.search(text)) and \
            _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str":
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in _LINE_BREAKS.items():
        quoted = quoted.replace(char, escape)
    # YAML refuses raw non-printable characters; escaped they read back as themselves.
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}" if ord(m[0]) < 0x10000
                              else f"\\U{ord(m[0]):08x}", quoted)


def _block_text(text: str, indent: str) -> str | None:
    """A multi-line text as a literal block (``|-``), when it can be one exactly."""
    lines = text.split("\n")
    if any(line != line.strip() or not line for line in lines) or \
            any(char in text for char in "\r\t" + "".join(_LINE_BREAKS)) or \
            _NON_PRINTABLE.search(text):
        return None
    return "|-\n" + "\n".join(f"{indent}{line}" for line in lines)


def _mapping(mapping: dict, indent: str) -> list[str]:
    out = []
    for key, value in mapping.items():
        head = f"{indent}{scalar(key)}:"
        if isinstance(value, dict):
            out.append(head)
            out.extend(_mapping(value, indent + "  "))
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value) and \
                    sum(len(str(item)) for item in value) < 60:
                out.append(f"{head} [{', '.join(scalar(item, flow=True) for item in value)}]")
            else:
                out.append(head)
                out.extend(_sequence(value, indent))
        elif isinstance(value, str) and "\n" in value and \
                (block := _block_text(value, indent + "  ")) is not None:
            out.append(f"{head} {block}")
        else:
            out.append(f"{head} {scalar(value)}")
    return out


def _sequence(items: list, indent: str) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, dict):
            lines = _mapping(item, indent + "  ")
            out.append(f"{indent}- {lines[0][len(indent) + 2:]}")
            out.extend(lines[1:])
        else:
            out.append(f"{indent}- {scalar(item)}")
    return out


def to_yaml(record: dict) -> str:
    return "\n".join(_mapping(record, "")) + "\n"


def render(organization: dict, system: str) -> str:
    return HEADER.format(system=system) + to_yaml(ordered(organization, ORGANIZATION))
