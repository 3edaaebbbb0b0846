"""The gazetteer, ``data/places.csv``: cities, neighbourhoods, postcodes and landmarks → points.

Checked at build time (every problem with file and line) and written into the build. It
answers three questions without any network: where is the place a resident typed after
"near"; where is an address's postcode or city when the address itself cannot be geocoded;
and which areas a phone or online service covers (``service_area``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ..records.fields import Invalid, number, one_of, postcode, show, split_list, text
from ..records.load import Located
from ..records.problems import Report
from .distance import Point, Reduced, approximate_km, in_bounds, reduced

KINDS = ["city", "neighbourhood", "postcode", "landmark"]
AREA_KINDS = ("city", "neighbourhood", "postcode")  # what a service_area may name
COLUMNS = ("name", "kind", "latitude", "longitude", "aliases")
REGION = "region"  # service_area: the whole region the site covers
# How far a place's centre may be from a point for the point to count as "in" it: the
# nearest centre of each kind wins, as long as it is this close (kilometres).
AREA_REACH_KM = {"postcode": 8.0, "neighbourhood": 4.0, "city": 40.0}
SUGGESTIONS = 5


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    latitude: float
    longitude: float
    aliases: tuple[str, ...] = ()

    @property
    def point(self) -> Point:
        return Point(self.latitude, self.longitude)


def key(value: str) -> str:
    """What two spellings of a place share: 'Lake View' ≡ 'lakeview', 'Pilsén' ≡ 'pilsen'."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "".join(re.findall(r"\w+", folded))


