"""One search as the site runs it: words, typo tolerance, filters, facet counts, ways out.

1. Words: every word must match; when that finds fewer than ``FEW`` services and a word is
   not in the index, the corrected search ("did you mean") is added after the exact matches
   (or stands in for them when there are none); when still nothing matches, any word will do.
   With more results (the other words matched: "suport group"), the correction is offered.
2. Filters: the text matches AND each filter's mask (``facets``).
3. Facet counts: for each option, how many results there would be with that option chosen
   instead, i.e. with every other active filter; exactly the results its link promises.
4. No dead ends: with zero results, which single filter to remove (with the count it gives),
   the same filters without the words, and related kinds of help that have results.
5. Crisis searches (``crisis``: "kill myself", "quiero morir"): never corrected; the
   services of the crisis category come first (open now first), then what the words match
   (every word, else any). The page opens with the crisis lines (the site's template).
6. A phone number typed as the search ("(312) 555-0101") finds the services with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce

from whoosh.query import Or, Term

from . import crisis as crisis_terms
from . import queries
from .facets import FacetIndex
from .filters import CHOICES, FLAGS, ORDER, Filters
from .masks import first_in, mask_of

FEW = 3  # fewer exact matches than this and a spelling correction is tried
RELATED = 5  # related kinds of help offered on an empty page
PHONE = re.compile(r"^[\s()+.\-]*(?:\d[\s()+.\-]*){7,15}$")  # a typed phone number
SHORT_CODE = re.compile(r"^\d{3,6}$")  # 211, 988, 741741: dialled as written


@dataclass(frozen=True)
class Option:
    value: str
    count: int
    selected: bool


@dataclass
class Finding:
    ids: list[str]
    total: int
    docnums: list[int] = field(default_factory=list)  # the index's numbers of ``ids``
    matched: int = 0  # services the words match, before any filter
    all_words: bool = True  # False when only some of the words matched
    corrected: str | None = None  # the spelling-corrected search, when it was used
    corrected_only: bool = False  # no exact match: every result is for the correction
    options: dict[str, list[Option]] = field(default_factory=dict)  # choice filters
    any_count: dict[str, int] = field(default_factory=dict)  # results with that filter unset
    flag_count: dict[str, int] = field(default_factory=dict)  # results with that flag on
    removals: list[tuple[str, int]] = field(default_factory=list)  # filter → results without it
    without_words: int = 0  # results for the filters alone (empty page with words)
    related: list[tuple[str, int]] = field(default_factory=list)  # category id → results
    crisis: crisis_terms.Match | None = None  # the crisis phrase found in the words
    crisis_count: int = 0  # results of the crisis category, shown first


def find(index, facet_index: FacetIndex, speller, db, q: str, filters: Filters, *, page: int,
         per_page: int, now: dt.datetime, categories: list[dict],
         nearest: list[int] | Callable[[int], Sequence[int]] | None = None,
         crisis: crisis_terms.CrisisTerms | None = None, among: int | None = None) -> Finding:
    """Run one search; ``categories`` are the taxonomy rows (for related kinds of help).

    ``nearest``: the documents within a near search's radius, nearest first; the results are
    then only those, in that order (the words decide what matches, distance the order). Or
    a function giving them among a mask, called once with the mask of every document the
    page can count or show (what the words match, the crisis services of a crisis search,
    within ``among``): the same answer, with only those measured and sorted by distance.
    ``crisis``: the build's crisis terms; a search with one of them puts crisis services first.
    ``among``: a mask of the only documents that may match (the HSDS API's filters the site
    has no facet for, e.g. ``organization_id``); the ranking is unchanged.
    """
    size = facet_index.size
    start = (page - 1) * per_page
    masks = {name: _mask(facet_index, db, name, value, now) for name, value in filters.values}
    found = crisis.match(q) if crisis else None
    if found:
        text, all_words, corrected, corrected_only = _crisis_text(index, q)
    else:
        # A near search orders the matches by distance: they need no scores.
        text, all_words, corrected, corrected_only = _text_matches(
            index, speller, q, db, ranked_next=nearest is None)
    if text is None:
        ranked, matches = facet_index.by_name, facet_index.all
    else:
        ranked, matches = text.ranked, text.mask
    crisis_mask = facet_index.value_mask("category", crisis_terms.CATEGORY) if found else 0
    if callable(nearest):
        # Every count and result below is of these: the words' matches (and the crisis
        # services), each within the radius.
        wanted = matches | crisis_mask
        nearest = nearest(wanted if among is None else wanted & among)
    if nearest is not None:
        matches &= mask_of(nearest, size)
        ranked = nearest
    first = 0  # the crisis services, in a crisis search: shown before the rest
    if found:
        first = crisis_mask
        if nearest is not None:  # those with no place are in the "Call, text or chat" block
            first &= mask_of(nearest, size)
        matches |= first
    if among is not None:
        matches &= among
    final = reduce(int.__and__, masks.values(), matches)
    count = start + per_page
    # The crisis services (all of them come before the rest), as deep as the page needs.
    crisis_count = (final & first).bit_count()
    firsts = _crisis_first(index, facet_index, db, now, q, final & first, count) \
        if crisis_count else []
    rest, skip, wanted = final & ~first, max(0, start - crisis_count), \
        count - max(start, crisis_count)
    if not final:
        page_docs = []
    elif wanted <= 0 or not rest:
        page_docs = firsts[start:count]
    elif ranked is None:
        # Rank by relevance only as deep as the page.
        page_docs = firsts[start:] + index.ranked(text.query, among=rest,
                                                  limit=skip + wanted)[skip:]
    else:
        page_docs = firsts[start:] + first_in(ranked, rest, size, skip, wanted)
    finding = Finding(ids=_in_order(queries.service_ids(db, page_docs), page_docs),
                      docnums=page_docs, total=final.bit_count(),
                      matched=matches.bit_count(), all_words=all_words, corrected=corrected,
                      corrected_only=corrected_only, crisis=found, crisis_count=crisis_count)

    def others(name: str, base: int) -> int:
        return reduce(int.__and__, (m for n, m in masks.items() if n != name), base)

    for name in ORDER:
        base = others(name, matches)
        finding.any_count[name] = base.bit_count()
        if name in CHOICES:
            chosen = filters.get(name)
            options = [Option(value, (base & mask).bit_count(), value == chosen)
                       for value, mask in facet_index.masks.get(name, {}).items()
                       if value == chosen or base & mask]
            # Most results first: the options people are most likely to want.
            finding.options[name] = sorted(options, key=lambda o: (-o.count, o.value))
        elif name in FLAGS:
            mask = masks.get(name) or _mask(facet_index, db, name, "1", now)
            finding.flag_count[name] = (base & mask).bit_count()
    if finding.total == 0:
        finding.removals = sorted(((name, finding.any_count[name]) for name in filters.names()
                                   if finding.any_count[name]), key=lambda item: -item[1])
        finding.without_words = reduce(int.__and__, masks.values(), facet_index.all).bit_count() \
            if q.strip() else 0
        finding.related = _related(index, facet_index, masks, q, filters, categories)
    return finding


def _mask(facet_index: FacetIndex, db, name: str, value: str, now: dt.datetime) -> int:
    if name == "open_now":
        return facet_index.open_mask(db, now)
    if name == "age":
        return facet_index.age_mask(int(value))
    return facet_index.value_mask(name, value)


@dataclass(frozen=True)
class _Text:
    """What the words match: every document (unscored, cheap), and either their ranked order
    (small, eager lists) or the query to rank only the top of a page with."""

    mask: int
    query: object = None
    ranked: list[int] | None = None


def _crisis_text(index, q: str):
    """What a crisis search's words match, never corrected: every word, else any word."""
    query = index.query(q)
    exact = index.matches(query)
    if exact or len(q.split()) < 2:
        return _Text(exact, query), True, None, False
    loose = index.query(q, all_words=False)
    return _Text(index.matches(loose), loose), False, None, False


