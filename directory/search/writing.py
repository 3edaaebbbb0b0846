"""A Whoosh segment writer that writes the same index with far less Python per word.

Whoosh's ``SegmentWriter`` runs every token of every document through its analyzer chain
(tokenizer, lowercase, stop list, stemmer: one generator step and a few attribute writes per
filter), puts every posting as a tuple into a sorting pool that pickles runs to disk, and on
commit reads each posting's field length back from the column it just wrote. On a large
catalogue that is most of the build.

``FastSegmentWriter`` keeps Whoosh's file formats and codec and changes only how postings are
made and handed over:

- a word's analysis is the same wherever it occurs (the filters of the analyzers here look at
  one token at a time), so each distinct word is analysed once, with Whoosh's own analyzer,
  and text is split with the tokenizer's own regular expression in one pass;
- postings are gathered per term in memory (a document number and one shared tuple of
  weight, encoded positions and length per posting) and written term by term in Whoosh's
  order, with the field length known instead of read back.

The index written is identical, posting for posting (``tests/test_index_writing.py``). A field
or analyzer it does not know to be per-token falls back to Whoosh's own ``index``.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.codec.whoosh3 import W3PostingsWriter, byte_to_length, length_to_byte
from whoosh.formats import Positions
from whoosh.system import emptybytes
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

# Filters that map one token to at most one token by its text alone (the stop filter drops
# a token and renumbers the positions after it, which ``_Words`` does the same way).
_PER_TOKEN = (LowercaseFilter, StopFilter, StemFilter, CharsetFilter)
_MISSING = object()


def _per_token(analyzer) -> bool:
    """Whether ``analyzer`` is a regex tokenizer followed only by per-token filters."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return False
    first, *rest = analyzer.items
    return (type(first) is RegexTokenizer and not first.gaps
            and all(type(item) in _PER_TOKEN for item in rest)
            and all(item.renumber for item in rest if isinstance(item, StopFilter))
            and sum(isinstance(item, StopFilter) for item in rest) <= 1)


_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")  # a character class, as [\w\*]


def _tokens(expression: re.Pattern):
    """The tokenizer's matches as strings: ``findall`` of its expression with its groups
    made non-capturing (the same matches, without a match object each), or, for an
    expression that cannot be rewritten safely, each match's text."""
    pattern = expression.pattern
    if isinstance(pattern, str):
        classes = _CLASS.findall(pattern)
        outside = _CLASS.sub("", pattern)
        if not any("(" in found for found in classes) and "(?" not in outside \
                and "\\(" not in outside:
            plain = re.compile(pattern.replace("(", "(?:"), expression.flags)
            if plain.groups == 0:
                return plain.findall
    finditer = expression.finditer
    return lambda value: [match.group(0) for match in finditer(value)]