def _words(value: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", value.casefold())
    return re.findall(r"\w+", "".join(ch for ch in folded if not unicodedata.combining(ch)))


@dataclass
class Lookup:
    """What a typed place turned into: one place, or none with suggestions."""

    place: Place | None = None
    suggestions: list[Place] = field(default_factory=list)


class Gazetteer:
    """Places by every name and alias, for exact lookups, suggestions and nearest areas."""

    def __init__(self, places: list[Place]):
        self.places = list(places)
        self._by_key: dict[str, Place] = {}
        self._labels: dict[str, Place] = {}  # spaced, folded name → place, for suggestions
        self._kinds: tuple | None = None  # ``_areas``, made when first asked
        for place in self.places:
            for name in (place.name, *place.aliases):
                self._by_key.setdefault(key(name), place)
                self._labels.setdefault(" ".join(_words(name)), place)

    def __bool__(self) -> bool:
        return bool(self.places)

    def find(self, value: str) -> Place | None:
        """The place with exactly this name or alias (spacing, case and accents aside)."""
        found = self._by_key.get(key(value))
        if found is None and re.fullmatch(r"\s*\d+-\d+\s*", value):
            found = self._by_key.get(key(value.split("-")[0]))  # ZIP+4 → ZIP
        return found

    def lookup(self, value: str) -> Lookup:
        """A typed place: an exact name, or the only place whose words start with the words
        typed ('hyde' → Hyde Park); otherwise no place and the closest names to offer."""
        exact = self.find(value)
        if exact:
            return Lookup(place=exact)
        typed = _words(value)
        if not typed:
            return Lookup()
        starts = _unique(place for label, place in self._labels.items()
                         if _starts_with_each(label.split(), typed))
        if len(starts) == 1:
            return Lookup(place=starts[0])
        close = _closest(" ".join(typed), list(self._labels))
        suggestions = _unique([*sorted(starts, key=lambda p: p.name),
                               *(self._labels[label] for label in close)])
        return Lookup(suggestions=suggestions[:SUGGESTIONS])

    def areas_around(self, point: Point) -> list[str]:
        """Names of the postcode, neighbourhood and city a point falls in (nearest centre)."""
        areas, kinds, at = [], *self._areas()
        if not kinds:
            return areas
        # Lambert's formula, not the geodesic: a few microseconds for every place at once.
        km = approximate_km(point, at)
        for kind, reach in AREA_REACH_KM.items():
            these, start = kinds.get(kind, ((), 0))
            if not these:
                continue
            nearest = int(np.argmin(km[start:start + len(these)]))
            if km[start + nearest] <= reach:
                areas.append(these[nearest].name)
        return areas

    def _areas(self) -> tuple[dict[str, tuple[list[Place], int]], Reduced | None]:
        """The places of each kind of area (with where they start in one list of them all)
        and all their points as ``approximate_km`` takes them, made once: every near search
        asks which areas its point is in (the "Call, text or chat" block)."""
        if self._kinds is None:
            kinds, ordered = {}, []
            for kind in AREA_REACH_KM:
                these = [p for p in self.places if p.kind == kind]
                kinds[kind] = (these, len(ordered))
                ordered += these
            self._kinds = ({kind: found for kind, found in kinds.items() if found[0]},
                           reduced(np.array([p.latitude for p in ordered]),
                                   np.array([p.longitude for p in ordered])))
        return self._kinds

    def for_address(self, address: dict) -> tuple[Place, str] | None:
        """Fallback for an address that cannot be geocoded: its postcode's or city's centre."""
        code = address.get("postal_code")
        place = self.find(code) if code else None
        if place and place.kind == "postcode":
            return place, "postcode"
        place = self.find(address.get("city") or "")
        if place and place.kind in ("city", "neighbourhood"):
            return place, "city"
        return None


def _starts_with_each(words: list[str], typed: list[str]) -> bool:
    """Every typed word starts one of the words, in order: 'lin sq' → 'lincoln square'."""
    position = 0
    for part in typed:
        while position < len(words) and not words[position].startswith(part):
            position += 1
        if position == len(words):
            return False
        position += 1
    return True


def _closest(typed: str, labels: list[str]) -> list[str]:
    """The labels most like a typo, best first: those within 0.1 of the best score, so
    'Narthside' offers Northside but not also Southside."""
    matcher = difflib.SequenceMatcher(b=typed)
    scored = []
    for label in labels:
        matcher.set_seq1(label)
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            scored.append((matcher.ratio(), label))
    best = max((score for score, _ in scored), default=0)
    return [label for score, label in sorted(scored, reverse=True)
            if score >= max(0.6, best - 0.1)][:SUGGESTIONS]


def _unique(places) -> list[Place]:
    return list(dict.fromkeys(places))


# --- checking data/places.csv -----------------------------------------------------------


def check_places(rows: list[Located], file: str, country: str, bounds: dict | None,
                 report: Report) -> list[Place]:
    """Every row as a Place; every problem reported with its file, line and column."""
    places: list[Place] = []
    owners: dict[str, tuple[str, int]] = {}
    unknown = sorted({column for row in rows for column in row if column not in COLUMNS})
    for column in unknown:
        close = difflib.get_close_matches(column, COLUMNS, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"the columns are {', '.join(COLUMNS)}"
        report.error(file, 1, column, f"is not a known column; {hint}")
    check_kind = one_of(KINDS, "kind of place")
    check_postcode = postcode(country)
    for row in rows:
        values = {}
        for column, check in (("name", text), ("kind", check_kind),
                              ("latitude", number(-90, 90, "a latitude")),
                              ("longitude", number(-180, 180, "a longitude"))):
            raw = row.get(column, "")
            if raw == "":
                report.error(file, row.line, column, "is missing; every place needs one")
                continue
            try:
                values[column] = check(raw)
            except Invalid as error:
                report.error(file, row.line, column, str(error))
        if len(values) < 4:
            continue
        if values["kind"] == "postcode":
            try:
                values["name"] = check_postcode(values["name"])
            except Invalid as error:
                report.error(file, row.line, "name", str(error))
                continue
        aliases = tuple(split_list()(row.get("aliases", "")))
        place = Place(values["name"], values["kind"], values["latitude"], values["longitude"],
                      aliases)
        if not _own_names(place, row, file, owners, report):
            continue
        if not in_bounds(place.point, bounds):
            report.warning(file, row.line, "latitude",
                           f"{place.name} ({place.latitude}, {place.longitude}) is outside the "
                           "region's bounds in site.yaml; check the numbers (latitude first)")
        places.append(place)
    return places


def _own_names(place: Place, row: Located, file: str, owners: dict, report: Report) -> bool:
    """A name or alias may belong to one place only, or "near" could not know which is meant."""
    ok = True
    for column, name in [("name", place.name)] + [("aliases", a) for a in place.aliases]:
        owner = owners.get(key(name))
        if owner and owner[1] != row.line:
            report.error(file, row.line, column,
                         f"{show(name)} already names {owner[0]} at line {owner[1]}; "
                         "a name or alias may belong to one place only")
            ok = False
        else:
            owners[key(name)] = (place.name, row.line)
    return ok


def check_service_areas(services: list[Located], gazetteer: Gazetteer, report: Report) -> None:
    """Each ``service_area`` entry is ``region`` or a city, neighbourhood or postcode in
    places.csv; entries are replaced by the place's own name so the build can match them."""
    names = sorted({p.name for p in gazetteer.places if p.kind in AREA_KINDS})
    for service in services:
        areas = service.get("service_area")
        if not areas:
            continue
        kept = []
        for index, area in enumerate(areas):
            where = (service.file, service.line_of("service_area"),
                     f"{getattr(service, 'path', '') or ''}.service_area[{index}]".lstrip("."))
            if key(area) == REGION:
                kept.append(REGION)
                continue
            place = gazetteer.find(area)
            if place and place.kind in AREA_KINDS:
                kept.append(place.name)
            elif place:
                report.error(*where, f"{show(area)} is a {place.kind} in places.csv; a service "
                             "area is region, a city, a neighbourhood or a postcode")
            else:
                close = difflib.get_close_matches(area, names, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else \
                    "; add it to places.csv (name, kind, latitude, longitude) or use region"
                report.error(*where, f"{show(area)} is not a place in places.csv{hint}")
        service["service_area"] = list(dict.fromkeys(kept))