def _crisis_first(index, facet_index: FacetIndex, db, now: dt.datetime, q: str,
                  among: int, limit: int) -> list[int]:
    """The first ``limit`` crisis services of a crisis search: those open now first, each
    group best match for the words first ("text", "chat" pick their kind of line)."""
    query = Or([index.query(q, all_words=False), Term("category", crisis_terms.CATEGORY)])
    open_now = facet_index.open_mask(db, now)
    firsts = index.ranked(query, among=among & open_now, limit=limit) if among & open_now else []
    if len(firsts) < limit and among & ~open_now:
        firsts += index.ranked(query, among=among & ~open_now, limit=limit - len(firsts))
    return firsts


def _text_matches(index, speller, q: str, db=None, ranked_next: bool = True):
    """(what the words match or None for "no words", all words?, correction, only?).

    ``ranked_next``: False when the matches are not ranked by relevance afterwards."""
    if not q.strip():
        return None, True, None, False
    if db is not None and (PHONE.match(q) or SHORT_CODE.match(q.strip())):
        digits = re.sub(r"\D", "", q)
        by_phone = queries.docnums_with_phone(db, digits, exact=len(digits) < 7)
        if by_phone:
            return _Text(mask_of(by_phone, index.size()), ranked=by_phone), True, None, False
    query = index.query(q)
    exact = index.matches(query, ranked_next=ranked_next)
    corrected = None
    if speller.may_correct(q):
        with index.shared() as searcher:
            corrected = speller.correct(searcher.reader(), q)
    if exact.bit_count() >= FEW:
        # Enough results (another word matched, "suport group"): offer the correction only.
        return _Text(exact, query), True, corrected, False
    if corrected:
        extra = index.ranked(index.query(corrected))
        if extra:
            first = index.ranked(query)
            seen = set(first)
            both = first + [d for d in extra if d not in seen]
            return _Text(mask_of(both, index.size()), ranked=both), True, corrected, not first
    if exact or len(q.split()) < 2:
        return _Text(exact, query), True, None, False
    loose = index.query(q, all_words=False)
    return _Text(index.matches(loose, ranked_next=ranked_next), loose), False, None, False


def _related(index, facet_index: FacetIndex, masks: dict, q: str, filters: Filters,
             categories: list[dict]) -> list[tuple[str, int]]:
    """Kinds of help near what was asked that have results with the other filters."""
    chosen = filters.get("category")
    by_id = {c["id"]: c for c in categories}
    wanted = list(index.categories_named_in(q)) if q else []
    if chosen in by_id:
        parent = by_id[chosen]["parent_id"]
        wanted += [parent] if parent else []
        wanted += [c["id"] for c in categories if c["parent_id"] == chosen
                   or (c["parent_id"] == parent and c["id"] != chosen)]
    base = reduce(int.__and__, (m for n, m in masks.items() if n != "category"), facet_index.all)
    counted = [(cid, (base & facet_index.value_mask("category", cid)).bit_count())
               for cid in dict.fromkeys(wanted) if cid != chosen]
    if not any(count for _, count in counted):  # nothing close: the biggest kinds of help
        counted = [(c["id"], (base & facet_index.value_mask("category", c["id"])).bit_count())
                   for c in categories if not c["parent_id"] and c["id"] != chosen]
        counted.sort(key=lambda item: -item[1])
    return [(cid, count) for cid, count in counted if count][:RELATED]


def _in_order(ids: dict[int, str], docnums: list[int]) -> list[str]:
    return [ids[docnum] for docnum in docnums if docnum in ids]
