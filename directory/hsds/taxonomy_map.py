"""HSDS taxonomy terms → this directory's categories and audiences, through a mapping file.

The shipped map (``taxonomy_map.yaml`` beside this module) covers the mental-health branches of
the AIRS/211 LA taxonomy and Open Eligibility; ``--taxonomy-map FILE`` extends it, or replaces
it with ``replace: true``. A term is looked up by code (longest matching start), then by
name, then through its parents. A term whose code is already one of our category ids (an
export of this directory) maps to itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .tables import Row

DEFAULT = Path(__file__).with_name("taxonomy_map.yaml")


class MapError(Exception):
    """The mapping file cannot be read or has the wrong shape."""


@dataclass
class TaxonomyMap:
    codes: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    audiences: dict[str, str] = field(default_factory=dict)

    def categories_of(self, term: Row | None, terms: dict[str, Row]) -> list[str]:
        """Category ids for a term, found by code, name, or through its parents."""
        seen = set()
        while term is not None and term.text("id") not in seen:
            seen.add(term.text("id"))
            found = self._direct(term)
            if found:
                return found
            term = terms.get(term.text("parent_id"))
        return []

    def _direct(self, term: Row) -> list[str]:
        code = term.text("code")
        if code:
            probe = code.upper()
            while probe:
                if probe in self.codes:
                    return self.codes[probe]
                cut = max(probe.rfind("."), probe.rfind("-"))
                probe = probe[:cut] if cut > 0 else ""
        return self.names.get(_key(term.text("name")), [])

    def audience_of(self, text: str) -> str | None:
        return self.audiences.get(_key(text))


def _key(text: str) -> str:
    return " ".join(str(text or "").lower().split())


def load_map(path: Path | None = None) -> TaxonomyMap:
    """The default map, extended (or replaced) by the file at ``path``."""
    mapping = TaxonomyMap()
    own = _read(path) if path else {}
    if not own.get("replace"):
        _merge(mapping, _read(DEFAULT), DEFAULT)
    if path:
        _merge(mapping, own, path)
    return mapping


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise MapError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise MapError(f"{path}{line}: is not valid YAML") from None
    if not isinstance(data, dict):
        raise MapError(f"{path}: expected sections codes:, names: and audiences:")
    unknown = set(data) - {"codes", "names", "audiences", "replace"}
    if unknown:
        raise MapError(f"{path}: unknown section {sorted(unknown)[0]!r} "
                       "(expected codes, names, audiences, replace)")
    return data


def _merge(mapping: TaxonomyMap, data: dict, path: Path) -> None:
    for section in ("codes", "names", "audiences"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise MapError(f"{path}: {section}: expected a mapping of term → id")
        for key, value in entries.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(item, str) and re.match(r"^[a-z0-9-]+$", item)
                       for item in values):
                raise MapError(f"{path}: {section}: {key}: {value!r} is not a category id "
                               "(or a list of them)")
            if section == "codes":
                mapping.codes[str(key).strip().upper()] = values
            elif section == "names":
                mapping.names[_key(key)] = values
            else:
                mapping.audiences[_key(key)] = values[0]


def top_level(term: Row | None, terms: dict[str, Row]) -> str:
    """The root of a term's branch, for counting what was left out: ``BD`` or its name."""
    if term is None:
        return "(no taxonomy term)"
    seen = set()
    while term.text("parent_id") in terms and term.text("id") not in seen:
        seen.add(term.text("id"))
        term = terms[term.text("parent_id")]
    code = term.text("code")
    if re.match(r"^[A-Z]{1,2}-\d", code):  # an AIRS code: its two-letter branch
        return code.split("-")[0]
    return term.text("name") or code or "(unnamed term)"
