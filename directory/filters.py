"""Search filters as GET parameters: which there are, how they are read, how they combine.

Every filter is one parameter with one value, so any search is a plain, shareable URL and
works without JavaScript; filters combine with AND. A value that cannot be right is a 400
page that says what was wrong (``params``).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import params, schema

# In the order the filter panel shows them and URLs list them.
ORDER = ("open_now", "category", "cost", "language", "audience", "age", "wheelchair", "access",
         "remote")
CHOICES = ("category", "cost", "language", "audience", "access", "remote")
FLAGS = ("open_now", "wheelchair")
MAX_AGE = 120
PLACE = ("near", "lat", "lon", "radius")  # read and checked by ``where``


@dataclass(frozen=True)
class Filters:
    """The active filters, as (parameter, value) pairs in ``ORDER``."""

    values: tuple[tuple[str, str], ...] = ()
    # Where the search is (near, lat, lon, radius): carried along by every link, never a chip.
    place: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        return dict(self.values).get(name)

    def names(self) -> list[str]:
        return [name for name, _ in self.values]

    def without(self, name: str) -> Filters:
        return Filters(tuple(pair for pair in self.values if pair[0] != name), self.place)

    def args(self) -> dict[str, str]:
        """As URL parameters (for ``url_for``), with the place searched near."""
        return dict(self.place) | dict(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)


def read(categories: dict[str, str], audiences: dict[str, str]) -> Filters:
    """The filters of the current request; ``categories`` and ``audiences`` map id → name."""
    found = {
        "open_now": "1" if params.flag("open_now", "open now") else None,
        "category": params.choice("category", categories, "category"),
        "cost": params.choice("cost", {c: c for c in schema.COSTS}, "cost"),
        "language": params.language("language"),
        "audience": params.choice("audience", audiences, "group of people"),
        "age": params.whole_number("age", 0, MAX_AGE, "an age"),
        "wheelchair": "1" if params.flag("wheelchair", "wheelchair access") else None,
        "access": params.choice("access", {a: a for a in schema.ACCESS}, "way in"),
        "remote": params.choice("remote", {r: r for r in schema.REMOTE}, "remote option"),
    }
    place = tuple((name, value) for name in PLACE
                  if (value := params.text(name, limit=100)))
    return Filters(tuple((name, str(found[name])) for name in ORDER if found[name] is not None),
                   place)