class _Words:
    """The terms of a text as one analyzer makes them: term → its positions."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self.tokens = _tokens(analyzer.items[0].expression)
        self.terms: dict[str, str | None] = {}  # a token as written → its term, None: stopped
        self.renumber = any(isinstance(item, StopFilter) for item in analyzer.items)

    def _term(self, token: str) -> str | None:
        made = [t.text for t in self.analyzer(token, positions=True, boosts=True,
                                              mode="index")]
        if len(made) > 1:  # cannot happen with the filters above; never guess
            raise ValueError(f"{token!r} analyses to several terms")
        return made[0] if made else None

    def positions(self, value: str) -> dict[str, list[int]]:
        # As StopFilter(renumber=True): the first word kept keeps its place in the text,
        # each later one follows it (the stopped words between leave no gap).
        terms, found, pos = self.terms, {}, None
        for raw, token in enumerate(self.tokens(value)):
            term = terms.get(token, _MISSING)
            if term is _MISSING:
                term = terms[token] = self._term(token)
            if term is None:
                continue
            pos = raw if pos is None or not self.renumber else pos + 1
            at = found.get(term)
            if at is None:
                found[term] = [pos]
            else:
                at.append(pos)
        return found


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` writing the same segment as Whoosh's, several times faster.

    Postings are kept in memory until commit: about 16 bytes each (a process indexing 25,000
    services holds a few million)."""

    # Distinct values of a field kept analysed (a category's words repeat across services).
    KEEP_VALUES = 4096
    # A field whose values rarely repeat (descriptions: 54 of 25,000) keeps none once this
    # many have been looked up with fewer than a quarter found: its kept values were tens
    # of MB in every indexing process, for nothing.
    JUDGE_AFTER = 1000

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._postings: dict[str, dict[bytes, list]] = {}
        self._words: dict[str, _Words | None] = {}
        self._values: dict[str, dict[str, list]] = {}
        self._looked_up: dict[str, list[int]] = {}  # field → [values found, looked up]
        self._tbytes: dict[str, bytes] = {}  # a term → its UTF-8 bytes
        self._shared: dict[tuple, tuple] = {}  # (weight, vbytes, length), one object each
        self._encoded: dict[tuple, bytes] = {}  # positions → Whoosh's encoding
        self._lengths = self.codec.length_stats
        # Set by a caller that wants the segment's postings as arrays too (``postings``).
        self.arrays = None

    def _fast(self, fieldname: str, field) -> _Words | None:
        if fieldname not in self._words:
            fast = (type(field.format) is Positions and not field.vector
                    and not field.separate_spelling() and _per_token(field.analyzer))
            self._words[fieldname] = _Words(field.analyzer) if fast else None
        return self._words[fieldname]

    def _items(self, fieldname: str, field, words: _Words, value: str) -> list:
        """(btext, freq, weight, vbytes) per term, as ``field.index(value)`` makes them."""
        values = self._values.setdefault(fieldname, {})
        counts = self._looked_up.setdefault(fieldname, [0, 0])
        counts[1] += 1
        items = values.get(value)
        if items is not None:
            counts[0] += 1
            return items
        boost, encoded, items = field.format.field_boost, self._encoded, []
        for term, poslist in words.positions(value).items():
            key = tuple(poslist)
            vbytes = encoded.get(key)
            if vbytes is None:
                vbytes = encoded[key] = field.format.encode(poslist)
            # One bytes object per term, shared by every value holding it.
            tbytes = self._tbytes.get(term)
            if tbytes is None:
                tbytes = self._tbytes[term] = utf8encode(term)[0]
            # As Positions.word_values: the sum of each token's boost (1.0), times the field's.
            items.append((tbytes, len(poslist), float(len(poslist)) * boost, vbytes))
        if counts[1] >= self.JUDGE_AFTER and counts[0] * 4 < counts[1]:
            values.clear()  # and none kept from now on
            return items
        if len(values) >= self.KEEP_VALUES:
            values.clear()
        values[value] = items
        return items

    def add_document(self, **fields):
        # As SegmentWriter.add_document, with postings gathered per term instead of pooled.
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        shared, postings = self._shared, self._postings
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    words = self._fast(fieldname, field)
                    if words is not None and isinstance(value, str):
                        items = self._items(fieldname, field, words, value)
                    else:
                        if field.separate_spelling() or field.vector:
                            raise NotImplementedError(f"{fieldname}: spelling or vectors")
                        items = list(field.index(value))
                    scorable = field.scorable
                    if scorable:
                        length = sum(item[1] for item in items)
                    # The length Whoosh reads back for each posting: stored as one byte.
                    stored = byte_to_length(length_to_byte(length)) if length and \
                        self._lengths else 0
                    terms = postings.get(fieldname)
                    if terms is None:
                        terms = postings[fieldname] = {}
                    for tbytes, _freq, weight, vbytes in items:
                        weight *= fieldboost
                        key = (weight, vbytes or emptybytes, stored)
                        value_of = shared.get(key)
                        if value_of is None:
                            value_of = shared[key] = key
                        found = terms.get(tbytes)
                        if found is None:
                            terms[tbytes] = [docnum, value_of]
                        else:
                            found.append(docnum)
                            found.append(value_of)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                       length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        writer, schema, arrays = self.fieldwriter, self.schema, self.arrays
        for fieldname in sorted(self._postings):
            terms = self._postings.pop(fieldname)
            writer.start_field(fieldname, schema[fieldname])
            for tbytes in sorted(terms):
                found = terms.pop(tbytes)
                if arrays is not None:
                    arrays.add(fieldname, tbytes, found)
                writer.start_term(tbytes)
                postwriter = getattr(writer, "_postwriter", None)
                if type(postwriter) is W3PostingsWriter:
                    _add_postings(postwriter, found)
                else:
                    for at in range(0, len(found), 2):
                        weight, vbytes, length = found[at + 1]
                        writer.add(found[at], weight, vbytes, length)
                writer.finish_term()
            writer.finish_field()
        writer.close()


def _add_postings(postwriter: W3PostingsWriter, found: list) -> None:
    """``postwriter.add_posting`` for each posting of ``found`` (document number, (weight,
    vbytes, length)...), a block's worth at a time: the same blocks and block statistics,
    without a Python call and four type checks per posting."""
    limit = postwriter._blocklimit
    for start in range(0, len(found), 2 * limit):
        if len(postwriter._ids) >= limit:  # as add_posting: a full block is written first
            postwriter._write_block()
        chunk = found[start + 1:start + 2 * limit:2]
        postwriter._ids.extend(found[start:start + 2 * limit:2])
        weights = [weight for weight, _, _ in chunk]
        postwriter._weights.extend(weights)
        postwriter._maxweight = max(postwriter._maxweight, *weights)
        postwriter._values.extend(vbytes for _, vbytes, _ in chunk if vbytes)
        lengths = [length for _, _, length in chunk if length]
        if lengths:
            shortest = min(lengths)
            if postwriter._minlength is None or shortest < postwriter._minlength:
                postwriter._minlength = shortest
            postwriter._maxlength = max(postwriter._maxlength, *lengths)
