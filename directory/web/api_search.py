"""The HSDS API's service filters as one search: the site's own (``searching.find``), with
HSDS's ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``, ``modified_after`` and
``postcode``/``proximity`` added as a mask of the documents that may match."""

from __future__ import annotations

from ..search import queries
from ..search.masks import mask_of
from . import api_params as ap
from . import clock, params, searching, where
from .current import all_categories, current_facets, current_stretch
from .hsds_build import lookup, source
from .i18n import localized
from .params import BadParameter
from .store import get_build, get_db


def _restriction() -> tuple[tuple, int | None]:
    """(cache key, mask) of the HSDS filters the site's search has no facet for."""
    facets, db = current_facets(), get_db()
    wanted = {name: ap.reference(name) for name in
              ("taxonomy_term_id", "taxonomy_id", "organization_id")}
    wanted["modified_after"] = ap.modified_after()
    postcode = params.text("postcode", 20)
    proximity = ap.proximity()
    masks = []
    if wanted["taxonomy_term_id"]:
        code, _ = lookup().find("taxonomy_term", wanted["taxonomy_term_id"])
        term = source().mapper.taxonomy.terms.get(code) if code else None
        if term is None:
            masks.append(0)
        elif term.value is None:  # a facet's top term: any value of it
            masks.append(_any_value(facets, term.facet))
        else:
            masks.append(facets.value_mask(term.facet, term.value))
    if wanted["taxonomy_id"]:
        known, _ = lookup().find("taxonomy", wanted["taxonomy_id"])
        masks.append(facets.all if known else 0)
    if wanted["organization_id"]:
        org, _ = lookup().find("organization", wanted["organization_id"])
        masks.append(mask_of(queries.docnums_of_organization(db, org), facets.size)
                     if org else 0)
    if wanted["modified_after"]:
        masks.append(mask_of(queries.docnums_verified_since(db, wanted["modified_after"]),
                             facets.size))
    if postcode and proximity is None:
        masks.append(mask_of(queries.docnums_in_postcode(db, postcode), facets.size))
    if not masks:
        return (), None
    mask = masks[0]
    for other in masks[1:]:
        mask &= other
    return (tuple(wanted.items()), postcode, proximity), mask


def _any_value(facets, facet: str) -> int:
    mask = 0
    for value_mask in facets.masks.get(facet, {}).values():
        mask |= value_mask
    return mask


def _centre():
    """(centre, radius in km) of a near or postcode+proximity search, or (None, None)."""
    proximity = ap.proximity()
    if proximity is not None:
        found = where.gazetteer().lookup(params.text("postcode", 20))
        if found.place is None or found.place.kind != "postcode":
            return "nowhere", None
        return found.place.point, proximity / 1000
    place = where.from_request()
    if place is None:
        return None, None
    if place.point is None:
        known = ", ".join(p.name for p in place.suggestions[:5])
        raise BadParameter("near", f'"{place.typed}" is not a place this directory knows'
                           + (f"; did you mean: {known}?" if known else
                              "; use a neighbourhood, a postcode or lat,lon."))
    return place.point, place.radius_km


def find(page: int, per_page: int, *, keep: bool = True):
    """The finding of this request's search and filters: ``/search``'s own; ``keep`` it among
    the build's recent answers (not when it lists every match)."""
    categories = all_categories()
    names = {c["id"]: localized(c["names"], c["name"]) for c in categories}
    audiences = {a["id"]: localized(a["names"], a["name"]) for a in
                 get_build().memo("audiences", lambda: queries.audiences(get_db()))}
    # The words read as the site reads them: "free therapy" is therapy with cost=free.
    q, chosen = searching.with_words_read(params.text("search"), params.filters(names, audiences))
    restriction_key, among = _restriction()
    centre, radius = _centre()
    if centre == "nowhere":  # a postcode the gazetteer does not know: nothing is near it
        among, centre, radius = 0, None, None
    now = clock.now()
    key = ("api-search", q, chosen.values, page, per_page, centre, radius, restriction_key,
           current_stretch())
    def compute():
        return searching.find(q, chosen, page, per_page, categories, now, centre=centre,
                              radius_km=radius, among=among)[0]

    return get_build().recent(key, compute) if keep else compute()


