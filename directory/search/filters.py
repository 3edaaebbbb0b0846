"""Search filters: which there are and how they combine (AND).

Every filter is one parameter with one value, so any search is a plain, shareable URL and
works without JavaScript. Reading them from a request, strictly, is ``web.params.filters``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
